// The kept clone (PublishOptions.cacheDir) and the level-triggered check (verifiedHead) that the
// operator builds on (issue 13 points 4 and 5): a second publish into the same cache fetches and
// clones nothing when the branch did not move, a moved branch is fetched, a broken cache starts
// over, two publishes never share one cache, and a verified head costs one ls-remote. Counted with
// a `git` wrapper first on PATH (every git process, also those git starts itself), not timed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { countingGit, git, bareRepo } from './gitserver.js';
import { publishTrees, PublishFailed, PublishConflict } from '../gitops/index.js';
import type { RenderedTree } from '../generators/render.js';

const tree = (i: number, extra = ''): RenderedTree => ({
  profile: `p${i}`, path: `clusters/c${i}/network`, target: 'plain',
  files: { 'kustomization.yaml': 'resources: [pool.yaml]\n', 'pool.yaml': `pool: 10.${i}.0.0/24\n${extra}` },
});

const t = suite('kept clone and verified head');
let dir: ReturnType<typeof tempDir>;
let gits: ReturnType<typeof countingGit>;
t.before(() => {
  dir = tempDir('netprofile-cache-');
  gits = countingGit(dir.path);
  gits.install();
});
t.after(() => {
  gits.restore();
  dir.cleanup();
});

const counted = <T>(f: () => Promise<T>) => gits.counted(f);

t('a kept clone is reused: no init and no fetch when the branch did not move; a moved branch is fetched', async () => {
  const repo = bareRepo(join(dir.path, 'reuse.git'));
  const cacheDir = join(dir.path, 'cache-reuse');
  const first = await counted(() => publishTrees({ repo, trees: [tree(1)], cacheDir }));
  assert.ok(first.value.changed);
  assert.ok(first.commands.includes('init'), 'the first publish makes the clone');
  assert.ok(existsSync(join(cacheDir, 'clone', '.git')), 'the clone is kept');
  assert.not.ok(existsSync(join(cacheDir, 'secrets')), 'no credentials stay behind');
  const second = await counted(() => publishTrees({ repo, trees: [tree(1, 'x: 1\n')], cacheDir }));
  assert.ok(second.value.changed);
  assert.is(second.value.base, first.value.sha, 'built on the head the first publish pushed');
  assert.not.ok(second.commands.includes('init'), `no new clone: ${second.commands.join(' ')}`);
  assert.not.ok(second.commands.includes('fetch'), `nothing fetched, the clone has the head: ${second.commands.join(' ')}`);
  // Someone else pushes: the next publish fetches that head and builds on it.
  const other = join(dir.path, 'other');
  git(['clone', '-q', repo, other]);
  writeFileSync(join(other, 'README.md'), 'hello\n');
  git(['add', 'README.md'], { cwd: other });
  git(['-c', 'user.name=o', '-c', 'user.email=o@example.test', 'commit', '-qm', 'readme'], { cwd: other });
  git(['push', '-q', 'origin', 'HEAD:main'], { cwd: other });
  const moved = git(['rev-parse', 'main'], { cwd: repo }).trim();
  const third = await counted(() => publishTrees({ repo, trees: [tree(1, 'x: 2\n')], cacheDir }));
  assert.ok(third.commands.includes('fetch'));
  assert.is(third.value.base, moved);
  assert.is(git(['show', 'main:README.md'], { cwd: repo }), 'hello\n', 'the other commit is kept');
  assert.is(git(['show', 'main:clusters/c1/network/pool.yaml'], { cwd: repo }), 'pool: 10.1.0.0/24\nx: 2\n');
});

t('changedPaths names the published paths whose files changed; base is the parent', async () => {
  const repo = bareRepo(join(dir.path, 'paths.git'));
  const cacheDir = join(dir.path, 'cache-paths');
  const a = await publishTrees({ repo, trees: [tree(1), tree(2), tree(3)], cacheDir });
  assert.equal(a.changedPaths, ['clusters/c1/network', 'clusters/c2/network', 'clusters/c3/network']);
  assert.is(a.base, null, 'a new branch has no base');
  const b = await publishTrees({ repo, trees: [tree(1), tree(2, 'y: 1\n'), tree(3)], cacheDir });
  assert.equal(b.changedPaths, ['clusters/c2/network']);
  assert.is(b.base, a.sha);
  const c = await publishTrees({ repo, trees: [tree(1)], remove: ['clusters/c3/network'], cacheDir });
  assert.equal(c.changedPaths, ['clusters/c3/network']);
  const d = await publishTrees({ repo, trees: [tree(1), tree(2, 'y: 1\n')], cacheDir });
  assert.not.ok(d.changed);
  assert.equal(d.changedPaths, []);
  assert.is(d.sha, c.sha);
});

