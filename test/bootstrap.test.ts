// `netprofile bootstrap` as a user runs it: the first install must be the very release the GitOps
// object describes (same release name, namespace, chart, repository, version, values), or Flux
// and Argo CD would not adopt it but fight it. Both sides are parsed: the script (its helm
// arguments and heredoc values, also by running it under /bin/sh with a recording `helm` on PATH)
// and the HelmRelease / Application of `render`.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { cli, tempDir, examples } from './helpers.js';
import { bareMetal, cloud, type Raw } from './profiles.js';

const profileOf = (n: string) => join(examples, n, 'networkprofile.yaml');
const withCni = readdirSync(examples).filter((n) => existsSync(profileOf(n)) && /provider:\s*cilium|^\s*cni:/m.test(readFileSync(profileOf(n), 'utf8')) && !/provider:\s*none/.test(readFileSync(profileOf(n), 'utf8'))).sort();

interface HelmCall { release: string; chart: string; repo: string; version: string; namespace: string; wait: boolean; values: unknown }

/** The `helm upgrade --install` lines of an inline script, with the heredoc that feeds each one. */
function helmCalls(script: string): HelmCall[] {
  const lines = script.split('\n');
  const calls: HelmCall[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^helm upgrade --install (\S+) (\S+) (.*) <<'([A-Z_0-9]+)'$/.exec(lines[i]);
    if (!m) { assert.not.match(lines[i], /^helm /, `unparsed helm line: ${lines[i]}`); continue; }
    const end = lines.indexOf(m[4], i + 1);
    assert.ok(end > i, `heredoc ${m[4]} is closed`);
    const flags = m[3].split(' ');
    const flag = (f: string) => flags[flags.indexOf(f) + 1];
    assert.is(flag('--values'), '-');
    calls.push({ release: m[1], chart: m[2], repo: flag('--repo'), version: flag('--version'), namespace: flag('--namespace'), wait: flags.includes('--wait'), values: parse(lines.slice(i + 1, end).join('\n')) ?? {} });
    i = end;
  }
  return calls;
}

function renderedObjects(profile: string, target: string, extra: string[] = []): Raw[] {
  const r = cli(['render', profile, '--target', target, ...extra]);
  assert.is(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS());
}

/** What the GitOps object says about each chart install, keyed by release name. */
function gitopsReleases(objects: Raw[], target: string): Map<string, Omit<HelmCall, 'wait'>> {
  const out = new Map<string, Omit<HelmCall, 'wait'>>();
  if (target === 'flux') {
    const repos = new Map(objects.filter((o) => o.kind === 'HelmRepository').map((o) => [o.metadata.name, o.spec.url]));
    for (const o of objects.filter((x) => x.kind === 'HelmRelease')) {
      const c = o.spec.chart.spec;
      // helm CLI keeps the release in --namespace; Flux must look for it there.
      assert.is(o.spec.storageNamespace, o.spec.targetNamespace);
      out.set(o.spec.releaseName, { release: o.spec.releaseName, chart: c.chart, repo: repos.get(c.sourceRef.name), version: c.version, namespace: o.spec.targetNamespace, values: o.spec.values ?? {} });
    }
  } else {
    for (const o of objects.filter((x) => x.kind === 'Application')) {
      const s = o.spec.source;
      out.set(s.helm.releaseName, { release: s.helm.releaseName, chart: s.chart, repo: s.repoURL, version: s.targetRevision, namespace: o.spec.destination.namespace, values: s.helm.valuesObject ?? {} });
    }
  }
  return out;
}

const t = suite('bootstrap');

