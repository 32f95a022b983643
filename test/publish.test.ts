// Publishing to Git (issue 5): commit messages, safety checks, and `netprofile publish|diff`
// against real bare repositories and working trees (file:// and local paths), with the real git.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, writeFileSync, existsSync, mkdirSync, symlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, tempDir, examples } from './helpers.js';
import { isolatedGitEnv, git, bareRepo } from './gitserver.js';
import { compileCommitMessage, CommitMessageError, DEFAULT_COMMIT_TEMPLATE, effectiveTemplate, SCHEMA_DEFAULT_TEMPLATE } from '../generators/commit-message.js';
import { pathProblem, scanForSecrets, checkTreePaths } from '../gitops/safety.js';
import { publishTrees, diffTrees, PublishRefused, PublishConflict, MANIFEST } from '../gitops/index.js';
import type { RenderedTree } from '../generators/render.js';

const ex = (name: string) => join(examples, name, 'networkprofile.yaml');
const tree = (path: string, files: Record<string, string>, profile = 'p'): RenderedTree => ({ profile, path, target: 'plain', files });
const ctx = { cluster: 'lab', profile: 'lab-net', summary: '2 files changed in clusters/lab/network', changes: { added: ['x/a.yaml'], changed: ['x/b.yaml'], removed: [] } };

// ---------------------------------------------------------------------------------------------
const message = suite('commit message template');

message('renders the four variables; the schema default gains a body listing every file', () => {
  const text = compileCommitMessage(effectiveTemplate(SCHEMA_DEFAULT_TEMPLATE))(ctx);
  assert.ok(text.startsWith('netprofile(lab): 2 files changed in clusters/lab/network\n\n'), text);
  assert.match(text, /Added:\n {2}x\/a\.yaml\n/);
  assert.match(text, /Changed:\n {2}x\/b\.yaml\n/);
  assert.not.match(text, /Removed:/);
  assert.is(effectiveTemplate(SCHEMA_DEFAULT_TEMPLATE), DEFAULT_COMMIT_TEMPLATE);
  const custom = compileCommitMessage('{{profile}} on {{cluster}}: {{#each changes.added}}+{{this}} {{/each}}({{changes}})')(ctx);
  assert.is(custom, 'lab-net on lab: +x/a.yaml (1 added, 1 changed, 0 removed)\n');
});

message('an unknown variable is an error that names it and lists the variables', () => {
  try { compileCommitMessage('netprofile({{clustr}}): {{summary}}'); assert.unreachable('accepted {{clustr}}'); } catch (e) {
    assert.instance(e, CommitMessageError);
    assert.match((e as Error).message, /unknown variable "clustr"/);
    assert.match((e as Error).message, /cluster, profile, summary, changes/);
  }
});

message('no prototype access, no unknown helpers, no HTML escaping of paths', () => {
  for (const t of ['{{constructor}}', '{{__proto__}}', '{{changes.__proto__}}', '{{lookup this "constructor"}}x']) {
    let out: string | undefined;
    try { out = compileCommitMessage(t)(ctx); } catch (e) { assert.instance(e, CommitMessageError, t); continue; }
    assert.not.match(out, /function|Object|\[native/, `${t} rendered ${out}`);
  }
  assert.throws(() => compileCommitMessage('{{shell "rm -rf /"}}'), (e: Error) => e instanceof CommitMessageError);
  assert.throws(() => compileCommitMessage('{{log summary}}'), (e: Error) => e instanceof CommitMessageError);
  assert.throws(() => compileCommitMessage('{{#if}}'), (e: Error) => e instanceof CommitMessageError && /does not parse/.test(e.message));
  assert.throws(() => compileCommitMessage('   '), (e: Error) => /empty/.test(e.message));
  assert.is(compileCommitMessage('{{summary}}')({ ...ctx, summary: 'a <b> & "c"' }), 'a <b> & "c"\n');
});

message.run();

// ---------------------------------------------------------------------------------------------
const safety = suite('safety checks');

safety('paths that are absolute, contain .. or go into .git are refused; normal ones pass', () => {
  for (const bad of ['/etc/cron.d', 'C:/x', '../fleet', 'clusters/../../x', 'clusters/..', 'a/.git/hooks', '.git', 'a//b', './a', 'a\\b', '']) {
    assert.ok(pathProblem(bad), `accepted ${JSON.stringify(bad)}`);
  }
  for (const good of ['clusters/prod/network', 'network', 'a.b/c-d_e', 'clusters/prod/network/']) assert.is(pathProblem(good), null, good);
  const problems = checkTreePaths([tree('clusters/a', { 'x.yaml': '' }, 'one'), tree('clusters/a/sub', { 'y.yaml': '' }, 'two'), tree('clusters/b', { '../escape.yaml': '' }, 'three')]);
  assert.ok(problems.some((p) => p.profile === 'two' && /overlaps "clusters\/a" of profile one/.test(p.message)), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.profile === 'three' && /\.\./.test(p.message)), JSON.stringify(problems));
});

