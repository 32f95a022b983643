// netprofile validate: the schema bundle, closed objects, Cilium API versions per version, Helm
// values (HelmRelease, Argo CD Application, plain values files), the command line, and the
// planner's Cilium values hook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, root, schemaSources, examples } from './helpers.js';
import { validateFiles, type Problem } from '../generators/validate/validate.js';
import { unknownCiliumValues } from '../generators/validate/values.js';
import { loadBundle } from '../cli/values.js';
import { loadCelEngine } from '../generators/validate/cel.js';

const bundle = loadBundle();
const cel = await loadCelEngine();
const check = (text: string, file = 'm.yaml', ciliumVersion?: string): Problem[] => validateFiles([{ file, text }], { bundle, ciliumVersion, cel });
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

const ciliumPool = (apiVersion: string, extra = '') => `apiVersion: ${apiVersion}
kind: CiliumLoadBalancerIPPool
metadata: {name: default}
spec:
  blocks:
    - cidr: 172.21.48.240/28
${extra}`;

const helmRelease = (chart: string, version: string, values: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ${chart}, namespace: kube-system}
spec:
  interval: 1h
  chart:
    spec:
      chart: ${chart}
      version: "${version}"
      sourceRef: {kind: HelmRepository, name: ${chart}}
  values:
${values}`;

test('the committed bundle is what the script makes from the schema sources in schemas/', () => {
  if (!existsSync(join(schemaSources, 'SOURCES.md'))) throw new Error(`${schemaSources}/SOURCES.md is missing: the bundle cannot be checked`);
  const t = tempDir();
  try {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-schemas.mjs'), '--out', t.path], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    for (const f of ['bundle.json', 'PROVENANCE.md']) {
      const fresh = readFileSync(join(t.path, f), 'utf8');
      const committed = readFileSync(join(root, 'generators', 'schemas', f), 'utf8');
      assert.ok(fresh === committed, `generators/schemas/${f} is stale: run node scripts/bundle-schemas.mjs`);
    }
  } finally { t.cleanup(); }
});

test('the bundle keeps provenance and strips descriptions', () => {
  // No schema keeps a description (a field *named* description, a properties key, may stay).
  const described: string[] = [];
  const walk = (node: unknown, path: string, inProperties: boolean) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (!inProperties && k === 'description' && typeof v === 'string') described.push(path);
      walk(v, `${path}/${k}`, !inProperties && (k === 'properties' || k === 'definitions'));
    }
  };
  walk(bundle, '', false);
  assert.equal(described, []);
  assert.match(bundle.kinds['metallb.io/v1beta1/IPAddressPool'].source, /metallb\/metallb .*791dfcc63ced7a6b3e869131eae75e645150fff0/);
  assert.match(bundle.kinds['purelb.io/v2/ServiceGroup'].source, /transcribed from docs/);
  assert.ok(bundle.cilium['1.18']['cilium.io/v2/CiliumLoadBalancerIPPool']);
  assert.not.ok(bundle.cilium['1.17']['cilium.io/v2/CiliumLoadBalancerIPPool']);
  assert.equal(Object.keys(bundle.helmValues).sort(), ['cilium/1.16', 'cilium/1.17', 'cilium/1.18', 'cilium/1.19', 'cilium/1.20', 'metallb']);
  const prov = readFileSync(join(root, 'generators', 'schemas', 'PROVENANCE.md'), 'utf8');
  assert.match(prov, /## CEL rules\n/);
  assert.match(prov, /keepAliveTimeSeconds <= self.holdTimeSeconds/);
  assert.match(prov, /c16016890116f9fc6bf8d90e3ffe0f4e91ae8097/);
});

test('closed objects: an unknown field in a CiliumLoadBalancerIPPool is an error with did-you-mean', () => {
  const ps = check(ciliumPool('cilium.io/v2', '  serviceSelecter: {matchLabels: {a: b}}\n'));
  assert.equal(errors(ps).map((p) => [p.document, p.path]), [[1, 'spec.serviceSelecter']]);
  assert.match(ps[0].message, /unknown field \(did you mean serviceSelector\?\)/);
  assert.equal(errors(check(ciliumPool('cilium.io/v2', '  serviceSelector: {matchLabels: {a: b}}\n'))), []);
});

test('closed objects: an unknown field in a MetalLB IPAddressPool; a bad CIDR format; required fields', () => {
  const ps = errors(check(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool, namespace: metallb-system}
spec:
  addresses: [10.0.11.10-10.0.11.254]
  autoAsign: true
`));
  assert.equal(ps.map((p) => p.path), ['spec.autoAsign']);
  assert.match(ps[0].message, /did you mean autoAssign/);
  const missing = errors(check('apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {autoAssign: true}\n'));
  assert.equal(missing.map((p) => [p.path, p.message]), [['spec.addresses', 'is required']]);
  const cidr = errors(check(ciliumPool('cilium.io/v2').replace('172.21.48.240/28', '172.21.48.240/33')));
  assert.equal(cidr.map((p) => p.path), ['spec.blocks[0].cidr']);
});

