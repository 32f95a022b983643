// Issue 11: MetalLB, PureLB and the CCMs against upstream (metallb v0.16.1, purelb v0.16.6,
// cloud-provider-aws chart): multi-hop peers, external speaker, graceful restart default, PureLB's
// chart-owned LBNodeAgent, the default ServiceGroup, anchored interfaces, pool-off-subnet, AWS host network.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bareMetal, plan, findingsOf, factsOf, node, cloud, type Raw } from './profiles.js';
import { renderMetalLB, metallbValues } from '../generators/components/metallb.js';
import { renderPureLB, purelbValues } from '../generators/components/purelb.js';
import { renderCilium } from '../generators/components/cilium.js';
import { renderCcm } from '../generators/components/ccm/index.js';
import { checkProfile } from '../generators/api/parse.js';
import type { K8sObject } from '../generators/components/types.js';

const test = suite('issue 11: load balancers and CCMs');

function metallbBgp(peer: Raw = {}): Raw {
  const raw = bareMetal();
  raw.spec.cni = { provider: 'none' };
  raw.spec.cluster.kubeProxy = 'iptables';
  raw.spec.loadBalancer = { implementation: 'metallb', mode: 'bgp', pools: [{ name: 'default', addresses: ['10.32.192.0/18'] }], bgp: { localASN: 64513, peers: [{ name: 'core-1', address: '10.31.254.253', asn: 64512, ...peer }] } };
  return raw;
}
const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

test('seed-4 topology: a MetalLB peer outside the node subnet gets ebgpMultiHop; one inside does not', () => {
  const raw = metallbBgp();
  raw.spec.loadBalancer.bgp.peers.push({ name: 'tor', address: '10.31.80.1', asn: 64512 });
  const p = plan(raw);
  assert.equal(p.loadBalancer.bgp!.peers.map((x) => x.ebgpMultiHop), [true, false]);
  const d = p.decisions.find((x) => x.field === 'loadBalancer.bgp.peers[0].ebgpMultiHop');
  assert.ok(d && d.value === true && /outside every node subnet/.test(d.reason), 'the plan shows the effective value with its reason');
  const peers = byKind(renderMetalLB(p).configs, 'BGPPeer');
  assert.is(peers[0].spec.ebgpMultiHop, true);
  assert.is(peers[1].spec.ebgpMultiHop, undefined);
});

test('ebgpMultiHop from the facts when nodeCIDRs are absent, and explicit values win', () => {
  const raw = metallbBgp();
  delete raw.spec.cluster.nodeCIDRs;
  const facts = factsOf([node('n1', undefined, {}, { status: { addresses: [{ type: 'InternalIP', address: '10.31.80.11' }] } })]);
  assert.is(plan(raw, { facts }).loadBalancer.bgp!.peers[0].ebgpMultiHop, true);
  assert.is(plan(metallbBgp({ ebgpMultiHop: false })).loadBalancer.bgp!.peers[0].ebgpMultiHop, false);
  assert.is(plan(metallbBgp({ address: '10.31.80.1', ebgpMultiHop: true })).loadBalancer.bgp!.peers[0].ebgpMultiHop, true);
  assert.not.ok(checkProfile(metallbBgp({ ebgpMultiHop: 'maybe' }), 't.yaml').profile, 'only auto | true | false');
});

test('gracefulRestart defaults to false (upstream default, immutable field) and shows in the plan', () => {
  const p = plan(metallbBgp());
  assert.is(p.loadBalancer.bgp!.peers[0].gracefulRestart, false);
  assert.is(byKind(renderMetalLB(p).configs, 'BGPPeer')[0].spec.enableGracefulRestart, undefined);
  const on = plan(metallbBgp({ gracefulRestart: true }));
  assert.is(byKind(renderMetalLB(on).configs, 'BGPPeer')[0].spec.enableGracefulRestart, true);
});

test('MetalLB behind an external speaker: speaker and frr-k8s off, README says what the speaker must advertise', () => {
  const raw = metallbBgp();
  raw.spec.loadBalancer.bgp = { speaker: 'external', peers: [] };
  const p = plan(raw);
  assert.equal(metallbValues(p), { speaker: { enabled: false }, frrk8s: { enabled: false } });
  const out = renderMetalLB(p);
  assert.equal(byKind(out.configs, 'BGPPeer'), []);
  assert.ok(out.manualSteps.some((s) => /--advertise-loadbalancer-ip/.test(s)));
});