safety('a rendered Secret and key material are found, with file and line but not the value', () => {
  const secretYaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: bgp-auth}\nstringData: {password: hunter2}\n';
  const pem = 'data:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEowIBAAKCAQEA\n    -----END RSA PRIVATE KEY-----\n';
  const aws = '# values\naccessKeyID: AKIAIOSFODNN7EXAMPLE\n';
  const ali = 'cloud-config.conf: {"Global": {"accessKeyID": "LTAI5tFakeFakeFakeFake12"}}\n';
  const found = scanForSecrets([tree('c/n', { 'configs/a.yaml': secretYaml, 'controllers/ccm.yaml': pem, 'values.yaml': aws, 'README.md': ali, 'clean.yaml': 'kind: ConfigMap\napiVersion: v1\n' })]);
  const by = (f: string) => found.filter((p) => p.file === `c/n/${f}`).map((p) => p.message).join(' | ');
  assert.match(by('configs/a.yaml'), /Secret \(bgp-auth, document 2\)/);
  assert.match(by('controllers/ccm.yaml'), /line 3 looks like a PEM block/);
  assert.match(by('values.yaml'), /line 2 looks like an AWS access key id/);
  assert.match(by('README.md'), /Alibaba Cloud AccessKey id/);
  assert.is(by('clean.yaml'), '');
  assert.not.match(JSON.stringify(found), /AKIAIOSFODNN7EXAMPLE|hunter2|MIIEow/);
});

safety.run();

// ---------------------------------------------------------------------------------------------
const lib = suite('publishTrees and diffTrees on a bare repository');
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};

lib.before(() => {
  dir = tempDir('netprofile-publish-');
  env = isolatedGitEnv(join(dir.path, 'home'));
  // The library runs git in this process: isolate it from the machine's git configuration for
  // the duration of the suite only (uvu runs suites one after another).
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
});
lib.after(() => {
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  dir.cleanup();
});

const head = (repo: string, branch = 'main') => git(['rev-parse', '--verify', '-q', `refs/heads/${branch}`], { cwd: repo, env, allowFail: true }).trim();
const files = (repo: string, ref = 'main') => git(['ls-tree', '-r', '--name-only', ref], { cwd: repo, env }).split('\n').filter(Boolean);
const show = (repo: string, spec: string) => git(['show', spec], { cwd: repo, env });
const commits = (repo: string, ref = 'main') => Number(git(['rev-list', '--count', ref], { cwd: repo, env }).trim());

