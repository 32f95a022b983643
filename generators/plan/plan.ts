// The planner (decisions.md): resolves every `auto` and records why; the rules of api.md §4 are
// units in generators/plan/rules/, run over the finished plan (checkRules). Explicit values in
// the profile are never overridden; where they break a rule, that is a finding. Pure: profile
// and facts in, plan out.
import type { NetworkProfile } from '../api/profile.js';
import { type AddressBlock, type Family, isBlock, parseAddressBlock, parseCIDR, parseIP, firstIP, lastIP, formatIP } from '../api/net.js';
import { type Detection, evidenceLines, formatEvidence } from '../detect/detect.js';
import { checkRules } from './rules/index.js';
import type { UnknownValue } from './rules/registry.js';
import { CCM_PROVIDERS, getPath, providerName } from './rules/util.js';
import { chooseCcmVersion, kubernetesMinor, CCM_SINGLE_RELEASE } from '../charts/ccm-images.js';
import { BFD_MITIGATION_TIMERS } from './rules/cilium-bfd-unsupported.js';
import { ciliumDatapath } from './cilium-plan.js';
import { nodeSubnets, peerMultiHop } from './peers.js';
import { resolveAuto, type AutoRow } from './auto.js';
import { planPlatform, resolvePlatform } from './platform-plan.js';
import type { Platform } from '../platforms/platforms.js';
import type { CcmProvider, Decision, EnvironmentClass, Implementation, Plan, PlanBlock, PlanPeer, PlanPool, Speaker } from './types.js';

export interface PlanOptions {
  /** Detection from a Node list; undefined when there are no facts. */
  facts?: Detection;
  /**
   * Checks spec.cni.cilium.values against the chart's values schema of that version; returns the
   * paths (relative to values) that the chart does not know, and for each the versions that do.
   */
  checkCiliumValues?: (version: string, values: Record<string, unknown>) => UnknownValue[];
}

export { checkRules, getPath, providerName };

// ---- the `auto` lists, each read top to bottom (generators/plan/auto.ts) ----------------------

// spec.cluster.distribution: auto.
const DISTRIBUTION_AUTO: AutoRow<Detection | undefined, 'kubeadm' | 'k3s' | 'rke2' | 'talos' | 'managed'>[] = [
  { when: (f) => !!f?.distribution, value: (f) => f!.distribution!, reason: `detected from the nodes' kubelet version and OS image`,
    fact: (f) => (f!.platformEvidence[0] && f!.platformEvidence[0].signal === 'distribution' ? formatEvidence(f!.platformEvidence[0]) : 'nodes') },
  { value: 'kubeadm', reason: 'no facts: assumed kubeadm' },
];

// spec.loadBalancer.mode: auto, for an implementation that announces itself (bare metal).
const MODE_AUTO: AutoRow<number, 'l2' | 'bgp'>[] = [
  { when: (peers) => peers > 0, value: 'bgp', reason: (peers) => `${peers} BGP peer(s) given`, fact: 'spec.loadBalancer.bgp.peers' },
  { value: 'l2', reason: 'no BGP peers given: L2 announcement on the node subnet', fact: 'spec.loadBalancer.bgp.peers' },
];

interface LbAutoContext {
  env: { class: EnvironmentClass | null; type: string | null; provider: string | null; managed: boolean | null };
  mode: 'l2' | 'bgp' | null;
  usesCilium: boolean;
  kprOn: boolean;
  speaker: NetworkProfile['spec']['loadBalancer']['bgp']['speaker'];
}
const isCloudClass = (c: LbAutoContext) => c.env.class === 'public-cloud' || c.env.class === 'openstack';