test('Cilium API versions follow the Cilium version: v2 pool on 1.17 rejected, on 1.18 accepted', () => {
  const on17 = errors(check(ciliumPool('cilium.io/v2'), 'm.yaml', '1.17.14'));
  assert.equal(on17.length, 1);
  assert.is(on17[0].path, 'apiVersion');
  assert.match(on17[0].message, /not served by Cilium 1\.17.*cilium\.io\/v2alpha1/);
  assert.equal(errors(check(ciliumPool('cilium.io/v2'), 'm.yaml', '1.18.3')), []);
  assert.equal(errors(check(ciliumPool('cilium.io/v2alpha1'), 'm.yaml', '1.17.14')), []);
  // CiliumBGPPeeringPolicy is gone from 1.19; deprecated (a warning) on 1.18.
  const policy = 'apiVersion: cilium.io/v2alpha1\nkind: CiliumBGPPeeringPolicy\nmetadata: {name: p}\nspec: {virtualRouters: [{localASN: 64515, neighbors: [{peerAddress: 10.0.0.1/32, peerASN: 64512}]}]}\n';
  assert.match(errors(check(policy, 'm.yaml', '1.19.0'))[0]?.message ?? '', /not served by Cilium 1\.19/);
  const on18 = check(policy, 'm.yaml', '1.18.3');
  assert.equal(errors(on18), []);
  assert.ok(on18.some((p) => p.severity === 'warning' && /deprecated/i.test(p.message)));
});

test('the Cilium version comes from the chart install in the same tree', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.path, 'controllers'));
    mkdirSync(join(t.path, 'configs'));
    writeFileSync(join(t.path, 'controllers', 'cilium.yaml'), helmRelease('cilium', '1.17.14', '    kubeProxyReplacement: true\n'));
    writeFileSync(join(t.path, 'configs', 'pool.yaml'), ciliumPool('cilium.io/v2'));
    const r = cli(['validate', t.path]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /configs\/pool\.yaml: document 1: apiVersion: cilium\.io\/v2 CiliumLoadBalancerIPPool is not served by Cilium 1\.17/);
    // --cilium-version overrides what the tree installs.
    assert.is(cli(['validate', join(t.path, 'configs'), '--cilium-version', '1.18']).code, 0);
  } finally { t.cleanup(); }
});