lib('first publish, no-op, change and deletion: one commit each, nothing outside the path touched', async () => {
  const repo = bareRepo(join(dir.path, 'lib.git'), env);
  // Someone else's file outside the path, committed before netprofile arrives.
  const seed = join(dir.path, 'seed');
  git(['clone', '-q', repo, seed], { env });
  mkdirSync(join(seed, 'apps'), { recursive: true });
  writeFileSync(join(seed, 'apps', 'app.yaml'), 'kind: ConfigMap\n');
  git(['add', '.'], { cwd: seed, env }); git(['commit', '-qm', 'apps'], { cwd: seed, env }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed, env });
  const url = `file://${repo}`;
  const first = await publishTrees({ repo: url, trees: [tree('clusters/a/network', { 'kustomization.yaml': 'resources: [x.yaml]\n', 'x.yaml': 'kind: ConfigMap\n', 'y.yaml': 'kind: ConfigMap\nmetadata: {name: y}\n' })] });
  assert.ok(first.changed);
  assert.is(first.sha, head(repo));
  assert.equal(first.files.added, ['clusters/a/network/kustomization.yaml', 'clusters/a/network/x.yaml', 'clusters/a/network/y.yaml']);
  assert.equal(files(repo), ['apps/app.yaml', `clusters/a/network/${MANIFEST}`, 'clusters/a/network/kustomization.yaml', 'clusters/a/network/x.yaml', 'clusters/a/network/y.yaml']);
  assert.is(show(repo, 'main:clusters/a/network/x.yaml'), 'kind: ConfigMap\n');
  // The manifest is sha256sum format, so `sha256sum -c` checks a checkout for hand edits.
  assert.match(show(repo, `main:clusters/a/network/${MANIFEST}`), /^[0-9a-f]{64} {2}kustomization\.yaml\n/);

  const again = await publishTrees({ repo: url, trees: [tree('clusters/a/network', { 'kustomization.yaml': 'resources: [x.yaml]\n', 'x.yaml': 'kind: ConfigMap\n', 'y.yaml': 'kind: ConfigMap\nmetadata: {name: y}\n' })] });
  assert.is(again.changed, false);
  assert.is(again.sha, first.sha);
  assert.is(commits(repo), 2, 'no empty commit');

  const change = await publishTrees({ repo: repo, trees: [tree('clusters/a/network', { 'kustomization.yaml': 'resources: [x.yaml]\n', 'x.yaml': 'kind: ConfigMap\ndata: {a: "1"}\n' })] });
  assert.equal(change.files, { added: [], changed: ['clusters/a/network/x.yaml'], removed: ['clusters/a/network/y.yaml'] });
  assert.equal(files(repo), ['apps/app.yaml', `clusters/a/network/${MANIFEST}`, 'clusters/a/network/kustomization.yaml', 'clusters/a/network/x.yaml']);
  assert.is(show(repo, 'main:apps/app.yaml'), 'kind: ConfigMap\n');
  assert.is(commits(repo), 3);
  const msg = git(['log', '-1', '--format=%B', 'main'], { cwd: repo, env });
  assert.match(msg, /^netprofile\(p\): 1 file changed, 1 removed in clusters\/a\/network\n/);
  assert.match(msg, /Removed:\n {2}clusters\/a\/network\/y\.yaml/);
  const who = git(['log', '-1', '--format=%an <%ae>|%cn', 'main'], { cwd: repo, env }).trim();
  assert.is(who, 'Test Author <author@example.test>|Test Committer');
});

lib('dry run and diff change nothing; author and message function are used', async () => {
  const repo = bareRepo(join(dir.path, 'dry.git'), env);
  const t = tree('net', { 'a.yaml': 'kind: A\n' }, 'dry');
  const dry = await publishTrees({ repo, trees: [t], dryRun: true });
  assert.ok(dry.changed); assert.is(dry.sha, null); assert.is(head(repo), '');
  const d = await diffTrees({ repo, trees: [t] });
  assert.ok(d.changed);
  assert.match(d.diff, /^diff --git a\/net\/a\.yaml b\/net\/a\.yaml\nnew file mode 100644/m);
  assert.match(d.diff, /\n\+kind: A\n/);
  assert.is(head(repo), '');
  const r = await publishTrees({ repo, trees: [t], author: { name: 'Ops Bot', email: 'ops@example.test' }, message: (c) => `custom ${c.profile} ${c.changes.added.length}` });
  assert.is(git(['log', '-1', '--format=%an <%ae>%n%s', 'main'], { cwd: repo, env }).trim(), 'Ops Bot <ops@example.test>\ncustom dry 1');
  const none = await diffTrees({ repo, trees: [t] });
  assert.is(none.changed, false); assert.is(none.diff, '');
  assert.is(r.sha, head(repo));
});

