// The NetworkProfile CRD refuses what the operator refuses (issue 13.11, CRD part): names and
// CIDRs have patterns, status conditions are a list-type map keyed by type, a string-or-boolean
// choice (environment.managed) takes no object, and inline passwords / credentials are refused
// by CEL rules. Checked with netprofile's own validator against the generated CRD: the bundled
// structural checker (generators/validate/openapi.ts) and the CEL evaluator (cel.ts), as the API
// server would apply them. Every example profile still passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { examples } from './helpers.js';
import { networkProfileCRD } from '../operator/crd.js';
import { checkValue, type SchemaProblem } from '../generators/validate/openapi.js';
import { loadCelEngine, checkRules, collectRules } from '../generators/validate/cel.js';
import { checkProfile } from '../generators/api/parse.js';
import { planProfile } from '../generators/plan/plan.js';

const cel = await loadCelEngine();
const crd = networkProfileCRD() as any;
const schema = crd.spec.versions[0].schema.openAPIV3Schema;

/** What the API server would refuse: structural schema (with patterns) and the CEL rules. */
function refused(doc: unknown): string[] {
  const out: SchemaProblem[] = [];
  checkValue(schema, doc, '', { mode: 'crd', root: schema, shared: [] }, out);
  const { problems } = checkRules(cel, schema, doc, { shared: [], root: schema }, '');
  return [...out.filter((p) => p.severity === 'error'), ...problems].map((p) => `${p.path}: ${p.message}`);
}

/** What netprofile itself refuses: the schema's checks, then the planner's error findings. */
function operatorRefuses(doc: unknown): boolean {
  const parsed = checkProfile(doc, 'p.yaml');
  if (!parsed.profile) return true;
  return planProfile(parsed.profile).findings.some((f) => f.severity === 'error');
}

function profileFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) { if (name !== 'rendered' && name !== 'rejected') profileFiles(full, out); }
    else if (/\.ya?ml$/.test(name) && /kind: NetworkProfile/.test(readFileSync(full, 'utf8'))) out.push(full);
  }
  return out;
}

const base = parse(readFileSync(join(examples, 'baremetal-cilium-bgp', 'networkprofile.yaml'), 'utf8'));
const edit = (f: (p: any) => void) => { const p = structuredClone(base); f(p); return p; };

test('every example profile passes the CRD (patterns and CEL rules)', () => {
  const files = profileFiles(examples);
  assert.ok(files.length >= 10, files.join(', '));
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
      const doc = d.toJS();
      if (doc?.kind !== 'NetworkProfile') continue;
      assert.equal(refused(doc), [], f);
    }
  }
  assert.equal(refused(base), []);
});

