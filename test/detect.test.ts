// Detection (api.md §2): every fixture cluster, every providerID form, disagreement, evidence.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { detectEnvironment, detectNode, nodeFactsFromList, type NodeFacts } from '../generators/detect/detect.js';
import { cli, fixtures } from './helpers.js';

const load = (file: string) => detectEnvironment(nodeFactsFromList(parse(readFileSync(join(fixtures, file), 'utf8')), file));

const expected: Record<string, { type: string; provider: string | null; managed: boolean; distribution: string; region: string | null; decidingField: string }> = {
  'alibaba-ecs-kubeadm.yaml': { type: 'cloud', provider: 'alibaba', managed: false, distribution: 'kubeadm', region: 'cn-hangzhou', decidingField: 'spec.providerID' },
  'aws-eks.yaml': { type: 'cloud', provider: 'aws', managed: true, distribution: 'managed', region: 'us-east-1', decidingField: 'spec.providerID' },
  'baremetal-kubeadm.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'kubeadm', region: null, decidingField: 'spec.providerID' },
  'gke.yaml': { type: 'cloud', provider: 'gcp', managed: true, distribution: 'managed', region: 'europe-west1', decidingField: 'spec.providerID' },
  'k3s-homelab.yaml': { type: 'bare-metal', provider: null, managed: false, distribution: 'k3s', region: null, decidingField: 'spec.providerID' },
};

for (const [file, want] of Object.entries(expected)) {
  test(`fixture ${file}`, () => {
    const d = load(file);
    assert.is(d.problem, undefined);
    assert.is(d.type, want.type);
    assert.is(d.provider, want.provider);
    assert.is(d.managed, want.managed);
    assert.is(d.distribution, want.distribution);
    assert.is(d.region, want.region);
    // The evidence names the node, field and value that decided, one per node first.
    assert.ok(d.evidence.length >= d.nodes);
    const names = new Set(d.perNode.map((n) => n.node));
    for (const e of d.evidence.slice(0, d.nodes)) {
      assert.ok(names.has(e.node));
      assert.is(e.field, want.decidingField);
    }
  });
}

test('the managed-offering label is evidence for EKS and GKE', () => {
  for (const [file, label] of [['aws-eks.yaml', 'eks.amazonaws.com/nodegroup'], ['gke.yaml', 'cloud.google.com/gke-nodepool']]) {
    const d = load(file);
    assert.ok(d.evidence.some((e) => e.signal === 'managed-label' && e.field.includes(label)), file);
  }
});

const forms: [string, string, string | null, boolean?][] = [
  ['aws:///us-east-1a/i-0123456789abcdef0', 'cloud', 'aws'],
  ['gce://acme-prod/europe-west1-b/node-1', 'cloud', 'gcp'],
  ['azure:///subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1', 'cloud', 'azure'],
  ['alicloud://cn-hangzhou.i-bp1abc', 'cloud', 'alibaba'],
  ['cn-hangzhou.i-bp17345hor9k2x1a0c1d', 'cloud', 'alibaba'],
  ['ap-southeast-1.i-t4n0example', 'cloud', 'alibaba'],
  ['openstack:///8a6e4f7c-1111-2222-3333-444455556666', 'cloud', 'openstack'],
  ['vsphere://4230a1b2-c3d4-e5f6-0718-293a4b5c6d7e', 'bare-metal', 'vsphere'],
  ['hcloud://12345678', 'cloud', 'hetzner'],
  ['hcloud://bm-1234567', 'bare-metal', 'hetzner'],
  ['hrobot://1234567', 'bare-metal', 'hetzner'],
  ['digitalocean://301234567', 'cloud', 'digitalocean'],
  ['linode://41234567', 'cloud', 'linode'],
  ['equinixmetal://6f8a-0c1d', 'bare-metal', 'equinix-metal'],
  ['packet://6f8a-0c1d', 'bare-metal', 'equinix-metal'],
  ['oci://ocid1.instance.oc1.iad.abc', 'cloud', 'oci'],
  ['ibm://account/region/zone/instance', 'cloud', 'ibm'],
  ['tencentcloud://ins-abc123', 'cloud', 'tencent'],
  ['qcloud://ins-abc123', 'cloud', 'tencent'],
  ['huaweicloud://0e8a-1234', 'cloud', 'huawei'],
  ['kind://docker/kind/kind-control-plane', 'bare-metal', null],
  ['k3s://pi-1', 'bare-metal', null],
];

