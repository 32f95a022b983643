// The platform table (generators/platforms) and its detection from Node lists shaped like each
// platform's (test/fixtures/platforms/): verdict, platform entry, the platform's own CNI; a fresh
// cloud cluster waiting for its CCM is never bare metal; a mixed cluster stays environment-unknown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { detectEnvironment, nodeFactsFromList, type Detection } from '../generators/detect/detect.js';
import { PLATFORMS, platformFor } from '../generators/platforms/platforms.js';
import { cli, root } from './helpers.js';
import { bareMetal, plan, type Raw } from './profiles.js';
import { ciliumValues, renderCilium } from '../generators/components/cilium.js';
import type { Plan } from '../generators/plan/types.js';
import { resolveAuto, type AutoRow } from '../generators/plan/auto.js';
import { renderTree } from '../generators/render.js';
import { validateFiles } from '../generators/validate/validate.js';
import { loadBundle } from '../cli/values.js';
import { loadCelEngine } from '../generators/validate/cel.js';

const dir = join(root, 'test', 'fixtures', 'platforms');
const nodesOf = (file: string) => parse(readFileSync(join(dir, file), 'utf8'));
const detect = (file: string): Detection => detectEnvironment(nodeFactsFromList(nodesOf(file), file));

interface Want { type: string | null; provider: string | null; managed: boolean | null; distribution: string | null; platform: string | null; cni?: string[] }
const verdicts: Record<string, Want> = {
  'kubeadm.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'kubeadm', platform: 'kubeadm' },
  'kind.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'kubeadm', platform: 'kind' },
  'k3s.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'k3s', platform: 'k3s', cni: ['flannel'] },
  'k3s-single.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'k3s', platform: 'k3s' },
  'rke2.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'rke2', platform: 'rke2' },
  'talos.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'talos', platform: 'talos' },
  'eks.yaml': { type: 'cloud', provider: 'aws', managed: true, distribution: 'managed', platform: 'eks' },
  'gke.yaml': { type: 'cloud', provider: 'gcp', managed: true, distribution: 'managed', platform: 'gke' },
  'aks.yaml': { type: 'cloud', provider: 'azure', managed: true, distribution: 'managed', platform: 'aks' },
  'aks-cilium.yaml': { type: 'cloud', provider: 'azure', managed: true, distribution: 'managed', platform: 'aks', cni: ['Azure CNI Powered by Cilium'] },
  'ack.yaml': { type: 'cloud', provider: 'alibaba', managed: true, distribution: 'managed', platform: 'ack' },
  'alibaba-ecs.yaml': { type: 'cloud', provider: 'alibaba', managed: false, distribution: 'kubeadm', platform: 'alibaba-ecs' },
  'aws-ec2.yaml': { type: 'cloud', provider: 'aws', managed: false, distribution: 'kubeadm', platform: 'aws-ec2' },
  'gce.yaml': { type: 'cloud', provider: 'gcp', managed: false, distribution: 'kubeadm', platform: 'gce' },
  'azure-vm.yaml': { type: 'cloud', provider: 'azure', managed: false, distribution: 'kubeadm', platform: 'azure-vm' },
  'openstack.yaml': { type: 'cloud', provider: 'openstack', managed: false, distribution: 'kubeadm', platform: 'openstack' },
  'hetzner-cloud.yaml': { type: 'cloud', provider: 'hetzner', managed: false, distribution: 'kubeadm', platform: 'hetzner-cloud' },
  'digitalocean.yaml': { type: 'cloud', provider: 'digitalocean', managed: false, distribution: 'kubeadm', platform: 'digitalocean' },
};

for (const [file, want] of Object.entries(verdicts)) {
  test(`detect ${file}: ${want.platform}`, () => {
    const d = detect(file);
    assert.is(d.problem, undefined);
    assert.equal({ type: d.type, provider: d.provider, managed: d.managed, distribution: d.distribution, platform: d.platform },
      { type: want.type, provider: want.provider, managed: want.managed, distribution: want.distribution, platform: want.platform });
    assert.equal(d.platformCni.map((c) => c.name), want.cni ?? []);
  });
}

test('every platform entry has a fixture that detects it', () => {
  const detected = new Set(Object.values(verdicts).map((v) => v.platform));
  for (const p of PLATFORMS) assert.ok(detected.has(p.id), `no fixture for ${p.id}`);
});

