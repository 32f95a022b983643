// CEL rules (x-kubernetes-validations) of the bundled upstream CRDs, evaluated by
// generators/validate/cel.ts: one manifest per upstream rule that breaks it and its near miss,
// unit level and through `netprofile validate`; transition rules with --previous; every rule in
// the bundle is supported by the evaluator and has a case here; validate runs the planner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, examples, root } from './helpers.js';
import { validateFiles, type Problem } from '../generators/validate/validate.js';
import { loadCelEngine, collectRules, checkRules, joinFieldPath, type CelEngine } from '../generators/validate/cel.js';
import { loadBundle } from '../cli/values.js';
import { checkRendered, manifestFiles } from '../cli/self-check.js';
import { renderTree } from '../generators/render.js';
import { loadProfiles } from '../cli/load.js';

const bundle = loadBundle();
const cel: CelEngine = await loadCelEngine();
const check = (text: string, previous?: string): Problem[] =>
  validateFiles([{ file: 'm.yaml', text }], { bundle, cel, previous: previous ? [{ file: 'old.yaml', text: previous }] : [] });
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

interface Case { name: string; rule: string; path: string; message: RegExp; bad: string; good: string; previous?: string }

const flux = (spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cilium, namespace: kube-system}\nspec:\n  interval: 10m\n${spec}`;
const chart = '  chart: {spec: {chart: cilium, version: 1.18.3, sourceRef: {kind: HelmRepository, name: cilium}}}\n';
const kustomization = (spec: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: net, namespace: flux-system}\nspec:\n  interval: 10m\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n${spec}`;
const peer = (extra: string) => `apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p, namespace: metallb-system}\nspec: {myASN: 64512, peerASN: 64513, peerAddress: 10.0.0.1${extra}}\n`;
const ciliumAdv = (api: string, item: string) => `apiVersion: ${api}\nkind: CiliumBGPAdvertisement\nmetadata: {name: a}\nspec:\n  advertisements:\n  - ${item}\n`;
const ciliumPeer = (api: string, timers: string) => `apiVersion: ${api}\nkind: CiliumBGPPeerConfig\nmetadata: {name: p}\nspec:\n  timers: ${timers}\n`;