// spec.loadBalancer.implementation: auto (decisions.md "Load balancing").
const IMPLEMENTATION_AUTO: AutoRow<LbAutoContext, Implementation | null>[] = [
  { when: (c) => c.env.class === null, value: null, reason: 'the environment is unknown, so no implementation can be chosen', rule: 'environment-unknown' },
  { when: (c) => c.env.class === 'public-cloud' && c.mode === 'l2', value: null, reason: 'L2 cannot work in a public-cloud VPC; no implementation chosen', rule: 'l2-on-cloud' },
  { when: (c) => c.env.class === 'openstack' && c.mode === 'l2', value: (c) => (c.usesCilium && c.kprOn ? 'cilium' : 'metallb'),
    reason: (c) => `L2 on OpenStack as asked: ${c.usesCilium && c.kprOn ? 'Cilium L2 announcements (Cilium CNI with kubeProxy: none)' : 'MetalLB layer 2'}`, rule: 'l2-on-cloud' },
  { when: isCloudClass, value: 'cloud', fact: (c) => `environment ${c.env.type}/${c.env.provider ?? '?'}`,
    reason: (c) => (c.env.managed
      ? `${c.env.provider ?? 'the provider'} runs the control plane and its cloud-controller-manager, which already serves LoadBalancer Services`
      : `a self-managed cluster on ${c.env.provider ?? 'a public cloud'}: the provider's load balancer through its cloud-controller-manager (L2 does not work in a VPC)`) },
  { when: (c) => c.mode === 'l2' && c.usesCilium && c.kprOn, value: 'cilium', reason: 'bare metal, L2: Cilium is the CNI and replaces kube-proxy, so its L2 announcements need nothing else' },
  { when: (c) => c.mode === 'l2', value: 'metallb', reason: (c) => `bare metal, L2: MetalLB layer 2 (${c.usesCilium ? 'Cilium L2 announcements need kubeProxy: none' : 'the CNI is not Cilium'})` },
  { when: (c) => c.speaker === 'external', value: 'purelb', reason: 'bare metal, BGP with an external speaker: PureLB only allocates addresses (it embeds no BGP speaker), the existing routing daemon announces them' },
  { when: (c) => c.speaker === 'metallb', value: 'metallb', reason: 'BGP speaker metallb asked for' },
  { when: (c) => c.speaker === 'cilium' || c.usesCilium, value: 'cilium', reason: 'bare metal, BGP: Cilium is the CNI, so its BGP control plane peers and LB-IPAM allocates' },
  { value: 'metallb', reason: 'bare metal, BGP without Cilium: MetalLB peers and allocates' },
];

// spec.loadBalancer.bgp.speaker: auto, with BGP mode.
const SPEAKER_AUTO: AutoRow<Implementation | null, Speaker | null>[] = [
  { when: (i) => i === 'purelb', value: 'purelb', reason: "PureLB's lbnodeagent announces through its GoBGP sidecar" },
  { when: (i) => i === 'cilium' || i === 'metallb', value: (i) => i as Speaker, reason: (i) => `the ${i} implementation peers with the routers itself` },
  { value: null, reason: 'no implementation that speaks BGP' },
];