lib('a hand edit under the path is a conflict that names the file; nothing is overwritten', async () => {
  const repo = bareRepo(join(dir.path, 'edit.git'), env);
  await publishTrees({ repo, trees: [tree('c/net', { 'a.yaml': 'kind: A\n', 'b.yaml': 'kind: B\n' })] });
  const work = join(dir.path, 'edit-work');
  git(['clone', '-q', repo, work], { env });
  writeFileSync(join(work, 'c/net/b.yaml'), 'kind: B\n# tuned by hand\n');
  writeFileSync(join(work, 'c/net/extra.yaml'), 'kind: Extra\n');
  git(['add', '.'], { cwd: work, env }); git(['commit', '-qm', 'hand edit'], { cwd: work, env }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: work, env });
  const before = head(repo);
  try {
    await publishTrees({ repo, trees: [tree('c/net', { 'a.yaml': 'kind: A2\n', 'b.yaml': 'kind: B\n' })] });
    assert.unreachable('hand edit overwritten');
  } catch (e) {
    assert.instance(e, PublishConflict);
    assert.equal((e as PublishConflict).files, ['c/net/b.yaml', 'c/net/extra.yaml']);
    assert.match((e as Error).message, /c\/net\/b\.yaml, c\/net\/extra\.yaml/);
  }
  assert.is(head(repo), before);
  const d = await diffTrees({ repo, trees: [tree('c/net', { 'a.yaml': 'kind: A2\n', 'b.yaml': 'kind: B\n' })] });
  assert.equal(d.conflicts, ['c/net/b.yaml', 'c/net/extra.yaml']);
  // Rendering exactly what the hand edit made is not a conflict: the file simply matches.
  const adopt = await publishTrees({ repo, trees: [tree('c/net', { 'a.yaml': 'kind: A\n', 'b.yaml': 'kind: B\n# tuned by hand\n', 'extra.yaml': 'kind: Extra\n' })] });
  assert.ok(adopt.changed, 'the manifest now covers the adopted files');
  assert.equal(adopt.files.changed, [`c/net/${MANIFEST}`]);
});

lib('path escapes, symlinked paths, Secrets and key material are refused before anything is pushed', async () => {
  const repo = bareRepo(join(dir.path, 'safe.git'), env);
  await publishTrees({ repo, trees: [tree('ok', { 'a.yaml': 'kind: A\n' })] });
  const before = head(repo);
  const refused = async (t: RenderedTree, re: RegExp) => {
    try { await publishTrees({ repo, trees: [t] }); assert.unreachable(`accepted ${t.path}`); } catch (e) {
      assert.instance(e, PublishRefused);
      assert.match((e as Error).message, re);
    }
    assert.is(head(repo), before);
  };
  await refused(tree('/etc/cron.d', { 'x': 'y' }), /absolute/);
  await refused(tree('clusters/../../outside', { 'x': 'y' }), /"\.\."/);
  await refused(tree('clusters/a', { '../../b.yaml': 'y' }), /"\.\."/);
  await refused(tree('c/n', { 'configs/s.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: leaked}\n' }), /c\/n\/configs\/s\.yaml: holds a Secret \(leaked/);
  await refused(tree('c/n', { 'README.md': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n' }), /looks like a PEM block/);
  // A symlink committed in the repository along the path (to / outside the repository).
  const work = join(dir.path, 'safe-work');
  git(['clone', '-q', repo, work], { env });
  symlinkSync('/tmp', join(work, 'linked'));
  git(['add', 'linked'], { cwd: work, env }); git(['commit', '-qm', 'link'], { cwd: work, env }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: work, env });
  const linked = head(repo);
  try { await publishTrees({ repo, trees: [tree('linked/net', { 'a.yaml': 'kind: A\n' })] }); assert.unreachable('published through a symlink'); } catch (e) {
    assert.instance(e, PublishRefused);
    assert.match((e as Error).message, /symlink linked → \/tmp/);
  }
  assert.is(head(repo), linked);
  assert.not.ok(existsSync('/tmp/net/a.yaml'));
});

lib.run();

// ---------------------------------------------------------------------------------------------
const cmd = suite('netprofile publish / diff (CLI)');
let cdir: ReturnType<typeof tempDir>;
let cenv: Record<string, string>;
cmd.before(() => { cdir = tempDir('netprofile-publish-cli-'); cenv = isolatedGitEnv(join(cdir.path, 'home')); });
cmd.after(() => cdir.cleanup());
const run = (args: string[], extra: Record<string, string> = {}) => cli(args, { env: { ...cenv, ...extra }, timeout: 120_000 });

cmd('many profiles land in ONE commit; the second run commits nothing; diff says 0', () => {
  const repo = bareRepo(join(cdir.path, 'fleet.git'), cenv);
  const profiles = readdirSync(examples).filter((d) => existsSync(ex(d))).map(ex).sort();
  assert.ok(profiles.length >= 7, `only ${profiles.length} examples`);
  const r = run(['publish', ...profiles, '--repo', `file://${repo}`, '--author', 'Fleet Bot <fleet@example.test>']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Published ${profiles.length} profiles to file://`));
  assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo, env: cenv }).trim()), 1);
  const tree = git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo, env: cenv });
  for (const path of ['clusters/office/network/kustomization.yaml', 'clusters/dc1/network/kustomization.yaml', 'clusters/hangzhou-prod/network/.netprofile/plan.json', 'clusters/eks-prod/network/README.md']) assert.ok(tree.includes(path + '\n'), `${path} missing`);
  assert.is(git(['log', '-1', '--format=%an <%ae>', 'main'], { cwd: repo, env: cenv }).trim(), 'Fleet Bot <fleet@example.test>');
  const again = run(['publish', ...profiles, '--repo', repo]);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Nothing changed: .* no commit made\.$/m);
  assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo, env: cenv }).trim()), 1);
  const diff = run(['diff', ...profiles, '--repo', repo]);
  assert.is(diff.code, 0, diff.stderr);
  assert.is(diff.stdout, '');
});