// The rule texts are the upstream ones (schemas/: helm-controller v1.6.3, source-controller v1.9.1,
// kustomize-controller v1.9.4, metallb v0.16.1, cilium v1.18.3).
const CASES: Case[] = [
  { name: 'HelmRelease chart xor chartRef', rule: "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))", path: 'spec', message: /either chart or chartRef must be set/,
    bad: flux(`${chart}  chartRef: {kind: OCIRepository, name: cilium}\n`), good: flux(chart) },
  { name: 'HelmRelease neither chart nor chartRef', rule: "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))", path: 'spec', message: /either chart or chartRef must be set/,
    bad: flux(''), good: flux('  chartRef: {kind: OCIRepository, name: cilium}\n') },
  { name: 'HelmRelease install.strategy retryInterval', rule: "!has(self.retryInterval) || self.name != 'RemediateOnFailure'", path: 'spec.install.strategy', message: /retryInterval cannot be set when .name is 'RemediateOnFailure'/,
    bad: flux(`${chart}  install: {strategy: {name: RemediateOnFailure, retryInterval: 5m}}\n`), good: flux(`${chart}  install: {strategy: {name: RetryOnFailure, retryInterval: 5m}}\n`) },
  { name: 'HelmRelease upgrade.strategy retryInterval', rule: "!has(self.retryInterval) || self.name == 'RetryOnFailure'", path: 'spec.upgrade.strategy', message: /retryInterval can only be set when .name is 'RetryOnFailure'/,
    bad: flux(`${chart}  upgrade: {strategy: {name: RemediateOnFailure, retryInterval: 5m}}\n`), good: flux(`${chart}  upgrade: {strategy: {name: RemediateOnFailure}}\n`) },
  { name: 'HelmRelease kubeConfig needs one ref', rule: 'has(self.configMapRef) || has(self.secretRef)', path: 'spec.kubeConfig', message: /exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef/,
    bad: flux(`${chart}  kubeConfig: {}\n`), good: flux(`${chart}  kubeConfig: {secretRef: {name: kc}}\n`) },
  { name: 'HelmRelease kubeConfig not both refs', rule: '!has(self.configMapRef) || !has(self.secretRef)', path: 'spec.kubeConfig', message: /exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef/,
    bad: flux(`${chart}  kubeConfig: {secretRef: {name: kc}, configMapRef: {name: kc}}\n`), good: flux(`${chart}  kubeConfig: {configMapRef: {name: kc}}\n`) },
  { name: 'Kustomization kubeConfig needs one ref', rule: 'has(self.configMapRef) || has(self.secretRef)', path: 'spec.kubeConfig', message: /exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef/,
    bad: kustomization('  kubeConfig: {}\n'), good: kustomization('  kubeConfig: {secretRef: {name: kc}}\n') },
  { name: 'Kustomization kubeConfig not both refs', rule: '!has(self.configMapRef) || !has(self.secretRef)', path: 'spec.kubeConfig', message: /exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef/,
    bad: kustomization('  kubeConfig: {secretRef: {name: kc}, configMapRef: {name: kc}}\n'), good: kustomization('  kubeConfig: {configMapRef: {name: kc}}\n') },
  { name: 'GitRepository serviceAccountName needs azure/aws', rule: "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))", path: 'spec', message: /serviceAccountName can only be set when provider is 'azure' or 'aws'/,
    bad: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: r, namespace: flux-system}\nspec: {interval: 1m, url: "https://git.example/r", serviceAccountName: sa, provider: generic}\n',
    good: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: r, namespace: flux-system}\nspec: {interval: 1m, url: "https://git.example/r", serviceAccountName: sa, provider: azure}\n' },
  { name: 'HelmChart verify needs HelmRepository', rule: "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'", path: 'spec', message: /spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'/,
    bad: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: c, namespace: flux-system}\nspec: {interval: 1m, chart: cilium, sourceRef: {kind: GitRepository, name: r}, verify: {provider: cosign}}\n',
    good: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: c, namespace: flux-system}\nspec: {interval: 1m, chart: cilium, sourceRef: {kind: HelmRepository, name: r}, verify: {provider: cosign}}\n' },
  { name: 'MetalLB BGPAdvertisement serviceSelectors vs aggregationLength', rule: '!has(self.serviceSelectors) || self.serviceSelectors.size() == 0 || ((!has(self.aggregationLength) || self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))', path: 'spec', message: /serviceSelectors and aggregationLength are mutually exclusive/,
    bad: 'apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a, namespace: metallb-system}\nspec: {aggregationLength: 24, serviceSelectors: [{matchLabels: {a: b}}]}\n',
    good: 'apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a, namespace: metallb-system}\nspec: {aggregationLength: 32, serviceSelectors: [{matchLabels: {a: b}}]}\n' },
  { name: 'MetalLB BGPPeer connectTime range', rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535', path: 'spec.connectTime', message: /connect time should be between 1 seconds to 65535/,
    bad: peer(', connectTime: 65536s'), good: peer(', connectTime: 65535s') },
  { name: 'MetalLB BGPPeer connectTime whole seconds', rule: 'duration(self).getMilliseconds() % 1000 == 0', path: 'spec.connectTime', message: /connect time should contain a whole number of seconds/,
    bad: peer(', connectTime: 1500ms'), good: peer(', connectTime: 2000ms') },
  { name: 'MetalLB BGPPeer enableGracefulRestart immutable (transition rule)', rule: 'self == oldSelf', path: 'spec.enableGracefulRestart', message: /EnableGracefulRestart cannot be changed after creation/,
    bad: peer(', enableGracefulRestart: true'), good: peer(', enableGracefulRestart: false'), previous: peer(', enableGracefulRestart: false') },
  { name: 'Cilium v2 BGP advertisement Service needs service', rule: "self.advertisementType != 'Service' || has(self.service)", path: 'spec.advertisements[0]', message: /service field is required for the 'Service' advertisementType/,
    bad: ciliumAdv('cilium.io/v2', 'advertisementType: Service'), good: ciliumAdv('cilium.io/v2', 'advertisementType: Service\n    service: {addresses: [LoadBalancerIP]}') },
  { name: 'Cilium v2 BGP advertisement PodCIDR takes no selector', rule: "self.advertisementType != 'PodCIDR' || !has(self.selector)", path: 'spec.advertisements[0]', message: /selector field is not allowed for the 'PodCIDR' advertisementType/,
    bad: ciliumAdv('cilium.io/v2', 'advertisementType: PodCIDR\n    selector: {matchLabels: {a: b}}'), good: ciliumAdv('cilium.io/v2', 'advertisementType: CiliumPodIPPool\n    selector: {matchLabels: {a: b}}') },
  { name: 'Cilium v2alpha1 BGP advertisement Service needs service', rule: "self.advertisementType != 'Service' || has(self.service)", path: 'spec.advertisements[0]', message: /service field is required for the 'Service' advertisementType/,
    bad: ciliumAdv('cilium.io/v2alpha1', 'advertisementType: Service'), good: ciliumAdv('cilium.io/v2alpha1', 'advertisementType: Service\n    service: {addresses: [LoadBalancerIP]}') },
  { name: 'Cilium v2alpha1 BGP advertisement PodCIDR takes no selector', rule: "self.advertisementType != 'PodCIDR' || !has(self.selector)", path: 'spec.advertisements[0]', message: /selector field is not allowed for the 'PodCIDR' advertisementType/,
    bad: ciliumAdv('cilium.io/v2alpha1', 'advertisementType: PodCIDR\n    selector: {matchLabels: {a: b}}'), good: ciliumAdv('cilium.io/v2alpha1', 'advertisementType: PodCIDR') },
  // holdTimeSeconds is left out: the CRD's default (90) applies before the rule, as on the API server.
  { name: 'Cilium v2 BGP timers keepalive <= hold (hold defaulted)', rule: 'self.keepAliveTimeSeconds <= self.holdTimeSeconds', path: 'spec.timers', message: /keepAliveTimeSeconds can not be larger than holdTimeSeconds/,
    bad: ciliumPeer('cilium.io/v2', '{keepAliveTimeSeconds: 91}'), good: ciliumPeer('cilium.io/v2', '{keepAliveTimeSeconds: 90}') },
  { name: 'Cilium v2alpha1 BGP timers keepalive <= hold', rule: 'self.keepAliveTimeSeconds <= self.holdTimeSeconds', path: 'spec.timers', message: /keepAliveTimeSeconds can not be larger than holdTimeSeconds/,
    bad: ciliumPeer('cilium.io/v2alpha1', '{keepAliveTimeSeconds: 10, holdTimeSeconds: 9}'), good: ciliumPeer('cilium.io/v2alpha1', '{keepAliveTimeSeconds: 9, holdTimeSeconds: 9}') },
];

