// The rule registry and the commands that print it: every rule of the API is a registered unit,
// every rule id a finding or decision names is registered, RULES derives from the registry, and
// `netprofile rules` / `netprofile explain RULE` print them as a user runs them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cli, root, examples } from './helpers.js';
import { RULE_UNITS, ruleUnit, checkRules } from '../generators/plan/rules/index.js';
import { RULES } from '../generators/api/findings.js';
import { checkProfile } from '../generators/api/parse.js';
import { planProfile } from '../generators/plan/plan.js';
import { bareMetal, cloud } from './profiles.js';

// The rule ids of the API (copied here on purpose: tests outside this repository use them).
const API_RULES = [
  'l2-on-cloud', 'pool-overlap', 'family-mismatch', 'kube-proxy-replacement-required', 'api-server-required', 'native-routing-cidr',
  'bgp-speaker-conflict', 'lb-ownership', 'ccm-on-managed', 'ccm-unsupported-provider', 'ccm-ipv6-unsupported', 'inline-secret',
  'cilium-version-feature', 'metallb-strict-arp', 'k3s-servicelb', 'underlay-mac-on-cloud', 'environment-unknown', 'invalid-field',
  'cilium-bfd-unsupported', 'chart-version-unknown', 'pool-off-subnet',
];
const ids = RULE_UNITS.map((u) => u.id as string);

test('every rule id of the API is a registered unit', () => {
  for (const id of API_RULES) assert.ok(ids.includes(id), `${id} is not in the registry`);
});

test('every unit is complete, and ids are unique', () => {
  assert.is(new Set(ids).size, ids.length, 'duplicate rule id');
  for (const u of RULE_UNITS) {
    assert.match(u.id, /^[a-z0-9]+(-[a-z0-9]+)+$/, u.id);
    assert.ok(u.severity === 'error' || u.severity === 'warning', `${u.id} severity`);
    for (const k of ['summary', 'why', 'fix', 'source'] as const) {
      assert.ok(typeof u[k] === 'string' && u[k].trim().length > 10, `${u.id}.${k} is empty`);
      assert.not.match(u[k], /\n/, `${u.id}.${k} spans lines`);
    }
    assert.type(u.check, 'function', `${u.id} has no check`);
  }
});

test('RULES in findings.ts is the registry: same ids, same order, the units summaries', () => {
  assert.equal(Object.keys(RULES), ids);
  for (const u of RULE_UNITS) assert.is((RULES as Record<string, string>)[u.id], u.summary);
});