cmd('diff exits 1 with a unified diff when publish would change something, 0 after publishing', () => {
  const repo = bareRepo(join(cdir.path, 'diff.git'), cenv);
  const p = ex('baremetal-metallb-l2');
  assert.is(run(['publish', p, '--repo', repo]).code, 0);
  const d = run(['diff', p, '--repo', repo, '--target', 'plain']);
  assert.is(d.code, 1, d.stderr);
  assert.match(d.stdout, /^diff --git a\/clusters\/office\/network\/controllers\/metallb\.values\.yaml b\/clusters\/office\/network\/controllers\/metallb\.values\.yaml\nnew file mode 100644/m);
  assert.match(d.stdout, /^-kind: Application$/m);
  const before = git(['rev-parse', 'main'], { cwd: repo, env: cenv });
  assert.is(git(['rev-parse', 'main'], { cwd: repo, env: cenv }), before, 'diff changed the repository');
  const dry = run(['publish', p, '--repo', repo, '--target', 'plain', '--dry-run']);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Dry run: would commit/);
  assert.is(git(['rev-parse', 'main'], { cwd: repo, env: cenv }), before, 'dry run changed the repository');
  assert.is(run(['publish', p, '--repo', repo, '--target', 'plain']).code, 0);
  assert.is(run(['diff', p, '--repo', repo, '--target', 'plain']).code, 0);
  assert.is(run(['diff', p, '--repo', join(cdir.path, 'missing.git')]).code, 2);
  assert.is(run(['diff', p]).code, 2, 'no --repo and no spec.gitops.repo is a usage error');
});