export function planProfile(profile: NetworkProfile, options: PlanOptions = {}): Plan {
  const spec = profile.spec;
  const decisions: Decision[] = [];
  const decide = (field: string, value: unknown, reason: string, rule: string | null = null, fact: string | null = null) =>
    decisions.push({ field, value, rule, fact, reason });
  const facts = options.facts;

  // ---- cluster ----------------------------------------------------------------------------
  const podBlocks = spec.cluster.podCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const serviceBlocks = spec.cluster.serviceCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const nodeBlocks = spec.cluster.nodeCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const families = unique(podBlocks.map((b) => b.family)).sort() as Family[];

  let distribution = spec.cluster.distribution;
  if (distribution === 'auto') {
    const r = resolveAuto(DISTRIBUTION_AUTO, facts);
    distribution = r.value;
    decide('cluster.distribution', distribution, r.reason, r.rule, r.fact);
  }

  // ---- environment ------------------------------------------------------------------------
  const env = resolveEnvironment(profile, facts, decide);
  // The platform table entry (generators/platforms): it supplies the defaults of the Cilium lists below.
  const platformEntry = resolvePlatform(distribution, env, facts, decide);

  // ---- load balancing ---------------------------------------------------------------------
  const lbSpec = spec.loadBalancer;
  const peers = lbSpec.bgp.peers;
  let implementation: Implementation | null = lbSpec.implementation === 'auto' ? null : lbSpec.implementation;
  let mode: 'l2' | 'bgp' | null = lbSpec.mode === 'auto' ? null : lbSpec.mode;
  const usesCilium = spec.cni.provider === 'cilium';
  const kprOn = spec.cluster.kubeProxy === 'none';

  if (implementation === null) {
    // On bare metal the mode comes first: it decides the implementation.
    if (env.class === 'bare-metal' && mode === null) {
      const m = resolveAuto(MODE_AUTO, peers.length);
      mode = m.value;
      decide('loadBalancer.mode', mode, m.reason, m.rule, m.fact);
    }
    const r = resolveAuto(IMPLEMENTATION_AUTO, { env, mode, usesCilium, kprOn, speaker: lbSpec.bgp.speaker });
    implementation = r.value;
    decide('loadBalancer.implementation', implementation, r.reason, r.rule, r.fact);
  }

  // Explicit or resolved self-run implementation: resolve the mode and check it fits.
  const selfRun = implementation === 'cilium' || implementation === 'metallb' || implementation === 'purelb';
  if (selfRun) {
    if (mode === null) {
      const m = resolveAuto(MODE_AUTO, peers.length);
      mode = m.value;
      decide('loadBalancer.mode', mode, m.reason, m.rule, m.fact);
    }
  } else if (implementation === 'cloud' || implementation === 'none') {
    if (lbSpec.mode !== 'auto') decide('loadBalancer.mode', null, `mode ${lbSpec.mode} does not apply to implementation ${implementation}`);
    mode = null;
  }

  // Speaker.
  let speaker: Speaker | null = null;
  if (mode === 'bgp' && implementation) {
    const asked = lbSpec.bgp.speaker;
    if (asked === 'auto') {
      const r = resolveAuto(SPEAKER_AUTO, implementation);
      speaker = r.value;
      if (speaker) decide('loadBalancer.speaker', speaker, r.reason, r.rule, r.fact);
    } else speaker = asked;
  }

  // Pools.
  const pools = planPools(profile);

  const subnets = nodeSubnets(spec.cluster.nodeCIDRs, facts);
  const planPeers: PlanPeer[] = peers.map((p, i) => {
    const ip = parseIP(p.address)!;
    const multiHop = peerMultiHop(p.ebgpMultiHop, ip, subnets);
    if (mode === 'bgp') decide(`loadBalancer.bgp.peers[${i}].ebgpMultiHop`, multiHop.value, multiHop.reason, null, subnets.source === 'facts' ? 'node InternalIPs' : null);
    return {
      name: p.name, address: p.address, family: ip?.family ?? 'IPv4', asn: p.asn, port: p.port, bfd: p.bfd, gracefulRestart: p.gracefulRestart, ebgpMultiHop: multiHop.value,
      passwordSecretRef: p.passwordSecretRef ? { name: p.passwordSecretRef.name, key: p.passwordSecretRef.key } : null,
      timers: p.bfd && speaker === 'cilium' ? { ...BFD_MITIGATION_TIMERS } : null,
    };
  });

  // ---- CCM --------------------------------------------------------------------------------
  const ccm = planCcm(profile, env, decide, facts);

  // ---- Cilium -----------------------------------------------------------------------------
  const cni = planCilium(profile, env, platformEntry, implementation, mode, speaker, podBlocks, decide);
  // With kube-proxy replacement Cilium needs the API server directly; a platform may have a local
  // endpoint on every node (Talos KubePrism). Without either, rule api-server-required reports it.
  let apiServer = spec.cluster.apiServer ? { host: spec.cluster.apiServer.host, port: spec.cluster.apiServer.port } : null;
  if (!apiServer && usesCilium && kprOn && platformEntry?.apiServer) {
    apiServer = { host: platformEntry.apiServer.host, port: platformEntry.apiServer.port };
    decide('cluster.apiServer', apiServer, platformEntry.apiServer.reason, null, `platform ${platformEntry.id}`);
  }
  const platformPlan = platformEntry ? planPlatform(platformEntry, {
    kubeProxyReplacement: cni.kubeProxyReplacement === true, routing: cni.routing, ipam: cni.ipam, bpfMasquerade: cni.bpfMasquerade,
    nodes: facts ? facts.nodes : null, podCIDRs: podBlocks.map((b) => b.text),
  }, usesCilium) : null;

  // ---- underlay ---------------------------------------------------------------------------
  const underlay = planUnderlay(profile, decide);

  // ---- gitops -----------------------------------------------------------------------------
  const gitPath = spec.gitops.path ?? `clusters/${spec.cluster.name}/network`;
  if (!spec.gitops.path) decide('gitops.path', gitPath, 'default: clusters/<cluster.name>/network');

  const lbBgp = mode === 'bgp' ? { localASN: lbSpec.bgp.localASN ?? null, peers: planPeers, advertise: [...lbSpec.bgp.advertise] } : null;
  const plan: Plan = {
    profile: profile.metadata.name,
    namespace: profile.metadata.namespace ?? null,
    cluster: {
      name: spec.cluster.name,
      podCIDRs: podBlocks.map((b) => b.text),
      serviceCIDRs: serviceBlocks.map((b) => b.text),
      nodeCIDRs: nodeBlocks.map((b) => b.text),
      families,
      apiServer,
      kubeProxy: spec.cluster.kubeProxy,
      distribution,
    },
    environment: {
      type: env.type, provider: env.provider, managed: env.managed, region: env.region, class: env.class, source: env.source,
      evidence: env.evidence, uninitializedNodes: facts?.uninitialized ?? [],
    },
    cni,
    loadBalancer: {
      implementation,
      mode,
      speaker,
      pools: implementation === 'cloud' || implementation === 'none' ? [] : pools,
      l2: mode === 'l2' ? { interfaces: [...lbSpec.l2.interfaces], nodeSelector: lbSpec.l2.nodeSelector ?? null } : null,
      bgp: lbBgp,
      nodeAgent: implementation === 'purelb' && speaker !== 'external',
    },
    ccm,
    underlay,
    gitops: {
      engine: spec.gitops.engine,
      path: gitPath,
      repo: spec.gitops.repo ? { url: spec.gitops.repo.url, branch: spec.gitops.repo.branch, secretRef: spec.gitops.repo.secretRef ?? null } : null,
      commitMessage: spec.gitops.commitMessage,
    },
    platform: platformPlan,
    decisions,
    findings: [],
  };
  // Every rule of the registry over the finished plan (generators/plan/rules/).
  plan.findings = checkRules(plan, profile, { facts, checkCiliumValues: options.checkCiliumValues });
  return plan;
}

