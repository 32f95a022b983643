// Every rule of api.md §4 fires on a minimal bad profile and stays quiet on its near miss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bareMetal, cloud, findingsOf, factsOf, node, type Raw } from './profiles.js';
import type { RuleId, Severity } from '../generators/api/findings.js';
import type { PlanOptions } from '../generators/plan/plan.js';
import { RULES } from '../generators/api/findings.js';

interface Case {
  rule: RuleId;
  severity: Severity;
  path: string;
  bad: () => Raw;
  nearMiss: () => Raw;
  options?: PlanOptions;
  /** A word the message must contain (it says why and what to do). */
  mentions?: RegExp;
}

const with_ = (p: Raw, f: (p: Raw) => void) => { f(p); return p; };

const cases: Case[] = [
  {
    rule: 'l2-on-cloud', severity: 'error', path: 'spec.loadBalancer.mode', mentions: /ARP by proxy/,
    bad: () => with_(cloud('alibaba'), (p) => { p.spec.loadBalancer = { mode: 'l2' }; }),
    nearMiss: () => with_(cloud('alibaba'), (p) => { p.spec.loadBalancer = { mode: 'auto' }; }),
  },
  {
    rule: 'l2-on-cloud', severity: 'error', path: 'spec.loadBalancer.implementation', mentions: /VPC/,
    // Not asked for, but would be chosen: an explicit MetalLB without peers on AWS means L2.
    bad: () => with_(cloud('aws'), (p) => { p.spec.loadBalancer = { implementation: 'metallb', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }] }; p.spec.cloud = { ccm: 'disabled' }; }),
    nearMiss: () => with_(cloud('aws'), (p) => { p.spec.loadBalancer = { implementation: 'metallb', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }], bgp: { localASN: 65001, peers: [{ name: 'r', address: '10.31.0.1', asn: 65000 }] } }; p.spec.cloud = { ccm: 'disabled' }; }),
  },
  {
    rule: 'l2-on-cloud', severity: 'warning', path: 'spec.loadBalancer.mode', mentions: /port security/,
    bad: () => with_(cloud('openstack'), (p) => { p.spec.loadBalancer = { mode: 'l2', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }] }; p.spec.cloud.ccm = 'disabled'; }),
    nearMiss: () => with_(cloud('openstack'), (p) => { p.spec.loadBalancer = { mode: 'auto' }; }),
  },
  {
    rule: 'pool-overlap', severity: 'error', path: 'spec.loadBalancer.pools[0].addresses[0]', mentions: /pod CIDR/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['10.32.0.0/24']; }),
    nearMiss: () => bareMetal(),
  },
  {
    rule: 'pool-overlap', severity: 'error', path: 'spec.loadBalancer.pools[1].addresses[0]', mentions: /pool default/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools.push({ name: 'second', addresses: ['10.32.200.10-10.32.200.20'] }); }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools.push({ name: 'second', addresses: ['10.33.0.10-10.33.0.20'] }); }),
  },
  {
    rule: 'pool-overlap', severity: 'error', path: 'spec.loadBalancer.pools[0].addresses[0]', mentions: /service CIDR/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['10.32.130.0/24']; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['10.32.192.0/24']; }),
  },
  {
    rule: 'pool-overlap', severity: 'error', path: 'spec.loadBalancer.pools[0].addresses[0]', mentions: /node CIDR/,
    // Routed (BGP) pools must stay off the node subnet; an L2 pool inside it is the normal case.
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['10.31.80.200/29']; p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 64512 }] }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['10.31.80.200/29']; p.spec.loadBalancer.mode = 'l2'; }),
  },
  {
    rule: 'family-mismatch', severity: 'error', path: 'spec.loadBalancer.pools[0].addresses[0]', mentions: /IPv6/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools[0].addresses = ['fd00:10::/120']; }),
    nearMiss: () => with_(bareMetal(), (p) => {
      p.spec.cluster.podCIDRs.push('fd00:32::/56'); p.spec.cluster.serviceCIDRs.push('fd00:33::/112');
      p.spec.loadBalancer.pools[0].addresses = ['fd00:10::/120'];
    }),
  },
  {
    rule: 'family-mismatch', severity: 'error', path: 'spec.loadBalancer.bgp.peers[0].address',
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: 'fd00::1', asn: 64512 }] }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 64512 }] }; }),
  },
  {
    rule: 'kube-proxy-replacement-required', severity: 'error', path: 'spec.cluster.kubeProxy', mentions: /kubeProxy: none/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cluster.kubeProxy = 'iptables'; p.spec.loadBalancer.implementation = 'cilium'; p.spec.loadBalancer.mode = 'l2'; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.implementation = 'cilium'; p.spec.loadBalancer.mode = 'l2'; }),
  },
  {
    rule: 'api-server-required', severity: 'error', path: 'spec.cluster.apiServer', mentions: /apiServer/,
    bad: () => with_(bareMetal(), (p) => { delete p.spec.cluster.apiServer; }),
    nearMiss: () => with_(bareMetal(), (p) => { delete p.spec.cluster.apiServer; p.spec.cluster.kubeProxy = 'ipvs'; }),
  },
  {
    rule: 'native-routing-cidr', severity: 'error', path: 'spec.cni.cilium.values.ipv4NativeRoutingCIDR', mentions: /10\.32\.0\.0\/17/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { routing: 'native', values: { ipv4NativeRoutingCIDR: '10.99.0.0/16' } } }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { routing: 'native', values: { ipv4NativeRoutingCIDR: '10.32.0.0/16' } } }; }),
  },
  {
    rule: 'bgp-speaker-conflict', severity: 'error', path: 'spec.cni.cilium.values.bgpControlPlane.enabled', mentions: /one session/,
    bad: () => with_(bareMetal(), (p) => {
      p.spec.loadBalancer.bgp = { speaker: 'external', localASN: 64515, peers: [{ name: 'core-1', address: '10.31.254.253', asn: 64512 }] };
      p.spec.cni = { cilium: { values: { bgpControlPlane: { enabled: true } } } };
    }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { speaker: 'external', localASN: 64515, peers: [{ name: 'core-1', address: '10.31.254.253', asn: 64512 }] }; }),
  },
  {
    rule: 'bgp-speaker-conflict', severity: 'error', path: 'spec.loadBalancer.bgp.peers[1].address',
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'a', address: '10.31.254.253', asn: 64512 }, { name: 'b', address: '10.31.254.253', asn: 64512 }] }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'a', address: '10.31.254.253', asn: 64512 }, { name: 'b', address: '10.31.254.254', asn: 64512 }] }; }),
  },
  {
    rule: 'lb-ownership', severity: 'error', path: 'spec.cni.cilium.values.l2announcements.enabled', mentions: /metallb/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.implementation = 'metallb'; p.spec.cni = { cilium: { values: { l2announcements: { enabled: true } } } }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.implementation = 'metallb'; }),
  },
  {
    rule: 'lb-ownership', severity: 'error', path: 'spec.loadBalancer.implementation', mentions: /both claim/,
    bad: () => with_(cloud('hetzner'), (p) => { p.spec.loadBalancer = { implementation: 'metallb', mode: 'bgp', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }], bgp: { localASN: 65001, peers: [{ name: 'r', address: '10.31.0.1', asn: 65000 }] } }; }),
    nearMiss: () => with_(cloud('hetzner'), (p) => { p.spec.cloud.ccm = 'disabled'; p.spec.loadBalancer = { implementation: 'metallb', mode: 'bgp', pools: [{ name: 'a', addresses: ['10.40.0.0/28'] }], bgp: { localASN: 65001, peers: [{ name: 'r', address: '10.31.0.1', asn: 65000 }] } }; }),
  },
  {
    rule: 'ccm-on-managed', severity: 'error', path: 'spec.cloud.ccm', mentions: /already runs/,
    bad: () => with_(cloud('aws', true), (p) => { p.spec.cloud = { ccm: 'enabled' }; }),
    nearMiss: () => with_(cloud('aws', true), (p) => { p.spec.cloud = { ccm: 'auto' }; }),
  },
  {
    rule: 'ccm-unsupported-provider', severity: 'error', path: 'spec.cloud.ccm', mentions: /cloud\.ccm: disabled/,
    bad: () => cloud('other'),
    nearMiss: () => with_(cloud('other'), (p) => { p.spec.cloud.ccm = 'disabled'; }),
  },
  {
    rule: 'ccm-ipv6-unsupported', severity: 'error', path: 'spec.cluster.serviceCIDRs', mentions: /IPv6/,
    bad: () => with_(cloud('alibaba'), (p) => { p.spec.cluster.podCIDRs.push('fd00:32::/56'); p.spec.cluster.serviceCIDRs.push('fd00:33::/112'); }),
    nearMiss: () => cloud('alibaba'),
  },
  {
    rule: 'inline-secret', severity: 'error', path: 'spec.loadBalancer.bgp.peers[0].password', mentions: /passwordSecretRef/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 64512, password: 'hunter2' }] }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 64512, passwordSecretRef: { name: 'bgp-auth' } }] }; }),
  },
  {
    rule: 'inline-secret', severity: 'error', path: 'spec.cloud.credentials', mentions: /credentialsSecretRef/,
    bad: () => with_(cloud('alibaba'), (p) => { p.spec.cloud.credentials = { accessKeyID: 'LTAI5tExampleExample', accessKeySecret: 'x' }; }),
    nearMiss: () => cloud('alibaba'),
  },
  {
    rule: 'cilium-version-feature', severity: 'error', path: 'spec.cni.cilium.values.externalIPs', mentions: /1\.17/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { version: '1.18.3', values: { externalIPs: { enabled: true } } } }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { version: '1.16.15', values: { externalIPs: { enabled: true } } } }; }),
  },
  {
    rule: 'metallb-strict-arp', severity: 'warning', path: 'spec.cluster.kubeProxy', mentions: /strictARP: true/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cluster.kubeProxy = 'ipvs'; p.spec.loadBalancer.mode = 'l2'; p.spec.loadBalancer.implementation = 'metallb'; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cluster.kubeProxy = 'iptables'; p.spec.loadBalancer.mode = 'l2'; p.spec.loadBalancer.implementation = 'metallb'; }),
  },
  {
    rule: 'k3s-servicelb', severity: 'warning', path: 'spec.cluster.distribution', mentions: /--disable=servicelb/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cluster.distribution = 'k3s'; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cluster.distribution = 'kubeadm'; }),
  },
  {
    rule: 'underlay-mac-on-cloud', severity: 'error', path: 'spec.underlay.cni', mentions: /ipvlan/,
    bad: () => with_(cloud('alibaba'), (p) => { p.spec.underlay = { enabled: true, cni: 'macvlan', pools: [{ node: 'worker', interface: 'eth0', subnet: '172.31.192.0/20', ips: ['172.31.199.190-172.31.199.194'] }] }; }),
    nearMiss: () => with_(cloud('alibaba'), (p) => { p.spec.underlay = { enabled: true, cni: 'ipvlan', pools: [{ node: 'worker', interface: 'eth0', subnet: '172.31.192.0/20', ips: ['172.31.199.190-172.31.199.194'] }] }; }),
  },
  {
    rule: 'environment-unknown', severity: 'error', path: 'spec.environment.type', mentions: /kubectl get nodes -o yaml/,
    bad: () => with_(bareMetal(), (p) => { p.spec.environment = {}; }),
    nearMiss: () => bareMetal(),
  },
  {
    rule: 'environment-unknown', severity: 'error', path: 'spec.environment.type', mentions: /disagree/,
    bad: () => with_(bareMetal(), (p) => { p.spec.environment = {}; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.environment = {}; }),
    // Both use facts: the bad one from a mixed cluster (set per test below).
  },
  {
    rule: 'invalid-field', severity: 'error', path: 'spec.loadBalancer.pools[1].addresses[0]', mentions: /not an IP address/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools.push({ name: 'b', addresses: ['10.0.0.300/32'] }); }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.pools.push({ name: 'b', addresses: ['10.0.0.30/32'] }); }),
  },
  {
    rule: 'invalid-field', severity: 'error', path: 'spec.loadBalancer.bgp.peers[0].asn', mentions: /4294967295/,
    bad: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 4294967296 }] }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.loadBalancer.bgp = { localASN: 64515, peers: [{ name: 'r', address: '10.31.254.253', asn: 4294967295 }] }; }),
  },
  {
    rule: 'invalid-field', severity: 'error', path: 'spec.cluster.apiServer.port', mentions: /65535/,
    bad: () => with_(bareMetal(), (p) => { p.spec.cluster.apiServer.port = 70000; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cluster.apiServer.port = 6443; }),
  },
  {
    rule: 'invalid-field', severity: 'error', path: 'spec.cloud.credentialsSecretRef.namespace', mentions: /kube-system/,
    bad: () => with_(cloud('hetzner'), (p) => { p.spec.cloud.credentialsSecretRef.namespace = 'secrets'; }),
    nearMiss: () => with_(cloud('hetzner'), (p) => { p.spec.cloud.credentialsSecretRef.namespace = 'kube-system'; }),
  },
  {
    rule: 'values-conflict', severity: 'warning', path: 'spec.cni.cilium.values.routingMode',
    bad: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { values: { routingMode: 'native' } } }; }),
    nearMiss: () => with_(bareMetal(), (p) => { p.spec.cni = { cilium: { values: { routingMode: 'tunnel' } } }; }),
  },
];

