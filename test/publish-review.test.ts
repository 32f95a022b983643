// publishTrees({ reviewBranch }) (issue 12.8): the change as one commit on the base head, on a
// branch of its own for a pull request; force-updated only while netprofile made it. Real bare
// repositories, real git.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { isolatedGitEnv, git, bareRepo } from './gitserver.js';
import { publishTrees, PublishRefused } from '../gitops/index.js';
import type { RenderedTree } from '../generators/render.js';

const tree = (files: Record<string, string>): RenderedTree => ({ profile: 'p', path: 'clusters/a/network', target: 'plain', files });

const t = suite('publish to a review branch');
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};
t.before(() => {
  dir = tempDir('netprofile-review-');
  env = isolatedGitEnv(join(dir.path, 'home'));
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
});
t.after(() => {
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  dir.cleanup();
});

const rev = (repo: string, ref: string) => git(['rev-parse', '--verify', '-q', ref], { cwd: repo, env, allowFail: true }).trim();

t('the review branch is one commit on the base head; base untouched; same change again is a no-op; a new change replaces it', async () => {
  const repo = bareRepo(join(dir.path, 'r.git'), env);
  await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 1\n' })] });
  const base = rev(repo, 'main');
  const r = await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 2\n' })], reviewBranch: 'netprofile/lab' });
  assert.is(r.changed, true);
  assert.is(r.branch, 'netprofile/lab');
  assert.is(rev(repo, 'main'), base, 'the base branch did not move');
  assert.is(rev(repo, 'netprofile/lab'), r.sha);
  assert.is(rev(repo, 'netprofile/lab^'), base, 'made from the base head');
  assert.match(git(['log', '-1', '--format=%B', 'netprofile/lab'], { cwd: repo, env }), /\n\nNetprofile-Review-Base: main\n/);
  assert.is(git(['show', 'netprofile/lab:clusters/a/network/k.yaml'], { cwd: repo, env }), 'v: 2\n');
  const again = await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 2\n' })], reviewBranch: 'netprofile/lab' });
  assert.is(again.changed, false);
  assert.is(rev(repo, 'netprofile/lab'), r.sha);
  const third = await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 3\n' })], reviewBranch: 'netprofile/lab' });
  assert.is(third.changed, true);
  assert.is(rev(repo, 'netprofile/lab^'), base, 'still one commit on the base: force-updated');
  // Nothing to review when the base already has the tree.
  const none = await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 1\n' })], reviewBranch: 'other' });
  assert.is(none.changed, false);
  assert.is(rev(repo, 'other'), '', 'no branch made for no change');
});

t('a review branch someone else made or pushed to is refused and left alone', async () => {
  const repo = bareRepo(join(dir.path, 's.git'), env);
  await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 1\n' })] });
  await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 2\n' })], reviewBranch: 'review' });
  const work = join(dir.path, 's-work');
  git(['clone', '-q', '-b', 'review', repo, work], { env });
  git(['-C', work, 'commit', '-q', '--allow-empty', '-m', 'a reviewer\'s fixup'], { env });
  git(['-C', work, 'push', '-q', 'origin', 'review'], { env });
  const head = rev(repo, 'review');
  try {
    await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 3\n' })], reviewBranch: 'review' });
    assert.unreachable('overwrote a branch netprofile did not make');
  } catch (e) {
    assert.instance(e, PublishRefused);
    assert.match((e as Error).message, /netprofile did not make it/);
  }
  assert.is(rev(repo, 'review'), head);
  try { await publishTrees({ repo, trees: [tree({})], reviewBranch: 'main' }); assert.unreachable('review = base'); } catch (e) { assert.match((e as Error).message, /is the base branch itself/); }
});

t('when the base moves, the review commit is rebuilt on the new base head', async () => {
  const repo = bareRepo(join(dir.path, 'm.git'), env);
  await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 1\n' })] });
  await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 2\n' })], reviewBranch: 'review' });
  await publishTrees({ repo, trees: [{ profile: 'q', path: 'clusters/b/network', target: 'plain', files: { 'x.yaml': 'x: 1\n' } }] });
  const base = rev(repo, 'main');
  const r = await publishTrees({ repo, trees: [tree({ 'k.yaml': 'v: 2\n' })], reviewBranch: 'review' });
  assert.is(r.changed, true);
  assert.is(rev(repo, 'review^'), base);
});

t.run();
