// The decision tables of decisions.md, row by row, plus explicit values never being overridden.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bareMetal, cloud, plan, factsOf, node, type Raw } from './profiles.js';

const with_ = (p: Raw, f: (p: Raw) => void) => { f(p); return p; };
const peers = [{ name: 'r1', address: '10.31.254.253', asn: 64512 }];

test('cloud, managed, any mode → cloud, no CCM', () => {
  for (const mode of ['auto', 'bgp']) {
    const p = plan(with_(cloud('gcp', true), (x) => { x.spec.loadBalancer = { mode }; }));
    assert.is(p.loadBalancer.implementation, 'cloud', mode);
    assert.is(p.ccm.enabled, false);
    assert.is(p.loadBalancer.mode, null);
  }
});

test('cloud, self-managed, auto or bgp → cloud with the provider CCM', () => {
  for (const mode of ['auto', 'bgp']) {
    const p = plan(with_(cloud('hetzner'), (x) => { x.spec.loadBalancer = { mode }; }));
    assert.is(p.loadBalancer.implementation, 'cloud', mode);
    assert.is(p.ccm.enabled, true);
    assert.is(p.ccm.provider, 'hetzner');
  }
});

test('bare metal, l2: cilium with Cilium and no kube-proxy, else metallb', () => {
  assert.is(plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.mode = 'l2'; })).loadBalancer.implementation, 'cilium');
  assert.is(plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.mode = 'l2'; x.spec.cluster.kubeProxy = 'iptables'; })).loadBalancer.implementation, 'metallb');
  assert.is(plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.mode = 'l2'; x.spec.cni = { provider: 'none' }; })).loadBalancer.implementation, 'metallb');
});

test('bare metal, bgp: external speaker → purelb allocator; auto speaker → cilium or metallb', () => {
  const ext = plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.bgp = { speaker: 'external', peers }; }));
  assert.is(ext.loadBalancer.implementation, 'purelb');
  assert.is(ext.loadBalancer.nodeAgent, false);
  assert.is(ext.cni.ipam, 'kubernetes');
  const cil = plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.bgp = { localASN: 64515, peers }; }));
  assert.is(cil.loadBalancer.implementation, 'cilium');
  assert.is(cil.loadBalancer.speaker, 'cilium');
  assert.is(cil.cni.bgpControlPlane, true);
  assert.is(cil.cni.routing, 'tunnel', 'advertising only LoadBalancer IPs leaves the pod network a tunnel');
  const mlb = plan(with_(bareMetal(), (x) => { x.spec.cni = { provider: 'none' }; x.spec.loadBalancer.bgp = { localASN: 64515, peers }; }));
  assert.is(mlb.loadBalancer.implementation, 'metallb');
  assert.is(mlb.loadBalancer.speaker, 'metallb');
});

test('bare metal, auto: bgp with peers, l2 without', () => {
  assert.is(plan(bareMetal()).loadBalancer.mode, 'l2');
  assert.is(plan(with_(bareMetal(), (x) => { x.spec.loadBalancer.bgp = { localASN: 64515, peers }; })).loadBalancer.mode, 'bgp');
});

test('explicit values are never overridden; breaking a rule is a finding instead', () => {
  const p = plan(with_(bareMetal(), (x) => { x.spec.cni = { cilium: { ipam: 'multi-pool', routing: 'tunnel' } }; x.spec.loadBalancer.bgp = { speaker: 'external', peers, advertise: ['podCIDRs'] }; }));
  assert.is(p.cni.ipam, 'multi-pool');
  assert.is(p.cni.routing, 'tunnel');
  assert.not.ok(p.decisions.some((d) => d.field === 'cni.ipam' || d.field === 'cni.routing'));
  const q = plan(with_(cloud('alibaba'), (x) => { x.spec.loadBalancer = { implementation: 'cilium', mode: 'l2', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }] }; x.spec.cloud.ccm = 'disabled'; }));
  assert.is(q.loadBalancer.implementation, 'cilium');
  assert.ok(q.findings.some((f) => f.rule === 'l2-on-cloud' && f.severity === 'error'));
});

test('cilium: EKS gets eni and native routing; GKE kubernetes IPAM', () => {
  const eks = plan(with_(cloud('aws', true), (x) => { x.spec.cluster.kubeProxy = 'iptables'; }));
  assert.is(eks.cni.ipam, 'eni');
  assert.is(eks.cni.routing, 'native');
  assert.is(eks.cni.ipv4NativeRoutingCIDR, null, 'ENI mode routes without ipv4NativeRoutingCIDR');
  const gke = plan(with_(cloud('gcp', true), (x) => { x.spec.cluster.kubeProxy = 'iptables'; }));
  assert.is(gke.cni.ipam, 'kubernetes');
});

test('cilium: cluster-pool takes the pod CIDRs; LB-IPAM off when another implementation owns Services', () => {
  const p = plan(with_(bareMetal(), (x) => { x.spec.cluster.kubeProxy = 'iptables'; x.spec.loadBalancer.mode = 'l2'; }));
  assert.equal(p.cni.clusterPoolIPv4PodCIDRList, ['10.32.0.0/17']);
  assert.is(p.loadBalancer.implementation, 'metallb');
  assert.is(p.cni.lbIPAM, false);
  assert.ok(p.decisions.some((d) => d.field === 'cni.lbIPAM' && d.rule === 'lb-ownership'));
});

test('detected environment with explicit overrides: the profile wins, the decision says so', () => {
  const facts = factsOf([node('a', 'aws:///us-east-1a/i-1'), node('b', 'aws:///us-east-1b/i-2')]);
  const p = plan(bareMetal(), { facts });
  assert.is(p.environment.type, 'bare-metal');
  assert.ok(p.decisions.some((d) => d.field === 'environment.type' && /profile wins/.test(d.reason)));
  const auto = plan(with_(bareMetal(), (x) => { x.spec.environment = {}; x.spec.loadBalancer = {}; x.spec.cloud = { credentialsSecretRef: { name: 'x' } }; }), { facts });
  assert.is(auto.environment.source, 'detected');
  assert.is(auto.environment.provider, 'aws');
  assert.is(auto.ccm.provider, 'aws');
});

test('a pool holding a node address from the facts is refused', () => {
  const facts = factsOf([node('cp-1', undefined, {}, { status: { addresses: [{ type: 'InternalIP', address: '10.31.80.201' }] } })]);
  const p = plan(with_(bareMetal(), (x) => { x.spec.environment = {}; x.spec.loadBalancer.pools[0].addresses = ['10.31.80.200/29']; x.spec.loadBalancer.mode = 'l2'; }), { facts });
  const f = p.findings.find((x) => x.rule === 'pool-overlap');
  assert.ok(f);
  assert.match(f!.message, /node cp-1/);
});

test.run();
