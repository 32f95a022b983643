// The Argo CD Config Management Plugin, run as the sidecar runs it: the command from
// kustomize/argocd/plugin.yaml, in the application's path, with ARGOCD_APP_* and ARGOCD_ENV_* set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { cli, examples, root, tempDir } from './helpers.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };

const pluginYaml = parse(readFileSync(join(root, 'kustomize', 'argocd', 'plugin.yaml'), 'utf8'));
const appExample = join(examples, 'argocd', 'network');

/** What argocd-cmp-server gives every command (build environment + the Application's plugin env). */
function sidecarEnv(appEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ARGOCD_APP_NAME: 'lab-network', ARGOCD_APP_NAMESPACE: 'kube-system', ARGOCD_APP_REVISION: '0123456789abcdef',
    ARGOCD_APP_SOURCE_PATH: 'examples/argocd/network', ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.internal/fleet.git',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main', KUBE_VERSION: '1.32.4', KUBE_API_VERSIONS: 'v1,apps/v1',
  };
  for (const [k, v] of Object.entries(appEnv)) env[`ARGOCD_ENV_${k}`] = v;
  return env;
}

/** Runs a plugin.yaml command (generate or discover) as the sidecar does, netprofile being bin/netprofile. */
function runPluginCommand(which: 'generate' | 'discover', cwd: string, appEnv: Record<string, string> = {}) {
  const spec = which === 'generate' ? pluginYaml.spec.generate : pluginYaml.spec.discover.find;
  const argv: string[] = [...spec.command, ...(spec.args ?? [])];
  assert.is(argv[0], 'netprofile', 'the sidecar runs the netprofile executable');
  return cli(argv.slice(1), { cwd, env: sidecarEnv(appEnv) });
}

function docs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

function appWith(files: Record<string, string>): { path: string; cleanup(): void } {
  const dir = tempDir('netprofile-argocd-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, '..'), { recursive: true });
    writeFileSync(join(dir.path, name), text);
  }
  return dir;
}

const read = (...p: string[]) => readFileSync(join(examples, ...p), 'utf8');

test('plugin.yaml is a ConfigManagementPlugin with generate and discover commands', () => {
  assert.is(pluginYaml.apiVersion, 'argoproj.io/v1alpha1');
  assert.is(pluginYaml.kind, 'ConfigManagementPlugin');
  assert.is(pluginYaml.metadata.name, 'netprofile');
  assert.ok(pluginYaml.spec.generate.command.length > 0, 'generate.command is required by argocd-cmp-server');
  assert.ok(pluginYaml.spec.discover.find.command.length > 0);
});

test('generate: the example app renders Argo CD Applications and Cilium BGP objects', () => {
  const r = runPluginCommand('generate', appExample, { NETPROFILE_TARGET: 'argocd' });
  assert.is(r.code, 0, r.stderr);
  const objs = docs(r.stdout);
  const cilium = objs.find((o) => o.kind === 'Application' && o.apiVersion === 'argoproj.io/v1alpha1' && JSON.stringify(o.spec).includes('"cilium"'));
  assert.ok(cilium, `a Cilium Application in:\n${objs.map((o) => `${o.kind}/${o.metadata.name}`).join('\n')}`);
  assert.ok(objs.some((o) => o.kind === 'CiliumBGPClusterConfig'));
  assert.ok(objs.some((o) => o.kind === 'CiliumBGPPeerConfig'));
  assert.not.ok(objs.some((o) => o.kind === 'HelmRelease'), 'no Flux objects for the argocd target');
  // Same input, same bytes.
  assert.is(runPluginCommand('generate', appExample, { NETPROFILE_TARGET: 'argocd' }).stdout, r.stdout);
});

