// generators/plan/node-addresses.ts: the Nodes' addresses parsed once per Detection and found by
// binary search give what a scan of every Node gives (same addresses, same order), for IPv4 and
// IPv6, duplicates and addresses that do not parse; the subnets are those nodeSubnets made.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { factsOf, node } from './profiles.js';
import { containsIP, isBlock, parseAddressBlock, parseCIDR, parseIP } from '../generators/api/net.js';
import { factSubnets, nodeAddresses, nodeAddressesIn } from '../generators/plan/node-addresses.js';
import { nodeSubnets } from '../generators/plan/subnets.js';

const withIPs = (name: string, ips: string[]) => node(name, undefined, {}, { status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) } });

// A deterministic spread of addresses: three IPv4 /24s, an IPv6 /64, a repeat, one that does not parse.
const nodes = Array.from({ length: 120 }, (_, i) => withIPs(`n${String((i * 37) % 120).padStart(3, '0')}`, [
  `10.${i % 3}.${(i >> 2) % 3}.${(i * 53) % 256}`,
  ...(i % 4 === 0 ? [`fd00:1::${(i * 11).toString(16)}`] : []),
  ...(i % 10 === 0 ? ['10.0.0.5'] : []),
  ...(i === 7 ? ['not-an-ip'] : []),
]));

test('nodeAddressesIn finds what a scan of every Node finds, in the Nodes\' order', () => {
  const facts = factsOf(nodes);
  const all = facts.perNode.flatMap((v) => v.internalIPs.map((text) => ({ node: v.node, ip: parseIP(text), text }))).filter((a) => a.ip);
  assert.is(nodeAddresses(facts).length, all.length);
  for (const range of ['10.0.0.0/24', '10.1.2.0/25', '10.2.1.128/26', '10.0.0.5/32', '10.0.0.0/8', '192.168.0.0/16', 'fd00:1::/120', 'fd00:1::/64', '10.0.0.0-10.0.1.10']) {
    const b = parseAddressBlock(range);
    if (!isBlock(b)) throw new Error(range);
    const scanned = all.filter((a) => containsIP(b, a.ip!.family, a.ip!.value)).map((a) => `${a.node} ${a.text}`);
    assert.equal(nodeAddressesIn(facts, b).map((a) => `${a.node} ${a.text}`), scanned, range);
  }
});

test('the subnets around the addresses are one /24 or /64 per subnet, as nodeSubnets reads them', () => {
  const facts = factsOf(nodes);
  const subnets = factSubnets(facts);
  assert.is(subnets.length, 9 + 1, 'nine IPv4 /24s and one IPv6 /64');
  assert.equal(nodeSubnets([], facts), { blocks: [...subnets], source: 'facts' });
  const given = parseCIDR('10.9.0.0/16');
  assert.equal(nodeSubnets(['10.9.0.0/16'], facts), { blocks: [given], source: 'nodeCIDRs' });
  assert.equal(nodeSubnets([], factsOf([])), { blocks: [], source: 'none' });
});

test('parsed once: the same arrays for the same Detection, new ones for a new Detection', () => {
  const a = factsOf(nodes);
  assert.ok(nodeAddresses(a) === nodeAddresses(a));
  assert.ok(factSubnets(a) === factSubnets(a));
  assert.ok(nodeAddresses(factsOf(nodes)) !== nodeAddresses(a));
});

test.run();