t('--help names the flags; usage errors exit 2', () => {
  const h = cli(['bootstrap', '--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /--write DIR/);
  assert.match(h.stdout, /before `flux bootstrap`/);
  assert.is(cli(['bootstrap']).code, 2);
  assert.is(cli(['bootstrap', profileOf('baremetal-cilium-l2'), '--target', 'helm']).code, 2);
  assert.match(cli(['--help']).stdout, /bootstrap\s+the one-time first install/);
});

t('there are examples with a CNI to check', () => {
  assert.ok(withCni.length >= 4, withCni.join(', '));
});

for (const target of ['flux', 'argocd'] as const) {
  t(`${target}: for every example, the first install is the release of the GitOps object (release, namespace, chart, repo, version, values)`, () => {
    for (const name of withCni) {
      const b = cli(['bootstrap', profileOf(name), '--target', target]);
      assert.is(b.code, 0, `${name}: ${b.stderr}`);
      const calls = helmCalls(b.stdout);
      assert.ok(calls.length >= 1, `${name}: no helm call in\n${b.stdout}`);
      assert.is(calls[0].release, 'cilium', `${name}: the CNI comes first`);
      const gitops = gitopsReleases(renderedObjects(profileOf(name), target), target);
      for (const call of calls) {
        const { wait, ...install } = call;
        assert.ok(wait, `${name}: ${call.release} is installed with --wait`);
        assert.equal(install, gitops.get(call.release), `${name} ${target}: ${call.release}`);
      }
    }
  });
}

t('a CCM chart is installed after the CNI, matching its HelmRelease; kube-proxy replacement names the API server', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'aws.yaml');
    writeFileSync(file, stringify(cloud('aws')));
    const b = cli(['bootstrap', file, '--target', 'flux']);
    assert.is(b.code, 0, b.stderr);
    const calls = helmCalls(b.stdout);
    assert.equal(calls.map((c) => c.release), ['cilium', 'aws-cloud-controller-manager']);
    const gitops = gitopsReleases(renderedObjects(file, 'flux'), 'flux');
    for (const { wait, ...install } of calls) assert.equal(install, gitops.get(install.release));
    assert.match(b.stdout, /kube-proxy is replaced: Cilium reaches the API server at 10\.31\.80\.0:8443/);
    assert.equal((calls[0].values as Raw).k8sServiceHost, '10.31.80.0');
    assert.match(b.stdout, /reads its credentials from Secret kube-system\/ccm-credentials: create it first/);
  } finally { dir.cleanup(); }
});

/** A `helm` that records its arguments and the values it was given (stdin or --values FILE). */
function recordingHelm(dir: string): { path: string; log: string } {
  const binDir = join(dir, 'fakebin');
  mkdirSync(binDir);
  const log = join(dir, 'helm.log');
  writeFileSync(join(binDir, 'helm'), `#!/bin/sh
printf 'ARGS' >> "${log}"; for a in "$@"; do printf ' [%s]' "$a" >> "${log}"; done; printf '\\n' >> "${log}"
prev=
for a in "$@"; do if [ "$prev" = --values ]; then if [ "$a" = - ]; then cat >> "${log}"; else cat "$a" >> "${log}"; fi; fi; prev=$a; done
printf 'END\\n' >> "${log}"
`);
  chmodSync(join(binDir, 'helm'), 0o755);
  return { path: `${binDir}:/usr/bin:/bin`, log };
}

function parseLog(text: string): { args: string[]; values: unknown }[] {
  return text.split('END\n').filter(Boolean).map((chunk) => {
    const [first, ...rest] = chunk.split('\n');
    return { args: [...first.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]), values: parse(rest.join('\n')) ?? {} };
  });
}

t('the printed script runs under /bin/sh and hands helm exactly the values of the HelmRelease', () => {
  const dir = tempDir();
  try {
    const profile = profileOf('baremetal-cilium-bgp');
    const b = cli(['bootstrap', profile, '--target', 'flux']);
    const helm = recordingHelm(dir.path);
    const run = spawnSync('/bin/sh', ['-s'], { input: b.stdout, env: { PATH: helm.path }, encoding: 'utf8', timeout: 20_000 });
    assert.is(run.status, 0, run.stderr);
    const [call] = parseLog(readFileSync(helm.log, 'utf8'));
    assert.equal(call.args.slice(0, 4), ['upgrade', '--install', 'cilium', 'cilium']);
    const hr = renderedObjects(profile, 'flux').find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'cilium')!;
    assert.equal(call.values, hr.spec.values);
  } finally { dir.cleanup(); }
});

t('hostile values reach helm verbatim: nothing in them is expanded or run by the shell', () => {
  const dir = tempDir();
  try {
    const marker = join(dir.path, 'pwned');
    const evil = `$(touch ${marker}) \`touch ${marker}\` '"; touch ${marker}; echo '\nNETPROFILE_VALUES\ntouch ${marker}`;
    const p = bareMetal();
    p.spec.loadBalancer = { implementation: 'none' };
    p.spec.cni = { provider: 'cilium', cilium: { values: { extraConfig: { note: evil } } } };
    const file = join(dir.path, 'evil.yaml');
    writeFileSync(file, stringify(p));
    const b = cli(['bootstrap', file, '--target', 'flux']);
    assert.is(b.code, 0, b.stderr);
    const helm = recordingHelm(dir.path);
    const run = spawnSync('/bin/sh', ['-s'], { input: b.stdout, env: { PATH: helm.path }, encoding: 'utf8', timeout: 20_000 });
    assert.is(run.status, 0, run.stderr);
    assert.not.ok(existsSync(marker), 'the shell ran part of a value');
    const [call] = parseLog(readFileSync(helm.log, 'utf8'));
    assert.is((call.values as Raw).extraConfig.note, evil);
  } finally { dir.cleanup(); }
});