test('generate: the target comes from ARGOCD_ENV_NETPROFILE_TARGET, else the annotation, else an explicit engine, else argocd', () => {
  const profile = read('argocd', 'network', 'networkprofile.yaml');
  const noEngine = profile.replace(/\n  gitops:\n    engine: argocd\n/, '\n');
  assert.is.not(noEngine, profile);
  const kinds = (dir: string, env: Record<string, string> = {}) => {
    const r = runPluginCommand('generate', dir, env);
    assert.is(r.code, 0, r.stderr);
    return new Set(docs(r.stdout).map((o) => o.kind));
  };
  let app = appWith({ 'networkprofile.yaml': noEngine });
  try {
    assert.ok(kinds(app.path).has('Application'), 'no engine, no env: argocd');
    const flux = kinds(app.path, { NETPROFILE_TARGET: 'flux' });
    assert.ok(flux.has('HelmRelease') && !flux.has('Application'), 'env wins');
  } finally { app.cleanup(); }
  app = appWith({ 'networkprofile.yaml': noEngine.replace('name: lab-bgp\n', 'name: lab-bgp\n  annotations: {netprofile.io/target: flux}\n') });
  try {
    assert.ok(kinds(app.path).has('HelmRelease'), 'the annotation');
    assert.ok(kinds(app.path, { NETPROFILE_TARGET: 'argocd' }).has('Application'), 'env over annotation');
  } finally { app.cleanup(); }
  app = appWith({ 'networkprofile.yaml': profile.replace('engine: argocd', 'engine: flux') });
  try {
    assert.ok(kinds(app.path).has('HelmRelease'), 'an explicit spec.gitops.engine');
  } finally { app.cleanup(); }
});

test('generate: factsFrom next to the profile, in a subfolder of the app path', () => {
  const app = appWith({
    'clusters/hangzhou/networkprofile.yaml': read('kustomize', 'cloud-facts', 'networkprofile.yaml'),
    'clusters/hangzhou/nodes.yaml': read('kustomize', 'cloud-facts', 'nodes.yaml'),
    'README.md': '# not yaml\n',
    'other.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}\n',
  });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 0, r.stderr);
    const objs = docs(r.stdout);
    assert.ok(objs.some((o) => /cloud-controller-manager/.test(o.metadata.name)), 'the Alibaba CCM');
    assert.not.ok(objs.some((o) => o.metadata.name === 'unrelated'), 'other manifests are not netprofile\'s to pass through');
  } finally { app.cleanup(); }
});

test('generate: an error finding fails with nothing on stdout, naming the rule and the file', () => {
  const app = appWith({ 'alibaba-l2.yaml': read('rejected', 'alibaba-l2.yaml'), 'alibaba-nodes.yaml': read('rejected', 'alibaba-nodes.yaml') });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /alibaba-l2\.yaml: error: spec\.loadBalancer\.mode: .*\[l2-on-cloud\]/);
    assert.match(r.stderr, /Argo CD app lab-network/);
  } finally { app.cleanup(); }
});

test('generate: one bad profile among good ones fails the whole app (no partial render)', () => {
  const app = appWith({
    'a/good.yaml': read('argocd', 'network', 'networkprofile.yaml'),
    'b/bad.yaml': read('rejected', 'alibaba-l2.yaml'),
    'b/alibaba-nodes.yaml': read('rejected', 'alibaba-nodes.yaml'),
  });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /b\/bad\.yaml/);
  } finally { app.cleanup(); }
});

test('generate: no profile in the app path is an error, never an empty success', () => {
  const app = appWith({ 'deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 2);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /no NetworkProfile found/);
  } finally { app.cleanup(); }
});

test('generate: a profile that renders no objects is an error, never an empty success', () => {
  const profile = `apiVersion: netprofile.io/v1alpha1
kind: NetworkProfile
metadata: {name: empty}
spec:
  cluster: {name: empty, podCIDRs: [10.42.0.0/16], serviceCIDRs: [10.43.0.0/16], kubeProxy: iptables}
  environment: {type: bare-metal}
  cni: {provider: none}
  loadBalancer: {implementation: none}
`;
  const app = appWith({ 'networkprofile.yaml': profile });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /rendered no objects/);
  } finally { app.cleanup(); }
});

test('generate: two profiles rendering the same object fail', () => {
  const p = read('argocd', 'network', 'networkprofile.yaml');
  const app = appWith({ 'one.yaml': p, 'two.yaml': p.replace('name: lab-bgp\n', 'name: lab-bgp-2\n') });
  try {
    const r = runPluginCommand('generate', app.path);
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /two\.yaml and one\.yaml both render/);
  } finally { app.cleanup(); }
});

test('generate: ARGOCD_ENV_NETPROFILE_* typos and bad values are errors, never ignored', () => {
  let r = runPluginCommand('generate', appExample, { NETPROFILE_TARGT: 'flux' });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /ARGOCD_ENV_NETPROFILE_TARGT: is not a netprofile setting; known: NETPROFILE_TARGET, NETPROFILE_PROFILES/);
  r = runPluginCommand('generate', appExample, { NETPROFILE_TARGET: 'helm' });
  assert.is(r.code, 2);
  assert.match(r.stderr, /ARGOCD_ENV_NETPROFILE_TARGET: is "helm"/);
});