test('every platform entry names its source and a datapath mode of the cilium-cli kind', () => {
  for (const p of PLATFORMS) {
    assert.match(p.source, /Documentation\/installation|cilium-cli/, p.id);
    assert.ok(['tunnel', 'native', 'aws-eni', 'gke', 'azure', 'aks-byocni', 'alibabacloud-eni'].includes(p.datapathMode), p.id);
  }
});

test('the distribution evidence names the node and the field that showed it', () => {
  const k3s = detect('k3s.yaml');
  assert.equal(k3s.platformEvidence[0], { node: 'edge-1', field: 'status.nodeInfo.kubeletVersion', value: 'v1.33.3+k3s1', signal: 'distribution', meaning: k3s.platformEvidence[0].meaning });
  const rke2 = detect('rke2.yaml');
  assert.is(rke2.platformEvidence[0].value, 'v1.32.6+rke2r1');
  const talos = detect('talos.yaml');
  assert.equal([talos.platformEvidence[0].field, talos.platformEvidence[0].value], ['status.nodeInfo.osImage', 'Talos (v1.10.5)']);
  // Flannel's own Node annotation is how k3s's flannel shows on the nodes.
  assert.is(k3s.platformCni[0].evidence.field, 'metadata.annotations[flannel.alpha.coreos.com/backend-type]');
});

test('rke2:// provider IDs are an RKE2 node without a cloud, not an unknown cloud', () => {
  const d = detect('rke2.yaml');
  assert.is(d.type, 'bare-metal');
  assert.is(d.perNode[0].evidence[0].signal, 'providerID');
  assert.match(d.perNode[0].evidence[0].meaning, /RKE2/);
});

test('k3s without the +k3s suffix is still k3s by its instance-type label (cilium-cli AutodetectFlavor)', () => {
  const doc = nodesOf('k3s-single.yaml');
  doc.items[0].status.nodeInfo.kubeletVersion = 'v1.33.3';
  const d = detectEnvironment(nodeFactsFromList(doc, 'k3s-single.yaml'));
  assert.is(d.distribution, 'k3s');
  assert.is(d.platformEvidence[0].field, 'metadata.labels[node.kubernetes.io/instance-type]');
});

test('platformFor reads top to bottom: managed offering, distribution, kind, self-managed cloud, generic', () => {
  assert.is(platformFor({ distribution: 'k3s', type: 'cloud', provider: 'aws', managed: true }).id, 'eks');
  assert.is(platformFor({ distribution: 'k3s', type: 'cloud', provider: 'aws', managed: false }).id, 'k3s');
  assert.is(platformFor({ distribution: 'kubeadm', kind: true, type: 'bare-metal', provider: null, managed: false }).id, 'kind');
  assert.is(platformFor({ distribution: 'kubeadm', type: 'cloud', provider: 'hetzner', managed: false }).id, 'hetzner-cloud');
  assert.is(platformFor({ distribution: 'kubeadm', type: 'cloud', provider: 'linode', managed: false }).id, 'kubeadm');
  assert.is(platformFor({ distribution: 'kubeadm', type: 'bare-metal', provider: 'vsphere', managed: false }).id, 'kubeadm');
});

// ---- a cluster that waits for its CCM is never bare metal ------------------------------------

test('uninitialized taint without providerID: cloud with an unknown provider, never bare metal', () => {
  const d = detect('uninitialized.yaml');
  assert.is(d.type, 'cloud');
  assert.is(d.provider, null);
  assert.is(d.platform, null);
  assert.equal(d.uninitialized, ['k8s-new-cp-1', 'k8s-new-w-1']);
  assert.is(d.perNode[0].evidence[0].signal, 'uninitialized-taint');
  assert.ok(!d.perNode.some((v) => v.type === 'bare-metal'));
});

const withFacts = (raw: Raw, file: string) => plan(raw, { facts: detect(file) });
const autoEnv = (): Raw => {
  const p = bareMetal();
  p.spec.environment = { type: 'auto' };
  p.spec.loadBalancer = {};
  return p;
};