for (const [providerID, type, provider] of forms) {
  test(`providerID ${providerID}`, () => {
    const facts: NodeFacts = { name: 'n1', providerID, labels: {}, taints: [], internalIPs: [] };
    const v = detectNode(facts);
    assert.is(v.type, type);
    assert.is(v.provider, provider);
    assert.equal(v.evidence[0], { node: 'n1', field: 'spec.providerID', value: providerID, signal: 'providerID', meaning: v.evidence[0].meaning });
  });
}

test('no providerID and no labels: bare metal, with the absence as evidence', () => {
  const v = detectNode({ name: 'n1', labels: {}, taints: [], internalIPs: [] });
  assert.is(v.type, 'bare-metal');
  assert.is(v.evidence[0].signal, 'no-provider');
});

test('managed label without providerID still decides cloud/managed', () => {
  const v = detectNode({ name: 'n1', labels: { 'kubernetes.azure.com/cluster': 'MC_rg_aks_westeurope' }, taints: [], internalIPs: [] });
  assert.is(v.type, 'cloud');
  assert.is(v.provider, 'azure');
  assert.is(v.managed, true);
});

test('uninitialized taint is recorded (kubelet waits for a CCM)', () => {
  const d = detectEnvironment([{ name: 'n1', providerID: 'cn-hangzhou.i-abc', labels: {}, taints: [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', effect: 'NoSchedule' }], internalIPs: [] }]);
  assert.equal(d.uninitialized, ['n1']);
  assert.ok(d.evidence.some((e) => e.signal === 'uninitialized-taint'));
});

test('nodes that disagree give no verdict and say which nodes', () => {
  const d = detectEnvironment([
    { name: 'cp-1', labels: {}, taints: [], internalIPs: [] },
    { name: 'worker-7', providerID: 'aws:///us-east-1a/i-0abc', labels: {}, taints: [], internalIPs: [] },
  ]);
  assert.is(d.type, null);
  assert.match(d.problem!, /disagree/);
  assert.match(d.problem!, /worker-7/);
  assert.match(d.problem!, /cp-1/);
});

test('a NodeList and a single Node are accepted; other kinds are not', () => {
  assert.is(nodeFactsFromList({ apiVersion: 'v1', kind: 'NodeList', items: [{ kind: 'Node', metadata: { name: 'a' } }] }, 'f').length, 1);
  assert.is(nodeFactsFromList({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'a' } }, 'f').length, 1);
  assert.throws(() => nodeFactsFromList({ kind: 'PodList', items: [] }, 'f.yaml'), /f\.yaml: is not a Node list/);
  assert.throws(() => nodeFactsFromList({ kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'a' } }] }, 'f.yaml'), /items\[0\] is not a Node/);
});

test('CLI: detect -o json on every fixture, YAML and JSON input, stdin', () => {
  for (const file of Object.keys(expected)) {
    const r = cli(['detect', '--nodes', join(fixtures, file), '-o', 'json']);
    assert.is(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.is(v.type, expected[file].type);
    assert.is(v.provider, expected[file].provider);
    assert.ok(Array.isArray(v.evidence) && v.evidence[0].node && v.evidence[0].field);
  }
  const asJson = JSON.stringify(parse(readFileSync(join(fixtures, 'aws-eks.yaml'), 'utf8')));
  const r = cli(['detect', '--nodes', '-', '-o', 'json'], { input: asJson });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).provider, 'aws');
});

test('CLI: detect text names the evidence; disagreement exits 1', () => {
  const r = cli(['detect', '--nodes', join(fixtures, 'alibaba-ecs-kubeadm.yaml')]);
  assert.is(r.code, 0);
  assert.match(r.stdout, /node\/master spec\.providerID=cn-hangzhou\.i-bp17345hor9k2x1a0c1d/);
  const mixed = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Node', metadata: { name: 'a' } }, { kind: 'Node', metadata: { name: 'b' }, spec: { providerID: 'gce://p/z/b' } }] });
  const m = cli(['detect', '--nodes', '-'], { input: mixed });
  assert.is(m.code, 1);
  assert.match(m.stdout, /disagree/);
});

test('CLI: detect usage errors exit 2', () => {
  assert.is(cli(['detect']).code, 2);
  assert.is(cli(['detect', '--nodes']).code, 2);
  assert.is(cli(['detect', '--bogus']).code, 2);
  const missing = cli(['detect', '--nodes', '/nonexistent/nodes.yaml']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\/nodes\.yaml: no such Node list/);
  assert.is(cli(['detect', '--help']).code, 0);
});

test.run();