for (const c of CASES) {
  test(`CEL ${c.name}: the breaking manifest is refused at ${c.path}, the near miss passes`, () => {
    const bad = errors(check(c.bad, c.previous));
    const hit = bad.filter((p) => c.message.test(p.message));
    assert.equal(hit.map((p) => p.path), [c.path], JSON.stringify(bad, null, 1));
    assert.ok(hit[0].message.includes(c.rule), hit[0].message);
    assert.equal(bad.length, 1, JSON.stringify(bad, null, 1));
    assert.equal(errors(check(c.good, c.previous)), []);
  });
}

test('every CEL rule in the bundle is supported by the evaluator and has a breaking case here', () => {
  const seen = new Set<string>();
  const holders = [...Object.values(bundle.kinds), ...Object.values(bundle.cilium).flatMap((m) => Object.values(m))];
  for (const h of holders) for (const { rule } of collectRules(h.schema, { shared: bundle.shared, root: h.schema })) seen.add(rule.rule);
  assert.ok(seen.size >= 14, `only ${seen.size} rules in the bundle: were x-kubernetes-validations dropped?`);
  for (const r of seen) {
    assert.equal(cel.unsupported(r), [], r);
    assert.ok(CASES.some((c) => c.rule === r), `no test case for the bundled rule ${r}`);
  }
});