test('generate: ARGOCD_ENV_NETPROFILE_PROFILES picks files, and may not leave the app path', () => {
  const p = read('argocd', 'network', 'networkprofile.yaml');
  const app = appWith({ 'one.yaml': p, 'two.yaml': p.replace('name: lab-bgp\n', 'name: lab-bgp-2\n'), 'sub/x.txt': 'x' });
  try {
    let r = runPluginCommand('generate', app.path, { NETPROFILE_PROFILES: 'one.yaml' });
    assert.is(r.code, 0, r.stderr);
    assert.ok(docs(r.stdout).length > 0);
    r = runPluginCommand('generate', join(app.path, 'sub'), { NETPROFILE_PROFILES: '../one.yaml' });
    assert.is(r.code, 2);
    assert.match(r.stderr, /leaves the application's path/);
    symlinkSync(join(app.path, 'one.yaml'), join(app.path, 'sub', 'link.yaml'));
    r = runPluginCommand('generate', join(app.path, 'sub'), { NETPROFILE_PROFILES: 'link.yaml' });
    assert.is(r.code, 2);
    assert.match(r.stderr, /symlink outside/);
    // And the walk does not follow a symlink out of the app path either.
    r = runPluginCommand('generate', join(app.path, 'sub'));
    assert.is(r.code, 2);
    assert.match(r.stderr, /no NetworkProfile found/);
  } finally { app.cleanup(); }
});

test('discover: claims a path holding a NetworkProfile, and only such a path', () => {
  let r = runPluginCommand('discover', appExample);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'networkprofile.yaml\n');
  const app = appWith({ 'kustomization.yaml': 'resources: [cm.yaml]\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  try {
    r = runPluginCommand('discover', app.path);
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
  } finally { app.cleanup(); }
});

test('the example Application names the plugin and points at a path the plugin claims', () => {
  const appObj = parse(read('argocd', 'application.yaml'));
  assert.is(appObj.kind, 'Application');
  assert.is(appObj.spec.source.plugin.name, pluginYaml.metadata.name);
  assert.is(appObj.spec.source.path, relative(root, appExample));
  assert.is(appObj.spec.syncPolicy.automated.prune, true);
  const env = Object.fromEntries(appObj.spec.source.plugin.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  const r = runPluginCommand('generate', join(root, appObj.spec.source.path), env);
  assert.is(r.code, 0, r.stderr);
});

test('the repo-server Component adds the sidecar (uid 999, argocd-cmp-server) and plugin.yaml as a ConfigMap', () => {
  const dir = tempDir();
  try {
    cpSync(join(root, 'kustomize', 'argocd'), join(dir.path, 'argocd'), { recursive: true });
    writeFileSync(join(dir.path, 'repo-server.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server}
spec:
  template:
    spec:
      containers: [{name: argocd-repo-server, image: quay.io/argoproj/argocd:v3.5.1}]
      volumes: [{name: var-files, emptyDir: {}}, {name: plugins, emptyDir: {}}]
`);
    writeFileSync(join(dir.path, 'kustomization.yaml'), 'namespace: argocd\nresources: [repo-server.yaml]\ncomponents: [argocd]\n');
    const r = spawnSync('kubectl', ['kustomize', dir.path], { encoding: 'utf8' });
    assert.ok(!r.error, `kubectl is needed: ${r.error?.message}`);
    assert.is(r.status, 0, r.stderr);
    const objs = docs(r.stdout) as any[];
    const cm = objs.find((o) => o.kind === 'ConfigMap');
    assert.is(cm.metadata.name, 'netprofile-cmp-config');
    assert.equal(parse(cm.data['plugin.yaml']), pluginYaml);
    const deploy = objs.find((o) => o.kind === 'Deployment');
    const sidecar = deploy.spec.template.spec.containers.find((c: { name: string }) => c.name === 'netprofile');
    assert.equal(sidecar.command, ['/var/run/argocd/argocd-cmp-server']);
    assert.is(sidecar.securityContext.runAsUser, 999);
    const mounts = Object.fromEntries(sidecar.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]));
    assert.is(mounts['/home/argocd/cmp-server/config/plugin.yaml'], 'netprofile-cmp-config');
    assert.is(mounts['/var/run/argocd'], 'var-files');
    assert.is(mounts['/home/argocd/cmp-server/plugins'], 'plugins');
    assert.is.not(mounts['/tmp'], undefined);
    assert.ok(deploy.spec.template.spec.containers.some((c: { name: string }) => c.name === 'argocd-repo-server'), 'the repo-server itself is kept');
  } finally { dir.cleanup(); }
});

test.run();
