// The planner (decisions.md): resolves every `auto`, records why, and checks the rules of
// api.md §4. Explicit values in the profile are never overridden; where they break a rule,
// that is a finding. Pure: profile and facts in, plan out.
import type { NetworkProfile } from '../api/profile.js';
import type { Finding, RuleId, Severity } from '../api/findings.js';
import { type AddressBlock, type Family, isBlock, parseAddressBlock, parseCIDR, parseIP, overlaps, contains, containsIP, firstIP, lastIP, formatIP } from '../api/net.js';
import { type Detection, formatEvidence } from '../detect/detect.js';
import { runRuleChecks } from './rules/index.js';
import { chooseCcmVersion, kubernetesMinor, CCM_SINGLE_RELEASE } from '../charts/ccm-images.js';
import { BFD_MITIGATION_TIMERS } from './rules/cilium-bfd-unsupported.js';
import { ciliumDatapath } from './cilium-plan.js';
import { nodeSubnets, peerMultiHop } from './peers.js';
import type { CcmProvider, Decision, EnvironmentClass, Implementation, Plan, PlanBlock, PlanPeer, PlanPool, Speaker } from './types.js';
import { withArticle } from '../text/article.js';

export interface PlanOptions {
  /** Detection from a Node list; undefined when there are no facts. */
  facts?: Detection;
  /**
   * Checks spec.cni.cilium.values against the chart's values schema of that version; returns the
   * paths (relative to values) that the chart does not know, and for each the versions that do.
   */
  checkCiliumValues?: (version: string, values: Record<string, unknown>) => { path: string; knownIn: string[]; suggestion?: string }[];
}

const CCM_PROVIDERS = new Set<CcmProvider>(['alibaba', 'aws', 'azure', 'gcp', 'openstack', 'hetzner', 'digitalocean']);
/**
 * CCMs that read credentials from a Secret. AWS and GCP use the instance identity; Alibaba Cloud
 * falls back to the ECS instance RAM role when no AccessKey is given
 * (cloud-provider-alibaba-cloud v2.14.0 pkg/provider/alibaba/base/clientMgr.go, GetTokenAuth).
 */
const CCM_NEEDS_SECRET = new Set<CcmProvider>(['azure', 'openstack', 'hetzner', 'digitalocean']);

/** Keys in free-form values that carry credentials: never inline. */
const SECRET_KEY = /(password|passwd|secret|token|accesskey|access_key|privatekey|private_key|apikey|api_key)$/i;