test('transition rule: skipped without a previous object (as on create), checked with one; atomic lists do not correlate', () => {
  const c = CASES.find((x) => x.rule === 'self == oldSelf')!;
  assert.equal(errors(check(c.bad)), []);
  const stats = { evaluated: 0, transitionSkipped: 0 };
  validateFiles([{ file: 'm.yaml', text: c.bad }], { bundle, cel, stats });
  assert.is(stats.transitionSkipped, 1);
  // Another object (other name) is not the previous version of this one.
  assert.equal(errors(check(c.bad, c.previous!.replace('name: p,', 'name: q,'))), []);
  // A field absent in the old object does not correlate: the rule is not run (as the API server).
  assert.equal(errors(check(c.bad, peer(''))), []);
});

test('unit: messageExpression, fieldPath and reason are reported; an unknown function is an error, not a pass', () => {
  const schema = {
    type: 'object',
    properties: { a: { type: 'integer' }, b: { type: 'string' }, list: { type: 'array', items: { type: 'string' } } },
    'x-kubernetes-validations': [
      { rule: 'self.a < 10', message: 'static', messageExpression: "'a is ' + string(self.a) + ', at most 9'", fieldPath: '.a', reason: 'FieldValueForbidden' },
      { rule: 'self.b.startsWith("x")', fieldPath: ".list[1]" },
      { rule: 'isCIDR(self.b)' },
      { rule: 'self.missing == 1' },
    ],
  };
  const { problems } = checkRules(cel, schema, { a: 12, b: 'y', list: ['p', 'q'] }, { shared: [], root: schema }, 'spec');
  assert.equal(problems.map((p) => p.path), ['spec.a', 'spec.list[1]', 'spec', 'spec']);
  assert.match(problems[0].message, /^Forbidden: a is 12, at most 9 /);
  assert.match(problems[1].message, /failed rule: self\.b\.startsWith\("x"\)/);
  assert.match(problems[2].message, /calls isCIDR, which netprofile's CEL evaluator does not implement: not evaluated, so this object is NOT known to pass/);
  assert.match(problems[3].message, /fails to evaluate .*the API server rejects the object when a rule errors/);
  assert.ok(problems.every((p) => p.severity === 'error'));
  const ok = checkRules(cel, { ...schema, 'x-kubernetes-validations': schema['x-kubernetes-validations'].slice(0, 2) }, { a: 9, b: 'xy' }, { shared: [], root: schema }, 'spec');
  assert.equal(ok.problems, []);
  assert.is(joinFieldPath('spec', ".a['b.c'][2].d"), 'spec.a."b.c"[2].d');
});

test('unit: integers are CEL ints and type number is double; a rule never sees status', () => {
  const schema = { type: 'object', properties: { n: { type: 'integer' }, d: { type: 'number' } }, 'x-kubernetes-validations': [{ rule: 'type(self.n) == int && type(self.d) == double' }] };
  assert.equal(checkRules(cel, schema, { n: 3, d: 3 }, { shared: [], root: schema }, '').problems, []);
});

test('without an evaluator an object whose schema has rules is an error, not a silent pass', () => {
  const ps = validateFiles([{ file: 'm.yaml', text: CASES[0].good }], { bundle });
  assert.match(errors(ps)[0]?.message ?? '', /no CEL evaluator was loaded/);
});

test('netprofile validate: every breaking manifest fails with the rule\'s message and path, every near miss passes', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.path, 'bad'));
    mkdirSync(join(t.path, 'good'));
    CASES.filter((c) => !c.previous).forEach((c, i) => {
      writeFileSync(join(t.path, 'bad', `c${i}.yaml`), c.bad);
      writeFileSync(join(t.path, 'good', `c${i}.yaml`), c.good);
    });
    const bad = cli(['validate', join(t.path, 'bad'), '-o', 'json']);
    assert.is(bad.code, 1, bad.stderr);
    const out = JSON.parse(bad.stdout);
    CASES.filter((c) => !c.previous).forEach((c, i) => {
      const hit = out.problems.filter((p: Problem) => p.file.endsWith(`c${i}.yaml`) && p.severity === 'error');
      assert.equal(hit.map((p: Problem) => p.path), [c.path], `${c.name}: ${JSON.stringify(hit)}`);
      assert.match(hit[0].message, c.message);
    });
    const good = cli(['validate', join(t.path, 'good')]);
    assert.is(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stderr, /0 errors, .*CEL rule evaluations/);
    // The transition rule through the command: needs --previous.
    const c = CASES.find((x) => x.previous)!;
    writeFileSync(join(t.path, 'peer.yaml'), c.bad);
    writeFileSync(join(t.path, 'old.yaml'), c.previous!);
    const create = cli(['validate', join(t.path, 'peer.yaml')]);
    assert.is(create.code, 0, create.stdout);
    assert.match(create.stderr, /1 CEL transition rule not evaluated .*--previous/);
    const update = cli(['validate', join(t.path, 'peer.yaml'), '--previous', join(t.path, 'old.yaml')]);
    assert.is(update.code, 1);
    assert.match(update.stdout, /peer\.yaml: document 1: spec\.enableGracefulRestart: EnableGracefulRestart cannot be changed after creation/);
  } finally { t.cleanup(); }
});