// ---------------------------------------------------------------------------------------------

type Decide = (field: string, value: unknown, reason: string, rule?: string | null, fact?: string | null) => void;

interface ResolvedEnvironment {
  type: 'cloud' | 'bare-metal' | null;
  provider: string | null;
  managed: boolean | null;
  region: string | null;
  class: EnvironmentClass | null;
  source: Plan['environment']['source'];
  evidence: readonly string[];
}

function resolveEnvironment(profile: NetworkProfile, facts: Detection | undefined, decide: Decide): ResolvedEnvironment {
  const e = profile.spec.environment;
  const explicitType = e.type !== 'auto';
  const usable = facts && facts.type !== null ? facts : undefined;
  // One line per signal, computed once per Detection (detect.ts evidenceLines): a Node joining
  // with the same facts changes no line of any profile's plan.
  const evidence = facts ? evidenceLines(facts) : [];

  if (!explicitType && !usable) {
    // environment-unknown (rules/environment-unknown.ts)
    return { type: null, provider: null, managed: null, region: e.region ?? null, class: null, source: 'none', evidence };
  }

  const type = explicitType ? (e.type as 'cloud' | 'bare-metal') : usable!.type!;
  let provider: string | null;
  if (e.provider !== 'auto') provider = e.provider;
  else if (usable) provider = usable.provider;
  else provider = null;
  if (type === 'cloud' && provider === null && e.provider === 'auto' && usable && usable.type === 'cloud') {
    // Nodes that wait for a CCM (uninitialized taint, no providerID): a cloud, never bare metal,
    // but nothing says which; the plan cannot choose a CCM or a load balancer until the profile
    // does (environment-unknown, rules/environment-unknown.ts).
    if (!explicitType) decide('environment.type', type, 'the nodes wait for a cloud-controller-manager (uninitialized taint, no providerID)', null, evidence[0] ?? null);
    return { type, provider: null, managed: null, region: e.region ?? null, class: null, source: 'detected', evidence };
  }
  let managed: boolean;
  if (e.managed !== 'auto') managed = e.managed === true;
  else if (usable) managed = usable.managed ?? false;
  else managed = profile.spec.cluster.distribution === 'managed';
  const region = e.region ?? usable?.region ?? null;

  if (usable && explicitType && usable.type !== type) {
    decide('environment.type', type, `set explicitly; the nodes look ${usable.type}${usable.provider ? `/${usable.provider}` : ''} but the profile wins`, null, 'spec.environment.type');
  }
  const parts = [explicitType, e.provider !== 'auto', e.managed !== 'auto'];
  const source: ResolvedEnvironment['source'] = parts.every(Boolean) ? 'explicit' : !usable ? 'explicit' : parts.some(Boolean) ? 'mixed' : 'detected';
  // No node count in the reason: it is in every profile's tree (plan.json, README).
  if (!explicitType) decide('environment.type', type, 'detected from the nodes, which all agree', null, evidence[0] ?? null);
  if (e.provider === 'auto') decide('environment.provider', provider, usable ? 'detected from the nodes' : 'not set and no facts', null, usable ? evidence[0] ?? null : null);
  if (e.managed === 'auto') decide('environment.managed', managed, usable ? (managed ? 'a managed-offering node label is present' : 'no managed-offering node label') : `no facts: ${managed ? 'distribution is managed' : 'assumed self-managed'}`, null, usable ? 'node labels' : null);

  let cls: EnvironmentClass;
  if (type === 'bare-metal') cls = 'bare-metal';
  else if (provider === 'openstack') cls = 'openstack';
  else if (provider === 'vsphere' || provider === 'equinix-metal') cls = 'bare-metal';
  else cls = 'public-cloud';
  return { type, provider, managed, region, class: cls, source, evidence };
}

