// The kustomize edges as kustomize runs them: the real `kubectl kustomize --enable-alpha-plugins`
// with the checkout's plugin home, the KRM function protocol on stdin/stdout, and
// `netprofile plugin install`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { cli, examples, root, tempDir } from './helpers.js';

const pluginHome = join(root, 'kustomize', 'plugin');
const shim = join(pluginHome, 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');

interface Run { code: number; stdout: string; stderr: string }
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any; [k: string]: unknown };

/** `kubectl kustomize --enable-alpha-plugins DIR`, run from an unrelated directory. */
function kustomize(dir: string, home = pluginHome, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync('kubectl', ['kustomize', '--enable-alpha-plugins', dir], {
    cwd: '/', encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env, KUSTOMIZE_PLUGIN_HOME: home },
  });
  if (r.error) throw new Error(`kubectl could not be run (${r.error.message}); these tests need kubectl with kustomize v5 on PATH`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function docs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

/** Runs the KRM function on a ResourceList in `cwd`, through the plugin shim, as kustomize execs it. */
function krm(list: unknown, cwd: string): Run {
  const r = spawnSync(process.execPath, [shim], { cwd, input: typeof list === 'string' ? list : stringify(list), encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A profile decoded as kustomize hands it to a generator function (kyaml adds these annotations). */
function asFunctionConfig(file: string, path: string): Obj {
  const p = parse(readFileSync(file, 'utf8')) as Obj;
  p.metadata.annotations = { ...(p.metadata.annotations ?? {}), 'config.kubernetes.io/local-config': 'true', 'internal.config.kubernetes.io/path': path, 'internal.config.kubernetes.io/index': '0' };
  return p;
}

test('kubectl with kustomize is installed (these tests fail without it)', () => {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  assert.ok(!r.error, `kubectl is missing: ${r.error?.message}`);
  assert.match(r.stdout, /Kustomize Version: v5/);
});

test('scripts/bundle-plugin.mjs builds the one-file plugin without client-node, simple-git or handlebars', () => {
  // The shim prefers this bundle; build it here so the tests below run what users run.
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-plugin.mjs')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const text = readFileSync(join(root, 'dist', 'kustomize', 'netprofile-fn.mjs'), 'utf8');
  assert.not.match(text, /@kubernetes\/client-node|simple-git|prom-client/);
  assert.not.match(text, /Handlebars/);
});

test('the bundle renders every target (the README stub is never reached on the plugin path)', () => {
  const file = join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml');
  for (const target of ['flux', 'argocd', 'plain']) {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'p.yaml'), readFileSync(file, 'utf8').replace('netprofile.io/target: flux', `netprofile.io/target: ${target}`));
      const r = spawnSync(process.execPath, [shim, join(dir.path, 'p.yaml')], { cwd: dir.path, encoding: 'utf8' });
      assert.is(r.status, 0, `${target}: ${r.stderr}`);
      assert.ok(docs(r.stdout).some((o) => o.kind === 'CiliumLoadBalancerIPPool'), target);
    } finally { dir.cleanup(); }
  }
});

test('the bundle finds the chart values schemas: an unknown Cilium value is reported', () => {
  const dir = tempDir();
  try {
    const text = readFileSync(join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml'), 'utf8')
      .replace('cilium: {version: "1.18.3"}', 'cilium: {version: "1.18.3", values: {externalIPs: {enabled: true}}}');
    writeFileSync(join(dir.path, 'p.yaml'), text);
    const r = spawnSync(process.execPath, [shim, join(dir.path, 'p.yaml')], { cwd: dir.path, encoding: 'utf8' });
    assert.match(r.stderr, /externalIPs/);
    assert.not.match(r.stderr, /ENOENT|internal error/);
  } finally { dir.cleanup(); }
});

test('the plugin shim is executable in the checkout', () => {
  assert.ok((statSync(shim).mode & 0o111) !== 0, `${shim} must be executable (kustomize runs it directly)`);
});

test('(a) kubectl kustomize: bare metal with an explicit environment renders Cilium L2', () => {
  const r = kustomize(join(examples, 'kustomize', 'bare-metal'));
  assert.is(r.code, 0, r.stderr);
  const objs = docs(r.stdout);
  const pool = objs.find((o) => o.kind === 'CiliumLoadBalancerIPPool');
  assert.ok(pool, `no CiliumLoadBalancerIPPool in:\n${r.stdout.slice(0, 2000)}`);
  assert.equal(pool!.spec.blocks.map((b: { cidr?: string }) => b.cidr), ['172.21.48.240/28']);
  assert.ok(objs.some((o) => o.kind === 'CiliumL2AnnouncementPolicy'), 'an L2 announcement policy');
  // target flux (the profile's annotation): the chart is a HelmRelease with L2 announcements on.
  const release = objs.find((o) => o.kind === 'HelmRelease' && JSON.stringify(o.spec).includes('"cilium"'));
  assert.ok(release, 'the Cilium HelmRelease');
  assert.is(release!.spec.values.l2announcements.enabled, true);
  assert.ok(!objs.some((o) => o.kind === 'NetworkProfile'), 'the profile itself is not in the output');
});

test('(b) kubectl kustomize: a cloud profile detected through factsFrom gets the CCM, no L2', () => {
  const dir = tempDir();
  try {
    cpSync(join(examples, 'kustomize', 'cloud-facts'), dir.path, { recursive: true });
    const r = kustomize(dir.path);
    assert.is(r.code, 0, r.stderr);
    const objs = docs(r.stdout);
    assert.ok(objs.some((o) => /cloud-controller-manager/.test(o.metadata.name) && (o.kind === 'DaemonSet' || o.kind === 'Deployment' || o.kind === 'HelmRelease')), `the Alibaba CCM is rendered:\n${objs.map((o) => `${o.kind}/${o.metadata.name}`).join('\n')}`);
    assert.not.ok(objs.some((o) => o.kind === 'CiliumL2AnnouncementPolicy' || o.kind === 'CiliumLoadBalancerIPPool'), 'no L2 policy and no pool on the cloud');
    assert.not.ok(objs.some((o) => o.kind === 'Secret'), 'no Secret is generated');
  } finally { dir.cleanup(); }
});

test('(b) factsFrom is read relative to the kustomization, and may not leave it through a symlink', () => {
  const dir = tempDir();
  try {
    const app = join(dir.path, 'app');
    mkdirSync(app);
    cpSync(join(examples, 'kustomize', 'cloud-facts', 'kustomization.yaml'), join(app, 'kustomization.yaml'));
    cpSync(join(examples, 'kustomize', 'cloud-facts', 'networkprofile.yaml'), join(app, 'networkprofile.yaml'));
    cpSync(join(examples, 'kustomize', 'cloud-facts', 'nodes.yaml'), join(dir.path, 'outside-nodes.yaml'));
    symlinkSync(join(dir.path, 'outside-nodes.yaml'), join(app, 'nodes.yaml'));
    const r = kustomize(app);
    assert.is.not(r.code, 0);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /factsFrom/);
    assert.match(r.stderr, /outside the profile's directory/);
  } finally { dir.cleanup(); }
});

test('(b) a missing factsFrom file says how to make it; no facts and environment auto is environment-unknown', () => {
  const dir = tempDir();
  try {
    cpSync(join(examples, 'kustomize', 'cloud-facts', 'kustomization.yaml'), join(dir.path, 'kustomization.yaml'));
    cpSync(join(examples, 'kustomize', 'cloud-facts', 'networkprofile.yaml'), join(dir.path, 'networkprofile.yaml'));
    let r = kustomize(dir.path);
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /kubectl get nodes -o yaml > nodes\.yaml/);
    const profile = readFileSync(join(dir.path, 'networkprofile.yaml'), 'utf8').replace('factsFrom: nodes.yaml', 'type: auto');
    writeFileSync(join(dir.path, 'networkprofile.yaml'), profile);
    r = kustomize(dir.path);
    assert.is.not(r.code, 0);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /environment-unknown/);
    assert.match(r.stderr, /factsFrom/);
  } finally { dir.cleanup(); }
});