test('netprofile validate runs the planner: a NetworkProfile that plan rejects is rejected, the examples pass', () => {
  const t = tempDir();
  try {
    for (const f of ['alibaba-l2.yaml', 'alibaba-nodes.yaml']) copyFileSync(join(examples, 'rejected', f), join(t.path, f));
    const planned = cli(['plan', join(t.path, 'alibaba-l2.yaml')]);
    assert.is(planned.code, 1);
    const r = cli(['validate', join(t.path, 'alibaba-l2.yaml')]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /alibaba-l2\.yaml: document 1: spec\.loadBalancer\.mode: L2 announcements cannot work in an Alibaba Cloud VPC.*\[l2-on-cloud\]/);
    // The same profile with mode auto plans, and validates.
    writeFileSync(join(t.path, 'alibaba-l2.yaml'), readFileSync(join(t.path, 'alibaba-l2.yaml'), 'utf8').replace(/mode: l2/, 'mode: auto'));
    assert.is(cli(['plan', join(t.path, 'alibaba-l2.yaml')]).code, 0);
    const ok = cli(['validate', join(t.path, 'alibaba-l2.yaml')]);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
  } finally { t.cleanup(); }
  for (const ex of ['baremetal-cilium-bgp', 'alibaba-ccm', 'eks-managed']) {
    const r = cli(['validate', join(examples, ex, 'networkprofile.yaml')]);
    assert.is(r.code, 0, `${ex}: ${r.stdout}${r.stderr}`);
  }
});