const REFUSED: [string, (p: any) => void, RegExp][] = [
  ['a cluster name that is no DNS label', (p) => { p.spec.cluster.name = 'Prod_1'; }, /^spec\.cluster\.name: .*does not match the pattern/],
  ['a cluster name of 64 characters', (p) => { p.spec.cluster.name = 'a'.repeat(64); }, /^spec\.cluster\.name: .*does not match the pattern/],
  ['a pod CIDR that is not a CIDR', (p) => { p.spec.cluster.podCIDRs = ['10.244.0.0']; }, /^spec\.cluster\.podCIDRs\[0\]: .*does not match the pattern/],
  ['two IPv4 service CIDRs', (p) => { p.spec.cluster.serviceCIDRs = ['10.96.0.0/12', '10.128.0.0/12']; }, /^spec\.cluster\.serviceCIDRs: must hold one CIDR per IP family/],
  ['a pool address that is a plain word', (p) => { p.spec.loadBalancer.pools[0].addresses = ['pool-a']; }, /^spec\.loadBalancer\.pools\[0\]\.addresses\[0\]: .*does not match the pattern/],
  ['a pool name with upper case', (p) => { p.spec.loadBalancer.pools[0].name = 'PoolA'; }, /^spec\.loadBalancer\.pools\[0\]\.name: .*does not match the pattern/],
  ['a peer address that is a host name', (p) => { p.spec.loadBalancer.bgp.peers[0].address = 'tor-a.example'; }, /^spec\.loadBalancer\.bgp\.peers\[0\]\.address: .*does not match the pattern/],
  ['an inline BGP password', (p) => { p.spec.loadBalancer.bgp.peers[0].password = 'hunter2'; }, /^spec\.loadBalancer\.bgp\.peers\[0\]\.password: Forbidden: an inline password is refused: .*passwordSecretRef/],
  ['inline cloud credentials', (p) => { p.spec.cloud = { credentials: { accessKeyID: 'AKIA', accessKeySecret: 'x' } }; }, /^spec\.cloud\.credentials: Forbidden: inline credentials are refused: .*credentialsSecretRef/],
  ['environment.managed given an object', (p) => { p.spec.environment = { ...(p.spec.environment ?? {}), managed: { enabled: true } }; }, /^spec\.environment\.managed: must be one of "auto", true, false/],
  ['environment.managed given a misspelt string', (p) => { p.spec.environment = { ...(p.spec.environment ?? {}), managed: 'ture' }; }, /^spec\.environment\.managed: must be one of "auto", true, false/],
  ['a peer ebgpMultiHop given a list', (p) => { p.spec.loadBalancer.bgp.peers[0].ebgpMultiHop = [true]; }, /^spec\.loadBalancer\.bgp\.peers\[0\]\.ebgpMultiHop: must be one of "auto", true, false/],
  ['a Git secretRef name with a space', (p) => { p.spec.gitops = { ...(p.spec.gitops ?? {}), repo: { url: 'ssh://git@git.example/r.git', secretRef: { name: 'git creds' } } }; }, /^spec\.gitops\.repo\.secretRef\.name: .*does not match the pattern/],
];

for (const [name, change, message] of REFUSED) {
  test(`the CRD refuses ${name}, as the operator does`, () => {
    const doc = edit(change);
    const problems = refused(doc);
    assert.ok(problems.some((p) => message.test(p)), problems.join('\n') || 'nothing refused');
    assert.ok(operatorRefuses(doc), 'netprofile itself accepts it: the CRD would be stricter than the operator');
  });
}

test('near misses pass: managed true/false/auto, dual-stack CIDRs, a range pool, a password only by Secret reference', () => {
  for (const managed of [true, false, 'auto']) assert.equal(refused(edit((p) => { p.spec.environment = { ...(p.spec.environment ?? {}), managed }; })), [], String(managed));
  assert.equal(refused(edit((p) => { p.spec.cluster.podCIDRs = ['10.244.0.0/16', 'fd00:10:244::/56']; })), []);
  assert.equal(refused(edit((p) => { p.spec.loadBalancer.pools[0].addresses = ['10.0.11.10-10.0.11.254', 'fd00:11::/120']; })), []);
  assert.equal(refused(edit((p) => { p.spec.loadBalancer.bgp.peers[0].passwordSecretRef = { name: 'bgp-tor-a' }; })), []);
  assert.equal(refused(edit((p) => { p.spec.cluster.name = 'a'.repeat(63); })), []);
});

test('status conditions are a list-type map keyed by type: two Ready conditions are refused', () => {
  const conditions = crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.conditions;
  assert.is(conditions['x-kubernetes-list-type'], 'map');
  assert.equal(conditions['x-kubernetes-list-map-keys'], ['type']);
  assert.ok(conditions.items.required.includes('type'), 'a list-map key must be required');
  const cond = (status: string) => ({ type: 'Ready', status, lastTransitionTime: '2026-12-03T07:00:00Z', reason: 'Published', message: 'ok' });
  assert.ok(refused({ ...base, status: { conditions: [cond('True'), cond('False')] } }).some((p) => /^status\.conditions\[1\]: has the same type as item 0/.test(p)));
  assert.equal(refused({ ...base, status: { conditions: [cond('True'), { ...cond('True'), type: 'Planned' }] } }), []);
});

test('every CEL rule of the CRD is supported by the evaluator', () => {
  const rules = collectRules(schema, { shared: [], root: schema });
  assert.ok(rules.length >= 4, String(rules.length));
  for (const { rule } of rules) assert.equal(cel.unsupported(rule.rule), [], rule.rule);
});

test.run();
