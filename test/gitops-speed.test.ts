// Publish speed (issue 15 point 1): the number of git processes a publish starts does not grow
// with the fleet. Counted, not timed: a `git` wrapper first on PATH logs every git started (also
// the ones git starts itself through PATH), and the counts for 10 and 50 profiles must be equal.
// Also the tree building (one update-index from the base) against real bare repositories.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { countingGit, git, bareRepo } from './gitserver.js';
import { publishTrees, diffTrees, PublishConflict, MANIFEST } from '../gitops/index.js';
import type { RenderedTree } from '../generators/render.js';

const tree = (path: string, files: Record<string, string>, profile = 'p'): RenderedTree => ({ profile, path, target: 'plain', files });

/** `n` profiles of six files each, like a rendered flux tree; `bump` changes one file of profile 0. */
function fleet(n: number, bump = ''): RenderedTree[] {
  return Array.from({ length: n }, (_, i) => tree(`clusters/c${i}/network`, {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [controllers, configs]\n`,
    'controllers/kustomization.yaml': `resources: [cilium.yaml]\n`,
    'controllers/cilium.yaml': `cluster: c${i}\nversion: 1.18.3\n${i === 0 ? bump : ''}`,
    'configs/kustomization.yaml': 'resources: [pool.yaml]\n',
    'configs/pool.yaml': `pool: 10.${i % 250}.0.0/24\n`,
    '.netprofile/plan.json': JSON.stringify({ cluster: { name: `c${i}` } }) + '\n',
  }, `p${i}`));
}

const t = suite('a constant number of git processes, whatever the fleet size');
let dir: ReturnType<typeof tempDir>;
let gits: ReturnType<typeof countingGit>;
t.before(() => {
  dir = tempDir('netprofile-speed-');
  gits = countingGit(dir.path);
  gits.install();
});
t.after(() => {
  gits.restore();
  dir.cleanup();
});

/** Runs `f` and returns how many git processes it started (from the wrapper's log). */
const counted = <T>(f: () => Promise<T>) => gits.counted(f);

t('first publish, one changed profile, and a no-op: the same git process counts for 10 and 50 profiles', async () => {
  const counts: Record<number, { first: number; change: number; noop: number; diff: number }> = {};
  for (const n of [10, 50]) {
    const repo = bareRepo(join(dir.path, `fleet-${n}.git`));
    const first = await counted(() => publishTrees({ repo, trees: fleet(n) }));
    assert.ok(first.value.changed);
    const change = await counted(() => publishTrees({ repo, trees: fleet(n, 'debug: true\n') }));
    assert.ok(change.value.changed);
    assert.equal(change.value.files, { added: [], changed: ['clusters/c0/network/controllers/cilium.yaml'], removed: [] });
    const noop = await counted(() => publishTrees({ repo, trees: fleet(n, 'debug: true\n') }));
    assert.not.ok(noop.value.changed);
    const diff = await counted(() => diffTrees({ repo, trees: fleet(n, 'debug: false\n') }));
    assert.ok(diff.value.changed);
    assert.match(diff.value.diff, /-debug: true\n\+debug: false/);
    counts[n] = { first: first.gits, change: change.gits, noop: noop.gits, diff: diff.gits };
    assert.is(git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo }).split('\n').filter(Boolean).length, n * 7);
    assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo }).trim()), 2);
  }
  console.log(`      (git processes: ${JSON.stringify(counts)})`);
  assert.equal(counts[10], counts[50], 'the number of git processes grew with the fleet');
  // And it is small: the old publish ran one ls-tree and one cat-file per profile.
  assert.ok(counts[50].change < 25, JSON.stringify(counts));
});

t('the hand-edit check reads the blobs through one cat-file --batch and still finds the edits', async () => {
  const repo = bareRepo(join(dir.path, 'edits.git'));
  await publishTrees({ repo, trees: fleet(20) });
  const work = join(dir.path, 'edits-work');
  git(['clone', '-q', repo, work]);
  for (const i of [3, 17]) writeFileSync(join(work, `clusters/c${i}/network/configs/pool.yaml`), 'pool: 192.0.2.0/24\n');
  writeFileSync(join(work, 'clusters/c5/network/extra.yaml'), 'hand: added\n');
  git(['add', '-A'], { cwd: work }); git(['commit', '-qm', 'hand edits'], { cwd: work }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: work });
  const head = git(['rev-parse', 'main'], { cwd: repo }).trim();
  // A render change on the edited profiles (their files differ from the base and from the
  // manifest) and on a clean one (differs from the base, matches the manifest: no conflict).
  const next = fleet(20).map((tr, i) => [3, 9, 17].includes(i) ? { ...tr, files: { ...tr.files, 'configs/pool.yaml': 'pool: 198.51.100.0/24\n' } } : tr);
  const r = await counted(() => publishTrees({ repo, trees: next }).catch((e: Error) => e));
  assert.instance(r.value, PublishConflict);
  assert.equal((r.value as PublishConflict).files, ['clusters/c17/network/configs/pool.yaml', 'clusters/c3/network/configs/pool.yaml', 'clusters/c5/network/extra.yaml']);
  assert.is(r.commands.filter((c) => c === 'cat-file').length, 1, r.commands.join(' '));
  assert.is(r.commands.filter((c) => c === 'ls-tree').length, 1, r.commands.join(' '));
  assert.is(git(['rev-parse', 'main'], { cwd: repo }).trim(), head, 'a conflicting publish pushed');
});

t('a file becomes a directory and back, a tree is emptied, outside files stay: the built tree is right', async () => {
  const repo = bareRepo(join(dir.path, 'shape.git'));
  const seed = join(dir.path, 'shape-seed');
  git(['clone', '-q', repo, seed]);
  mkdirSync(join(seed, 'clusters'), { recursive: true });
  writeFileSync(join(seed, 'clusters/README.md'), 'fleet\n');
  writeFileSync(join(seed, 'top.txt'), 'keep\n');
  git(['add', '-A'], { cwd: seed }); git(['commit', '-qm', 'seed'], { cwd: seed }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed });
  const ls = () => git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo }).split('\n').filter(Boolean);
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'x': 'file\n', 'k.yaml': 'a: 1\n' })] });
  assert.equal(ls(), ['clusters/README.md', `clusters/a/network/${MANIFEST}`, 'clusters/a/network/k.yaml', 'clusters/a/network/x', 'top.txt']);
  const r = await publishTrees({ repo, trees: [tree('clusters/a/network', { 'x/y.yaml': 'dir: 1\n', 'k.yaml': 'a: 1\n' })] });
  assert.equal(r.files, { added: ['clusters/a/network/x/y.yaml'], changed: [], removed: ['clusters/a/network/x'] });
  assert.equal(ls(), ['clusters/README.md', `clusters/a/network/${MANIFEST}`, 'clusters/a/network/k.yaml', 'clusters/a/network/x/y.yaml', 'top.txt']);
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'x': 'file again\n' })] });
  assert.equal(ls(), ['clusters/README.md', `clusters/a/network/${MANIFEST}`, 'clusters/a/network/x', 'top.txt']);
  assert.is(git(['show', 'main:clusters/a/network/x'], { cwd: repo }), 'file again\n');
  git(['fsck', '--no-progress', '--strict'], { cwd: repo });
  // The same content as another published file is not written twice and still lands.
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'x': 'file again\n' }), tree('clusters/b/network', { 'x': 'file again\n' }, 'q')] });
  assert.is(git(['show', 'main:clusters/b/network/x'], { cwd: repo }), 'file again\n');
  assert.ok(existsSync(repo));
});

t.run();