test('render --check: every example renders and passes its self-check (flux, argocd, plain; stdout and --out)', () => {
  const t = tempDir();
  try {
    for (const ex of ['baremetal-cilium-bgp', 'baremetal-metallb-l2', 'alibaba-ccm']) {
      const profile = join(examples, ex, 'networkprofile.yaml');
      for (const target of ['flux', 'argocd', 'plain']) {
        const r = cli(['render', profile, '--target', target, '--out', join(t.path, `${ex}-${target}`), '--check']);
        assert.is(r.code, 0, `${ex} ${target}: ${r.stderr}`);
        assert.not.match(r.stderr, /self-check/);
      }
      const s = cli(['render', profile, '--check']);
      assert.is(s.code, 0, s.stderr);
      assert.match(s.stdout, /kind: (HelmRelease|Application)\n/);
    }
  } finally { t.cleanup(); }
});

test('the self-check finds what the API server would refuse in a rendered tree (CEL and schema)', async () => {
  const [loaded] = loadProfiles([join(examples, 'baremetal-cilium-bgp', 'networkprofile.yaml')]);
  assert.ok(loaded.plan);
  const tree = renderTree(loaded.plan!, 'flux');
  const files = manifestFiles([tree]);
  assert.equal(errors(await checkRendered(files)), []);
  // The same tree with the timers the other way round, and a HelmRelease given a chartRef too.
  const peerFile = files.find((f) => /kind: CiliumBGPPeerConfig/.test(f.text) && /holdTimeSeconds: 9\b/.test(f.text));
  assert.ok(peerFile, 'a CiliumBGPPeerConfig with hold 9 s in the tree');
  const releaseFile = files.find((f) => /kind: HelmRelease/.test(f.text))!;
  const broken = files.map((f) => f === peerFile ? { ...f, text: f.text.replace(/keepAliveTimeSeconds: 3\b/, 'keepAliveTimeSeconds: 10') }
    : f === releaseFile ? { ...f, text: f.text.replace(/(kind: HelmRelease\n[^]*?\nspec:\n)/, '$1  chartRef: {kind: OCIRepository, name: x}\n') } : f);
  const found = errors(await checkRendered(broken));
  assert.ok(found.some((p) => p.file === peerFile!.file && /keepAliveTimeSeconds can not be larger than holdTimeSeconds/.test(p.message)), JSON.stringify(found));
  assert.ok(found.some((p) => p.file === releaseFile.file && p.path === 'spec' && /either chart or chartRef must be set/.test(p.message)), JSON.stringify(found));
  assert.is(found.length, 2, JSON.stringify(found));
});

test('start-up: the CEL engine is in no module that plan, render or the KRM function load up front', () => {
  const ENGINE = /cel\.expr\.Expr/;
  const read = (...p: string[]) => readFileSync(join(root, 'dist', ...p), 'utf8');
  // Its one copy is dist/vendor/cel.cjs, required on first use by validate and render --check.
  assert.match(read('vendor', 'cel.cjs'), ENGINE);
  for (const f of [['fast', 'cli.cjs'], ['fast', 'fn.cjs'], ['kustomize', 'netprofile-fn.mjs']]) assert.not.match(read(...f), ENGINE, f.join('/'));
  const dir = join(root, 'dist', 'bundle');
  const names = readdirSync(dir);
  assert.equal(names.filter((n) => ENGINE.test(readFileSync(join(dir, n), 'utf8'))), [], 'the ES-module bundle holds no copy either');
  // And nothing on the ES-module start-up path of plan/render/fn requires it.
  const statics = (start: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(start)) return seen;
    seen.add(start);
    const text = readFileSync(join(dir, start), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) statics(m[1], seen);
    return seen;
  };
  for (const cmd of ['plan', 'render', 'fn']) {
    const chunk = names.find((n) => n.startsWith(`${cmd}-`));
    assert.ok(chunk, `dist/bundle/${cmd}-*.mjs`);
    for (const n of new Set([...statics('main.mjs'), ...statics(chunk!)])) {
      assert.not.match(readFileSync(join(dir, n), 'utf8'), /vendor\/cel\.cjs/, `${cmd} start-up reaches ${n}, which loads the CEL engine`);
    }
  }
});

test.run();