function blockToPlan(b: AddressBlock): PlanBlock {
  // The smallest CIDR holding the block.
  const width = b.family === 'IPv4' ? 32 : 128;
  let prefix = width;
  while (prefix > 0) {
    const host = BigInt(width - prefix);
    const mask = (1n << host) - 1n;
    if ((b.first & ~mask) === (b.last & ~mask)) break;
    prefix--;
  }
  const host = BigInt(width - prefix);
  const net = b.first & ~((1n << host) - 1n);
  return {
    family: b.family,
    cidr: b.prefix !== undefined ? b.text : null,
    start: firstIP(b),
    stop: lastIP(b),
    text: b.text,
    subnet: `${formatIP(b.family, net)}/${prefix}`,
  };
}

function planPools(profile: NetworkProfile): PlanPool[] {
  // Overlaps, families and names are the rules' (pool-overlap, family-mismatch, invalid-field).
  return profile.spec.loadBalancer.pools.map((p) => {
    const blocks = p.addresses.map((a) => parseAddressBlock(a)).filter(isBlock).map(blockToPlan);
    return {
      name: p.name,
      blocks,
      autoAssign: p.autoAssign,
      serviceSelector: p.serviceSelector ?? null,
      families: unique(blocks.map((b) => b.family)) as Family[],
    };
  });
}