test('HelmRelease for Cilium 1.18 with externalIPs fails; with 1.16 it passes', () => {
  const values = '    externalIPs: {enabled: true}\n';
  const on18 = errors(check(helmRelease('cilium', '1.18.3', values)));
  assert.equal(on18.map((p) => p.path), ['spec.values.externalIPs']);
  assert.match(on18[0].message, /Cilium 1\.18's chart has no value externalIPs \(it exists in 1\.16\)/);
  assert.equal(errors(check(helmRelease('cilium', '1.16.15', values))), []);
});

test('a misspelt Cilium value gets a did-you-mean; types and enums are checked; pass-through fields stay open', () => {
  const ps = errors(check(helmRelease('cilium', '1.18.3', `    hubble: {relay: {enabeld: true}}
    routingMode: native
    tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
    nodeSelector: {kubernetes.io/os: linux, example.com/pool: net}
    k8sServicePort: 6443
`)));
  assert.equal(ps.map((p) => p.path), ['spec.values.hubble.relay.enabeld']);
  assert.match(ps[0].message, /did you mean hubble\.relay\.enabled\?/);
  const typed = errors(check(helmRelease('cilium', '1.18.3', '    l2announcements: {enabled: "yes"}\n')));
  assert.equal(typed.map((p) => p.path), ['spec.values.l2announcements.enabled']);
  assert.match(typed[0].message, /must be a boolean/);
});

test('MetalLB values: unknown key reported, subchart keys (frrk8s) accepted', () => {
  const ps = errors(check(helmRelease('metallb', '0.16.1', '    speaker: {frr: {enabled: false}, ignoreExcludeLB: true, tolerateMastr: true}\n    frrk8s: {enabled: true}\n')));
  assert.equal(ps.map((p) => p.path), ['spec.values.speaker.tolerateMastr']);
  assert.match(ps[0].message, /did you mean speaker\.tolerateMaster\?/);
});

test('Argo CD Application helm.valuesObject is checked against the chart of targetRevision', () => {
  const app = (rev: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cilium, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: kube-system}
  source:
    repoURL: https://helm.cilium.io/
    chart: cilium
    targetRevision: ${rev}
    helm:
      valuesObject:
        externalIPs: {enabled: true}
`;
  const ps = errors(check(app('1.18.3')));
  assert.equal(ps.map((p) => p.path), ['spec.source.helm.valuesObject.externalIPs']);
  assert.equal(errors(check(app('1.16.15'))), []);
  // And the Application itself is closed: a misplaced field is caught.
  assert.equal(errors(check(app('1.16.15').replace('  project: default', '  projekt: default\n  project: default'))).map((p) => p.path), ['spec.projekt']);
});

test('a plain values file ("# chart: NAME VERSION REPO" first line) is checked', () => {
  const text = '# chart: cilium 1.18.3 https://helm.cilium.io/\nexternalIPs:\n  enabled: true\nipam: {mode: kubernetes}\n';
  const ps = errors(check(text, 'cilium-values.yaml'));
  assert.equal(ps.map((p) => [p.file, p.document, p.path]), [['cilium-values.yaml', 1, 'externalIPs']]);
  assert.equal(errors(check(text.replace('1.18.3', '1.16.15'), 'cilium-values.yaml')), []);
});

test('a multi-document file with one bad document names that document', () => {
  const text = [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: metallb-system}\n',
    'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2}\nspec: {ipAddressPools: [default]}\n',
    'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2b}\nspec: {ipAdressPools: [default]}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n',
  ].join('---\n');
  const ps = errors(check(text));
  assert.equal(ps.map((p) => [p.document, p.path]), [[3, 'spec.ipAdressPools']]);
});

test('core kinds get a light check; an unknown kind is a warning, a wrong version of a known kind an error', () => {
  assert.equal(errors(check('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\ndata: {a: b}\n')).map((p) => p.path), ['metadata.name']);
  assert.equal(errors(check('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspce: {}\n')).map((p) => p.path), ['spce']);
  const unknown = check('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
  assert.equal(unknown.map((p) => [p.severity, p.message]), [['warning', 'no schema for example.com/v1 Widget; not checked']]);
  const old = errors(check('apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata: {name: h}\nspec: {}\n'));
  assert.match(old[0].message, /use helm\.toolkit\.fluxcd\.io\/v2/);
  // kustomize's kustomization.yaml needs neither apiVersion nor metadata.
  assert.equal(check('resources: [a.yaml]\n', 'dir/kustomization.yaml'), []);
  assert.equal(errors(check('resources: [a.yaml]\nresourcse: [b.yaml]\n', 'kustomization.yaml')).map((p) => p.path), ['resourcse']);
});

test('PureLB v2 (transcribed schema): exactly one of local/remote/netbox, pool and subnet required', () => {
  const sg = (spec: string) => `apiVersion: purelb.io/v2\nkind: ServiceGroup\nmetadata: {name: default, namespace: purelb-system}\nspec:\n${spec}`;
  assert.equal(errors(check(sg('  remote:\n    v4pools: [{pool: 10.32.192.0/18, subnet: 10.32.192.0/18, aggregation: default}]\n'))), []);
  const both = errors(check(sg('  local: {v4pool: {pool: 10.0.0.1-10.0.0.9, subnet: 10.0.0.0/24}}\n  remote: {v4pool: {pool: 10.1.0.0/28, subnet: 10.1.0.0/24}}\n')));
  assert.equal(both.map((p) => p.path), ['spec']);
  assert.match(both[0].message, /exactly one of local, remote, netbox/);
  const noSubnet = errors(check(sg('  remote: {v4pool: {pool: 10.1.0.0/28}}\n')));
  assert.equal(noSubnet.map((p) => p.path), ['spec.remote.v4pool.subnet']);
  assert.match(noSubnet[0].message, /transcribed/);
});

test('CLI: file, document and field on one line; exit codes 0, 1 and 2; -o json', () => {
  const t = tempDir();
  try {
    const good = join(t.path, 'good.yaml');
    const bad = join(t.path, 'bad.yaml');
    writeFileSync(good, ciliumPool('cilium.io/v2'));
    writeFileSync(bad, `${ciliumPool('cilium.io/v2')}---\n${ciliumPool('cilium.io/v2', '  bogus: true\n')}`);
    const ok = cli(['validate', good]);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    assert.is(ok.stdout, '');
    const r = cli(['validate', t.path]);
    assert.is(r.code, 1);
    assert.equal(r.stdout.trim().split('\n'), [`${bad}: document 2: spec.bogus: unknown field`]);
    const json = JSON.parse(cli(['validate', bad, '-o', 'json']).stdout);
    assert.equal(json.problems, [{ file: bad, document: 2, path: 'spec.bogus', message: 'unknown field', severity: 'error' }]);
    const missing = cli(['validate', join(t.path, 'nope.yaml')]);
    assert.is(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file or directory/);
    assert.is(cli(['validate']).code, 2);
    assert.is(cli(['validate', good, '--bogus']).code, 2);
    const help = cli(['validate', '--help']);
    assert.is(help.code, 0);
    assert.match(help.stdout, /Usage: netprofile validate PATH/);
    // Invalid YAML is a rejected manifest (1), named by file and document.
    const broken = join(t.path, 'broken.yaml');
    writeFileSync(broken, 'a: 1\n---\nb: [\n');
    const br = cli(['validate', broken]);
    assert.is(br.code, 1);
    assert.match(br.stdout, /broken\.yaml: document 2: is not valid YAML/);
    // stdin, and .netprofile/ is skipped in directories.
    assert.is(cli(['validate', '-'], { input: ciliumPool('cilium.io/v2', '  bogus: 1\n') }).code, 1);
    mkdirSync(join(t.path, 'tree', '.netprofile'), { recursive: true });
    writeFileSync(join(t.path, 'tree', 'ok.yaml'), ciliumPool('cilium.io/v2'));
    writeFileSync(join(t.path, 'tree', '.netprofile', 'plan.json'), '{"not": "a manifest"}');
    assert.is(cli(['validate', join(t.path, 'tree')]).code, 0);
  } finally { t.cleanup(); }
});

test('plan: values {externalIPs: {enabled: true}} on Cilium 1.18.3 is cilium-version-feature, on 1.16.15 not', () => {
  const t = tempDir();
  try {
    const base = readFileSync(join(examples, 'baremetal-cilium-l2', 'networkprofile.yaml'), 'utf8');
    assert.match(base, /cilium: \{version: "1\.18\.3"\}/);
    const write = (version: string) => {
      const f = join(t.path, `p-${version}.yaml`);
      writeFileSync(f, base.replace(/cilium: \{version: "1\.18\.3"\}/, `cilium: {version: "${version}", values: {externalIPs: {enabled: true}}}`));
      return f;
    };
    const r18 = cli(['plan', write('1.18.3'), '-o', 'json']);
    assert.is(r18.code, 1, r18.stderr);
    const f18 = JSON.parse(r18.stdout).findings.filter((f: { rule: string }) => f.rule === 'cilium-version-feature');
    assert.equal(f18.map((f: { path: string }) => f.path), ['spec.cni.cilium.values.externalIPs']);
    assert.match(f18[0].message, /exists in 1\.16/);
    const r16 = cli(['plan', write('1.16.15'), '-o', 'json']);
    const f16 = JSON.parse(r16.stdout).findings.filter((f: { rule: string; path: string }) => f.path.startsWith('spec.cni.cilium.values'));
    assert.equal(f16, []);
  } finally { t.cleanup(); }
});

test('the planner hook: unknown paths with the versions that know them and a suggestion', () => {
  assert.equal(unknownCiliumValues(bundle, '1.18.3', { externalIPs: { enabled: true } }), [{ path: 'externalIPs', knownIn: ['1.16'] }]);
  assert.equal(unknownCiliumValues(bundle, '1.18.3', { hubble: { rely: { enabled: true } } }), [{ path: 'hubble.rely', knownIn: [], suggestion: 'hubble.relay' }]);
  assert.equal(unknownCiliumValues(bundle, '1.16.15', { kubeProxyReplacement: true, externalIPs: { enabled: true } }), []);
});

test('every rendered example tree validates without errors', () => {
  const trees = readdirSync(examples).map((d) => join(examples, d, 'rendered')).filter((d) => existsSync(d));
  assert.ok(trees.length >= 5, `expected examples/*/rendered trees, found ${trees.length}`);
  const r = cli(['validate', ...trees]);
  assert.is(r.code, 0, r.stdout);
  assert.equal(r.stdout.split('\n').filter((l) => l && !l.includes(': warning: ')), []);
  const checked = Number(/(\d+) files? checked/.exec(r.stderr)?.[1] ?? 0);
  assert.ok(checked >= trees.length * 3, r.stderr);
});

test.run();