test('uninitialized cluster: environment-unknown naming spec.environment.provider; no L2 pool, no implementation', () => {
  const p = withFacts(autoEnv(), 'uninitialized.yaml');
  const f = p.findings.find((x) => x.rule === 'environment-unknown');
  assert.ok(f, JSON.stringify(p.findings));
  assert.is(f!.severity, 'error');
  assert.is(f!.path, 'spec.environment.provider');
  assert.match(f!.message, /set spec\.environment\.provider/);
  assert.match(f!.message, /k8s-new-cp-1, k8s-new-w-1/);
  assert.match(f!.message, /not bare metal/);
  assert.is(p.environment.type, 'cloud');
  assert.is.not(p.environment.class, 'bare-metal');
  assert.is(p.loadBalancer.implementation, null);
  assert.is(p.loadBalancer.mode, null);
  assert.ok(!p.findings.some((x) => x.rule === 'pool-off-subnet' || x.rule === 'invalid-field'), JSON.stringify(p.findings));
});

test('uninitialized cluster with spec.environment.provider: aws: the AWS CCM is rendered', () => {
  const raw = autoEnv();
  raw.spec.environment = { type: 'auto', provider: 'aws' };
  const p = withFacts(raw, 'uninitialized.yaml');
  assert.ok(!p.findings.some((x) => x.rule === 'environment-unknown'), JSON.stringify(p.findings));
  assert.equal([p.environment.type, p.environment.provider, p.environment.class], ['cloud', 'aws', 'public-cloud']);
  assert.is(p.ccm.enabled, true);
  assert.is(p.ccm.provider, 'aws');
  assert.is(p.loadBalancer.implementation, 'cloud');
});

test('netprofile detect on the uninitialized cluster says cloud and asks for the provider (exit 1)', () => {
  const r = cli(['detect', '--nodes', join(dir, 'uninitialized.yaml')]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /Environment: cloud, provider unknown/);
  assert.match(r.stdout, /spec\.environment\.provider/);
  assert.not.match(r.stdout, /bare-metal/);
  const j = cli(['detect', '--nodes', join(dir, 'uninitialized.yaml'), '-o', 'json']);
  const v = JSON.parse(j.stdout);
  assert.is(v.type, 'cloud');
  assert.match(v.problem, /spec\.environment\.provider/);
});

test('a mixed cluster (EC2 node beside a bare-metal node) stays environment-unknown', () => {
  const d = detect('mixed.yaml');
  assert.is(d.type, null);
  assert.is(d.platform, null);
  assert.match(d.problem!, /disagree/);
  const p = withFacts(autoEnv(), 'mixed.yaml');
  const f = p.findings.find((x) => x.rule === 'environment-unknown');
  assert.ok(f);
  assert.match(f!.message, /disagree/);
  assert.is(p.environment.class, null);
});

test('a cluster half initialised (some nodes still wait for the CCM) is mixed, not bare metal', () => {
  const doc = nodesOf('aws-ec2.yaml');
  const waiting = structuredClone(doc.items[1]);
  waiting.metadata.name = 'ip-172-31-30-7.us-west-2.compute.internal';
  delete waiting.spec.providerID;
  waiting.spec.taints = [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }];
  doc.items.push(waiting);
  const d = detectEnvironment(nodeFactsFromList(doc, 'x.yaml'));
  assert.is(d.type, null);
  assert.ok(!d.perNode.some((v) => v.type === 'bare-metal'));
});

// ---- per platform: the verdict, the rendered Cilium values and the manual steps -------------

/** A profile whose environment comes from the nodes; Cilium 1.18.3 with the given kube-proxy. */
function profileFor(kubeProxy: 'none' | 'iptables', podCIDRs: string[], patch: (p: Raw) => void = () => {}): Raw {
  const p: Raw = {
    apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name: 'platform' },
    spec: {
      cluster: { name: 'platform', podCIDRs, serviceCIDRs: ['10.96.0.0/16'], kubeProxy, ...(kubeProxy === 'none' ? { apiServer: { host: '10.20.0.10', port: 6443 } } : {}) },
      environment: { type: 'auto' },
      cni: { provider: 'cilium', cilium: { version: '1.18.3' } },
      loadBalancer: {},
      cloud: { credentialsSecretRef: { name: 'ccm-credentials', namespace: 'kube-system' } },
    },
  };
  patch(p);
  return p;
}