function planCcm(profile: NetworkProfile, env: ResolvedEnvironment, decide: Decide, facts?: Detection): Plan['ccm'] {
  // What cannot work is the rules' (ccm-on-managed, ccm-unsupported-provider, ccm-ipv6-unsupported,
  // invalid-field for credentials, lb-ownership, ccm-version-skew).
  const c = profile.spec.cloud;
  const off = { enabled: false, provider: null, credentialsSecretRef: null, region: env.region };
  const isCloud = env.class === 'public-cloud' || env.class === 'openstack';
  if (c.ccm === 'disabled') {
    decide('ccm.enabled', false, 'cloud.ccm: disabled');
    return off;
  }
  if (!isCloud) return off;
  if (env.managed) {
    if (c.ccm !== 'enabled') decide('ccm.enabled', false, `managed ${env.provider ?? 'cloud'} cluster: the provider already runs the CCM`, null, 'environment.managed');
    return off;
  }
  const provider = env.provider as CcmProvider | null;
  if (!provider || !CCM_PROVIDERS.has(provider)) return off;
  decide('ccm.enabled', true, `self-managed cluster on ${provider}: its cloud-controller-manager initialises Nodes and serves LoadBalancer Services`, null, 'environment.managed=false');
  if (provider === 'alibaba') {
    // clientMgr.go GetTokenAuth: AccessKey in cloud-config, else ACCESS_KEY_ID/ACCESS_KEY_SECRET env, else the RAM role.
    if (c.credentialsSecretRef) decide('ccm.credentials', 'secret', `AccessKey from Secret ${c.credentialsSecretRef.name} as ACCESS_KEY_ID / ACCESS_KEY_SECRET`, null, 'cloud.credentialsSecretRef');
    else if (c.credentials === undefined) decide('ccm.credentials', 'ecs-ram-role', 'no cloud.credentialsSecretRef: the Alibaba CCM takes temporary credentials from the RAM role of the ECS instance it runs on', null, 'cloud.credentialsSecretRef unset');
  }
  // The newest kubelet's minor: a kubelet is never newer than its API server (version-skew policy).
  const minors = (facts?.kubeletVersions ?? []).map(kubernetesMinor).filter((m): m is number => m !== null);
  const clusterMinor = minors.length ? Math.max(...minors) : null;
  const choice = chooseCcmVersion(provider, clusterMinor);
  if (choice) decide('ccm.image', choice.chart ? `${choice.tag} (chart ${choice.chart})` : choice.tag, choice.reason, choice.skew ? 'ccm-version-skew' : null, clusterMinor === null ? null : 'status.nodeInfo.kubeletVersion');
  const single = CCM_SINGLE_RELEASE[provider];
  const singleSkew = single?.minMinor != null && clusterMinor !== null && clusterMinor < single.minMinor
    ? `The cluster runs Kubernetes 1.${clusterMinor}, older than the ${providerName(provider)} CCM supports: ${single.note}; upgrade the cluster to 1.${single.minMinor} or later.` : null;
  return {
    enabled: true,
    provider,
    credentialsSecretRef: c.credentialsSecretRef ? { name: c.credentialsSecretRef.name, namespace: c.credentialsSecretRef.namespace } : null,
    region: env.region,
    version: choice ? { clusterMinor: choice.clusterMinor, tag: choice.tag, chart: choice.chart, skew: choice.skew }
      : { clusterMinor, tag: null, chart: null, skew: singleSkew },
  };
}

/** What the Cilium `auto` lists read. */
interface CiliumAutoContext {
  speaker: Speaker | null;
  platform: Platform | null;
  advertisesPods: boolean;
  ipam: string | null;
  tunnelProtocol: string;
}

