// Issue 10: every rendered Cilium value does what the plan says, or a finding says why not.
// Each case plans a profile that hits the point and asserts the values or the finding, across the
// Cilium minors where the behaviour differs (1.16 to 1.20).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bareMetal, plan, findingsOf, type Raw } from './profiles.js';
import { ciliumValues, renderCilium } from '../generators/components/cilium.js';
import { spiderpoolValues } from '../generators/components/spiderpool.js';
import { CHARTS } from '../generators/components/charts.js';
import { CCM_CHARTS } from '../generators/components/ccm/index.js';
import { isReleased, nearestReleased, type ReleasedChart } from '../generators/charts/releases.js';
import { unknownCiliumValues } from '../generators/validate/values.js';
import { loadBundle } from '../cli/values.js';

const bundle = loadBundle();
const MINORS = ['1.16.19', '1.17.18', '1.18.3', '1.19.6', '1.20.0'];

function cil(version = '1.18.3', f: (p: Raw) => void = () => {}): Raw {
  const p = bareMetal();
  p.spec.cni = { provider: 'cilium', cilium: { version } };
  f(p);
  return p;
}
const dual = (v6: string) => (p: Raw) => {
  p.spec.cluster.podCIDRs = ['10.32.0.0/17', v6];
  p.spec.cluster.serviceCIDRs = ['10.32.128.0/18', 'fd00:20::/112'];
};
const rules = (raw: Raw) => findingsOf(raw).map((f) => f.rule);

// 1. cluster-pool masks the operator accepts (pkg/ipam/cidrset clusterSubnetMaxDiff = 16).
test('IPv6 /56 pod CIDR: per-node mask /72 (not 120, which the operator refuses), every minor', () => {
  for (const v of MINORS) {
    const p = plan(cil(v, dual('fd00:10::/56')));
    const op = (ciliumValues(p) as any).ipam.operator;
    assert.is(op.clusterPoolIPv6MaskSize, 72, v);
    assert.ok(op.clusterPoolIPv6MaskSize - 56 <= 16, v);
    assert.is(op.clusterPoolIPv4MaskSize, 24, v);
    assert.is(p.cni.clusterPoolIPv6MaskSize, 72);
    assert.ok(p.decisions.some((d) => d.field === 'cni.clusterPoolIPv6MaskSize' && d.value === 72));
    assert.not.ok(rules(cil(v, dual('fd00:10::/56'))).includes('cilium-ipam-mask'));
  }
});

test('IPv6 /108 keeps the chart default /120; IPv4 smaller than /24 and IPv6 smaller than /120 are refused', () => {
  assert.is((ciliumValues(plan(cil('1.18.3', dual('fd00:10::/108')))) as any).ipam.operator.clusterPoolIPv6MaskSize, 120);
  assert.ok(rules(cil('1.18.3', (p) => { p.spec.cluster.podCIDRs = ['10.32.0.0/26']; p.spec.loadBalancer.pools[0].addresses = ['10.33.0.0/28']; })).includes('cilium-ipam-mask'));
  assert.ok(rules(cil('1.18.3', dual('fd00:10::/122'))).includes('cilium-ipam-mask'));
});

test('a user clusterPoolIPv6MaskSize the operator would refuse is a finding', () => {
  const raw = cil('1.18.3', (p) => { dual('fd00:10::/56')(p); p.spec.cni.cilium.values = { ipam: { operator: { clusterPoolIPv6MaskSize: 120 } } }; });
  const f = findingsOf(raw).find((x) => x.rule === 'cilium-ipam-mask');
  assert.ok(f);
  assert.is(f!.path, 'spec.cni.cilium.values.ipam.operator.clusterPoolIPv6MaskSize');
  assert.match(f!.message, /64 bits longer/);
});

// 2. autoDirectNodeRoutes only on one L2 segment.
test('native routing across two node subnets: no autoDirectNodeRoutes and a native-routing-routes error; one subnet: on', () => {
  const two = cil('1.18.3', (p) => { p.spec.cni.cilium.routing = 'native'; p.spec.cluster.nodeCIDRs = ['10.31.80.0/24', '10.31.90.0/24']; });
  assert.not.ok('autoDirectNodeRoutes' in (ciliumValues(plan(two)) as any));
  const f = findingsOf(two).find((x) => x.rule === 'native-routing-routes');
  assert.ok(f);
  assert.is(f!.severity, 'error');
  const one = cil('1.18.3', (p) => { p.spec.cni.cilium.routing = 'native'; });
  assert.is((ciliumValues(plan(one)) as any).autoDirectNodeRoutes, true);
  assert.not.ok(rules(one).includes('native-routing-routes'));
  // BGP distributes the pod routes: several subnets are fine.
  const bgp = cil('1.18.3', (p) => {
    p.spec.cni.cilium.routing = 'native'; p.spec.cluster.nodeCIDRs = ['10.31.80.0/24', '10.31.90.0/24'];
    p.spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'a', addresses: ['192.0.2.0/28'] }], bgp: { localASN: 65010, peers: [{ name: 'r', address: '10.31.80.1', asn: 65000 }], advertise: ['loadBalancerIPs', 'podCIDRs'] } };
  });
  assert.not.ok(rules(bgp).includes('native-routing-routes'));
});

