// The schema source and address arithmetic: focused unit tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCIDR, parseAddressBlock, parseIPv6, formatIP, overlaps, isBlock, isDNSLabel, type AddressBlock } from '../generators/api/net.js';
import { validate, toOpenAPI, didYouMean, s, type SchemaError } from '../generators/api/schema.js';
import { networkProfileCRD } from '../operator/crd.js';
import { networkProfileSchema, specSchema } from '../generators/api/profile.js';
import { checkProfile, parseYamlDocuments, InputError } from '../generators/api/parse.js';
import { bareMetal } from './profiles.js';

const block = (t: string) => { const b = parseAddressBlock(t); if (!isBlock(b)) throw new Error(b.error); return b as AddressBlock; };

test('CIDRs: strict network address, both families', () => {
  assert.is(block('10.32.0.0/17').text, '10.32.0.0/17');
  const bad = parseCIDR('10.32.0.1/17');
  assert.ok('error' in bad && /host bits set; the network is 10\.32\.0\.0\/17/.test(bad.error));
  assert.ok('error' in parseCIDR('10.0.0.0/33'));
  assert.ok('error' in parseCIDR('10.0.0/8'));
  assert.ok('error' in parseCIDR('010.0.0.0/8'), 'leading zeros are ambiguous');
  assert.is(block('fd00:10:0::/64').text, 'fd00:10::/64');
  assert.is(block('2001:db8::/32').last - block('2001:db8::/32').first, (1n << 96n) - 1n);
});

test('ranges: first-last of one family, in order', () => {
  const r = block('10.0.11.10-10.0.11.254');
  assert.is(r.last - r.first, 244n);
  assert.ok('error' in parseAddressBlock('10.0.11.254-10.0.11.10'));
  assert.ok('error' in parseAddressBlock('10.0.0.1-fd00::1'));
  assert.ok('error' in parseAddressBlock('10.0.0.1'));
});

test('IPv6 parsing and formatting round-trip (RFC 5952)', () => {
  for (const t of ['::', '::1', 'fd00::', '2001:db8::1:0:0:1', '2001:db8:0:1:1:1:1:1', 'fe80::1:2']) {
    const v = parseIPv6(t);
    assert.ok(v !== undefined, t);
    assert.is(formatIP('IPv6', v!), t);
  }
  assert.is(formatIP('IPv6', parseIPv6('::ffff:10.0.0.1')!), '::ffff:a00:1');
  for (const t of ['1::2::3', '12345::', 'g::1', ':::1']) assert.is(parseIPv6(t), undefined, t);
});

test('overlap', () => {
  assert.ok(overlaps(block('10.32.0.0/17'), block('10.32.127.250-10.32.128.5')));
  assert.not.ok(overlaps(block('10.32.0.0/17'), block('10.32.128.0/18')));
  assert.not.ok(overlaps(block('10.0.0.0/8'), block('fd00::/8')));
});

test('DNS-1123 labels', () => {
  assert.ok(isDNSLabel('prod-east'));
  for (const bad of ['Prod', '-a', 'a-', 'a_b', 'a'.repeat(64), 'a\nb', '']) assert.not.ok(isDNSLabel(bad), bad);
});

test('validation applies every default and reports paths with indexes', () => {
  const errors: SchemaError[] = [];
  const out = validate(networkProfileSchema, bareMetal(), '', errors) as any;
  assert.equal(errors, []);
  assert.is(out.spec.cni.provider, 'cilium');
  assert.is(out.spec.cni.cilium.version, '1.18.3');
  assert.is(out.spec.cni.cilium.hubble.relay, true);
  assert.is(out.spec.loadBalancer.pools[0].autoAssign, true);
  assert.equal(out.spec.loadBalancer.bgp.advertise, ['loadBalancerIPs']);
  assert.is(out.spec.cloud.ccm, 'auto');
  assert.is(out.spec.underlay.enabled, false);
  assert.is(out.spec.gitops.engine, 'flux');
  assert.is(out.spec.environment.managed, 'auto');

  const raw = bareMetal();
  raw.spec.loadBalancer.pools.push({ name: 'b', addresses: ['10.9.0.0/24', 'nonsense'] });
  raw.spec.cluster.podCIDRs = ['10.32.0.0/17', '10.33.0.0/17'];
  raw.spec.clutser = {};
  const parsed = checkProfile(raw, 'p.yaml');
  assert.is(parsed.profile, undefined);
  const paths = parsed.findings.map((f) => f.path);
  assert.ok(paths.includes('spec.loadBalancer.pools[1].addresses[1]'), paths.join());
  assert.ok(paths.includes('spec.cluster.podCIDRs'), paths.join());
  const unknown = parsed.findings.find((f) => f.path === 'spec.clutser');
  assert.match(unknown!.message, /did you mean "cluster"/);
  assert.ok(parsed.findings.every((f) => f.rule === 'invalid-field' && f.severity === 'error'));
});