// spec.cni.cilium.ipam: auto, read top to bottom.
const IPAM_AUTO: AutoRow<CiliumAutoContext, NonNullable<Plan['cni']['ipam']>>[] = [
  { when: (c) => c.speaker === 'external', value: 'kubernetes', reason: 'the external BGP speaker (kube-router, bird) reads the pod CIDRs from the Nodes, so Cilium must use them too', fact: 'spec.loadBalancer.bgp.speaker' },
  { when: (c) => c.platform?.ipam != null, value: (c) => c.platform!.ipam!, reason: (c) => `${c.platform!.name}: ${c.platform!.ipam} IPAM, the platform's default datapath (${c.platform!.datapathMode})`, fact: (c) => `platform ${c.platform!.id}` },
  { value: 'cluster-pool', reason: "cluster-pool from the profile's pod CIDRs with /24 per node (Cilium's own default 10.0.0.0/8 collides with most networks)" },
];

// spec.cni.cilium.routing: auto, read top to bottom.
const ROUTING_AUTO: AutoRow<CiliumAutoContext, 'tunnel' | 'native'>[] = [
  { when: (c) => c.platform?.forcesRouting !== undefined, value: (c) => c.platform!.forcesRouting!, reason: (c) => `${c.platform!.name}: Cilium's chart accepts only routingMode ${c.platform!.forcesRouting} there (datapath ${c.platform!.datapathMode})`, fact: (c) => `platform ${c.platform!.id}` },
  { when: (c) => c.advertisesPods, value: 'native', reason: (c) => `the BGP plan advertises the pod CIDRs${c.speaker === 'external' ? ' (through the external speaker)' : ''}, so the network routes pod addresses`, fact: 'spec.loadBalancer.bgp.advertise' },
  { when: (c) => c.ipam === 'eni' || c.ipam === 'azure' || c.ipam === 'alibabacloud', value: 'native', reason: (c) => `${c.ipam} IPAM gives pods addresses the cloud network routes` },
  { value: 'tunnel', reason: (c) => `nothing routes pod CIDRs in the network: ${c.tunnelProtocol} overlay` },
];