// 3. L2 interfaces are Cilium devices, in the form every minor's chart reads.
const l2 = (v: string, addresses = ['10.31.80.240/28']) => cil(v, (p) => {
  p.spec.loadBalancer = { mode: 'l2', pools: [{ name: 'default', addresses }], l2: { interfaces: ['eth1', 'bond0.100'] } };
});
test('L2 interfaces become devices (with forceDeviceDetection), known to every minor 1.16-1.20', () => {
  for (const v of MINORS) {
    const values = ciliumValues(plan(l2(v))) as any;
    assert.equal(values.devices, ['eth1', 'bond0.100'], v);
    assert.is(values.forceDeviceDetection, true, v);
    assert.equal(unknownCiliumValues(bundle, v, values), [], `every rendered key exists in ${v}`);
    const step = renderCilium(plan(l2(v))).manualSteps.some((s) => /only to devices that carry an IP address/.test(s));
    assert.is(step, v < '1.19', `address-less device step on ${v}`);
  }
});

// 4. k8sClientRateLimit sized from the pools, only above the chart default of that version.
test('k8sClientRateLimit: sized from the pool addresses, set only above the default', () => {
  assert.not.ok('k8sClientRateLimit' in (ciliumValues(plan(l2('1.18.3'))) as any), '16 addresses: 4 QPS, default 10 stays');
  assert.equal((ciliumValues(plan(l2('1.18.3', ['10.31.80.128/26']))) as any).k8sClientRateLimit, { qps: 13, burst: 26 });
  assert.equal((ciliumValues(plan(l2('1.18.3', ['10.31.80.0/24']))) as any).k8sClientRateLimit, { qps: 52, burst: 104 });
  // 1.16's default is 5 QPS on Kubernetes up to 1.26: 32 addresses (7 QPS) raise it there only.
  assert.equal((ciliumValues(plan(l2('1.16.19', ['10.31.80.224/27']))) as any).k8sClientRateLimit, { qps: 7, burst: 14 });
  assert.not.ok('k8sClientRateLimit' in (ciliumValues(plan(l2('1.17.18', ['10.31.80.224/27']))) as any));
});

// 5. externalIPs: with KPR the 1.16 configmap never writes it and the agent enables it itself.
test('externalIPs.enabled is never rendered (1.16 with KPR: no-op in the configmap template)', () => {
  for (const v of MINORS) assert.not.ok('externalIPs' in (ciliumValues(plan(l2(v))) as any), v);
});

// 6. BFD on Cilium BGP.
const bgpProfile = (v: string, peer: Raw = {}) => cil(v, (p) => {
  p.spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'a', addresses: ['192.0.2.0/28'] }], bgp: { localASN: 65010, peers: [{ name: 'tor', address: '10.31.80.1', asn: 65000, ...peer }] } };
});
test('BFD on Cilium BGP: warning cilium-bfd-unsupported and hold 9 / keepalive 3 on the peer config', () => {
  for (const v of MINORS) {
    const f = findingsOf(bgpProfile(v, { bfd: true })).find((x) => x.rule === 'cilium-bfd-unsupported');
    assert.ok(f, v);
    assert.is(f!.severity, 'warning');
    assert.is(f!.path, 'spec.loadBalancer.bgp.peers[0].bfd');
    const pc = renderCilium(plan(bgpProfile(v, { bfd: true }))).configs.find((o) => o.kind === 'CiliumBGPPeerConfig') as any;
    assert.equal(pc.spec.timers, { holdTimeSeconds: 9, keepAliveTimeSeconds: 3 });
    assert.ok(pc.spec.timers.keepAliveTimeSeconds <= pc.spec.timers.holdTimeSeconds, 'CRD rule keepalive <= hold');
  }
  assert.not.ok(rules(bgpProfile('1.18.3')).includes('cilium-bfd-unsupported'));
  const pc = renderCilium(plan(bgpProfile('1.18.3'))).configs.find((o) => o.kind === 'CiliumBGPPeerConfig') as any;
  assert.not.ok('timers' in pc.spec);
});

// 8. Chart versions that were never released.
test('chart-version-unknown names the nearest released version', () => {
  const f = findingsOf(cil('1.16.14')).find((x) => x.rule === 'chart-version-unknown');
  assert.ok(f);
  assert.is(f!.path, 'spec.cni.cilium.version');
  assert.match(f!.message, /1\.16\.15/);
  assert.match(findingsOf(cil('1.20.1')).find((x) => x.rule === 'chart-version-unknown')!.message, /use 1\.20\.0/);
  for (const v of MINORS) assert.not.ok(rules(cil(v)).includes('chart-version-unknown'), v);
  assert.is(nearestReleased('purelb', '0.16.6'), 'v0.16.6');
  assert.is(nearestReleased('metallb', '0.13.8'), '0.13.9');
  assert.is(nearestReleased('cilium', '1.21.0'), '1.20.0');
});

