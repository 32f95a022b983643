// The seven worked examples of decisions.md as plan tests over the profiles in examples/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadProfiles } from '../cli/load.js';
import type { Plan } from '../generators/plan/types.js';
import { cli, examples } from './helpers.js';

function planOf(rel: string): Plan {
  const [p] = loadProfiles([join(examples, rel)]);
  assert.ok(p.plan, `${rel} did not validate: ${JSON.stringify(p.findings)}`);
  return p.plan!;
}
const errors = (p: Plan) => p.findings.filter((f) => f.severity === 'error');
const decision = (p: Plan, field: string) => p.decisions.find((d) => d.field === field);

test('1. Alibaba ECS kubeadm, mode l2 → l2-on-cloud naming the VPC ARP proxy', () => {
  const p = planOf('rejected/alibaba-l2.yaml');
  const f = errors(p).find((x) => x.rule === 'l2-on-cloud');
  assert.ok(f);
  assert.is(f!.path, 'spec.loadBalancer.mode');
  assert.match(f!.message, /answers ARP by proxy/);
  assert.is(p.environment.provider, 'alibaba');
  assert.is(p.environment.source, 'detected');
});

test('1. Alibaba ECS kubeadm, mode auto → cloud, Alibaba CCM, no L2, no pool', () => {
  const p = planOf('alibaba-ccm/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.loadBalancer.implementation, 'cloud');
  assert.is(p.loadBalancer.mode, null);
  assert.equal(p.loadBalancer.pools, []);
  assert.is(p.ccm.enabled, true);
  assert.is(p.ccm.provider, 'alibaba');
  assert.equal(p.ccm.credentialsSecretRef, { name: 'alibaba-ccm-credentials', namespace: 'kube-system' });
  assert.is(p.cni.l2announcements, false);
  assert.is(p.cni.lbIPAM, false);
  assert.ok(p.environment.evidence.some((e) => e.startsWith('node/master spec.providerID=cn-hangzhou.i-')));
});

test('2. bare metal, Cilium without kube-proxy, mode l2 → Cilium L2', () => {
  const p = planOf('baremetal-cilium-l2/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.loadBalancer.implementation, 'cilium');
  assert.is(p.loadBalancer.mode, 'l2');
  assert.is(p.cni.l2announcements, true);
  assert.is(p.cni.kubeProxyReplacement, true);
  assert.equal(p.cluster.apiServer, { host: '172.21.48.10', port: 6443 });
  assert.equal(p.loadBalancer.pools[0].blocks.map((b) => b.cidr), ['172.21.48.240/28']);
  assert.is(p.cni.lbIPAM, true);
});

test('3. bare metal, kube-router external speaker → PureLB allocator only, ipam kubernetes, native routing', () => {
  const p = planOf('baremetal-kube-router-purelb/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.environment.type, 'bare-metal');
  assert.is(p.environment.source, 'detected');
  assert.is(p.loadBalancer.implementation, 'purelb');
  assert.is(p.loadBalancer.speaker, 'external');
  assert.is(p.loadBalancer.nodeAgent, false);
  assert.is(p.cni.ipam, 'kubernetes');
  assert.is(p.cni.routing, 'native');
  assert.is(p.cni.ipv4NativeRoutingCIDR, '10.32.0.0/17');
  assert.is(p.cni.bgpControlPlane, false);
  assert.equal(p.loadBalancer.bgp?.peers.map((x) => [x.address, x.asn]), [['10.31.254.253', 64512]]);
  assert.is(p.loadBalancer.bgp?.localASN, 64515);
  assert.is(p.loadBalancer.pools[0].blocks[0].subnet, '10.32.192.0/18');
  assert.match(decision(p, 'cni.ipam')!.reason, /external BGP speaker/);
});

test('4. bare metal, MetalLB layer 2, kube-proxy ipvs → IPAddressPool range + metallb-strict-arp', () => {
  const p = planOf('baremetal-metallb-l2/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.loadBalancer.implementation, 'metallb');
  assert.is(p.loadBalancer.mode, 'l2');
  assert.equal(p.loadBalancer.pools[0].blocks.map((b) => b.text), ['10.0.11.10-10.0.11.254']);
  const w = p.findings.find((f) => f.rule === 'metallb-strict-arp');
  assert.ok(w);
  assert.is(w!.severity, 'warning');
});

test('5. bare metal, Cilium BGP with two peers → BGP control plane, native routing', () => {
  const p = planOf('baremetal-cilium-bgp/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.loadBalancer.implementation, 'cilium');
  assert.is(p.loadBalancer.mode, 'bgp');
  assert.is(p.loadBalancer.speaker, 'cilium');
  assert.is(p.cni.bgpControlPlane, true);
  assert.is(p.cni.routing, 'native');
  assert.is(p.cni.ipv4NativeRoutingCIDR, '10.64.0.0/16');
  assert.is(p.loadBalancer.bgp?.peers.length, 2);
  assert.equal(p.loadBalancer.bgp?.advertise, ['loadBalancerIPs', 'podCIDRs']);
  assert.equal(p.loadBalancer.bgp?.peers[0].passwordSecretRef, { name: 'bgp-auth', key: 'password' });
});

test('6. managed EKS → cloud, no CCM; ccm: enabled → ccm-on-managed', () => {
  const p = planOf('eks-managed/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.environment.managed, true);
  assert.is(p.loadBalancer.implementation, 'cloud');
  assert.is(p.ccm.enabled, false);
  const r = planOf('rejected/eks-ccm.yaml');
  const f = errors(r).find((x) => x.rule === 'ccm-on-managed');
  assert.ok(f);
  assert.is(f!.path, 'spec.cloud.ccm');
});

test('7. Alibaba underlay: macvlan → underlay-mac-on-cloud; ipvlan → pools per node and interface', () => {
  const bad = planOf('rejected/alibaba-underlay-macvlan.yaml');
  assert.ok(errors(bad).some((f) => f.rule === 'underlay-mac-on-cloud' && f.path === 'spec.underlay.cni'));
  const p = planOf('alibaba-underlay-ipvlan/networkprofile.yaml');
  assert.equal(errors(p), []);
  assert.is(p.underlay.enabled, true);
  assert.is(p.underlay.cni, 'ipvlan');
  assert.equal(p.underlay.pools.map((x) => `${x.node}/${x.interface}`), ['master/eth0', 'master/eth1', 'worker/eth0', 'worker/eth1']);
  assert.is(p.ccm.provider, 'alibaba');
});

test('plan -o json prints every field of api.md §3 for every example, also when rejected', () => {
  const files = ['alibaba-ccm/networkprofile.yaml', 'baremetal-cilium-l2/networkprofile.yaml', 'baremetal-kube-router-purelb/networkprofile.yaml',
    'baremetal-metallb-l2/networkprofile.yaml', 'baremetal-cilium-bgp/networkprofile.yaml', 'eks-managed/networkprofile.yaml',
    'alibaba-underlay-ipvlan/networkprofile.yaml', 'rejected/alibaba-l2.yaml', 'rejected/eks-ccm.yaml', 'rejected/alibaba-underlay-macvlan.yaml'];
  for (const f of files) {
    const r = cli(['plan', join(examples, f), '-o', 'json']);
    assert.is(r.code, f.startsWith('rejected/') ? 1 : 0, `${f}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    for (const key of ['profile', 'environment', 'cni', 'loadBalancer', 'ccm', 'underlay', 'decisions', 'findings']) assert.ok(key in j, `${f}: ${key}`);
    for (const key of ['type', 'provider', 'managed', 'source', 'evidence']) assert.ok(key in j.environment, `${f}: environment.${key}`);
    for (const key of ['provider', 'version', 'routing', 'ipam', 'kubeProxyReplacement']) assert.ok(key in j.cni, `${f}: cni.${key}`);
    for (const key of ['implementation', 'mode', 'speaker', 'pools']) assert.ok(key in j.loadBalancer, `${f}: loadBalancer.${key}`);
    for (const key of ['enabled', 'provider']) assert.ok(key in j.ccm, `${f}: ccm.${key}`);
    assert.ok('enabled' in j.underlay);
    for (const d of j.decisions) for (const key of ['field', 'value', 'rule', 'reason']) assert.ok(key in d, `${f}: decision.${key}`);
    for (const x of j.findings) for (const key of ['rule', 'severity', 'path', 'message']) assert.ok(key in x, `${f}: finding.${key}`);
  }
});

test('plan text output is for a person and goes with exit 1 on errors', () => {
  const ok = cli(['plan', join(examples, 'baremetal-cilium-bgp/networkprofile.yaml')]);
  assert.is(ok.code, 0);
  assert.match(ok.stdout, /Load balancing: cilium, bgp, speaker cilium/);
  assert.match(ok.stdout, /peer tor-a: 10\.60\.0\.1 AS 65000 from AS 65010, BFD/);
  const bad = cli(['plan', join(examples, 'rejected/alibaba-l2.yaml')]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /rejected\/alibaba-l2\.yaml: error: spec\.loadBalancer\.mode: .*\[l2-on-cloud\]/);
});

test('--nodes overrides factsFrom and - reads stdin', () => {
  const r = cli(['plan', join(examples, 'alibaba-ccm/networkprofile.yaml'), '--nodes', '-', '-o', 'json'], { input: '{"apiVersion":"v1","kind":"List","items":[{"kind":"Node","metadata":{"name":"x"},"spec":{"providerID":"hcloud://123"}}]}' });
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.environment.provider, 'hetzner');
  assert.is(j.ccm.provider, 'hetzner');
});

test('defaults show in the plan: every auto resolved with a decision', () => {
  const p = planOf('baremetal-cilium-l2/networkprofile.yaml');
  for (const field of ['loadBalancer.implementation', 'cni.ipam', 'cni.routing', 'cni.kubeProxyReplacement']) assert.ok(decision(p, field), field);
  assert.is(p.cni.version, '1.18.3');
  assert.is(p.cni.tunnelProtocol, 'vxlan');
  assert.equal(p.cni.hubble, { relay: true, ui: true });
  assert.is(p.gitops.path, 'clusters/lab-l2/network');
  assert.ok(decision(p, 'gitops.path'));
});

test.run();