test('(c) kubectl kustomize: L2 asked for on Alibaba Cloud fails the build naming l2-on-cloud', () => {
  const dir = tempDir();
  try {
    cpSync(join(examples, 'rejected', 'alibaba-l2.yaml'), join(dir.path, 'alibaba-l2.yaml'));
    cpSync(join(examples, 'rejected', 'alibaba-nodes.yaml'), join(dir.path, 'alibaba-nodes.yaml'));
    writeFileSync(join(dir.path, 'kustomization.yaml'), 'generators: [alibaba-l2.yaml]\n');
    const r = kustomize(dir.path);
    assert.is.not(r.code, 0);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /l2-on-cloud/);
    assert.match(r.stderr, /spec\.loadBalancer\.mode/);
    assert.match(r.stderr, /alibaba-l2/);
  } finally { dir.cleanup(); }
});

test('KRM: a ResourceList in, the rendered items plus the input items and results out', () => {
  const dir = join(examples, 'kustomize', 'bare-metal');
  const fc = asFunctionConfig(join(dir, 'networkprofile.yaml'), 'networkprofile.yaml');
  const input = { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc };
  const r = krm(input, dir);
  assert.is(r.code, 0, r.stderr);
  const out = parse(r.stdout);
  assert.is(out.apiVersion, 'config.kubernetes.io/v1');
  assert.is(out.kind, 'ResourceList');
  assert.ok(out.items.length > 1, 'rendered items');
  assert.equal(out.items[out.items.length - 1], fc, 'the input item comes back unchanged, last');
  assert.ok(out.items.some((o: Obj) => o.kind === 'CiliumLoadBalancerIPPool'));
  assert.equal(out.results.filter((x: { severity: string }) => x.severity === 'error'), []);
  const info = out.results.find((x: { severity: string }) => x.severity === 'info');
  assert.match(info.message, new RegExp(`rendered ${out.items.length - 1} objects for target flux`));
  // Deterministic: the same input gives the same bytes.
  assert.is(krm(input, dir).stdout, r.stdout);
});