t('--write DIR: bootstrap.sh (executable) and the values files; the script reads them beside itself, from any directory', () => {
  const dir = tempDir();
  try {
    const out = join(dir.path, 'first install');
    const profile = profileOf('baremetal-cilium-l2');
    const w = cli(['bootstrap', profile, '--target', 'argocd', '--write', out]);
    assert.is(w.code, 0, w.stderr);
    assert.equal(readdirSync(out).sort(), ['bootstrap.sh', 'cilium.values.yaml']);
    assert.ok((statSync(join(out, 'bootstrap.sh')).mode & 0o111) !== 0);
    const app = renderedObjects(profile, 'argocd').find((o) => o.kind === 'Application' && o.spec.source.chart === 'cilium')!;
    assert.equal(parse(readFileSync(join(out, 'cilium.values.yaml'), 'utf8')), app.spec.source.helm.valuesObject);
    const helm = recordingHelm(dir.path);
    const run = spawnSync('/bin/sh', [join(out, 'bootstrap.sh')], { cwd: '/', env: { PATH: helm.path }, encoding: 'utf8', timeout: 20_000 });
    assert.is(run.status, 0, run.stderr);
    const [call] = parseLog(readFileSync(helm.log, 'utf8'));
    assert.is(call.args[call.args.indexOf('--values') + 1], join(out, 'cilium.values.yaml'));
    assert.equal(call.values, app.spec.source.helm.valuesObject);
    // Same again: files replaced whole, no temporaries left.
    assert.is(cli(['bootstrap', profile, '--target', 'argocd', '--write', out]).code, 0);
    assert.equal(readdirSync(out).sort(), ['bootstrap.sh', 'cilium.values.yaml']);
  } finally { dir.cleanup(); }
});

t('--write never writes through a symlink out of DIR', () => {
  const dir = tempDir();
  try {
    const out = join(dir.path, 'out');
    mkdirSync(out);
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(out, 'bootstrap.sh'));
    const w = cli(['bootstrap', profileOf('baremetal-cilium-l2'), '--write', out]);
    assert.is(w.code, 2);
    assert.match(w.stderr, /bootstrap\.sh exists and is not a regular file/);
    assert.is(readFileSync(victim, 'utf8'), 'keep me');
    assert.not.ok(existsSync(join(out, 'cilium.values.yaml')), 'nothing written');
    const linkDir = join(dir.path, 'linkdir');
    symlinkSync(dir.path, linkDir);
    assert.is(cli(['bootstrap', profileOf('baremetal-cilium-l2'), '--write', linkDir]).code, 2);
  } finally { dir.cleanup(); }
});

t('nothing to install first: exit 0 and a message; a rejected profile: exit 1, nothing printed', () => {
  const dir = tempDir();
  try {
    const none = bareMetal();
    none.spec.cni = { provider: 'none' };
    none.spec.cluster.kubeProxy = 'iptables';
    none.spec.loadBalancer = { implementation: 'none' };
    const file = join(dir.path, 'none.yaml');
    writeFileSync(file, stringify(none));
    const r = cli(['bootstrap', file]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /nothing to install before the GitOps engine/);
    const bad = bareMetal();
    bad.spec.loadBalancer.pools[0].addresses = ['10.32.0.0/24']; // inside the pod CIDR
    writeFileSync(file, stringify(bad));
    const rej = cli(['bootstrap', file]);
    assert.is(rej.code, 1, rej.stderr);
    assert.is(rej.stdout, '');
  } finally { dir.cleanup(); }
});

for (const target of ['flux', 'argocd'] as const) {
  t(`${target} README: run the first install before the engine, with the tree's values file, which equals the GitOps object's values`, () => {
    const dir = tempDir();
    try {
      const profile = profileOf('baremetal-cilium-bgp');
      assert.is(cli(['render', profile, '--target', target, '--out', dir.path]).code, 0);
      const tree = join(dir.path, 'clusters', 'dc1', 'network');
      const readme = readFileSync(join(tree, 'README.md'), 'utf8');
      assert.match(readme, target === 'flux' ? /before `flux bootstrap`/ : /before installing Argo CD/);
      const m = /`(helm upgrade --install cilium [^`]*)`/.exec(readme);
      assert.ok(m, 'the README gives the helm command');
      assert.match(m![1], / --wait /);
      const valuesPath = / --values (\S+)/.exec(m![1])![1];
      assert.is(valuesPath, 'clusters/dc1/network/.netprofile/bootstrap/cilium.values.yaml');
      const values = parse(readFileSync(join(dir.path, valuesPath), 'utf8'));
      const [install] = [...gitopsReleases(renderedObjects(profile, target), target).values()].filter((r) => r.release === 'cilium');
      assert.equal(values, install.values);
      assert.match(readme, /k8sServiceHost\/k8sServicePort/);
    } finally { dir.cleanup(); }
  });
}

t.run();