function purelbRaw(): Raw {
  const raw = bareMetal();
  raw.spec.cni = { provider: 'none' };
  raw.spec.cluster.kubeProxy = 'iptables';
  raw.spec.loadBalancer = { implementation: 'purelb', mode: 'l2', pools: [{ name: 'lan', addresses: ['10.31.80.200-10.31.80.220'] }], l2: { interfaces: ['eth1'] } };
  return raw;
}

test('PureLB: LBNodeAgent only through the chart, localInterface anchored, the autoAssign pool is group default', () => {
  const p = plan(purelbRaw());
  const out = renderPureLB(p);
  assert.equal(byKind(out.configs, 'LBNodeAgent'), []);
  assert.is((purelbValues(p) as any).lbnodeagent.localInterface, '^(eth1)$');
  assert.ok(!new RegExp((purelbValues(p) as any).lbnodeagent.localInterface).test('eth10'));
  assert.equal(byKind(out.configs, 'ServiceGroup').map((g) => g.metadata.name), ['default']);
  const two = purelbRaw();
  two.spec.loadBalancer.pools.push({ name: 'lan2', addresses: ['10.31.80.230-10.31.80.240'] });
  const p2 = plan(two);
  assert.equal(byKind(renderPureLB(p2).configs, 'ServiceGroup').map((g) => g.metadata.name), ['lan', 'lan2']);
  assert.ok(p2.findings.some((f) => f.rule === 'purelb-auto-assign'), 'two autoAssign pools: a finding says why neither is default');
  two.spec.loadBalancer.pools[1].autoAssign = false;
  const p3 = plan(two);
  assert.equal(byKind(renderPureLB(p3).configs, 'ServiceGroup').map((g) => g.metadata.name), ['default', 'lan2']);
  assert.not.ok(p3.findings.some((f) => f.rule === 'purelb-auto-assign'));
});

test('PureLB with its own GoBGP: neighbors[].ebgpMultihop for a peer off the node subnet', () => {
  const raw = purelbRaw();
  raw.spec.loadBalancer.mode = 'bgp';
  raw.spec.loadBalancer.pools = [{ name: 'default', addresses: ['10.32.192.0/18'] }];
  raw.spec.loadBalancer.bgp = { speaker: 'auto', localASN: 64513, peers: [{ name: 'core-1', address: '10.31.254.253', asn: 64512 }] };
  const cfg = byKind(renderPureLB(plan(raw)).configs, 'BGPConfiguration')[0];
  assert.equal(cfg.spec.neighbors[0].ebgpMultihop, { enabled: true });
});

test('pool-off-subnet: L2 pools outside every node subnet are refused (MetalLB, PureLB, Cilium); inside passes', () => {
  for (const impl of ['metallb', 'purelb', 'cilium']) {
    const raw = purelbRaw();
    raw.spec.loadBalancer.implementation = impl;
    if (impl === 'cilium') { raw.spec.cni = { provider: 'cilium' }; raw.spec.cluster.kubeProxy = 'none'; }
    assert.not.ok(findingsOf(raw).some((f) => f.rule === 'pool-off-subnet'), `${impl}: in-subnet pool passes`);
    raw.spec.loadBalancer.pools[0].addresses = ['10.40.0.10-10.40.0.20'];
    const f = findingsOf(raw).find((x) => x.rule === 'pool-off-subnet');
    assert.ok(f && f.severity === 'error' && f.path === 'spec.loadBalancer.pools[0].addresses[0]', `${impl}: off-subnet pool refused`);
  }
  const noSubnet = purelbRaw();
  delete noSubnet.spec.cluster.nodeCIDRs;
  assert.ok(findingsOf(noSubnet).some((f) => f.rule === 'pool-off-subnet' && f.path === 'spec.cluster.nodeCIDRs'), 'PureLB does not invent a subnet');
});

test('AWS CCM runs on the host network (chart value hostNetworking)', () => {
  const raw = cloud('aws');
  delete raw.spec.cloud;
  const out = renderCcm(plan(raw));
  assert.is((out.charts[0].values as any).hostNetworking, true);
});

test.run();