export function planProfile(profile: NetworkProfile, options: PlanOptions = {}): Plan {
  const spec = profile.spec;
  const decisions: Decision[] = [];
  const findings: Finding[] = [];
  const decide = (field: string, value: unknown, reason: string, rule: string | null = null, fact: string | null = null) =>
    decisions.push({ field, value, rule, fact, reason });
  const find = (rule: RuleId, severity: Severity, path: string, message: string) => findings.push({ rule, severity, path, message });
  const facts = options.facts;

  // ---- cluster ----------------------------------------------------------------------------
  const podBlocks = spec.cluster.podCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const serviceBlocks = spec.cluster.serviceCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const nodeBlocks = spec.cluster.nodeCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  const families = unique(podBlocks.map((b) => b.family)).sort() as Family[];
  const serviceFamilies = unique(serviceBlocks.map((b) => b.family)).sort();
  if (families.join() !== serviceFamilies.join()) {
    find('family-mismatch', 'error', 'spec.cluster.serviceCIDRs', `The service CIDRs are ${serviceFamilies.join(' and ')} but the pod CIDRs are ${families.join(' and ')}; give both one CIDR per IP family the cluster runs.`);
  }
  nodeBlocks.forEach((b, i) => {
    if (!families.includes(b.family)) find('family-mismatch', 'error', `spec.cluster.nodeCIDRs[${i}]`, `${b.text} is ${b.family} but the cluster runs ${families.join(' and ')}; remove it or add ${withArticle(b.family)} pod and service CIDR.`);
  });

  let distribution = spec.cluster.distribution;
  if (distribution === 'auto') {
    const detected = facts?.distribution ?? null;
    distribution = detected ?? 'kubeadm';
    decide('cluster.distribution', distribution, detected ? `detected from the nodes' kubelet version and OS image` : 'no facts: assumed kubeadm', null, detected ? 'nodes' : null);
  }

  // ---- environment ------------------------------------------------------------------------
  const env = resolveEnvironment(profile, facts, decide, find);

  // ---- load balancing ---------------------------------------------------------------------
  const lbSpec = spec.loadBalancer;
  const peers = lbSpec.bgp.peers;
  let implementation: Implementation | null = lbSpec.implementation === 'auto' ? null : lbSpec.implementation;
  let mode: 'l2' | 'bgp' | null = lbSpec.mode === 'auto' ? null : lbSpec.mode;
  const usesCilium = spec.cni.provider === 'cilium';
  const kprOn = spec.cluster.kubeProxy === 'none';
  const isCloud = env.class === 'public-cloud' || env.class === 'openstack';

  if (env.class === null) {
    if (implementation === null) decide('loadBalancer.implementation', null, 'the environment is unknown, so no implementation can be chosen', 'environment-unknown');
  } else if (implementation === null) {
    if (isCloud && mode === 'l2') {
      if (env.class === 'public-cloud') {
        find('l2-on-cloud', 'error', 'spec.loadBalancer.mode', l2OnCloudMessage(env.provider));
        decide('loadBalancer.implementation', null, 'L2 cannot work in a public-cloud VPC; no implementation chosen', 'l2-on-cloud');
      } else {
        find('l2-on-cloud', 'warning', 'spec.loadBalancer.mode', 'OpenStack networks drop ARP for addresses Neutron did not assign unless port security / allowed-address-pairs are set on every node port; make sure they are, or use the OpenStack CCM (mode: auto).');
        implementation = usesCilium && kprOn ? 'cilium' : 'metallb';
        decide('loadBalancer.implementation', implementation, `L2 on OpenStack as asked: ${implementation === 'cilium' ? 'Cilium L2 announcements (Cilium CNI with kubeProxy: none)' : 'MetalLB layer 2'}`, 'l2-on-cloud');
      }
    } else if (isCloud) {
      implementation = 'cloud';
      decide('loadBalancer.implementation', 'cloud', env.managed
        ? `${env.provider ?? 'the provider'} runs the control plane and its cloud-controller-manager, which already serves LoadBalancer Services`
        : `a self-managed cluster on ${env.provider ?? 'a public cloud'}: the provider's load balancer through its cloud-controller-manager (L2 does not work in a VPC)`, null, `environment ${env.type}/${env.provider ?? '?'}`);
    } else {
      if (mode === null) {
        mode = peers.length > 0 ? 'bgp' : 'l2';
        decide('loadBalancer.mode', mode, peers.length > 0 ? `${peers.length} BGP peer(s) given` : 'no BGP peers given: L2 announcement on the node subnet', null, 'spec.loadBalancer.bgp.peers');
      }
      if (mode === 'l2') {
        implementation = usesCilium && kprOn ? 'cilium' : 'metallb';
        decide('loadBalancer.implementation', implementation, implementation === 'cilium'
          ? 'bare metal, L2: Cilium is the CNI and replaces kube-proxy, so its L2 announcements need nothing else'
          : `bare metal, L2: MetalLB layer 2 (${usesCilium ? 'Cilium L2 announcements need kubeProxy: none' : 'the CNI is not Cilium'})`);
      } else if (lbSpec.bgp.speaker === 'external') {
        implementation = 'purelb';
        decide('loadBalancer.implementation', 'purelb', 'bare metal, BGP with an external speaker: PureLB only allocates addresses (it embeds no BGP speaker), the existing routing daemon announces them');
      } else if (lbSpec.bgp.speaker === 'metallb') {
        implementation = 'metallb';
        decide('loadBalancer.implementation', 'metallb', 'BGP speaker metallb asked for');
      } else if (lbSpec.bgp.speaker === 'cilium' || usesCilium) {
        implementation = 'cilium';
        decide('loadBalancer.implementation', 'cilium', 'bare metal, BGP: Cilium is the CNI, so its BGP control plane peers and LB-IPAM allocates');
      } else {
        implementation = 'metallb';
        decide('loadBalancer.implementation', 'metallb', 'bare metal, BGP without Cilium: MetalLB peers and allocates');
      }
    }
  }

  // Explicit or resolved self-run implementation: resolve the mode and check it fits.
  const selfRun = implementation === 'cilium' || implementation === 'metallb' || implementation === 'purelb';
  if (selfRun) {
    if (mode === null) {
      mode = peers.length > 0 ? 'bgp' : 'l2';
      decide('loadBalancer.mode', mode, peers.length > 0 ? `${peers.length} BGP peer(s) given` : 'no BGP peers given: L2 announcement', null, 'spec.loadBalancer.bgp.peers');
    }
    if (mode === 'l2' && env.class === 'public-cloud' && !findings.some((f) => f.rule === 'l2-on-cloud')) {
      find('l2-on-cloud', 'error', lbSpec.mode === 'l2' ? 'spec.loadBalancer.mode' : 'spec.loadBalancer.implementation', l2OnCloudMessage(env.provider));
    }
    if (implementation === 'cilium' && !usesCilium) {
      find('lb-ownership', 'error', 'spec.loadBalancer.implementation', 'implementation: cilium needs Cilium as the CNI (spec.cni.provider: cilium); choose metallb or purelb instead.');
    }
    if (implementation === 'cilium' && mode === 'l2' && !kprOn) {
      find('kube-proxy-replacement-required', 'error', 'spec.cluster.kubeProxy', `Cilium L2 announcements need Cilium's kube-proxy replacement; set spec.cluster.kubeProxy: none (with cluster.apiServer), or use implementation: metallb.`);
    }
  } else if (implementation === 'cloud' || implementation === 'none') {
    if (lbSpec.mode !== 'auto') decide('loadBalancer.mode', null, `mode ${lbSpec.mode} does not apply to implementation ${implementation}`);
    mode = null;
  }
  if (implementation === 'cloud' && env.class === 'bare-metal') {
    find('lb-ownership', 'error', 'spec.loadBalancer.implementation', 'implementation: cloud on bare metal leaves LoadBalancer Services pending (no cloud load balancer exists); use auto, cilium, metallb or purelb.');
  }

  // Speaker.
  let speaker: Speaker | null = null;
  if (mode === 'bgp' && implementation) {
    const asked = lbSpec.bgp.speaker;
    if (asked === 'external') speaker = 'external';
    else if (asked === 'auto') speaker = implementation === 'cilium' ? 'cilium' : implementation === 'metallb' ? 'metallb' : implementation === 'purelb' ? 'purelb' : null;
    else speaker = asked;
    if (asked === 'auto' && speaker) decide('loadBalancer.speaker', speaker, speaker === 'purelb' ? "PureLB's lbnodeagent announces through its GoBGP sidecar" : `the ${speaker} implementation peers with the routers itself`);
    if (speaker === 'cilium' && implementation !== 'cilium') {
      find('bgp-speaker-conflict', 'error', 'spec.loadBalancer.bgp.speaker', `speaker: cilium with implementation: ${implementation} would run Cilium's BGP control plane next to ${implementation}'s own announcements; use implementation: cilium, or speaker: ${implementation === 'metallb' ? 'metallb' : 'external'}.`);
    }
    if (speaker === 'metallb' && implementation !== 'metallb') {
      find('bgp-speaker-conflict', 'error', 'spec.loadBalancer.bgp.speaker', `speaker: metallb needs implementation: metallb (MetalLB peers only for addresses it allocates); change one of the two.`);
    }
    if (speaker === 'cilium' && !usesCilium) {
      find('bgp-speaker-conflict', 'error', 'spec.loadBalancer.bgp.speaker', 'speaker: cilium needs Cilium as the CNI; choose metallb or external.');
    }
    if (peers.length === 0 && speaker !== 'external') {
      find('invalid-field', 'error', 'spec.loadBalancer.bgp.peers', `BGP mode needs at least one peer in spec.loadBalancer.bgp.peers for the ${speaker} speaker to connect to.`);
    }
    if (speaker !== 'external' && lbSpec.bgp.localASN === undefined) {
      find('invalid-field', 'error', 'spec.loadBalancer.bgp.localASN', `spec.loadBalancer.bgp.localASN is required when ${speaker} speaks BGP; set the cluster's AS number.`);
    }
  }

  // Cilium's own values may switch on a second speaker or a second LoadBalancer owner.
  const extraValues = spec.cni.cilium.values;
  const userBgp = getPath(extraValues, ['bgpControlPlane', 'enabled']) === true;
  const userL2 = getPath(extraValues, ['l2announcements', 'enabled']) === true;
  if (usesCilium && userBgp && speaker && speaker !== 'cilium' && peers.length > 0) {
    find('bgp-speaker-conflict', 'error', 'spec.cni.cilium.values.bgpControlPlane.enabled', `Cilium's BGP control plane would peer the same routers (${peers.map((p) => p.address).join(', ')}) as ${speaker === 'external' ? 'the external speaker' : speaker} from the same nodes, and a router keeps one session per pair of hosts; remove bgpControlPlane from the values or peer them with different routers.`);
  }
  const seenPeer = new Map<string, number>();
  peers.forEach((p, i) => {
    const ip = parseIP(p.address);
    const key = ip ? `${ip.family}/${ip.value}` : p.address;
    if (seenPeer.has(key)) find('bgp-speaker-conflict', 'error', `spec.loadBalancer.bgp.peers[${i}].address`, `Peer ${p.name} has the same address as peers[${seenPeer.get(key)}]; one router accepts one session per pair of hosts, so list it once.`);
    else seenPeer.set(key, i);
  });
  if (usesCilium && userL2 && implementation !== 'cilium' && implementation !== null) {
    find('lb-ownership', 'error', 'spec.cni.cilium.values.l2announcements.enabled', `Cilium L2 announcements would answer for LoadBalancer addresses that ${implementation} owns; remove l2announcements from the values or use implementation: cilium.`);
  }
  const userLbIpam = getPath(extraValues, ['defaultLBServiceIPAM']);
  if (usesCilium && implementation && implementation !== 'cilium' && userLbIpam === 'lbipam') {
    find('lb-ownership', 'error', 'spec.cni.cilium.values.defaultLBServiceIPAM', `Cilium LB-IPAM would assign addresses to the same LoadBalancer Services as ${implementation}; remove defaultLBServiceIPAM from the values.`);
  }
  if (distribution === 'k3s' && implementation && implementation !== 'none') {
    find('k3s-servicelb', 'warning', 'spec.cluster.distribution', `k3s runs its own ServiceLB (klipper-lb), which also claims LoadBalancer Services; start the k3s servers with --disable=servicelb so ${implementation === 'cloud' ? 'the cloud CCM' : implementation} alone owns them.`);
  }
  if (implementation === 'metallb' && mode === 'l2' && spec.cluster.kubeProxy === 'ipvs') {
    find('metallb-strict-arp', 'warning', 'spec.cluster.kubeProxy', 'kube-proxy in IPVS mode answers ARP for every Service address on every node; set strictARP: true in the kube-proxy ConfigMap (kube-system/kube-proxy, config.conf ipvs.strictARP) before MetalLB layer 2 announces.');
  }

  // Pools.
  const pools = planPools(profile, families, implementation, mode, podBlocks, serviceBlocks, nodeBlocks, facts, find);
  if (selfRun && pools.length === 0) {
    find('invalid-field', 'error', 'spec.loadBalancer.pools', `${implementation} hands out LoadBalancer addresses from pools; add at least one pool to spec.loadBalancer.pools.`);
  }
  if ((implementation === 'cloud' || implementation === 'none') && pools.length > 0) {
    find('lb-ownership', 'warning', 'spec.loadBalancer.pools', `The pools are not used: ${implementation === 'cloud' ? "the cloud's load balancer assigns the addresses" : 'no implementation runs'}; remove them or pick an implementation that uses them.`);
  }

  const subnets = nodeSubnets(spec.cluster.nodeCIDRs, facts);
  const planPeers: PlanPeer[] = peers.map((p, i) => {
    const ip = parseIP(p.address)!;
    const multiHop = peerMultiHop(p.ebgpMultiHop, ip, subnets);
    if (mode === 'bgp') decide(`loadBalancer.bgp.peers[${i}].ebgpMultiHop`, multiHop.value, multiHop.reason, null, subnets.source === 'facts' ? 'node InternalIPs' : null);
    if (ip && !families.includes(ip.family)) {
      find('family-mismatch', 'error', `spec.loadBalancer.bgp.peers[${i}].address`, `Peer ${p.name} (${p.address}) is ${ip.family} but the cluster runs ${families.join(' and ')}; peer over an address of the cluster's family.`);
    }
    return {
      name: p.name, address: p.address, family: ip?.family ?? 'IPv4', asn: p.asn, port: p.port, bfd: p.bfd, gracefulRestart: p.gracefulRestart, ebgpMultiHop: multiHop.value,
      passwordSecretRef: p.passwordSecretRef ? { name: p.passwordSecretRef.name, key: p.passwordSecretRef.key } : null,
      timers: p.bfd && speaker === 'cilium' ? { ...BFD_MITIGATION_TIMERS } : null,
    };
  });

  // ---- inline secrets ---------------------------------------------------------------------
  peers.forEach((p, i) => {
    if (p.password !== undefined) find('inline-secret', 'error', `spec.loadBalancer.bgp.peers[${i}].password`, `The BGP password of peer ${p.name} is written inline and would land in Git; put it in a Secret and reference it with passwordSecretRef: {name, key}.`);
  });
  if (spec.cloud.credentials !== undefined) {
    find('inline-secret', 'error', 'spec.cloud.credentials', 'Cloud credentials are written inline and would land in Git; create a Secret and reference it with spec.cloud.credentialsSecretRef.');
  }
  for (const path of secretLikeKeys(extraValues, 'spec.cni.cilium.values')) {
    find('inline-secret', 'error', path, `${path} looks like a credential written inline; Helm values land in Git, so reference a Secret instead (for example the chart's secret-name value).`);
  }

  // ---- CCM --------------------------------------------------------------------------------
  const ccm = planCcm(profile, env, implementation, families, decide, find, facts);

  // ---- Cilium -----------------------------------------------------------------------------
  const cni = planCilium(profile, env, implementation, mode, speaker, podBlocks, families, options, decide, find);
  if (usesCilium && kprOn && !spec.cluster.apiServer) {
    find('api-server-required', 'error', 'spec.cluster.apiServer', "With kubeProxy: none Cilium must reach the API server directly (k8sServiceHost/k8sServicePort); set spec.cluster.apiServer: {host, port}.");
  }

  // ---- underlay ---------------------------------------------------------------------------
  const underlay = planUnderlay(profile, env, facts, decide, find);

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
      apiServer: spec.cluster.apiServer ? { host: spec.cluster.apiServer.host, port: spec.cluster.apiServer.port } : null,
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
    decisions,
    findings,
  };
  // The rules that are pure checks over the finished plan (generators/plan/rules/).
  findings.push(...runRuleChecks({ profile, plan, facts }));
  return plan;
}