const mixedNodes = factsOf([node('cp-1'), node('worker-9', 'aws:///us-east-1a/i-0abc')]);
const agreeingNodes = factsOf([node('cp-1'), node('worker-2')]);

cases.forEach((c, i) => {
  const options = c.mentions?.source === 'disagree' ? { bad: { facts: mixedNodes }, near: { facts: agreeingNodes } } : { bad: c.options ?? {}, near: c.options ?? {} };
  test(`${c.rule} #${i}: fires at ${c.path}`, () => {
    const found = findingsOf(c.bad(), options.bad).filter((f) => f.rule === c.rule);
    assert.ok(found.length > 0, `expected ${c.rule}, got ${JSON.stringify(findingsOf(c.bad(), options.bad))}`);
    const f = found.find((x) => x.path === c.path);
    assert.ok(f, `expected path ${c.path}, got ${found.map((x) => x.path).join(', ')}`);
    assert.is(f!.severity, c.severity);
    if (c.mentions) assert.match(f!.message, c.mentions);
    // One sentence that says what to do: ends with a full stop, no line breaks.
    assert.not.match(f!.message, /\n/);
    assert.match(f!.message, /\.$/);
  });
  test(`${c.rule} #${i}: quiet on the near miss`, () => {
    const found = findingsOf(c.nearMiss(), options.near).filter((f) => f.rule === c.rule);
    assert.equal(found, [], `unexpected: ${JSON.stringify(found)}`);
  });
});

test('every rule of api.md §4 has a test case', () => {
  const required: RuleId[] = ['l2-on-cloud', 'pool-overlap', 'family-mismatch', 'kube-proxy-replacement-required', 'api-server-required', 'native-routing-cidr',
    'bgp-speaker-conflict', 'lb-ownership', 'ccm-on-managed', 'ccm-unsupported-provider', 'ccm-ipv6-unsupported', 'inline-secret', 'cilium-version-feature',
    'metallb-strict-arp', 'k3s-servicelb', 'underlay-mac-on-cloud', 'environment-unknown', 'invalid-field'];
  for (const r of required) {
    assert.ok(r in RULES, `${r} is not a rule`);
    assert.ok(cases.some((c) => c.rule === r), `no case for ${r}`);
  }
});

test.run();
