// Fleet scale (issue 13, benchmark aim 1, and Node churn): what a profile's tree and status say
// about the Nodes does not grow with the number of Nodes that share the same facts, so a Node
// joining re-plans every profile but commits and writes nothing; the Nodes' addresses and
// evidence are read once per Detection, not once per profile; a list of M Nodes queues each
// profile once; the Node cache keeps the annotation detection reads. Counted, never timed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { factsOf, node, plan, type Raw } from './profiles.js';
import { renderTree } from '../generators/render.js';
import { detectEnvironment, nodeFactsFromList, type Detection } from '../generators/detect/detect.js';
import { environmentStatus } from '../operator/status.js';
import { nodeForDetection } from '../operator/kube.js';
import type { KubeApi } from '../operator/kube.js';
import type { KubeObject, ListWatch } from '../operator/informer.js';
import { Operator } from '../operator/operator.js';
import { memoryLogger } from '../operator/log.js';
import { systemClock } from '../operator/clock.js';
import { harness, bareMetalNode, l2Profile, readyOf, waitFor } from './kube-fake.js';

const NS = 'netprofile-system';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare-metal Node on 10.31.80.0/24, as kubectl shows one (no providerID). */
function metal(name: string, ip: string, labels: Record<string, string> = {}): Raw {
  return node(name, undefined, { 'kubernetes.io/os': 'linux', ...labels }, { status: { addresses: [{ type: 'InternalIP', address: ip }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Ubuntu 24.04.1 LTS' } } });
}

/** A self-managed EC2 Node: its providerID names its own instance. */
function ec2(i: number, labels: Record<string, string> = {}): Raw {
  return node(`ip-10-0-1-${i}.ec2.internal`, `aws:///us-east-1a/i-0${String(i).padStart(16, '0')}`, { 'topology.kubernetes.io/region': 'us-east-1', ...labels },
    { status: { addresses: [{ type: 'InternalIP', address: `10.0.1.${i}` }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Amazon Linux 2023' } } });
}

/** Bare metal with `environment: auto` (the facts decide), an L2 pool in the node subnet, published with Flux. */
function metalProfile(): Raw {
  return {
    apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name: 'lab' },
    spec: {
      cluster: { name: 'lab', podCIDRs: ['10.32.0.0/17'], serviceCIDRs: ['10.32.128.0/18'], apiServer: { host: '10.31.80.10', port: 6443 }, kubeProxy: 'none' },
      environment: { type: 'auto' },
      loadBalancer: { mode: 'l2', pools: [{ name: 'default', addresses: ['10.31.80.240/28'] }] },
      gitops: { engine: 'flux', repo: { url: 'https://git.example/fleet.git', branch: 'main' } },
    },
  };
}

/** A self-managed AWS cluster planned from the facts: the cloud's load balancer through its CCM. */
function awsProfile(): Raw {
  return {
    apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name: 'aws' },
    spec: {
      cluster: { name: 'aws', podCIDRs: ['10.32.0.0/17'], serviceCIDRs: ['10.32.128.0/18'], kubeProxy: 'iptables' },
      environment: { type: 'auto' },
      gitops: { engine: 'argocd' },
    },
  };
}

const tree = (raw: Raw, facts: Detection) => renderTree(plan(raw, { facts })).files;

// ---- the tree and the status do not count Nodes ------------------------------------------------

const churn = suite('a Node with the same facts changes no tree and no status');

churn('bare metal: a fourth Node like the other three leaves every file of the tree byte-identical', () => {
  const three = [metal('node-a', '10.31.80.1'), metal('node-b', '10.31.80.2'), metal('node-c', '10.31.80.3')];
  const before = tree(metalProfile(), factsOf(three));
  const after = tree(metalProfile(), factsOf([...three, metal('node-d', '10.31.80.4')]));
  assert.equal(Object.keys(after), Object.keys(before));
  for (const [file, text] of Object.entries(before)) assert.fixture(after[file], text, file);
  // The evidence is still there for a person: the signal, a Node that shows it, where it holds.
  const evidence = JSON.parse(before['.netprofile/plan.json']).environment.evidence;
  assert.equal(evidence, ['node/node-a spec.providerID=(unset), on every Node']);
});

churn('cloud: a Node with its own instance ID but the same kind of providerID changes nothing either', () => {
  const three = [ec2(17), ec2(18), ec2(19)];
  const before = tree(awsProfile(), factsOf(three));
  const after = tree(awsProfile(), factsOf([...three, ec2(20)]));
  for (const [file, text] of Object.entries(before)) assert.fixture(after[file], text, file);
  assert.equal(JSON.parse(before['.netprofile/plan.json']).environment.evidence, [
    'node/ip-10-0-1-17.ec2.internal spec.providerID=aws:///us-east-1a/i-00000000000000017, on every Node: an AWS EC2 instance',
    'node/ip-10-0-1-17.ec2.internal metadata.labels[topology.kubernetes.io/region]=us-east-1, on every Node',
  ]);
});

churn('a Node with different facts still changes the tree', () => {
  const three = [ec2(17), ec2(18), ec2(19)];
  const before = tree(awsProfile(), factsOf(three));
  // Another region: the region is no longer the cluster's, and the evidence says so.
  const other = tree(awsProfile(), factsOf([...three, ec2(20, { 'topology.kubernetes.io/region': 'us-west-2' })]));
  assert.not.equal(other['.netprofile/plan.json'], before['.netprofile/plan.json']);
  const evidence: string[] = JSON.parse(other['.netprofile/plan.json']).environment.evidence;
  assert.ok(evidence.includes('node/ip-10-0-1-17.ec2.internal metadata.labels[topology.kubernetes.io/region]=us-east-1, on some Nodes'), evidence.join('\n'));
  assert.ok(evidence.includes('node/ip-10-0-1-20.ec2.internal metadata.labels[topology.kubernetes.io/region]=us-west-2, on some Nodes'), evidence.join('\n'));
  // Bare metal: a Node with a region label the others lack adds a line (on some Nodes).
  const two = [metal('node-a', '10.31.80.1'), metal('node-b', '10.31.80.2')];
  const metalBefore = tree(metalProfile(), factsOf(two));
  const metalAfter = tree(metalProfile(), factsOf([...two, metal('node-c', '10.31.80.3', { 'topology.kubernetes.io/region': 'dc-1' })]));
  assert.not.equal(metalAfter['.netprofile/plan.json'], metalBefore['.netprofile/plan.json']);
  assert.equal(JSON.parse(metalAfter['.netprofile/plan.json']).environment.evidence, [
    'node/node-a spec.providerID=(unset), on every Node',
    'node/node-c metadata.labels[topology.kubernetes.io/region]=dc-1, on some Nodes',
  ]);
});

churn('the same Nodes listed in another order give the same tree', () => {
  const nodes = [ec2(19), ec2(17), ec2(18, { 'topology.kubernetes.io/region': 'us-west-2' }), ec2(21, { 'topology.kubernetes.io/region': 'eu-west-1' }), ec2(16)];
  const a = tree(awsProfile(), factsOf(nodes));
  const b = tree(awsProfile(), factsOf([...nodes].reverse()));
  for (const [file, text] of Object.entries(a)) assert.fixture(b[file], text, file);
});

churn('status.environment.evidence of four Nodes is that of three (below the old cap of ten lines)', () => {
  const three = [metal('node-a', '10.31.80.1'), metal('node-b', '10.31.80.2'), metal('node-c', '10.31.80.3')];
  const before = environmentStatus(plan(metalProfile(), { facts: factsOf(three) }));
  const after = environmentStatus(plan(metalProfile(), { facts: factsOf([...three, metal('node-d', '10.31.80.4')]) }));
  assert.equal(after, before);
});

churn('operator: a Node joining with the same facts re-plans every profile, commits nothing and writes no status; no managedFields cached', async () => {
  const h = await harness();
  try {
    for (let i = 1; i <= 3; i++) h.fake.addNode(bareMetalNode(`cp-${i}`, `172.21.48.${i}`));
    const profile = l2Profile('lab', h.url);
    profile.metadata.managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'netprofile.io/v1alpha1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:cluster': {} } } }];
    h.fake.addProfile(profile);
    const op = await h.start();
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'first publish');
    await op.queue.idle();
    // The profile cache drops managedFields, from the list and from every watch event.
    await waitFor(() => op.profiles.store.get(`${NS}/lab`)?.metadata.resourceVersion === h.fake.profiles.get(`${NS}/lab`).metadata.resourceVersion, 'the status write seen by the watch');
    assert.ok(h.fake.profiles.get(`${NS}/lab`).metadata.managedFields, 'the server has them');
    assert.is(op.profiles.store.get(`${NS}/lab`)!.metadata.managedFields, undefined);
    const commits = h.commits().length;
    const patches = h.fake.statusPatches().length;
    const detections = op.stats.detections;
    h.fake.addNode(bareMetalNode('cp-4', '172.21.48.4'));
    await waitFor(() => op.stats.detections > detections, 're-planned with the new Node');
    await op.queue.idle();
    await sleep(200);
    assert.is(h.commits().length, commits, 'no commit for a Node with the same facts');
    assert.is(h.fake.statusPatches().length, patches, 'no status write');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

churn.run();

// ---- read once per Detection ---------------------------------------------------------------------

const once = suite('the Nodes are read once per Detection, not once per profile');

/** Counts the reads of every perNode entry's internalIPs and of every evidence entry's node. */
function counted(facts: Detection): { ips: () => number; evidence: () => number } {
  let ips = 0;
  let evidence = 0;
  for (const v of facts.perNode) {
    const value = v.internalIPs;
    Object.defineProperty(v, 'internalIPs', { get() { ips++; return value; } });
  }
  for (const e of facts.evidence) {
    const value = e.node;
    Object.defineProperty(e, 'node', { get() { evidence++; return value; } });
  }
  return { ips: () => ips, evidence: () => evidence };
}

const manyMetal = (n: number) => Array.from({ length: n }, (_, i) => metal(`node-${String(i).padStart(3, '0')}`, `10.31.${80 + (i >> 8)}.${(i & 255) + 1}`));

once('planning 20 profiles against one Detection parses the Node addresses once', () => {
  const facts = factsOf(manyMetal(300));
  const reads = counted(facts);
  for (let i = 0; i < 20; i++) {
    const p = metalProfile();
    p.metadata.name = `p${i}`;
    // Half with a BGP peer (eBGP multi-hop reads the node subnets), all without nodeCIDRs
    // (pool-off-subnet and pool-overlap read the addresses).
    if (i % 2) p.spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'default', addresses: ['10.40.0.0/24'] }], bgp: { localASN: 64512, peers: [{ name: 'tor', address: '10.31.81.254', asn: 64513 }] } };
    plan(p, { facts });
  }
  assert.ok(reads.ips() <= facts.perNode.length, `${reads.ips()} reads of the Nodes' InternalIPs for ${facts.perNode.length} Nodes and 20 profiles`);
});

once('the evidence lines are made once per Detection', () => {
  const facts = factsOf(manyMetal(300));
  const reads = counted(facts);
  plan(metalProfile(), { facts });
  const first = reads.evidence();
  for (let i = 0; i < 19; i++) plan(metalProfile(), { facts });
  assert.is(reads.evidence(), first, 'no evidence entry read again for the next 19 profiles');
});

once('a pool that holds node addresses still names each of them, in the Nodes\' order', () => {
  const nodes = [metal('node-z', '10.31.80.245'), metal('node-a', '10.31.80.1'), metal('node-m', '10.31.80.241'), metal('node-b', '10.31.80.2')];
  const found = plan(metalProfile(), { facts: factsOf(nodes) }).findings.filter((f) => f.rule === 'pool-overlap').map((f) => f.message);
  assert.equal(found, [
    '10.31.80.240/28 contains 10.31.80.245, the address of node node-z; exclude it from the pool.',
    '10.31.80.240/28 contains 10.31.80.241, the address of node node-m; exclude it from the pool.',
  ]);
});

once.run();

// ---- the operator's Node cache and queue ---------------------------------------------------------

const op = suite('the Node cache and the queue at fleet scale');

op('the Node cache keeps the flannel annotation detection reads (and no other annotation)', () => {
  const n = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'k3s-1', resourceVersion: '7', labels: { 'node.kubernetes.io/instance-type': 'k3s' }, annotations: { 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'node.alpha.kubernetes.io/ttl': '0' } }, spec: { providerID: 'k3s://k3s-1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }], nodeInfo: { kubeletVersion: 'v1.32.4+k3s1', osImage: 'Ubuntu' } } };
  const cached = nodeForDetection(n as KubeObject);
  assert.equal((cached.metadata as any).annotations, { 'flannel.alpha.coreos.com/backend-type': 'vxlan' });
  const d = detectEnvironment(nodeFactsFromList(cached, 'the cluster\'s Nodes'));
  assert.equal(d.platformCni.map((c) => c.name), ['flannel'], 'the operator sees the flannel that ran there, as `netprofile detect` does');
});

/** A KubeApi over fixed lists whose watches stay open and send nothing; the Node list answers after the profiles'. */
function stubApi(profiles: KubeObject[], nodes: KubeObject[]): KubeApi {
  let profilesListed: () => void;
  const listedProfiles = new Promise<void>((r) => { profilesListed = r; });
  const lw = (list: () => Promise<KubeObject[]>): ListWatch => ({
    async list() { return { items: await list(), resourceVersion: '1' }; },
    async watch() { return () => {}; },
  });
  const none = async () => { throw new Error('not used'); };
  return {
    profiles: () => lw(async () => { setTimeout(() => profilesListed(), 0); return profiles; }),
    nodes: () => lw(async () => { await listedProfiles; await sleep(20); return nodes; }),
    secrets: () => lw(async () => []),
    patchProfileStatus: async () => {},
    patchProfileMetadata: none, readSecret: async () => null, readLease: async () => null, createLease: none, replaceLease: none, createEvent: async () => {},
  };
}

op('a list of 200 Nodes after 30 profiles queues each profile once per burst, not once per Node', async () => {
  const profiles = Array.from({ length: 30 }, (_, i) => {
    const p = l2Profile(`p${i}`, 'https://git.example/fleet.git');
    delete p.spec.gitops.repo;
    return { ...p, metadata: { ...p.metadata, generation: 1, resourceVersion: '1' } } as KubeObject;
  });
  const nodes = Array.from({ length: 200 }, (_, i) => ({ apiVersion: 'v1', kind: 'Node', ...bareMetalNode(`n${i}`, `172.21.48.${i + 1}`), metadata: { name: `n${i}`, resourceVersion: '1', labels: {} } }) as KubeObject);
  const operator = new Operator({
    api: stubApi(profiles, nodes), namespace: NS, leaderElection: null, identity: 'op', resyncMs: 0, concurrency: 2,
    queueBackoff: { baseMs: 20, maxMs: 100, jitter: 0 }, watchBackoff: { baseMs: 20, maxMs: 100, jitter: 0 },
    publisher: async () => { throw new Error('nothing publishes here'); }, clock: systemClock, log: memoryLogger(),
  });
  try {
    await operator.start();
    assert.is(operator.profiles.store.size, 30, 'the profiles were cached before the Nodes came');
    await operator.queue.idle();
    const adds = (await operator.metrics.queueAdds.get()).values.reduce((a, v) => a + v.value, 0);
    // 30 for the profiles' ADDED events, 30 for the Node list: never 30 per Node (6000).
    assert.ok(adds <= 60, `${adds} queue adds`);
    assert.is(operator.stats.detections, 1, 'one detection for the 200 Nodes');
  } finally { await operator.stop(1000); }
});

op.run();