test('KRM: an error finding is a result with rule, field, resourceRef and file, exit 1, nothing rendered', () => {
  const dir = tempDir();
  try {
    cpSync(join(examples, 'rejected', 'alibaba-nodes.yaml'), join(dir.path, 'alibaba-nodes.yaml'));
    const fc = asFunctionConfig(join(examples, 'rejected', 'alibaba-l2.yaml'), 'profiles/alibaba-l2.yaml');
    const input = { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } }], functionConfig: fc };
    const r = krm(input, dir.path);
    assert.is(r.code, 1, r.stderr);
    const out = parse(r.stdout);
    assert.equal(out.items, input.items, 'only the input items: nothing half-emitted');
    const err = out.results.find((x: any) => x.tags?.rule === 'l2-on-cloud');
    assert.ok(err, JSON.stringify(out.results));
    assert.is(err.severity, 'error');
    assert.equal(err.field, { path: 'spec.loadBalancer.mode' });
    assert.equal(err.resourceRef, { apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', name: 'alibaba-l2' });
    assert.equal(err.file, { path: 'profiles/alibaba-l2.yaml', index: 0 });
    assert.match(err.message, /ARP/);
    assert.match(r.stderr, /l2-on-cloud/);
  } finally { dir.cleanup(); }
});

test('KRM: warnings are results too, and do not stop the render', () => {
  const profile = join(examples, 'baremetal-metallb-l2', 'networkprofile.yaml');
  const fc = asFunctionConfig(profile, 'networkprofile.yaml');
  const r = krm({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc }, join(examples, 'baremetal-metallb-l2'));
  assert.is(r.code, 0, r.stderr);
  const out = parse(r.stdout);
  const warn = out.results.find((x: any) => x.tags?.rule === 'metallb-strict-arp');
  assert.ok(warn, JSON.stringify(out.results));
  assert.is(warn.severity, 'warning');
  assert.ok(out.items.some((o: Obj) => o.kind === 'IPAddressPool'));
});

