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

test.run();