test('every chart version netprofile pins is a released one', () => {
  for (const id of ['metallb', 'purelb', 'spiderpool'] as const) assert.ok(isReleased(id, CHARTS[id].version), `${id} ${CHARTS[id].version}`);
  for (const [id, c] of Object.entries(CCM_CHARTS)) assert.ok(isReleased(`ccm-${id}` as ReleasedChart, c.version), `${id} ${c.version}`);
});

// 9. BGP auth Secrets in a dedicated namespace; key other than "password" is a finding.
test('BGP secrets namespace is dedicated and created; a key other than password is refused', () => {
  for (const v of MINORS) {
    const p = plan(bgpProfile(v, { passwordSecretRef: { name: 'bgp-auth' } }));
    assert.equal((ciliumValues(p) as any).bgpControlPlane.secretsNamespace, { create: true, name: 'cilium-bgp-secrets' }, v);
    assert.ok(renderCilium(p).manualSteps.some((s) => /Secret bgp-auth in cilium-bgp-secrets/.test(s)));
    assert.equal(unknownCiliumValues(bundle, v, ciliumValues(p)), [], v);
  }
  const f = findingsOf(bgpProfile('1.18.3', { passwordSecretRef: { name: 'bgp-auth', key: 'md5' } })).find((x) => x.rule === 'bgp-secret-key');
  assert.ok(f);
  assert.is(f!.path, 'spec.loadBalancer.bgp.peers[0].passwordSecretRef.key');
  assert.not.ok(rules(bgpProfile('1.18.3', { passwordSecretRef: { name: 'bgp-auth' } })).includes('bgp-secret-key'));
});

// 10. eBPF masquerading with kube-proxy replacement.
test('bpf.masquerade with kube-proxy replacement only', () => {
  for (const v of MINORS) assert.equal((ciliumValues(plan(cil(v))) as any).bpf, { masquerade: true }, v);
  const kp = cil('1.18.3', (p) => { p.spec.cluster.kubeProxy = 'iptables'; p.spec.loadBalancer = { implementation: 'metallb', pools: [{ name: 'a', addresses: ['10.32.192.0/18'] }] }; });
  assert.not.ok('bpf' in (ciliumValues(plan(kp)) as any));
});

// 11. Spiderpool beside Cilium.
test('underlay beside Cilium: cni.exclusive false and Spiderpool coordinator in overlay mode', () => {
  const raw = cil('1.18.3', (p) => {
    p.spec.underlay = { enabled: true, pools: [{ node: 'worker-1', interface: 'eth1', subnet: '10.40.0.0/24', ips: ['10.40.0.10-10.40.0.20'] }] };
  });
  const p = plan(raw);
  assert.equal((ciliumValues(p) as any).cni, { exclusive: false });
  assert.equal((spiderpoolValues(p) as any).coordinator, { mode: 'overlay' });
  assert.not.ok('cni' in (ciliumValues(plan(cil('1.18.3'))) as any), 'without an underlay the chart default (exclusive) stays');
});

// 7. Version gaps: IPv6 L2 announcements before 1.19, IPv6-only BGP router ID before 1.18.
test('cilium-version-feature: IPv6 L2 pool before 1.19, IPv6-only Cilium BGP before 1.18', () => {
  const v6l2 = (v: string) => cil(v, (p) => {
    dual('fd00:10::/56')(p);
    p.spec.loadBalancer = { mode: 'l2', pools: [{ name: 'v6', addresses: ['fd00:31::100/124'] }] };
  });
  for (const [v, fires] of [['1.16.19', true], ['1.17.18', true], ['1.18.3', true], ['1.19.6', false], ['1.20.0', false]] as const) {
    const f = findingsOf(v6l2(v)).find((x) => x.rule === 'cilium-version-feature' && x.path === 'spec.loadBalancer.pools[0].addresses');
    assert.is(!!f, fires, v);
  }
  const v6bgp = (v: string) => cil(v, (p) => {
    p.spec.cluster.podCIDRs = ['fd00:10::/56']; p.spec.cluster.serviceCIDRs = ['fd00:20::/112']; p.spec.cluster.nodeCIDRs = ['fd00:31::/64'];
    p.spec.cluster.apiServer = { host: 'fd00:31::1', port: 6443 };
    p.spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'a', addresses: ['fd00:40::/120'] }], bgp: { localASN: 65010, peers: [{ name: 'r', address: 'fd00:31::fe', asn: 65000 }] } };
  });
  for (const [v, fires] of [['1.16.19', true], ['1.17.18', true], ['1.18.3', false], ['1.20.0', false]] as const) {
    const f = findingsOf(v6bgp(v)).find((x) => x.rule === 'cilium-version-feature' && x.path === 'spec.loadBalancer.bgp');
    assert.is(!!f, fires, v);
  }
});

test.run();