t('verifiedHead: one ls-remote when the branch is still there, a full check when it moved (drift repaired)', async () => {
  const repo = bareRepo(join(dir.path, 'verify.git'));
  const url = `file://${repo}`;
  const cacheDir = join(dir.path, 'cache-verify');
  const first = await publishTrees({ repo: url, trees: [tree(1), tree(2)], cacheDir });
  const same = await counted(() => publishTrees({ repo: url, trees: [tree(1), tree(2)], cacheDir, verifiedHead: first.sha! }));
  assert.not.ok(same.value.changed);
  assert.is(same.value.sha, first.sha);
  assert.equal(same.commands.filter((c) => c !== 'var'), ['ls-remote'], `only ls-remote: ${same.commands.join(' ')}`);
  // A person deletes one generated tree by hand: the head moved, so the trees are compared and repaired.
  const other = join(dir.path, 'drift');
  git(['clone', '-q', repo, other]);
  git(['rm', '-rq', 'clusters/c2'], { cwd: other });
  git(['-c', 'user.name=o', '-c', 'user.email=o@example.test', 'commit', '-qm', 'oops'], { cwd: other });
  git(['push', '-q', 'origin', 'HEAD:main'], { cwd: other });
  const repaired = await publishTrees({ repo: url, trees: [tree(1), tree(2)], cacheDir, verifiedHead: first.sha! });
  assert.ok(repaired.changed, 'the deleted tree is published again');
  assert.equal(repaired.changedPaths, ['clusters/c2/network']);
  assert.is(git(['show', 'main:clusters/c2/network/pool.yaml'], { cwd: repo }), 'pool: 10.2.0.0/24\n');
  // A hand edit is still a conflict, never overwritten, also with a verified head that moved.
  git(['pull', '-q', 'origin', 'main'], { cwd: other });
  writeFileSync(join(other, 'clusters/c1/network/pool.yaml'), 'edited\n');
  git(['-c', 'user.name=o', '-c', 'user.email=o@example.test', 'commit', '-qam', 'edit'], { cwd: other });
  git(['push', '-q', 'origin', 'HEAD:main'], { cwd: other });
  try {
    await publishTrees({ repo: url, trees: [tree(1), tree(2)], cacheDir, verifiedHead: repaired.sha! });
    assert.unreachable('a hand edit must be refused');
  } catch (e) {
    assert.instance(e, PublishConflict);
    assert.match((e as Error).message, /clusters\/c1\/network\/pool\.yaml/);
  }
  assert.ok(existsSync(join(cacheDir, 'clone', '.git')), 'a refusal keeps the clone');
});

t('a broken or foreign kept clone starts over; a failed publish removes it', async () => {
  const repo = bareRepo(join(dir.path, 'broken.git'));
  const cacheDir = join(dir.path, 'cache-broken');
  await publishTrees({ repo, trees: [tree(1)], cacheDir });
  // Half a clone (a crash mid-way): the objects are gone.
  rmSync(join(cacheDir, 'clone', '.git', 'objects'), { recursive: true, force: true });
  const again = await counted(() => publishTrees({ repo, trees: [tree(1, 'z: 1\n')], cacheDir }));
  assert.ok(again.value.changed);
  assert.ok(again.commands.includes('init'), 'a new clone');
  // The same cache directory used for another repository: not reused for it.
  const repo2 = bareRepo(join(dir.path, 'broken2.git'));
  const foreign = await counted(() => publishTrees({ repo: repo2, trees: [tree(1)], cacheDir }));
  assert.ok(foreign.commands.includes('init'));
  assert.is(git(['show', 'main:clusters/c1/network/pool.yaml'], { cwd: repo2 }), 'pool: 10.1.0.0/24\n');
  // A remote that fails: the clone goes, so nothing half-done is reused.
  try {
    await publishTrees({ repo: join(dir.path, 'missing.git'), trees: [tree(1)], cacheDir });
    assert.unreachable('a missing repository fails');
  } catch (e) { assert.instance(e, PublishFailed); }
  assert.not.ok(existsSync(join(cacheDir, 'clone')), 'the failed clone is removed');
});