// ---------------------------------------------------------------------------------------------

type Decide = (field: string, value: unknown, reason: string, rule?: string | null, fact?: string | null) => void;
type Find = (rule: RuleId, severity: Severity, path: string, message: string) => void;

interface ResolvedEnvironment {
  type: 'cloud' | 'bare-metal' | null;
  provider: string | null;
  managed: boolean | null;
  region: string | null;
  class: EnvironmentClass | null;
  source: Plan['environment']['source'];
  evidence: string[];
}

const PROVIDER_NAMES: Record<string, string> = {
  alibaba: 'Alibaba Cloud', aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure', openstack: 'OpenStack', hetzner: 'Hetzner Cloud',
  digitalocean: 'DigitalOcean', linode: 'Linode', oci: 'Oracle Cloud', ibm: 'IBM Cloud', tencent: 'Tencent Cloud', huawei: 'Huawei Cloud',
};
export function providerName(provider: string | null): string {
  return provider ? PROVIDER_NAMES[provider] ?? provider : 'public-cloud';
}

function l2OnCloudMessage(provider: string | null): string {
  return `L2 announcements cannot work in ${/^[AEIOU]/.test(providerName(provider)) ? 'an' : 'a'} ${providerName(provider)} VPC: the VPC answers ARP by proxy for every address, so a VIP announced from a node is unreachable from outside the cluster; use mode: auto (the cloud's load balancer through its CCM) or BGP where the provider offers a BGP router.`;
}

