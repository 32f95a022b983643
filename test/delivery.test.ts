// What the GitOps engines get from netprofile must survive them (issue 12 points 2-6, issue 11
// point 11): the CNI and the CCM are never pruned or uninstalled by a tree change, failures are
// retried the way each engine documents, Argo CD does not fight Hubble's certificates, the
// wiring text names the one Kustomization that is needed, the plain target installs in an order
// that works, and a KRM-function wiring kubectl cannot run is impossible to miss.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { cli, tempDir, examples, root } from './helpers.js';
import { bareMetal, cloud, plan, type Raw } from './profiles.js';
import { renderTree, renderObjects } from '../generators/render.js';

const objectsOf = (raw: Raw, target: 'flux' | 'argocd' | 'plain') => renderObjects(plan(raw), target) as Raw[];
const find = (objs: Raw[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o!;
};
const PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
const metallb = () => { const p = bareMetal(); p.spec.loadBalancer.implementation = 'metallb'; p.spec.loadBalancer.mode = 'l2'; p.spec.loadBalancer.pools[0].addresses = ['10.31.80.200-10.31.80.250']; return p; };

const flux = suite('flux: prune protection and failure handling');

flux('the Cilium and CCM HelmReleases are never pruned; MetalLB may be', () => {
  const cni = find(objectsOf(metallb(), 'flux'), 'HelmRelease', 'cilium');
  assert.is(cni.metadata.annotations?.[PRUNE], 'disabled');
  const lb = find(objectsOf(metallb(), 'flux'), 'HelmRelease', 'metallb');
  assert.is(lb.metadata.annotations?.[PRUNE], undefined);
  const aws = objectsOf(cloud('aws'), 'flux');
  assert.is(find(aws, 'HelmRelease', 'aws-cloud-controller-manager').metadata.annotations?.[PRUNE], 'disabled');
});

flux('manifest CCMs (no chart) carry the prune protection on every object', () => {
  const raw = cloud('alibaba');
  const tree = renderTree(plan(raw), 'flux');
  const ccm = parseAllDocuments(tree.files['controllers/ccm.yaml']).map((d) => d.toJS());
  assert.ok(ccm.length > 2);
  for (const o of ccm) assert.is(o.metadata.annotations?.[PRUNE], 'disabled', `${o.kind}/${o.metadata.name}`);
});

flux("the tree's Kustomizations orphan their objects when deleted (a renamed cluster renames them)", () => {
  const tree = renderTree(plan(metallb()), 'flux');
  const ks = parseAllDocuments(tree.files['flux-kustomizations.yaml']).map((d) => d.toJS());
  assert.is(ks.length, 2);
  for (const k of ks) { assert.is(k.spec.deletionPolicy, 'Orphan'); assert.is(k.spec.prune, true); }
  // The controllers Kustomization waits longer than a HelmRelease's own 15m timeout.
  assert.is(ks.find((k) => k.metadata.name.endsWith('-controllers')).spec.timeout, '20m');
});

flux('CNI and CCM retry without remediation; the others remediate, wait for the CNI, and have a longer timeout', () => {
  const objs = objectsOf(metallb(), 'flux');
  const cni = find(objs, 'HelmRelease', 'cilium');
  for (const action of ['install', 'upgrade']) {
    assert.equal(cni.spec[action].strategy, { name: 'RetryOnFailure', retryInterval: '5m' });
    assert.is(cni.spec[action].remediation, undefined, 'no uninstall/rollback of the CNI');
  }
  assert.is(cni.spec.dependsOn, undefined);
  assert.is(cni.spec.timeout, '15m');
  const lb = find(objs, 'HelmRelease', 'metallb');
  assert.equal(lb.spec.install.strategy, { name: 'RemediateOnFailure' });
  assert.equal(lb.spec.install.remediation, { retries: 3 });
  assert.equal(lb.spec.upgrade.remediation, { retries: 3, strategy: 'rollback', remediateLastFailure: true });
  assert.equal(lb.spec.dependsOn, [{ name: 'cilium', namespace: 'flux-system' }]);
  assert.is(lb.spec.install.createNamespace, true);
  // The CCM precedes the CNI (host network): it must not wait for it.
  assert.is(find(objectsOf(cloud('aws'), 'flux'), 'HelmRelease', 'aws-cloud-controller-manager').spec.dependsOn, undefined);
  // Without a netprofile CNI nothing waits for one.
  const noCni = metallb(); noCni.spec.cni = { provider: 'none' }; noCni.spec.cluster.kubeProxy = 'iptables';
  assert.is(find(objectsOf(noCni, 'flux'), 'HelmRelease', 'metallb').spec.dependsOn, undefined);
});

flux('README: first install, commit, flux bootstrap above the tree, in that order; no second Kustomization; one only outside', () => {
  const readme = renderTree(plan(metallb()), 'flux').files['README.md'];
  const at = (re: RegExp) => { const m = re.exec(readme); assert.ok(m, String(re)); return m!.index; };
  const first = at(/Step 1, new cluster only: .* before `flux bootstrap`/);
  const helm = at(/`helm upgrade --install cilium /);
  const commit = at(/Step 2: commit this tree at clusters\/test\/network/);
  const boot = at(/Step 3: `flux bootstrap git --url=<repository URL> --branch=<branch> --path=clusters\/test`/);
  assert.ok(first < helm && helm < commit && commit < boot, readme);
  assert.match(readme, /nothing to add when that path is a folder above this tree/);
  assert.match(readme, /Do not add a Kustomization for the same path/);
  assert.match(readme, /Only when the tree lies outside the bootstrap path: add one Flux Kustomization for \.\/clusters\/test\/network/);
  assert.not.match(readme, /Point a Flux Kustomization at/);
  assert.match(readme, /prune: disabled/);
  // The repository of the profile, never its credentials.
  const p = metallb();
  p.spec.gitops = { repo: { url: 'https://user:s3cret@git.example.test/fleet.git', branch: 'prod' } };
  const withRepo = renderTree(plan(p), 'flux').files['README.md'];
  assert.match(withRepo, /flux bootstrap git --url=https:\/\/git\.example\.test\/fleet\.git --branch=prod --path=clusters\/test`/);
  assert.not.match(withRepo, /s3cret/);
});

const argo = suite('argocd: retry, keep the CNI, Hubble certificates');

argo('every chart Application retries failed syncs with backoff', () => {
  for (const o of objectsOf(metallb(), 'argocd').filter((x) => x.kind === 'Application')) {
    assert.equal(o.spec.syncPolicy.retry, { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } }, o.metadata.name);
    assert.is(o.metadata.finalizers, undefined, 'no cascading delete');
  }
});