/** The value at a dotted path of the rendered values ("ipam.mode"). */
const at = (v: Record<string, unknown>, path: string) => path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), v);

interface Case {
  file: string;
  profile: Raw;
  platform: string;
  datapath: string;
  values: Record<string, unknown>;
  /** Keys that must not be rendered. */
  absent?: string[];
  steps: RegExp[];
  /** Expected platform findings (rule:severity), exactly. */
  platformFindings: string[];
}

const L2 = (p: Raw) => { p.spec.loadBalancer = { pools: [{ name: 'lan', addresses: ['10.20.0.240/28'] }] }; p.spec.cluster.nodeCIDRs = ['10.20.0.0/24']; };
const cases: Case[] = [
  { file: 'kubeadm.yaml', platform: 'kubeadm', datapath: 'tunnel', profile: profileFor('none', ['10.244.0.0/16'], L2),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel', tunnelProtocol: 'vxlan', kubeProxyReplacement: true, k8sServiceHost: '10.20.0.10' },
    absent: ['eni', 'gke', 'aksbyocni', 'alibabacloud', 'nodeinit', 'securityContext'],
    steps: [/kubeadm init --skip-phases=addon\/kube-proxy/], platformFindings: [] },
  { file: 'kind.yaml', platform: 'kind', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16'], L2),
    values: { 'ipam.mode': 'kubernetes', routingMode: 'tunnel', kubeProxyReplacement: false }, absent: ['ipam.operator.clusterPoolIPv4PodCIDRList'],
    steps: [/networking\.disableDefaultCNI: true/], platformFindings: ['platform-cni:warning'] },
  { file: 'k3s.yaml', platform: 'k3s', datapath: 'tunnel', profile: profileFor('none', ['10.42.0.0/16'], (p) => { p.spec.loadBalancer = { pools: [{ name: 'lan', addresses: ['192.168.50.240/28'] }] }; p.spec.cluster.nodeCIDRs = ['192.168.50.0/24']; }),
    values: { 'ipam.mode': 'cluster-pool', 'ipam.operator.clusterPoolIPv4PodCIDRList': ['10.42.0.0/16'], routingMode: 'tunnel' }, absent: ['operator'],
    steps: [/--flannel-backend=none --disable-network-policy --disable-kube-proxy/], platformFindings: ['platform-cni:warning'] },
  { file: 'k3s-single.yaml', platform: 'k3s', datapath: 'tunnel', profile: profileFor('iptables', ['10.42.0.0/16'], (p) => { p.spec.loadBalancer = { pools: [{ name: 'lan', addresses: ['192.168.1.240/28'] }] }; p.spec.cluster.nodeCIDRs = ['192.168.1.0/24']; }),
    values: { 'ipam.mode': 'cluster-pool', 'operator.replicas': 1, routingMode: 'tunnel' },
    steps: [/--flannel-backend=none --disable-network-policy \(/], platformFindings: ['platform-cni:warning'] },
  { file: 'rke2.yaml', platform: 'rke2', datapath: 'tunnel', profile: profileFor('none', ['10.42.0.0/16'], (p) => { p.spec.loadBalancer = { pools: [{ name: 'lan', addresses: ['10.30.1.240/28'] }] }; p.spec.cluster.nodeCIDRs = ['10.30.1.0/24']; }),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel', kubeProxyReplacement: true },
    steps: [/cni: none and disable-kube-proxy: true in \/etc\/rancher\/rke2\/config\.yaml/], platformFindings: ['platform-cni:warning'] },
  { file: 'talos.yaml', platform: 'talos', datapath: 'tunnel',
    profile: profileFor('none', ['10.244.0.0/16'], (p) => { delete p.spec.cluster.apiServer; p.spec.loadBalancer = { pools: [{ name: 'lan', addresses: ['10.5.0.240/28'] }] }; p.spec.cluster.nodeCIDRs = ['10.5.0.0/24']; }),
    values: {
      'ipam.mode': 'kubernetes', kubeProxyReplacement: true, k8sServiceHost: 'localhost', k8sServicePort: 7445,
      'securityContext.capabilities.ciliumAgent': ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
      'securityContext.capabilities.cleanCiliumState': ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'],
      'cgroup.autoMount.enabled': false, 'cgroup.hostRoot': '/sys/fs/cgroup', 'bpf.masquerade': true, 'bpf.hostLegacyRouting': true,
    },
    steps: [/cluster\.network\.cni\.name: none and cluster\.proxy\.disabled: true/], platformFindings: ['platform-cni:warning'] },
  { file: 'eks.yaml', platform: 'eks', datapath: 'aws-eni', profile: profileFor('iptables', ['10.1.0.0/16']),
    values: { 'ipam.mode': 'eni', 'eni.enabled': true, routingMode: 'native' }, absent: ['ipv4NativeRoutingCIDR', 'autoDirectNodeRoutes'],
    steps: [/patch daemonset aws-node/, /EC2 privileges/, /node\.cilium\.io\/agent-not-ready=true:NoExecute/], platformFindings: ['platform-cni:warning'] },
  { file: 'gke.yaml', platform: 'gke', datapath: 'gke', profile: profileFor('iptables', ['10.60.0.0/14']),
    values: { 'ipam.mode': 'kubernetes', routingMode: 'native', ipv4NativeRoutingCIDR: '10.60.0.0/14', 'gke.enabled': true,
      'nodeinit.enabled': true, 'nodeinit.reconfigureKubelet': true, 'nodeinit.removeCbrBridge': true, 'cni.binPath': '/home/kubernetes/bin' },
    steps: [/without Dataplane V2/, /clusterIpv4Cidr/], platformFindings: ['platform-cni:warning'] },
  { file: 'aks.yaml', platform: 'aks', datapath: 'aks-byocni', profile: profileFor('iptables', ['192.168.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel', 'aksbyocni.enabled': true, 'ipam.operator.clusterPoolIPv4PodCIDRList': ['192.168.0.0/16'] },
    steps: [/--network-plugin none/], platformFindings: ['platform-cni:warning'] },
  { file: 'aks-cilium.yaml', platform: 'aks', datapath: 'aks-byocni', profile: profileFor('iptables', ['192.168.0.0/16']),
    values: { 'aksbyocni.enabled': true }, steps: [/--network-plugin none/], platformFindings: ['platform-cni:error'] },
  { file: 'ack.yaml', platform: 'ack', datapath: 'alibabacloud-eni', profile: profileFor('iptables', ['172.16.0.0/16']),
    values: { 'ipam.mode': 'alibabacloud', 'alibabacloud.enabled': true, enableIPv4Masquerade: false, routingMode: 'native' }, absent: ['ipv4NativeRoutingCIDR'],
    steps: [/delete daemonset <terway/, /cilium-alibabacloud/, /security groups/], platformFindings: ['platform-cni:warning'] },
  { file: 'alibaba-ecs.yaml', platform: 'alibaba-ecs', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, absent: ['alibabacloud'], steps: [/UDP 8472/], platformFindings: [] },
  { file: 'aws-ec2.yaml', platform: 'aws-ec2', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, absent: ['eni'], steps: [/UDP 8472/], platformFindings: [] },
  { file: 'gce.yaml', platform: 'gce', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, absent: ['gke', 'nodeinit'], steps: [/UDP 8472/], platformFindings: [] },
  { file: 'azure-vm.yaml', platform: 'azure-vm', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, absent: ['aksbyocni', 'azure'], steps: [/UDP 8472/], platformFindings: [] },
  { file: 'openstack.yaml', platform: 'openstack', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, steps: [/UDP 8472/], platformFindings: [] },
  { file: 'hetzner-cloud.yaml', platform: 'hetzner-cloud', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, steps: [/UDP 8472/], platformFindings: [] },
  { file: 'digitalocean.yaml', platform: 'digitalocean', datapath: 'tunnel', profile: profileFor('iptables', ['10.244.0.0/16']),
    values: { 'ipam.mode': 'cluster-pool', routingMode: 'tunnel' }, steps: [/UDP 8472/], platformFindings: [] },
];

const planOf = (file: string, raw: Raw): Plan => plan(raw, { facts: detect(file) });
const platformFindings = (p: Plan) => p.findings.filter((f) => f.rule === 'platform-cni' || f.rule === 'platform-datapath').map((f) => `${f.rule}:${f.severity}`);

for (const c of cases) {
  test(`platform ${c.platform} (${c.file}): datapath ${c.datapath}, rendered values, manual steps`, () => {
    const p = planOf(c.file, c.profile);
    assert.is(p.platform?.id, c.platform);
    assert.is(p.platform?.datapathMode, c.datapath);
    assert.ok(p.decisions.some((d) => d.field === 'platform' && d.value === c.platform && d.fact?.startsWith(`platform ${c.platform}`)));
    const values = ciliumValues(p);
    for (const [k, v] of Object.entries(c.values)) assert.equal(at(values, k), v, `${c.file}: ${k}`);
    for (const k of c.absent ?? []) assert.is(at(values, k), undefined, `${c.file}: ${k} must not be rendered`);
    const steps = renderCilium(p).manualSteps;
    for (const re of c.steps) assert.ok(steps.some((s) => re.test(s)), `${c.file}: no step ${re} in ${JSON.stringify(steps)}`);
    assert.equal(platformFindings(p), c.platformFindings, JSON.stringify(p.findings));
    // Only kubeadm itself gets the kubeadm step.
    if (c.platform !== 'kubeadm') assert.ok(!steps.some((s) => /kubeadm init/.test(s)), `${c.file}: kubeadm step on ${c.platform}`);
    assert.ok(!p.findings.some((f) => f.rule === 'environment-unknown' || f.rule === 'api-server-required'), JSON.stringify(p.findings));
  });
}

test('every platform tree validates: each chart value the platform sets is a value of the 1.18 chart (or read by its templates)', async () => {
  const bundle = loadBundle();
  const cel = await loadCelEngine();
  let checked = 0;
  for (const c of cases) {
    const p = planOf(c.file, c.profile);
    if (p.findings.some((f) => f.severity === 'error')) continue; // aks-cilium: refused, nothing rendered
    checked++;
    const tree = renderTree(p, 'flux');
    const files = Object.entries(tree.files).filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => ({ file: f, text }));
    const problems = validateFiles(files, { bundle, cel }).filter((x) => x.severity === 'error');
    assert.equal(problems.map((x) => `${x.file}: ${x.path}: ${x.message}`), [], c.file);
  }
  assert.is(checked, cases.length - 1);
});

test('Talos without cluster.apiServer: KubePrism localhost:7445 is decided from the platform, not api-server-required', () => {
  const c = cases.find((x) => x.file === 'talos.yaml')!;
  const p = planOf(c.file, c.profile);
  const d = p.decisions.find((x) => x.field === 'cluster.apiServer');
  assert.equal(d?.value, { host: 'localhost', port: 7445 });
  assert.is(d?.fact, 'platform talos');
  assert.equal(p.cluster.apiServer, { host: 'localhost', port: 7445 });
});

test('ipam: eni chosen on self-managed AWS also switches eni.enabled (the operator-aws image) and native routing', () => {
  const p = planOf('aws-ec2.yaml', profileFor('iptables', ['10.244.0.0/16'], (r) => { r.spec.cni.cilium.ipam = 'eni'; }));
  const v = ciliumValues(p);
  assert.equal([at(v, 'ipam.mode'), at(v, 'eni.enabled'), at(v, 'routingMode')], ['eni', true, 'native']);
  assert.equal(platformFindings(p), []);
});

test('ipam: alibabacloud on self-managed ECS switches alibabacloud.enabled and enableIPv4Masquerade off', () => {
  const p = planOf('alibaba-ecs.yaml', profileFor('iptables', ['10.244.0.0/16'], (r) => { r.spec.cni.cilium.ipam = 'alibabacloud'; }));
  const v = ciliumValues(p);
  assert.equal([at(v, 'ipam.mode'), at(v, 'alibabacloud.enabled'), at(v, 'enableIPv4Masquerade'), at(v, 'routingMode')], ['alibabacloud', true, false, 'native']);
});

test('EKS in overlay mode (ipam: cluster-pool): tunnel, no eni.enabled, the VPC CNI NAT chains flushed', () => {
  const p = planOf('eks.yaml', profileFor('iptables', ['10.1.0.0/16'], (r) => { r.spec.cni.cilium.ipam = 'cluster-pool'; }));
  const v = ciliumValues(p);
  assert.equal([at(v, 'ipam.mode'), at(v, 'routingMode'), at(v, 'eni')], ['cluster-pool', 'tunnel', undefined]);
  assert.ok(renderCilium(p).manualSteps.some((s) => /AWS-SNAT-CHAIN-0/.test(s)));
});

test('resolveAuto: the first row that holds decides, with its reason and fact; a list needs a default row', () => {
  const rows: AutoRow<number, string>[] = [
    { when: (n) => n > 10, value: 'big', reason: (n) => `${n} > 10`, fact: 'n' },
    { when: (n) => n > 5, value: 'medium', reason: 'over 5', rule: 'r' },
    { value: 'small', reason: 'default' },
  ];
  assert.equal(resolveAuto(rows, 11), { value: 'big', reason: '11 > 10', rule: null, fact: 'n' });
  assert.equal(resolveAuto(rows, 6), { value: 'medium', reason: 'over 5', rule: 'r', fact: null });
  assert.equal(resolveAuto(rows, 1).value, 'small');
  assert.throws(() => resolveAuto(rows.slice(0, 2), 1), /default row/);
});

test('refusals: GKE tunnel, AKS native, EKS ENI with IPv6, ENI IPAM on bare metal, Azure IPAM', () => {
  const gke = planOf('gke.yaml', profileFor('iptables', ['10.60.0.0/14'], (r) => { r.spec.cni.cilium.routing = 'tunnel'; }));
  const g = gke.findings.find((f) => f.rule === 'platform-datapath');
  assert.is(g?.path, 'spec.cni.cilium.routing');
  assert.match(g!.message, /RoutingMode must be set to native when gke\.enabled=true/);
  const aks = planOf('aks.yaml', profileFor('iptables', ['192.168.0.0/16'], (r) => { r.spec.cni.cilium.routing = 'native'; }));
  assert.match(aks.findings.find((f) => f.rule === 'platform-datapath')!.message, /tunnel when aksbyocni/);
  const eks6 = planOf('eks.yaml', profileFor('iptables', ['10.1.0.0/16', 'fd00:10:1::/56'], (r) => { r.spec.cluster.serviceCIDRs = ['10.96.0.0/16', 'fd00:96::/112']; }));
  assert.match(eks6.findings.find((f) => f.rule === 'platform-datapath')!.message, /IPv4 only/);
  const bm = planOf('kubeadm.yaml', profileFor('none', ['10.244.0.0/16'], (r) => { L2(r); r.spec.cni.cilium.ipam = 'eni'; }));
  assert.match(bm.findings.find((f) => f.rule === 'platform-datapath')!.message, /EC2 API/);
  const az = planOf('azure-vm.yaml', profileFor('iptables', ['10.244.0.0/16'], (r) => { r.spec.cni.cilium.ipam = 'azure'; }));
  assert.match(az.findings.find((f) => f.rule === 'platform-datapath')!.message, /--network-plugin none/);
});

test('BYO CNI findings name what to do, and the node when the nodes show the platform CNI', () => {
  const k3s = planOf('k3s.yaml', cases.find((x) => x.file === 'k3s.yaml')!.profile).findings.find((f) => f.rule === 'platform-cni')!;
  assert.match(k3s.message, /node\/edge-1 metadata\.annotations\[flannel\.alpha\.coreos\.com\/backend-type\]=vxlan/);
  assert.match(k3s.message, /--flannel-backend=none --disable-network-policy/);
  const aks = planOf('aks-cilium.yaml', profileFor('iptables', ['192.168.0.0/16'])).findings.find((f) => f.rule === 'platform-cni')!;
  assert.match(aks.message, /Azure CNI Powered by Cilium/);
  assert.match(aks.message, /create a new cluster/);
  const eks = planOf('eks.yaml', profileFor('iptables', ['10.1.0.0/16'])).findings.find((f) => f.rule === 'platform-cni')!;
  assert.match(eks.message, /aws-node/);
  // cni.provider: none leaves the CNI alone: no BYO-CNI finding, no platform values.
  const none = planOf('eks.yaml', profileFor('iptables', ['10.1.0.0/16'], (r) => { r.spec.cni = { provider: 'none' }; }));
  assert.equal(platformFindings(none), []);
  assert.equal(none.platform?.values, {});
});

test.run();