test('KRM: a schema error is an invalid-field result at its path', () => {
  const fc = asFunctionConfig(join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml'), 'networkprofile.yaml');
  (fc.spec.loadBalancer.pools[0] as { addresses: string[] }).addresses = ['10.0.0.300/24'];
  const r = krm({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc }, examples);
  assert.is(r.code, 1);
  const out = parse(r.stdout);
  const err = out.results.find((x: any) => x.tags?.rule === 'invalid-field');
  assert.ok(err, r.stdout);
  assert.is(err.field.path, 'spec.loadBalancer.pools[0].addresses[0]');
  assert.equal(out.items, [fc]);
});

test('KRM: v1alpha1 in, v1alpha1 out; functionConfig of another kind is an error result', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
  const r = krm({ apiVersion: 'config.kubernetes.io/v1alpha1', kind: 'ResourceList', items: [], functionConfig: cm }, examples);
  assert.is(r.code, 1);
  const out = parse(r.stdout);
  assert.is(out.apiVersion, 'config.kubernetes.io/v1alpha1');
  assert.is(out.results.length, 1);
  assert.is(out.results[0].severity, 'error');
  assert.match(out.results[0].message, /functionConfig must be a NetworkProfile/);
  assert.equal(out.results[0].resourceRef, { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' });
});

test('KRM: input that is not a ResourceList is a usage error (exit 2), nothing on stdout', () => {
  for (const input of ['kind: NetworkProfile\napiVersion: netprofile.io/v1alpha1\n', 'not: [valid', '', 'apiVersion: v9\nkind: ResourceList\n']) {
    const r = krm(input, examples);
    assert.is(r.code, 2, `${JSON.stringify(input)}: ${r.stderr}`);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /<stdin>/);
  }
});

test('KRM: factsFrom leaving the working directory through a symlink is an error result naming the field', () => {
  const dir = tempDir();
  try {
    const app = join(dir.path, 'app');
    mkdirSync(app);
    cpSync(join(examples, 'rejected', 'alibaba-nodes.yaml'), join(dir.path, 'nodes.yaml'));
    symlinkSync(join(dir.path, 'nodes.yaml'), join(app, 'alibaba-nodes.yaml'));
    const fc = asFunctionConfig(join(examples, 'rejected', 'alibaba-l2.yaml'), 'alibaba-l2.yaml');
    const r = krm({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc }, app);
    assert.is(r.code, 2);
    const out = parse(r.stdout);
    assert.is(out.results[0].field.path, 'spec.environment.factsFrom');
    assert.match(out.results[0].message, /outside the profile's directory/);
    assert.equal(out.items, [fc]);
  } finally { dir.cleanup(); }
});

test('netprofile fn: --help, and the KRM mode through the netprofile command', () => {
  const help = cli(['fn', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /ResourceList/);
  const dir = join(examples, 'kustomize', 'bare-metal');
  const fc = asFunctionConfig(join(dir, 'networkprofile.yaml'), 'networkprofile.yaml');
  const input = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc });
  const r = cli(['fn'], { input, cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, krm(input, dir).stdout, 'the command and the shim answer the same bytes');
  assert.is(cli(['fn', 'a', 'b']).code, 2);
});

test('netprofile plugin install: a working plugin home for kubectl, idempotent, never over a foreign file', () => {
  const dir = tempDir();
  try {
    const home = join(dir.path, 'plugins');
    let r = cli(['plugin', 'install', '--home', home]);
    assert.is(r.code, 0, r.stderr);
    const installed = join(home, 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');
    assert.ok(existsSync(installed));
    assert.ok((statSync(installed).mode & 0o111) !== 0, 'executable');
    assert.match(r.stdout, /installed: /);
    r = cli(['plugin', 'install', '--home', home]);
    assert.is(r.code, 0);
    assert.match(r.stdout, /already installed/);
    // The installed shim lives outside any package.json: it must run as CommonJS too.
    const build = kustomize(join(examples, 'kustomize', 'bare-metal'), home);
    assert.is(build.code, 0, build.stderr);
    assert.ok(docs(build.stdout).some((o) => o.kind === 'CiliumL2AnnouncementPolicy'));
    writeFileSync(installed, '#!/bin/sh\necho mine\n');
    r = cli(['plugin', 'install', '--home', home]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /not written by netprofile/);
    assert.is(readFileSync(installed, 'utf8'), '#!/bin/sh\necho mine\n');
    r = cli(['plugin', 'install', '--home', home, '--force']);
    assert.is(r.code, 0, r.stderr);
  } finally { dir.cleanup(); }
});

test('the plugin shim runs the CommonJS bundle dist/fast/fn.cjs with its code cache: checked out, installed, and under a "type": "module" package', () => {
  const profile = join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml');
  const app = dirname(profile);
  const fc = asFunctionConfig(profile, 'networkprofile.yaml');
  const list = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc });
  const fn = cli(['fn'], { input: list, cwd: app });
  assert.is(fn.code, 0, fn.stderr);
  const legacy = cli(['fn', profile], { cwd: app });
  assert.is(legacy.code, 0, legacy.stderr);
  const dir = tempDir();
  try {
    // A plugin home outside any package runs the installed shim as CommonJS; one below a
    // package.json with "type": "module" runs it as an ES module (the probe says which).
    const plain = join(dir.path, 'plain');
    const esm = join(dir.path, 'esm', 'plugins');
    mkdirSync(plain);
    mkdirSync(esm, { recursive: true });
    writeFileSync(join(dir.path, 'esm', 'package.json'), '{ "type": "module" }\n');
    for (const [home, kind] of [[plain, 'function'], [esm, 'undefined']]) {
      writeFileSync(join(home, 'probe'), 'console.log(typeof require);\n');
      assert.is(spawnSync(process.execPath, [join(home, 'probe')], { encoding: 'utf8' }).stdout.trim(), kind, home);
      const r = cli(['plugin', 'install', '--home', home]);
      assert.is(r.code, 0, r.stderr);
    }
    const shims = [shim, ...[plain, esm].map((h) => join(h, 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile'))];
    const env = { ...process.env, NETPROFILE_STARTUP_TRACE: '1' };
    for (const s of shims) {
      // kustomize runs the shim in the kustomization directory (api/internal/plugins/execplugin/execplugin.go, cmd.Dir).
      const krmRun = spawnSync(process.execPath, [s], { cwd: app, input: list, env, encoding: 'utf8', timeout: 30_000 });
      assert.is(krmRun.status, 0, `${s}: ${krmRun.stderr}`);
      assert.is(krmRun.stderr, 'netprofile: dist/fast/fn.cjs, code cache accepted\n', `${s} (KRM function)`);
      assert.is(krmRun.stdout, fn.stdout, `${s}: the same bytes as netprofile fn`);
      const exec = spawnSync(process.execPath, [s, profile], { cwd: app, env, encoding: 'utf8', timeout: 30_000 });
      assert.is(exec.status, 0, `${s}: ${exec.stderr}`);
      assert.is(exec.stderr, 'netprofile: dist/fast/fn.cjs, code cache accepted\n', `${s} (legacy exec plugin)`);
      assert.is(exec.stdout, legacy.stdout, `${s}: the same bytes as netprofile fn CONFIG`);
    }
    // Under the real kubectl: kustomize passes its environment on to the plugin
    // (api/internal/plugins/execplugin/execplugin.go, getEnv) and shows the plugin's stderr only
    // in the error of a failed run (kubernetes-sigs/kustomize#5539), so a rejected profile shows
    // which bundle ran, beside the error naming the profile and the field.
    const rejected = join(dir.path, 'rejected');
    mkdirSync(rejected);
    writeFileSync(join(rejected, 'p.yaml'), 'apiVersion: netprofile.io/v1alpha1\nkind: NetworkProfile\nmetadata:\n  name: rejected\nspec: {}\n');
    writeFileSync(join(rejected, 'kustomization.yaml'), 'generators:\n  - p.yaml\n');
    for (const home of [pluginHome, plain, esm]) {
      const build = kustomize(rejected, home, { NETPROFILE_STARTUP_TRACE: '1' });
      assert.is.not(build.code, 0, home);
      assert.is(build.stdout, '');
      assert.match(build.stderr, /netprofile: dist\/fast\/fn\.cjs, code cache accepted\n/, home);
      assert.match(build.stderr, /NetworkProfile rejected \(kustomization [^)]*rejected\): error: spec\.cluster: /, home);
      const ok = kustomize(app, home);
      assert.is(ok.code, 0, ok.stderr);
      assert.ok(docs(ok.stdout).some((o) => o.kind === 'CiliumL2AnnouncementPolicy'), home);
    }
  } finally { dir.cleanup(); }
});

test('a plugin installed from a package installed elsewhere (npm -g, npx: bin/ and dist/, no checkout) runs that package\'s fast bundle', () => {
  const dir = tempDir();
  try {
    // The run-time part of the package as npm unpacks it (package.json files: bin, dist, ...).
    const pkg = join(dir.path, 'lib', 'node_modules', 'netprofile');
    for (const p of ['package.json', 'bin', 'dist/fast', 'dist/vendor', 'dist/generators/schemas']) cpSync(join(root, p), join(pkg, p), { recursive: true });
    const home = join(dir.path, 'config', 'kustomize', 'plugin');
    const install = spawnSync(process.execPath, [join(pkg, 'bin', 'netprofile'), 'plugin', 'install'], { cwd: dir.path, encoding: 'utf8', env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: '', XDG_CONFIG_HOME: join(dir.path, 'config') } });
    assert.is(install.status, 0, install.stderr);
    const installed = join(home, 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');
    assert.ok(readFileSync(installed, 'utf8').includes(JSON.stringify(join(pkg, 'bin', 'start.js'))), 'the shim names the installed package');
    const profile = join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml');
    const r = spawnSync(process.execPath, [installed, profile], { cwd: dirname(profile), encoding: 'utf8', env: { ...process.env, NETPROFILE_STARTUP_TRACE: '1' } });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, 'netprofile: dist/fast/fn.cjs, code cache accepted\n');
    const build = kustomize(dirname(profile), home);
    assert.is(build.code, 0, build.stderr);
    assert.is(build.stdout, kustomize(dirname(profile)).stdout, 'the same build as with the checkout\'s plugin');
  } finally { dir.cleanup(); }
});

test('an installed shim falls back to the ES-module bundle, then to dist/, when the fast bundle is missing', async () => {
  const { shimText } = await import('../kustomize/install.js');
  const dir = tempDir();
  try {
    // Stand-in installations without dist/fast/: bin/start.js of this checkout, and a dist/
    // whose entry re-exports the real one (the ES-module bundle in one, the unbundled fn.js in the other).
    for (const [name, file, real] of [['bundled', 'netprofile-fn.mjs', 'netprofile-fn.mjs'], ['inst', 'fn.js', 'fn.js']]) {
      mkdirSync(join(dir.path, name, 'dist', 'kustomize'), { recursive: true });
      cpSync(join(root, 'bin'), join(dir.path, name, 'bin'), { recursive: true });
      writeFileSync(join(dir.path, name, 'dist', 'kustomize', file), `export * from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'kustomize', real)).href)};\n`);
      writeFileSync(join(dir.path, `${name}-shim`), shimText(join(dir.path, name)), { mode: 0o755 });
      const r = spawnSync(process.execPath, [join(dir.path, `${name}-shim`), join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml')], { cwd: dir.path, encoding: 'utf8', env: { ...process.env, NETPROFILE_STARTUP_TRACE: '1' } });
      assert.is(r.status, 0, r.stderr);
      assert.not.match(r.stderr, /dist\/fast/);
      assert.ok(docs(r.stdout).some((o) => o.kind === 'CiliumL2AnnouncementPolicy'), name);
    }
    // An installation whose dist/ is gone: exit 2 and a message that names it.
    writeFileSync(join(dir.path, 'empty-shim'), shimText(join(dir.path, 'empty')), { mode: 0o755 });
    cpSync(join(root, 'bin'), join(dir.path, 'empty', 'bin'), { recursive: true });
    const e = spawnSync(process.execPath, [join(dir.path, 'empty-shim'), 'x'], { encoding: 'utf8' });
    assert.is(e.status, 2);
    assert.match(e.stderr, /cannot start netprofile from .*empty.*: .*empty.dist is missing; run `npm ci`/);
    // No installation at all: a clear message and exit 2, not a stack trace.
    writeFileSync(join(dir.path, 'Broken'), shimText(join(dir.path, 'nowhere')), { mode: 0o755 });
    const b = spawnSync(process.execPath, [join(dir.path, 'Broken'), 'x'], { encoding: 'utf8' });
    assert.is(b.status, 2);
    assert.match(b.stderr, /cannot start netprofile from .*nowhere.*netprofile plugin install/);
  } finally { dir.cleanup(); }
});

test('netprofile plugin install: the default home follows kustomize (KUSTOMIZE_PLUGIN_HOME, XDG_CONFIG_HOME)', () => {
  const dir = tempDir();
  try {
    let r = cli(['plugin', 'install'], { env: { KUSTOMIZE_PLUGIN_HOME: join(dir.path, 'k'), XDG_CONFIG_HOME: join(dir.path, 'x') } });
    assert.is(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir.path, 'k', 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile')));
    r = cli(['plugin', 'install'], { env: { KUSTOMIZE_PLUGIN_HOME: '', XDG_CONFIG_HOME: join(dir.path, 'x') } });
    assert.is(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir.path, 'x', 'kustomize', 'plugin', 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile')));
    assert.is(cli(['plugin', 'bogus']).code, 2);
  } finally { dir.cleanup(); }
});

test.run();