// Source files that create findings or decisions outside the registry.
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) { if (name !== 'node_modules') sources(full, out); }
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('every rule id a finding or a decision names in the source is registered', () => {
  const named = new Set<string>();
  for (const dir of ['generators', 'cli', 'kustomize', 'operator']) {
    for (const f of sources(join(root, dir))) {
      const text = readFileSync(f, 'utf8');
      // Findings built as data: { rule: 'id', ... }.
      for (const m of text.matchAll(/\brule: '([a-z0-9-]+)'/g)) named.add(m[1]);
      // Decisions naming their rule: decide(field, value, reason, 'id'...).
      for (const line of text.split('\n')) {
        if (!/\bdecide\(/.test(line)) continue;
        // (the second argument is the decided value, not a rule: decide('ccm.credentials', 'ecs-ram-role', ...)).
        const values = new Set([...line.matchAll(/decide\('[^']*', '([a-z0-9-]+)'/g)].map((m) => m[1]));
        for (const m of line.matchAll(/, '([a-z0-9]+(?:-[a-z0-9]+)+)'(?=[,)])/g)) if (!values.has(m[1])) named.add(m[1]);
      }
    }
  }
  assert.ok(named.has('invalid-field') && named.has('l2-on-cloud'), `the scan found too little: ${[...named].join(', ')}`);
  for (const id of named) assert.ok(ids.includes(id), `${id} is named in the source but not registered`);
});

test('every finding and decision over the examples names a registered rule', () => {
  let seen = 0;
  for (const name of readdirSync(examples)) {
    const file = join(examples, name, 'networkprofile.yaml');
    if (!existsSync(file)) continue;
    const parsed = checkProfile(parseYaml(readFileSync(file, 'utf8')), file);
    if (!parsed.profile) continue;
    const plan = planProfile(parsed.profile);
    for (const f of plan.findings) { seen++; assert.ok(ids.includes(f.rule), `${name}: ${f.rule}`); }
    for (const d of plan.decisions) if (d.rule) assert.ok(ids.includes(d.rule), `${name}: decision ${d.field} names ${d.rule}`);
  }
  assert.ok(seen > 0, 'no example produced a finding');
});

test('checkRules is pure: same findings twice, the plan and profile untouched, and it is what the planner reports', () => {
  const raw = cloud('alibaba');
  raw.spec.loadBalancer = { mode: 'l2', pools: [{ name: 'a', addresses: ['10.32.0.0/28'] }] };
  raw.spec.cluster.podCIDRs = ['10.32.0.0/17', 'fd00:10::/56'];
  raw.spec.cluster.serviceCIDRs = ['10.32.128.0/18'];
  const profile = checkProfile(raw, 'p.yaml').profile!;
  const plan = planProfile(profile);
  const before = JSON.stringify({ plan, profile });
  const a = checkRules(plan, profile);
  const b = checkRules(plan, profile);
  assert.equal(a, b);
  assert.equal(a, plan.findings);
  assert.is(JSON.stringify({ plan, profile }), before);
  const rules = new Set(a.map((f) => f.rule));
  for (const r of ['l2-on-cloud', 'pool-overlap', 'family-mismatch']) assert.ok(rules.has(r as never), `${r} missing: ${[...rules].join(', ')}`);
});

test('cilium-version-feature: an unknown value another version has is reported once, by the unit', () => {
  const raw = bareMetal();
  raw.spec.cni = { provider: 'cilium', cilium: { version: '1.18.3', values: { externalIPs: { enabled: true } } } };
  const profile = checkProfile(raw, 'p.yaml').profile!;
  // With a schema checker, and without one (the planner's own externalIPs knowledge).
  const checker = () => [{ path: 'externalIPs.enabled', knownIn: ['1.16'] }];
  for (const options of [{ checkCiliumValues: checker }, {}]) {
    const found = planProfile(profile, options).findings.filter((f) => f.rule === 'cilium-version-feature');
    assert.is(found.length, 1, JSON.stringify(found));
  }
  // A value no version has is invalid-field, with the schema's suggestion.
  const typo = planProfile(profile, { checkCiliumValues: () => [{ path: 'externalIP', knownIn: [], suggestion: 'externalIPs' }] }).findings;
  assert.ok(typo.some((f) => f.rule === 'invalid-field' && /did you mean externalIPs/.test(f.message)));
  assert.not.ok(typo.some((f) => f.rule === 'cilium-version-feature' && f.path.endsWith('externalIP')));
});

test('ruleUnit finds a unit by id and nothing else', () => {
  assert.is(ruleUnit('pool-off-subnet')?.id, 'pool-off-subnet');
  assert.is(ruleUnit('pool-off'), undefined);
});

// ---- the commands -------------------------------------------------------------------------

test('netprofile rules: one line per rule with id, severity and summary', () => {
  const r = cli(['rules']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, RULE_UNITS.length);
  RULE_UNITS.forEach((u, i) => {
    const cols = lines[i].split(/\s{2,}/);
    assert.equal(cols, [u.id, u.severity, u.summary], lines[i]);
  });
  for (const id of API_RULES) assert.ok(lines.some((l) => l.startsWith(`${id} `)), id);
});

test('netprofile rules -o json and -o yaml carry the same rows', () => {
  const j = cli(['rules', '-o', 'json']);
  assert.is(j.code, 0, j.stderr);
  const rows = JSON.parse(j.stdout);
  assert.equal(rows, RULE_UNITS.map((u) => ({ id: u.id, severity: u.severity, summary: u.summary })));
  const y = cli(['rules', '--output', 'yaml']);
  assert.is(y.code, 0, y.stderr);
  assert.equal(parseYaml(y.stdout), rows);
  const bad = cli(['rules', '-o', 'xml']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /text, json, yaml/);
});

test('netprofile explain RULE prints the why, the fix and the source', () => {
  const u = ruleUnit('l2-on-cloud')!;
  const r = cli(['explain', 'l2-on-cloud']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`l2-on-cloud (error): ${u.summary}\n`), r.stdout);
  assert.ok(r.stdout.includes(`Why: ${u.why}\n`));
  assert.ok(r.stdout.includes(`Fix: ${u.fix}\n`));
  assert.ok(r.stdout.includes(`Source: ${u.source}\n`));
  // The id as a finding prints it, in brackets.
  assert.is(cli(['explain', '[l2-on-cloud]']).stdout, r.stdout);
  const j = JSON.parse(cli(['explain', 'metallb-strict-arp', '-o', 'json']).stdout);
  assert.equal(j, { id: 'metallb-strict-arp', severity: 'warning', summary: ruleUnit('metallb-strict-arp')!.summary, why: ruleUnit('metallb-strict-arp')!.why, fix: ruleUnit('metallb-strict-arp')!.fix, source: ruleUnit('metallb-strict-arp')!.source });
});

test('netprofile explain: every registered rule explains', () => {
  for (const u of RULE_UNITS) {
    const r = cli(['explain', u.id, '-o', 'yaml']);
    assert.is(r.code, 0, `${u.id}: ${r.stderr}`);
    assert.is(parseYaml(r.stdout).why, u.why);
  }
});

test('netprofile explain: an unknown rule exits 2 with a suggestion', () => {
  const r = cli(['explain', 'l2-on-clod']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown rule "l2-on-clod" \(did you mean l2-on-cloud\?\)/);
  assert.is(r.stdout, '');
  const part = cli(['explain', 'strict-arp']);
  assert.is(part.code, 2);
  assert.match(part.stderr, /did you mean metallb-strict-arp\?/);
  const none = cli(['explain', 'zzzzzzzz']);
  assert.is(none.code, 2);
  assert.not.match(none.stderr, /did you mean/);
  assert.match(none.stderr, /netprofile rules lists them/);
  assert.is(cli(['explain']).code, 2);
  assert.is(cli(['explain', 'a', 'b']).code, 2);
});

test('netprofile --help lists rules and explain', () => {
  const r = cli(['--help']);
  assert.match(r.stdout, /\n  rules +list every rule/);
  assert.match(r.stdout, /\n  explain +explain one rule/);
  assert.is(cli(['rules', '--help']).code, 0);
  assert.match(cli(['explain', '--help']).stdout, /Usage: netprofile explain RULE/);
});

test('the README Rules table lists exactly the registered rules', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Rules'), readme.indexOf('\n## ', readme.indexOf('\n## Rules') + 5));
  const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]).sort();
  assert.equal(listed, [...ids].sort());
});

test.run();