function planCilium(profile: NetworkProfile, env: ResolvedEnvironment, platformEntry: Platform | null, implementation: Implementation | null, mode: 'l2' | 'bgp' | null,
  speaker: Speaker | null, podBlocks: AddressBlock[], decide: Decide): Plan['cni'] {
  const spec = profile.spec;
  const c = spec.cni.cilium;
  if (spec.cni.provider !== 'cilium') {
    return {
      provider: 'none', version: null, minor: null, routing: null, tunnelProtocol: null, ipam: null, clusterPoolIPv4PodCIDRList: [], clusterPoolIPv6PodCIDRList: [],
      clusterPoolIPv4MaskSize: null, clusterPoolIPv6MaskSize: null, autoDirectNodeRoutes: false, devices: [], k8sClientRateLimit: null, bpfMasquerade: false, bgpSecretsNamespace: null, exclusive: true,
      ipv4NativeRoutingCIDR: null, ipv6NativeRoutingCIDR: null, kubeProxyReplacement: null, l2announcements: false, bgpControlPlane: false, lbIPAM: false, hubble: null, extraValues: {},
    };
  }
  const minor = Number(/^1\.(\d+)\./.exec(c.version)?.[1] ?? 18);
  const kpr = spec.cluster.kubeProxy === 'none';
  decide('cni.kubeProxyReplacement', kpr, kpr ? 'cluster.kubeProxy is none: Cilium replaces kube-proxy and talks to the API server directly' : `cluster.kubeProxy is ${spec.cluster.kubeProxy}: kube-proxy stays`);

  const advertisesPods = mode === 'bgp' && spec.loadBalancer.bgp.advertise.includes('podCIDRs');
  const auto: CiliumAutoContext = { speaker, platform: platformEntry, advertisesPods, ipam: null, tunnelProtocol: c.tunnelProtocol };
  let ipam = c.ipam === 'auto' ? null : c.ipam;
  if (ipam === null) {
    const r = resolveAuto(IPAM_AUTO, auto);
    ipam = r.value;
    decide('cni.ipam', ipam, r.reason, r.rule, r.fact);
  }
  auto.ipam = ipam;
  const v4Pods = podBlocks.filter((b) => b.family === 'IPv4').map((b) => b.text);
  const v6Pods = podBlocks.filter((b) => b.family === 'IPv6').map((b) => b.text);

  let routing = c.routing === 'auto' ? null : c.routing;
  if (routing === null) {
    const r = resolveAuto(ROUTING_AUTO, auto);
    routing = r.value;
    decide('cni.routing', routing, r.reason, r.rule, r.fact);
  }
  let ipv4NativeRoutingCIDR: string | null = null;
  let ipv6NativeRoutingCIDR: string | null = null;
  if (routing === 'native' && ipam !== 'eni' && ipam !== 'alibabacloud') {
    ipv4NativeRoutingCIDR = v4Pods[0] ?? null;
    ipv6NativeRoutingCIDR = v6Pods[0] ?? null;
    // A missing or too narrow CIDR is native-routing-cidr's (rules/native-routing-cidr.ts).
    if (ipv4NativeRoutingCIDR) decide('cni.ipv4NativeRoutingCIDR', ipv4NativeRoutingCIDR, 'native routing: the IPv4 pod CIDR (the agent refuses to start without it)');
  }

  const l2 = implementation === 'cilium' && mode === 'l2';
  const bgp = implementation === 'cilium' && mode === 'bgp' && speaker === 'cilium';
  const lbIPAM = implementation === 'cilium';
  if (l2) decide('cni.l2announcements', true, 'the plan is Cilium L2 announcements (k8sClientRateLimit raised for the leases, as Cilium advises)');
  if (bgp) decide('cni.bgpControlPlane', true, 'the plan is Cilium BGP control plane');
  if (!lbIPAM && minor >= 17 && implementation && implementation !== 'none') {
    decide('cni.lbIPAM', false, `${implementation} owns LoadBalancer Services: Cilium's LB-IPAM default is turned off (defaultLBServiceIPAM: none) so it does not race it`, 'lb-ownership');
  }

  // Unknown Helm values and values that contradict the plan are the rules' (cilium-version-feature,
  // invalid-field, values-conflict).

  return {
    provider: 'cilium',
    version: c.version,
    minor,
    routing,
    tunnelProtocol: routing === 'tunnel' ? c.tunnelProtocol : null,
    ipam,
    clusterPoolIPv4PodCIDRList: ipam === 'cluster-pool' ? v4Pods : [],
    clusterPoolIPv6PodCIDRList: ipam === 'cluster-pool' ? v6Pods : [],
    ipv4NativeRoutingCIDR,
    ipv6NativeRoutingCIDR,
    ...ciliumDatapath(profile, env, { ipam, routing, kpr, l2, bgp, minor, podBlocks, mode }, decide),
    kubeProxyReplacement: kpr,
    l2announcements: l2,
    bgpControlPlane: bgp,
    lbIPAM,
    hubble: { relay: c.hubble.relay, ui: c.hubble.ui },
    extraValues: c.values,
  };
}

function planUnderlay(profile: NetworkProfile, decide: Decide): Plan['underlay'] {
  // MACs on a cloud and pools that do not fit are the rules' (underlay-mac-on-cloud, invalid-field).
  const u = profile.spec.underlay;
  if (!u.enabled) return { enabled: false, cni: null, pools: [] };
  const pools = u.pools.map((p) => {
    const subnet = parseCIDR(p.subnet);
    const family = isBlock(subnet) ? subnet.family : 'IPv4';
    return { node: p.node, interface: p.interface, subnet: isBlock(subnet) ? subnet.text : p.subnet, gateway: p.gateway ?? null, ips: p.ips.map((x) => { const b = parseAddressBlock(x); return isBlock(b) ? b.text : x; }), family };
  });
  decide('underlay.cni', u.cni, u.cni === 'ipvlan' ? 'ipvlan keeps the parent NIC\'s MAC, which cloud VPCs require; Spiderpool binds one SpiderIPPool per node and NIC' : 'macvlan as asked');
  return { enabled: true, cni: u.cni, pools };
}

// ---- small helpers --------------------------------------------------------------------------

function unique<T>(xs: T[]): T[] { return [...new Set(xs)]; }
