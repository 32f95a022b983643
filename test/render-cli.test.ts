// `netprofile render` as a user runs it: stdout, --out trees, stale files, rejected profiles, and
// the real kubectl building every rendered tree of every example and target.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cli, tempDir, examples } from './helpers.js';

const KUBECTL = '/usr/bin/kubectl';
const exampleNames = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'networkprofile.yaml'))).sort();
const profileOf = (n: string) => join(examples, n, 'networkprofile.yaml');

function listFiles(dir: string, base = dir, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listFiles(full, base, out);
    else out.push(relative(base, full));
  }
  return out.sort();
}

const snapshot = (dir: string) => Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

const cmd = suite('render command');

cmd('--help', () => {
  const r = cli(['render', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /--target flux\|argocd\|plain/);
  assert.match(r.stdout, /--out DIR/);
});

cmd('usage errors exit 2', () => {
  assert.is(cli(['render']).code, 2);
  const bad = cli(['render', profileOf('baremetal-cilium-l2'), '--target', 'helm']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--target must be one of flux, argocd, plain/);
  const missing = cli(['render', 'no-such-profile.yaml']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /no-such-profile\.yaml/);
});

cmd('stdout: multi-document YAML of every profile given', () => {
  const r = cli(['render', profileOf('baremetal-cilium-l2'), profileOf('baremetal-metallb-l2'), '--target', 'flux']);
  assert.is(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const kinds = docs.map((d) => d.kind);
  for (const k of ['HelmRepository', 'HelmRelease', 'CiliumLoadBalancerIPPool', 'CiliumL2AnnouncementPolicy', 'Namespace', 'IPAddressPool', 'L2Advertisement']) assert.ok(kinds.includes(k), k);
  assert.ok(kinds.indexOf('HelmRelease') < kinds.indexOf('CiliumLoadBalancerIPPool'), 'charts before their custom resources');
  assert.not.ok(kinds.includes('Kustomization'), 'no Flux Kustomizations without a tree');
});

cmd('--out: one tree per profile under DIR/<gitops.path>; byte-identical on re-render', () => {
  const t = tempDir();
  try {
    const args = ['render', profileOf('baremetal-cilium-bgp'), profileOf('baremetal-kube-router-purelb'), '--out', t.path];
    const r1 = cli(args);
    assert.is(r1.code, 0, r1.stderr);
    const dc1 = join(t.path, 'clusters/dc1/network');
    assert.ok(existsSync(join(dc1, 'kustomization.yaml')));
    assert.ok(existsSync(join(dc1, 'README.md')));
    assert.ok(existsSync(join(dc1, '.netprofile/plan.json')));
    assert.ok(existsSync(join(t.path, 'clusters/cilium-prod/network/configs/purelb.yaml')));
    const before = snapshot(t.path);
    const r2 = cli(args);
    assert.is(r2.code, 0);
    assert.equal(snapshot(t.path), before, 'same input, same bytes');
  } finally { t.cleanup(); }
});

cmd('--out removes files of an earlier render only inside the profile path', () => {
  const t = tempDir();
  try {
    const base = join(t.path, 'clusters/lab-l2/network');
    assert.is(cli(['render', profileOf('baremetal-cilium-l2'), '--target', 'plain', '--out', t.path]).code, 0);
    assert.ok(existsSync(join(base, 'controllers/cilium.values.yaml')));
    mkdirSync(join(base, 'old'), { recursive: true });
    writeFileSync(join(base, 'old/stale.yaml'), 'kind: Stale\n');
    writeFileSync(join(t.path, 'clusters/lab-l2/keep.txt'), 'mine\n');
    const r = cli(['render', profileOf('baremetal-cilium-l2'), '--target', 'flux', '--out', t.path]);
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(existsSync(join(base, 'old')), 'stale file and its empty folder removed');
    assert.not.ok(existsSync(join(base, 'controllers/cilium.values.yaml')), 'plain-only file removed after switching to flux');
    assert.ok(existsSync(join(base, 'flux-kustomizations.yaml')));
    assert.is(readFileSync(join(t.path, 'clusters/lab-l2/keep.txt'), 'utf8'), 'mine\n', 'outside the path: untouched');
  } finally { t.cleanup(); }
});

cmd('a rejected profile: findings on stderr, exit 1, nothing written (also for the good ones)', () => {
  const t = tempDir();
  try {
    const r = cli(['render', profileOf('baremetal-cilium-l2'), join(examples, 'rejected', 'alibaba-l2.yaml'), '--out', t.path]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /alibaba-l2\.yaml: error: spec\.loadBalancer\.mode: .*\[l2-on-cloud\]/);
    assert.match(r.stderr, /nothing was written/);
    assert.equal(listFiles(t.path), [], 'nothing written');
    const s = cli(['render', join(examples, 'rejected', 'alibaba-l2.yaml')]);
    assert.is(s.code, 1);
    assert.is(s.stdout, '', 'nothing printed');
  } finally { t.cleanup(); }
});

cmd.run();

const kube = suite('kubectl kustomize builds every tree');

kube('every example × target, top level and every folder with a kustomization.yaml', () => {
  // A missing kubectl fails here on purpose: this test must not silently skip.
  assert.ok(existsSync(KUBECTL), `${KUBECTL} is required for this test`);
  const t = tempDir();
  try {
    for (const target of ['flux', 'argocd', 'plain']) {
      const r = cli(['render', ...exampleNames.map(profileOf), '--target', target, '--out', join(t.path, target)]);
      assert.is(r.code, 0, r.stderr);
    }
    let built = 0;
    for (const file of listFiles(t.path).filter((f) => f.endsWith('kustomization.yaml'))) {
      const dir = join(t.path, file, '..');
      const k = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
      assert.is(k.status, 0, `kubectl kustomize ${relative(t.path, dir)}: ${k.stderr}`);
      built++;
      if (file.includes('/configs/')) assert.ok(k.stdout.length > 0, `${file}: configs build to objects`);
    }
    assert.ok(built >= exampleNames.length * 3, `built ${built} kustomizations`);
    // What the top of an argocd tree builds: the Applications and the custom resources.
    const top = spawnSync(KUBECTL, ['kustomize', join(t.path, 'argocd/clusters/lab-l2/network')], { encoding: 'utf8' });
    const kinds = parseAllDocuments(top.stdout).map((d) => d.toJS()?.kind);
    assert.equal([...new Set(kinds)].sort(), ['Application', 'CiliumL2AnnouncementPolicy', 'CiliumLoadBalancerIPPool']);
  } finally { t.cleanup(); }
});

kube.run();