function resolveEnvironment(profile: NetworkProfile, facts: Detection | undefined, decide: Decide, find: Find): ResolvedEnvironment {
  const e = profile.spec.environment;
  const explicitType = e.type !== 'auto';
  const usable = facts && facts.type !== null ? facts : undefined;
  const evidence = facts ? facts.evidence.map(formatEvidence) : [];

  if (!explicitType && !usable) {
    if (facts?.problem) {
      find('environment-unknown', 'error', 'spec.environment.type', `Cannot detect the environment: ${facts.problem}; set spec.environment.type (and provider) explicitly.`);
    } else {
      find('environment-unknown', 'error', 'spec.environment.type', 'environment is auto but there are no facts to detect from; set spec.environment.type (and provider), or point at a Node list: spec.environment.factsFrom (relative to the profile; from `kubectl get nodes -o yaml > nodes.yaml`), or --nodes on the command line.');
    }
    return { type: null, provider: null, managed: null, region: e.region ?? null, class: null, source: 'none', evidence };
  }

  const type = explicitType ? (e.type as 'cloud' | 'bare-metal') : usable!.type!;
  let provider: string | null;
  if (e.provider !== 'auto') provider = e.provider;
  else if (usable) provider = usable.provider;
  else provider = null;
  if (type === 'cloud' && provider === null && e.provider === 'auto') {
    if (!usable || usable.type !== 'cloud') {
      find('environment-unknown', 'error', 'spec.environment.provider', 'environment.type is cloud but the provider is unknown; set spec.environment.provider (alibaba, aws, gcp, azure, openstack, hetzner, digitalocean or other).');
    } else {
      // Nodes that wait for a CCM (uninitialized taint, no providerID): a cloud, never bare metal,
      // but nothing says which; the plan cannot choose a CCM or a load balancer until the profile does.
      const waiting = usable.uninitialized;
      find('environment-unknown', 'error', 'spec.environment.provider', `${waiting.length ? `Node${waiting.length > 1 ? 's' : ''} ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ` and ${waiting.length - 3} more` : ''} carry` : 'The nodes carry'} node.cloudprovider.kubernetes.io/uninitialized and no spec.providerID: the kubelet waits for a cloud-controller-manager, so this is a cloud, not bare metal, but no signal names the provider; set spec.environment.provider (alibaba, aws, gcp, azure, openstack, hetzner, digitalocean) so netprofile renders its CCM.`);
      if (!explicitType) decide('environment.type', type, 'the nodes wait for a cloud-controller-manager (uninitialized taint, no providerID)', null, evidence[0] ?? null);
      return { type, provider: null, managed: null, region: e.region ?? null, class: null, source: 'detected', evidence };
    }
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
  if (!explicitType) decide('environment.type', type, `detected from ${usable!.nodes} node(s)`, null, evidence[0] ?? null);
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

function planPools(profile: NetworkProfile, families: Family[], implementation: Implementation | null, mode: 'l2' | 'bgp' | null,
  podBlocks: AddressBlock[], serviceBlocks: AddressBlock[], nodeBlocks: AddressBlock[], facts: Detection | undefined, find: Find): PlanPool[] {
  const pools = profile.spec.loadBalancer.pools;
  const parsed = pools.map((p) => p.addresses.map((a) => parseAddressBlock(a)).map((b) => (isBlock(b) ? b : null)));
  const seenNames = new Map<string, number>();
  pools.forEach((p, i) => {
    if (seenNames.has(p.name)) find('invalid-field', 'error', `spec.loadBalancer.pools[${i}].name`, `Pool name ${p.name} is used twice (pools[${seenNames.get(p.name)}]); give each pool its own name.`);
    else seenNames.set(p.name, i);
  });
  const nodeIPs = (facts?.perNode ?? []).length ? collectNodeIPs(facts!) : [];
  pools.forEach((pool, i) => {
    parsed[i].forEach((b, j) => {
      if (!b) return;
      const path = `spec.loadBalancer.pools[${i}].addresses[${j}]`;
      if (!families.includes(b.family)) {
        find('family-mismatch', 'error', path, `${b.text} is ${b.family} but the cluster runs ${families.join(' and ')}; use addresses of the cluster's family or add ${withArticle(b.family)} pod and service CIDR.`);
        return;
      }
      // Against the other pools (each pair once) and against itself.
      for (let k = 0; k <= i; k++) {
        parsed[k].forEach((o, l) => {
          if (!o || (k === i && l >= j)) return;
          if (overlaps(b, o)) find('pool-overlap', 'error', path, `${b.text} overlaps ${o.text} of pool ${pools[k].name} (spec.loadBalancer.pools[${k}].addresses[${l}]); two owners would hand out the same address, so make the pools disjoint.`);
        });
      }
      for (const [what, blocks] of [['pod CIDR', podBlocks], ['service CIDR', serviceBlocks]] as const) {
        for (const o of blocks) if (overlaps(b, o)) find('pool-overlap', 'error', path, `${b.text} overlaps the ${what} ${o.text}; LoadBalancer addresses must lie outside the cluster's ${what}s, so pick another range.`);
      }
      for (const o of nodeBlocks) {
        if (!overlaps(b, o)) continue;
        // An L2 pool belongs inside the node subnet (that is where ARP reaches); the node
        // addresses themselves are checked against the facts below.
        if (mode === 'l2' && contains(o, b)) continue;
        {
          find('pool-overlap', 'error', path, `${b.text} overlaps the node CIDR ${o.text}; ${mode === 'l2' ? 'an L2 pool must lie wholly inside the node subnet and away from node addresses' : 'routed LoadBalancer addresses must not collide with node addresses'}, so pick another range.`);
        }
      }
      for (const n of nodeIPs) {
        if (containsIP(b, n.family, n.value)) find('pool-overlap', 'error', path, `${b.text} contains ${n.text}, the address of node ${n.node}; exclude it from the pool.`);
      }
    });
  });
  return pools.map((p, i) => {
    const blocks = parsed[i].filter((b): b is AddressBlock => b !== null).map(blockToPlan);
    return {
      name: p.name,
      blocks,
      autoAssign: p.autoAssign,
      serviceSelector: p.serviceSelector ?? null,
      families: unique(blocks.map((b) => b.family)) as Family[],
    };
  });
}

function collectNodeIPs(facts: Detection): { node: string; family: Family; value: bigint; text: string }[] {
  const out: { node: string; family: Family; value: bigint; text: string }[] = [];
  for (const v of facts.perNode) {
    for (const ip of v.internalIPs ?? []) {
      const p = parseIP(ip);
      if (p) out.push({ node: v.node, family: p.family, value: p.value, text: ip });
    }
  }
  return out;
}

function planCcm(profile: NetworkProfile, env: ResolvedEnvironment, implementation: Implementation | null, families: Family[], decide: Decide, find: Find, facts?: Detection): Plan['ccm'] {
  const c = profile.spec.cloud;
  const off = { enabled: false, provider: null, credentialsSecretRef: null, region: env.region };
  const isCloud = env.class === 'public-cloud' || env.class === 'openstack';
  if (c.ccm === 'disabled') {
    decide('ccm.enabled', false, 'cloud.ccm: disabled');
    return off;
  }
  if (!isCloud) {
    if (c.ccm === 'enabled' && env.class) find('ccm-unsupported-provider', 'error', 'spec.cloud.ccm', `cloud.ccm: enabled but the environment is ${env.class}${env.provider ? ` (${env.provider})` : ''}, where no cloud-controller-manager runs; set cloud.ccm: auto or disabled.`);
    return off;
  }
  if (env.managed) {
    if (c.ccm === 'enabled') {
      find('ccm-on-managed', 'error', 'spec.cloud.ccm', `${env.provider ? providerName(env.provider) : 'The provider'} already runs a cloud-controller-manager for this managed cluster; a second one would fight it over Nodes and Services, so set cloud.ccm: auto or disabled.`);
    } else {
      decide('ccm.enabled', false, `managed ${env.provider ?? 'cloud'} cluster: the provider already runs the CCM`, null, 'environment.managed');
    }
    return off;
  }
  const provider = env.provider as CcmProvider | null;
  if (!provider || !CCM_PROVIDERS.has(provider)) {
    find('ccm-unsupported-provider', c.ccm === 'enabled' || implementation === 'cloud' ? 'error' : 'warning', 'spec.cloud.ccm',
      `netprofile has no cloud-controller-manager for provider ${env.provider ?? '(unknown)'}; install the provider's CCM yourself and set cloud.ccm: disabled.`);
    return off;
  }
  decide('ccm.enabled', true, `self-managed cluster on ${provider}: its cloud-controller-manager initialises Nodes and serves LoadBalancer Services`, null, 'environment.managed=false');
  if (provider === 'alibaba' && implementation === 'cloud' && families.includes('IPv6')) {
    find('ccm-ipv6-unsupported', 'error', 'spec.cluster.serviceCIDRs', `Alibaba Cloud's CCM cannot load-balance to IPv6 backends (ServerGroupNotSupportIpv6); run the cluster IPv4-only for cloud LoadBalancers, or give IPv6 Services another implementation.`);
  }
  if (provider === 'alibaba') {
    // clientMgr.go GetTokenAuth: AccessKey in cloud-config, else ACCESS_KEY_ID/ACCESS_KEY_SECRET env, else the RAM role.
    if (c.credentialsSecretRef) decide('ccm.credentials', 'secret', `AccessKey from Secret ${c.credentialsSecretRef.name} as ACCESS_KEY_ID / ACCESS_KEY_SECRET`, null, 'cloud.credentialsSecretRef');
    else if (c.credentials === undefined) decide('ccm.credentials', 'ecs-ram-role', 'no cloud.credentialsSecretRef: the Alibaba CCM takes temporary credentials from the RAM role of the ECS instance it runs on', null, 'cloud.credentialsSecretRef unset');
  }
  if (CCM_NEEDS_SECRET.has(provider) && !c.credentialsSecretRef && c.credentials === undefined) {
    find('invalid-field', 'error', 'spec.cloud.credentialsSecretRef', `The ${provider} cloud-controller-manager needs credentials; create a Secret and set spec.cloud.credentialsSecretRef: {name, namespace}.`);
  }
  if (c.credentialsSecretRef && c.credentialsSecretRef.namespace !== 'kube-system') {
    find('invalid-field', 'error', 'spec.cloud.credentialsSecretRef.namespace', `The ${providerName(provider)} cloud-controller-manager runs in kube-system and a Pod can only read Secrets of its own namespace; create the Secret in kube-system (namespace: kube-system).`);
  }
  if (implementation && implementation !== 'cloud' && implementation !== 'none') {
    find('lb-ownership', 'error', 'spec.loadBalancer.implementation', `The ${providerName(provider)} cloud-controller-manager and ${implementation} would both claim LoadBalancer Services; use implementation: cloud, or set cloud.ccm: disabled if you really run ${implementation} here.`);
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

function planCilium(profile: NetworkProfile, env: ResolvedEnvironment, implementation: Implementation | null, mode: 'l2' | 'bgp' | null,
  speaker: Speaker | null, podBlocks: AddressBlock[], families: Family[], options: PlanOptions, decide: Decide, find: Find): Plan['cni'] {
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

  let ipam = c.ipam === 'auto' ? null : c.ipam;
  if (ipam === null) {
    if (speaker === 'external') { ipam = 'kubernetes'; decide('cni.ipam', ipam, 'the external BGP speaker (kube-router, bird) reads the pod CIDRs from the Nodes, so Cilium must use them too'); }
    else if (env.managed && env.provider === 'gcp') { ipam = 'kubernetes'; decide('cni.ipam', ipam, 'GKE allocates pod CIDRs to Nodes'); }
    else if (env.managed && env.provider === 'aws') { ipam = 'eni'; decide('cni.ipam', ipam, 'EKS: pods take VPC addresses from ENIs'); }
    else { ipam = 'cluster-pool'; decide('cni.ipam', ipam, "cluster-pool from the profile's pod CIDRs with /24 per node (Cilium's own default 10.0.0.0/8 collides with most networks)"); }
  }
  const v4Pods = podBlocks.filter((b) => b.family === 'IPv4').map((b) => b.text);
  const v6Pods = podBlocks.filter((b) => b.family === 'IPv6').map((b) => b.text);

  let routing = c.routing === 'auto' ? null : c.routing;
  const advertisesPods = mode === 'bgp' && spec.loadBalancer.bgp.advertise.includes('podCIDRs');
  if (routing === null) {
    if (advertisesPods) { routing = 'native'; decide('cni.routing', 'native', `the BGP plan advertises the pod CIDRs${speaker === 'external' ? ' (through the external speaker)' : ''}, so the network routes pod addresses`); }
    else if (ipam === 'eni' || ipam === 'azure' || ipam === 'alibabacloud') { routing = 'native'; decide('cni.routing', 'native', `${ipam} IPAM gives pods addresses the cloud network routes`); }
    else { routing = 'tunnel'; decide('cni.routing', 'tunnel', `nothing routes pod CIDRs in the network: ${c.tunnelProtocol} overlay`); }
  }
  let ipv4NativeRoutingCIDR: string | null = null;
  let ipv6NativeRoutingCIDR: string | null = null;
  if (routing === 'native' && ipam !== 'eni' && ipam !== 'alibabacloud') {
    ipv4NativeRoutingCIDR = v4Pods[0] ?? null;
    ipv6NativeRoutingCIDR = v6Pods[0] ?? null;
    const userCidr = getPath(c.values, ['ipv4NativeRoutingCIDR']);
    if (userCidr !== undefined) {
      const b = typeof userCidr === 'string' ? parseCIDR(userCidr) : { error: 'not a string' };
      const covers = isBlock(b) && podBlocks.filter((p) => p.family === 'IPv4').every((p) => contains(b, p));
      if (!covers) find('native-routing-cidr', 'error', 'spec.cni.cilium.values.ipv4NativeRoutingCIDR', `ipv4NativeRoutingCIDR ${String(userCidr).slice(0, 40)} does not contain the IPv4 pod CIDRs (${v4Pods.join(', ')}); Cilium would masquerade or drop pod traffic, so remove it from the values (netprofile fills in the pod CIDR).`);
    } else if (families.includes('IPv4') && !ipv4NativeRoutingCIDR) {
      find('native-routing-cidr', 'error', 'spec.cluster.podCIDRs', 'Native routing needs an IPv4 pod CIDR for ipv4NativeRoutingCIDR (the agent refuses to start without it); add it to spec.cluster.podCIDRs.');
    }
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

  // Helm values the chart of this version does not know (Helm ignores them without a word).
  if (c.values && Object.keys(c.values).length) {
    if (options.checkCiliumValues) {
      for (const u of options.checkCiliumValues(c.version, c.values)) {
        const path = `spec.cni.cilium.values.${u.path}`;
        if (u.knownIn.length) find('cilium-version-feature', 'error', path, `Cilium ${c.version}'s chart has no value ${u.path} (it exists in ${u.knownIn.join(', ')}); Helm would ignore it silently, so remove it or pick a version that has it.`);
        else find('invalid-field', 'error', path, `Cilium ${c.version}'s chart has no value ${u.path}${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ''}; Helm would ignore it silently, so fix or remove it.`);
      }
    } else if (minor >= 17 && getPath(c.values, ['externalIPs']) !== undefined) {
      find('cilium-version-feature', 'error', 'spec.cni.cilium.values.externalIPs', `Cilium ${c.version}'s chart has no externalIPs value (it left the chart in 1.17); Helm would ignore it silently, so remove it.`);
    }
    const decided: Record<string, unknown> = {
      kubeProxyReplacement: kpr, routingMode: routing, 'l2announcements.enabled': l2, 'bgpControlPlane.enabled': bgp,
      'ipam.mode': ipam, ipv4NativeRoutingCIDR, tunnelProtocol: routing === 'tunnel' ? c.tunnelProtocol : undefined,
    };
    for (const [k, v] of Object.entries(decided)) {
      const user = getPath(c.values, k.split('.'));
      if (user === undefined || v === undefined || v === null) continue;
      if (String(user) !== String(v) && !(k === 'ipv4NativeRoutingCIDR')) {
        find('values-conflict', 'warning', `spec.cni.cilium.values.${k}`, `values set ${k}: ${JSON.stringify(user)} but the plan decided ${JSON.stringify(v)}; the values win as asked, so make sure that is what you want or remove the key.`);
      }
    }
  }

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

function planUnderlay(profile: NetworkProfile, env: ResolvedEnvironment, facts: Detection | undefined, decide: Decide, find: Find): Plan['underlay'] {
  const u = profile.spec.underlay;
  if (!u.enabled) return { enabled: false, cni: null, pools: [] };
  if (u.cni === 'macvlan' && env.class === 'public-cloud') {
    find('underlay-mac-on-cloud', 'error', 'spec.underlay.cni', `${/^[AEIOU]/.test(providerName(env.provider)) ? 'An' : 'A'} ${providerName(env.provider)} VPC drops frames from MAC addresses it did not assign, and macvlan gives every pod a new MAC; use cni: ipvlan, which keeps the parent interface's MAC.`);
  } else if (u.cni === 'macvlan' && env.class === 'openstack') {
    find('underlay-mac-on-cloud', 'warning', 'spec.underlay.cni', 'OpenStack port security drops frames from unknown MAC addresses; use cni: ipvlan, or allow the pod MACs on every node port.');
  }
  if (u.pools.length === 0) find('invalid-field', 'error', 'spec.underlay.pools', 'underlay.enabled needs pools: one per node and interface with the addresses the network gives that NIC.');
  const knownNodes = facts ? new Set(facts.perNode.map((n) => n.node)) : null;
  const seen = new Set<string>();
  const pools = u.pools.map((p, i) => {
    const path = `spec.underlay.pools[${i}]`;
    const subnet = parseCIDR(p.subnet);
    const family = isBlock(subnet) ? subnet.family : 'IPv4';
    if (isBlock(subnet)) {
      p.ips.forEach((ip, j) => {
        const b = parseAddressBlock(ip);
        if (isBlock(b) && !contains(subnet, b)) find('invalid-field', 'error', `${path}.ips[${j}]`, `${b.text} is not inside the pool's subnet ${subnet.text}; give addresses of that subnet.`);
      });
      if (p.gateway) {
        const g = parseIP(p.gateway);
        if (g && !containsIP(subnet, g.family, g.value)) find('invalid-field', 'error', `${path}.gateway`, `Gateway ${p.gateway} is not inside the subnet ${subnet.text}; give the subnet's router address.`);
      }
    }
    const key = `${p.node}/${p.interface}`;
    if (seen.has(key)) find('invalid-field', 'error', `${path}.interface`, `Node ${p.node} interface ${p.interface} has two pools; merge their ips into one pool.`);
    seen.add(key);
    if (knownNodes && !knownNodes.has(p.node)) find('invalid-field', 'warning', `${path}.node`, `No node named ${p.node} is in the facts; check the name (SpiderIPPool binds by nodeName).`);
    return { node: p.node, interface: p.interface, subnet: isBlock(subnet) ? subnet.text : p.subnet, gateway: p.gateway ?? null, ips: p.ips.map((x) => { const b = parseAddressBlock(x); return isBlock(b) ? b.text : x; }), family };
  });
  decide('underlay.cni', u.cni, u.cni === 'ipvlan' ? 'ipvlan keeps the parent NIC\'s MAC, which cloud VPCs require; Spiderpool binds one SpiderIPPool per node and NIC' : 'macvlan as asked');
  return { enabled: true, cni: u.cni, pools };
}

// ---- small helpers --------------------------------------------------------------------------

function unique<T>(xs: T[]): T[] { return [...new Set(xs)]; }

export function getPath(obj: unknown, path: string[]): unknown {
  let cur: any = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function secretLikeKeys(obj: unknown, base: string, depth = 0): string[] {
  if (!obj || typeof obj !== 'object' || depth > 32) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = `${base}.${k}`;
    if (typeof v === 'string' && v.length > 0 && SECRET_KEY.test(k) && !/secretname$|name$|ref$|file$|path$/i.test(k)) out.push(path);
    else if (typeof v === 'string' && /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bLTAI[0-9A-Za-z]{12,20}\b/.test(v)) out.push(path);
    else if (v && typeof v === 'object') out.push(...secretLikeKeys(v, path, depth + 1));
  }
  return out;
}