t('a refusal by beforePush (the operator fence) keeps the clone; nothing is pushed', async () => {
  const repo = bareRepo(join(dir.path, 'fence.git'));
  const cacheDir = join(dir.path, 'cache-fence');
  const first = await publishTrees({ repo, trees: [tree(1)], cacheDir });
  const fenced = new Error('not the leader any more');
  try {
    await publishTrees({ repo, trees: [tree(1, 'f: 1\n')], cacheDir, beforePush: async () => { throw fenced; } });
    assert.unreachable('the fence refuses');
  } catch (e) { assert.is(e, fenced, 'the error unchanged'); }
  assert.is(git(['rev-parse', 'main'], { cwd: repo }).trim(), first.sha);
  const next = await counted(() => publishTrees({ repo, trees: [tree(1, 'f: 1\n')], cacheDir }));
  assert.not.ok(next.commands.includes('init'), 'the clone was kept');
  assert.ok(next.value.changed);
});

t('the fast-import commit: awkward file names, exact message bytes, the git identity, deletions', async () => {
  const repo = bareRepo(join(dir.path, 'names.git'));
  const files = { 'a b/"quoted" name.yaml': 'q: 1\n', 'ünïcode/ß.yaml': 'u: 1\n', 'tab\there.yaml': 't: 1\n', 'keep.yaml': 'k: 1\n' };
  const message = 'subject with "quotes" and ünïcode\n\nbody line\ndata 5\nM 100644 inline x\n';
  const first = await publishTrees({ repo, trees: [{ profile: 'p', path: 'clusters/odd name', target: 'plain' as const, files: { ...files, 'tab\there.yaml': undefined as never } }].map((t) => ({ ...t, files: Object.fromEntries(Object.entries(t.files).filter(([, v]) => v !== undefined)) })), message });
  assert.ok(first.changed);
  const names = git(['ls-tree', '-r', '-z', '--name-only', 'main'], { cwd: repo }).split('\0').filter(Boolean);
  assert.ok(names.includes('clusters/odd name/a b/"quoted" name.yaml'), names.join(' | '));
  assert.ok(names.includes('clusters/odd name/ünïcode/ß.yaml'));
  assert.is(git(['show', 'main:clusters/odd name/a b/"quoted" name.yaml'], { cwd: repo }), 'q: 1\n');
  assert.is(git(['cat-file', 'commit', 'main'], { cwd: repo }).split('\n\n').slice(1).join('\n\n'), message, 'the message byte for byte');
  // The identity is the user's git identity (isolatedGitEnv sets it through the environment).
  assert.is(git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', 'main'], { cwd: repo }).trim(), 'Test Author <author@example.test>|Test Committer <committer@example.test>');
  const t0 = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(Number(git(['log', '-1', '--format=%ct', 'main'], { cwd: repo }).trim()) - t0) < 120, 'the commit time is now');
  // Remove one file, change another: only those change, the rest of the tree is the base's.
  const next = await publishTrees({ repo, trees: [{ profile: 'p', path: 'clusters/odd name', target: 'plain', files: { 'a b/"quoted" name.yaml': 'q: 2\n', 'keep.yaml': 'k: 1\n' } }], author: { name: 'Op <x>', email: 'op@example.test' } });
  assert.equal(next.files, { added: [], changed: ['clusters/odd name/a b/"quoted" name.yaml'], removed: ['clusters/odd name/ünïcode/ß.yaml'] });
  assert.is(git(['rev-parse', 'main^'], { cwd: repo }).trim(), first.sha, 'one commit on the base');
  assert.is(git(['log', '-1', '--format=%an <%ae>', 'main'], { cwd: repo }).trim(), 'Op x <op@example.test>', 'an author as git cleans it');
  assert.is(git(['fsck', '--no-progress', '--strict'], { cwd: repo, allowFail: false }).trim(), '');
});

t('two publishes never share one kept clone: the second is refused at once, nothing pushed', async () => {
  const repo = bareRepo(join(dir.path, 'busy.git'));
  const cacheDir = join(dir.path, 'cache-busy');
  const a = publishTrees({ repo, trees: [tree(1)], cacheDir });
  let refused: unknown = null;
  try { await publishTrees({ repo, trees: [tree(2)], cacheDir }); } catch (e) { refused = e; }
  await a;
  assert.instance(refused, PublishFailed);
  assert.match((refused as Error).message, /one at a time/);
  assert.is(git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo }).trim(), 'clusters/c1/network/.netprofile/SHA256SUMS\nclusters/c1/network/kustomization.yaml\nclusters/c1/network/pool.yaml');
  // And the cache is free again afterwards.
  const b = await publishTrees({ repo, trees: [tree(1), tree(2)], cacheDir });
  assert.equal(b.changedPaths, ['clusters/c2/network']);
});

t.run();