argo('the Cilium and CCM Applications are kept by the parent (Prune=false, Delete=false); MetalLB is not', () => {
  const objs = objectsOf(metallb(), 'argocd');
  assert.is(find(objs, 'Application', 'test-cilium').metadata.annotations['argocd.argoproj.io/sync-options'], 'Prune=false,Delete=false');
  assert.is(find(objs, 'Application', 'test-metallb').metadata.annotations['argocd.argoproj.io/sync-options'], undefined);
  assert.is(find(objectsOf(cloud('aws'), 'argocd'), 'Application', 'test-ccm-aws').metadata.annotations['argocd.argoproj.io/sync-options'], 'Prune=false,Delete=false');
});

argo('Hubble with helm-generated certificates: ignoreDifferences from Cilium\'s Argo CD page, respected during sync', () => {
  const app = find(objectsOf(metallb(), 'argocd'), 'Application', 'test-cilium');
  assert.equal(app.spec.ignoreDifferences, [
    { group: '', kind: 'ConfigMap', name: 'hubble-ca-cert', jsonPointers: ['/data/ca.crt'] },
    { group: '', kind: 'Secret', name: 'hubble-relay-client-certs', jsonPointers: ['/data/ca.crt', '/data/tls.crt', '/data/tls.key'] },
    { group: '', kind: 'Secret', name: 'hubble-server-certs', jsonPointers: ['/data/ca.crt', '/data/tls.crt', '/data/tls.key'] },
  ]);
  assert.ok(app.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
  assert.match(renderTree(plan(metallb()), 'argocd').files['README.md'], /Hubble certificates of the first sync/);
  // cronJob certificates (or Hubble off) are not in the chart's output: nothing to ignore.
  for (const hubble of [{ tls: { auto: { method: 'cronJob' } } }, { enabled: false }]) {
    const p = metallb();
    p.spec.cni = { provider: 'cilium', cilium: { values: { hubble } } };
    const a = find(objectsOf(p, 'argocd'), 'Application', 'test-cilium');
    assert.is(a.spec.ignoreDifferences, undefined, JSON.stringify(hubble));
    assert.not.ok(a.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
  }
  assert.is(find(objectsOf(metallb(), 'argocd'), 'Application', 'test-metallb').spec.ignoreDifferences, undefined);
});

argo('the wiring example Application retries too', () => {
  const [app] = parseAllDocuments(readFileSync(join(examples, 'wiring', 'argocd', 'application.yaml'), 'utf8')).map((d) => d.toJS());
  assert.ok(app.spec.syncPolicy.retry?.limit > 0);
  assert.ok(app.spec.syncPolicy.retry?.backoff?.duration);
});

const plain = suite('plain: install order');

plain('namespaces (with pod-security labels) first, then helm --wait, then kubectl apply -k', () => {
  const tree = renderTree(plan(metallb()), 'plain');
  const ns = parseAllDocuments(tree.files['namespaces/namespaces.yaml']).map((d) => d.toJS());
  assert.equal(ns.map((o) => o.metadata.name), ['metallb-system']);
  assert.is(ns[0].metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
  assert.not.match(tree.files['controllers/kustomization.yaml'] ?? '', /metallb\.yaml/);
  const readme = tree.files['README.md'];
  const at = (re: RegExp) => { const m = re.exec(readme); assert.ok(m, String(re)); return m!.index; };
  const nsStep = at(/kubectl apply -k clusters\/test\/network\/namespaces/);
  const cilium = at(/helm upgrade --install cilium [^`]* --wait`/);
  const lb = at(/helm upgrade --install metallb [^`]* --wait`/);
  const apply = at(/kubectl apply -k clusters\/test\/network`/);
  assert.ok(nsStep < cilium && cilium < lb && lb < apply, readme);
  assert.match(tree.files['kustomization.yaml'], /- namespaces\n/);
});

plain('the plain tree still builds with kubectl kustomize, namespaces first', () => {
  const dir = tempDir();
  try {
    assert.is(cli(['render', join(examples, 'baremetal-metallb-l2', 'networkprofile.yaml'), '--target', 'plain', '--out', dir.path]).code, 0);
    const r = spawnSync('kubectl', ['kustomize', join(dir.path, 'clusters', 'office', 'network')], { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    assert.is(docs[0].kind, 'Namespace');
  } finally { dir.cleanup(); }
});

const cmd = suite('through the commands: render, then validate against the upstream CRDs');

cmd('flux and argocd trees of an example carry the protections and pass netprofile validate', () => {
  const dir = tempDir();
  try {
    const profile = join(examples, 'baremetal-cilium-bgp', 'networkprofile.yaml');
    for (const target of ['flux', 'argocd']) {
      const out = join(dir.path, target);
      const r = cli(['render', profile, '--target', target, '--out', out]);
      assert.is(r.code, 0, r.stderr);
      const tree = join(out, 'clusters', 'dc1', 'network');
      const objs = parseAllDocuments(readFileSync(join(tree, 'controllers', 'cilium.yaml'), 'utf8')).map((d) => d.toJS());
      if (target === 'flux') {
        const hr = find(objs, 'HelmRelease', 'cilium');
        assert.is(hr.metadata.annotations[PRUNE], 'disabled');
        assert.is(hr.spec.upgrade.strategy.name, 'RetryOnFailure');
        assert.match(readFileSync(join(tree, 'flux-kustomizations.yaml'), 'utf8'), /deletionPolicy: Orphan/);
      } else {
        const app = find(objs, 'Application', 'dc1-cilium');
        assert.is(app.metadata.annotations['argocd.argoproj.io/sync-options'], 'Prune=false,Delete=false');
        assert.ok(app.spec.syncPolicy.retry.limit > 0);
        assert.ok(app.spec.ignoreDifferences.length === 3);
      }
      // The new fields exist in the bundled upstream CRDs (helm-controller v1.6.3, kustomize-controller
      // v1.9.4, Argo CD v3.5.1): validate rejects unknown fields and bad enum values.
      const v = cli(['validate', tree]);
      assert.is(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout + v.stderr, / 0 errors/);
    }
  } finally { dir.cleanup(); }
});

const krm = suite('KRM-function wiring under kubectl');

function kubectlKustomize(dir: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('kubectl', ['kustomize', '--enable-alpha-plugins', dir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
}

krm('kubectl skips exec KRM functions: the build is empty and exits 0, which the example and README say in so many words', () => {
  const r = kubectlKustomize(join(examples, 'kustomize', 'krm-function'));
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '', 'this is the hazard: kubectl renders nothing and succeeds');
  const k = readFileSync(join(examples, 'kustomize', 'krm-function', 'kustomization.yaml'), 'utf8');
  assert.match(k, /kubectl kustomize --enable-alpha-plugins/);
  assert.match(k, /builds NOTHING and exits 0/);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, /builds \*\*nothing\*\* and exits 0/);
  assert.match(readFileSync(join(examples, 'kustomize', 'krm-function', 'README.md'), 'utf8'), /builds this folder to NOTHING and exits 0/);
});

krm('the legacy exec plugin under the real kubectl fails loudly on an empty render', () => {
  const dir = tempDir();
  try {
    const p = bareMetal();
    p.spec.cni = { provider: 'none' };
    p.spec.cluster.kubeProxy = 'iptables';
    p.spec.loadBalancer = { implementation: 'none' };
    mkdirSync(join(dir.path, 'app'));
    writeFileSync(join(dir.path, 'app', 'networkprofile.yaml'), stringify(p));
    writeFileSync(join(dir.path, 'app', 'kustomization.yaml'), 'generators:\n  - networkprofile.yaml\n');
    const r = kubectlKustomize(join(dir.path, 'app'), { KUSTOMIZE_PLUGIN_HOME: join(root, 'kustomize', 'plugin') });
    assert.is.not(r.status, 0);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /rendered no objects; refusing an empty success/);
  } finally { dir.cleanup(); }
});

krm('the Argo CD plugin claims the KRM example path and renders it (the safe way to run it under Argo CD)', () => {
  const dir = tempDir();
  try {
    cpSync(join(examples, 'kustomize', 'krm-function'), dir.path, { recursive: true });
    const r = spawnSync(process.execPath, [join(root, 'bin', 'netprofile'), 'plugin', 'argocd-generate'], { cwd: dir.path, encoding: 'utf8', timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /kind: Application/);
  } finally { dir.cleanup(); }
});

flux.run();
argo.run();
plain.run();
cmd.run();
krm.run();