cmd('a component that leaves the render is removed from the path (underlay disabled → Spiderpool gone)', () => {
  const repo = bareRepo(join(cdir.path, 'underlay.git'), cenv);
  const work = join(cdir.path, 'underlay-profile');
  cpSync(join(examples, 'alibaba-underlay-ipvlan'), work, { recursive: true });
  const profile = join(work, 'networkprofile.yaml');
  assert.is(run(['publish', profile, '--repo', repo]).code, 0);
  const listing = () => git(['ls-tree', '-r', '--name-only', 'main', 'clusters/hangzhou-underlay/network'], { cwd: repo, env: cenv }).split('\n').filter(Boolean);
  const spider = listing().filter((f) => /spiderpool/i.test(f));
  assert.ok(spider.length >= 1, `no Spiderpool files: ${listing().join(', ')}`);
  writeFileSync(profile, readFileSync(profile, 'utf8').replace('enabled: true', 'enabled: false'));
  const r = run(['publish', profile, '--repo', repo]);
  assert.is(r.code, 0, r.stderr);
  for (const f of spider) assert.match(r.stdout, new RegExp(`removed +${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(listing().filter((f) => /spiderpool/i.test(f)), []);
  assert.ok(listing().some((f) => f.endsWith('/ccm.yaml')), 'the CCM stayed');
});

cmd('refusals exit 1 with the file and field: rejected profile, bad template, path escape', () => {
  const repo = bareRepo(join(cdir.path, 'refuse.git'), cenv);
  const rejected = run(['publish', join(examples, 'rejected', 'alibaba-l2.yaml'), ex('baremetal-metallb-l2'), '--repo', repo]);
  assert.is(rejected.code, 1);
  assert.match(rejected.stderr, /alibaba-l2\.yaml: error: spec\.loadBalancer\.mode: .*\[l2-on-cloud\]/);
  assert.is(git(['rev-parse', '-q', '--verify', 'refs/heads/main'], { cwd: repo, env: cenv, allowFail: true }).trim(), '', 'something was committed');
  const work = join(cdir.path, 'tpl');
  mkdirSync(work, { recursive: true });
  const base = readFileSync(ex('baremetal-metallb-l2'), 'utf8');
  writeFileSync(join(work, 'bad-template.yaml'), base.replace('engine: argocd', 'engine: argocd\n    commitMessage: "net({{clustr}})"'));
  const tpl = run(['publish', join(work, 'bad-template.yaml'), '--repo', repo]);
  assert.is(tpl.code, 1, tpl.stderr);
  assert.match(tpl.stderr, /bad-template\.yaml: error: spec\.gitops\.commitMessage: .*unknown variable "clustr"/);
  assert.is(run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--message', '{{nope}}']).code, 2);
  writeFileSync(join(work, 'escape.yaml'), base.replace('engine: argocd', 'engine: argocd\n    path: ../../etc'));
  const esc = run(['publish', join(work, 'escape.yaml'), '--repo', repo]);
  assert.is(esc.code, 1, esc.stderr);
  assert.match(esc.stderr, /escape\.yaml: .*spec\.gitops\.path/);
  assert.is(git(['rev-parse', '-q', '--verify', 'refs/heads/main'], { cwd: repo, env: cenv, allowFail: true }).trim(), '');
  const ok = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--message', '{{profile}}: {{summary}}']);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(git(['log', '-1', '--format=%s', 'main'], { cwd: repo, env: cenv }).trim(), /^baremetal-metallb-l2: \d+ files added in clusters\/office\/network$/);
});

cmd('a local working tree: uncommitted changes under the path are refused, elsewhere they are kept', () => {
  const repo = join(cdir.path, 'worktree');
  git(['init', '-q', '--initial-branch=main', repo], { env: cenv });
  const p = ex('baremetal-metallb-l2');
  const first = run(['publish', p, '--repo', repo]);
  assert.is(first.code, 0, first.stderr);
  assert.ok(existsSync(join(repo, 'clusters/office/network/kustomization.yaml')), 'the working tree was not updated');
  assert.is(git(['status', '--porcelain'], { cwd: repo, env: cenv }), '');
  writeFileSync(join(repo, 'notes.txt'), 'mine\n');
  writeFileSync(join(repo, 'clusters/office/network/README.md'), 'edited\n');
  const dirty = run(['publish', p, '--repo', repo, '--target', 'plain']);
  assert.is(dirty.code, 1, dirty.stderr);
  assert.match(dirty.stderr, /uncommitted changes under the published path: clusters\/office\/network\/README\.md/);
  git(['checkout', '--', 'clusters/office/network/README.md'], { cwd: repo, env: cenv });
  const ok = run(['publish', p, '--repo', repo, '--target', 'plain']);
  assert.is(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(repo, 'clusters/office/network/controllers/metallb.values.yaml')));
  assert.is(readFileSync(join(repo, 'notes.txt'), 'utf8'), 'mine\n');
  assert.is(git(['status', '--porcelain'], { cwd: repo, env: cenv }), '?? notes.txt\n');
  // A symlinked path in the working tree, pointing out of the repository.
  const outside = join(cdir.path, 'outside');
  mkdirSync(outside);
  symlinkSync(outside, join(repo, 'clusters-link'));
  writeFileSync(join(work(), 'linked.yaml'), readFileSync(p, 'utf8').replace('engine: argocd', 'engine: argocd\n    path: clusters-link/office'));
  const linked = run(['publish', join(work(), 'linked.yaml'), '--repo', repo]);
  assert.is(linked.code, 1, linked.stderr);
  assert.match(linked.stderr, /symlink clusters-link .*outside the repository/);
  assert.equal(readdirSync(outside), []);
});
const work = () => { const w = join(cdir.path, 'profiles'); mkdirSync(w, { recursive: true }); return w; };

cmd('kubectl kustomize builds the published paths', () => {
  const repo = bareRepo(join(cdir.path, 'kustomize.git'), cenv);
  const profiles = ['baremetal-metallb-l2', 'baremetal-cilium-l2', 'baremetal-kube-router-purelb'].map(ex);
  assert.is(run(['publish', ...profiles, '--repo', repo]).code, 0);
  const checkout = join(cdir.path, 'kustomize-checkout');
  git(['clone', '-q', '--branch', 'main', repo, checkout], { env: cenv });
  // Flux trees build to Flux Kustomizations at the top and chart installs under controllers/.
  for (const [path, kind] of [['clusters/office/network', 'IPAddressPool'], ['clusters/lab-l2/network', 'Kustomization'], ['clusters/lab-l2/network/controllers', 'HelmRelease'],
    ['clusters/lab-l2/network/configs', 'CiliumL2AnnouncementPolicy'], ['clusters/cilium-prod/network/configs', 'ServiceGroup']]) {
    const r = spawnSync('/usr/bin/kubectl', ['kustomize', join(checkout, path)], { encoding: 'utf8' });
    assert.is(r.status, 0, `${path}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^kind: ${kind}$`, 'm'), path);
  }
  // The published manifest matches the checkout: nobody edited anything.
  const sums = spawnSync('sha256sum', ['-c', '--quiet', '.netprofile/SHA256SUMS'], { cwd: join(checkout, 'clusters/office/network'), encoding: 'utf8' });
  assert.is(sums.status, 0, sums.stdout + sums.stderr);
});

cmd('commits are signed when the git configuration asks for it (ssh signing key)', () => {
  const keyDir = join(cdir.path, 'signing');
  mkdirSync(keyDir);
  const key = join(keyDir, 'id_ed25519');
  assert.is(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'signer', '-f', key]).status, 0);
  const senv = isolatedGitEnv(join(cdir.path, 'signing-home'), `[gpg]\n\tformat = ssh\n[user]\n\tsigningKey = ${key}\n[commit]\n\tgpgSign = true\n`);
  const repo = bareRepo(join(cdir.path, 'signed.git'), senv);
  const r = cli(['publish', ex('baremetal-metallb-l2'), '--repo', repo], { env: senv, timeout: 60_000 });
  assert.is(r.code, 0, r.stderr);
  const raw = git(['cat-file', 'commit', 'main'], { cwd: repo, env: senv });
  assert.match(raw, /^gpgsig -----BEGIN SSH SIGNATURE-----/m);
  writeFileSync(join(keyDir, 'allowed'), `author@example.test ${readFileSync(key + '.pub', 'utf8')}`);
  const verify = spawnSync('git', ['-c', `gpg.ssh.allowedSignersFile=${join(keyDir, 'allowed')}`, 'verify-commit', 'main'], { cwd: repo, env: { ...process.env, ...senv }, encoding: 'utf8' });
  assert.is(verify.status, 0, verify.stderr);
  // Without the setting, nothing is signed.
  const plain = bareRepo(join(cdir.path, 'unsigned.git'), cenv);
  assert.is(run(['publish', ex('baremetal-metallb-l2'), '--repo', plain]).code, 0);
  assert.not.match(git(['cat-file', 'commit', 'main'], { cwd: plain, env: cenv }), /gpgsig/);
});

cmd('demo (npm start): one commit of the clean examples, the log and paths, a refused example; then nothing changed', () => {
  const repo = join(cdir.path, 'demo-gitops');
  const first = run(['demo', '--repo', repo]);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /Created the Git repository/);
  assert.match(first.stdout, /Published \d+ profiles in one commit [0-9a-f]{12}/);
  assert.match(first.stdout, /\$ git -C .*demo-gitops log --stat main\n/);
  assert.match(first.stdout, /clusters\/office\/network\/kustomization\.yaml +\| +\d+ \+/);
  assert.match(first.stdout, /refused {2}spec\.loadBalancer\.mode: .*ARP.*\[l2-on-cloud\]/);
  const body = git(['log', '-1', '--format=%B', 'main'], { cwd: repo, env: cenv });
  assert.match(body, /NetworkProfile alibaba-ccm, /);
  assert.not.match(body, /\balibaba-l2\b/, 'the rejected example was published');
  assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo, env: cenv }).trim()), 1);
  assert.ok(existsSync(join(repo, 'clusters/dc1/network/kustomization.yaml')), 'the working tree holds the trees');
  const second = run(['demo', '--repo', repo]);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /Nothing changed: branch main of .* no commit made/);
  assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo, env: cenv }).trim()), 1);
});

cmd.run();