test('managed accepts auto, true and false only', () => {
  for (const [v, ok] of [['auto', true], [true, true], [false, true], ['yes', false], [1, false]] as const) {
    const raw = bareMetal();
    raw.spec.environment.managed = v;
    assert.is(checkProfile(raw, 'p.yaml').profile !== undefined, ok, String(v));
  }
});

test('did you mean: near names only', () => {
  assert.is(didYouMean('podCIDR', ['podCIDRs', 'serviceCIDRs']), 'podCIDRs');
  assert.is(didYouMean('ipma', ['ipam', 'routing']), 'ipam');
  assert.is(didYouMean('zzzzzz', ['ipam', 'routing']), undefined);
});

test('the same schema emits a structural openAPIV3Schema', () => {
  const o = toOpenAPI(specSchema) as any;
  assert.is(o.type, 'object');
  assert.equal(o.required, ['cluster']);
  assert.equal(o.properties.cluster.required, ['name', 'podCIDRs', 'serviceCIDRs']);
  assert.equal(o.properties.loadBalancer.properties.implementation.enum, ['auto', 'cilium', 'metallb', 'purelb', 'cloud', 'none']);
  assert.is(o.properties.loadBalancer.properties.pools.items.properties.autoAssign.default, true);
  assert.is(o.properties.cni.properties.cilium.properties.values['x-kubernetes-preserve-unknown-fields'], true);
  assert.is(o.properties.environment.properties.managed['x-kubernetes-preserve-unknown-fields'], true);
  assert.is(o.properties.loadBalancer.properties.bgp.properties.peers.items.properties.asn.maximum, 4294967295);
  // Every node with properties has a type (structural schema rule).
  const walk = (n: any, path: string) => {
    if (n.properties) { assert.is(n.type, 'object', path); for (const [k, v] of Object.entries(n.properties)) walk(v, `${path}.${k}`); }
    if (n.items) walk(n.items, `${path}[]`);
    assert.ok(n.type || n['x-kubernetes-preserve-unknown-fields'], `${path} has no type`);
  };
  walk(o, 'spec');
  const t = toOpenAPI(s.object({ a: s.integerDefault(3, { minimum: 1 }) })) as any;
  assert.equal(t.properties.a, { type: 'integer', format: 'int64', minimum: 1, default: 3 });
});

test('YAML parsing: aliases within reason work, bombs and duplicate keys do not', () => {
  assert.equal(parseYamlDocuments('a: &x [1, 2]\nb: *x\n', 'f.yaml'), [{ a: [1, 2], b: [1, 2] }]);
  assert.throws(() => parseYamlDocuments('a: 1\na: 2\n', 'f.yaml'), (e: unknown) => e instanceof InputError && /f\.yaml: is not valid YAML/.test((e as Error).message));
  assert.equal(parseYamlDocuments('---\n---\na: 1\n', 'f.yaml'), [{ a: 1 }]);
});

/** Every field path under an OpenAPI node that has no description (array items count as their array). */
function undescribed(n: any, path: string, out: string[] = []): string[] {
  if (!n.description || !String(n.description).trim()) out.push(path);
  if (n.properties) for (const [k, v] of Object.entries(n.properties)) undescribed(v, `${path}.${k}`, out);
  if (n.items?.properties) for (const [k, v] of Object.entries(n.items.properties)) undescribed(v, `${path}[].${k}`, out);
  return out;
}

test('every field of the schema and of the CRD has a description (kubectl explain)', () => {
  assert.equal(undescribed(toOpenAPI(networkProfileSchema), 'networkprofile'), []);
  const crd = (networkProfileCRD() as any).spec.versions[0].schema.openAPIV3Schema;
  assert.equal(undescribed(crd, 'networkprofile'), []);
  // The walk itself finds a field without one.
  assert.equal(undescribed(toOpenAPI(s.object({ a: s.string({ description: 'x' }), b: s.array(s.object({ c: s.string() }), { description: 'y' }) }, [], { description: 'z' })), 'r'), ['r.b[].c']);
  const lb = crd.properties.spec.properties.loadBalancer.properties.bgp;
  assert.match(lb.description, /BGP/);
  assert.ok(Object.keys(lb.properties).length >= 4);
});

test.run();
