// publishTrees({ remove }): the removal of a published tree (the operator's deletionPolicy: prune),
// alone or in the same commit as a tree moving elsewhere, against a real bare repository.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join, dirname } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from './helpers.js';
import { isolatedGitEnv, git, bareRepo } from './gitserver.js';
import { publishTrees, PublishConflict, PublishRefused } from '../gitops/index.js';
import type { RenderedTree } from '../generators/render.js';

const tree = (path: string, files: Record<string, string>, profile = 'p'): RenderedTree => ({ profile, path, target: 'plain', files });

const t = suite('publishTrees removes published paths');
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};

t.before(() => {
  dir = tempDir('netprofile-remove-');
  env = isolatedGitEnv(join(dir.path, 'home'));
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
});
t.after(() => {
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  dir.cleanup();
});

const files = (repo: string) => git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo, env }).split('\n').filter(Boolean);
const commits = (repo: string) => Number(git(['rev-list', '--count', 'main'], { cwd: repo, env }).trim());

t('remove alone: one commit deletes the tree and its manifest, nothing else; again is a no-op', async () => {
  const repo = bareRepo(join(dir.path, 'alone.git'), env);
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'k.yaml': 'a: 1\n' }), tree('clusters/b/network', { 'k.yaml': 'b: 1\n' }, 'q')] });
  const r = await publishTrees({ repo, trees: [], remove: ['clusters/a/network'], message: 'remove {{summary}}' });
  assert.is(r.changed, true);
  assert.equal(r.files.removed, ['clusters/a/network/k.yaml']);
  assert.equal(files(repo), ['clusters/b/network/.netprofile/SHA256SUMS', 'clusters/b/network/k.yaml']);
  assert.is(commits(repo), 2);
  assert.match(git(['log', '-1', '--format=%s', 'main'], { cwd: repo, env }), /^remove 1 file removed in clusters\/a\/network/);
  const again = await publishTrees({ repo, trees: [], remove: ['clusters/a/network'] });
  assert.is(again.changed, false);
  assert.is(commits(repo), 2);
});

t('a move: the new tree and the removal of the old one land in one commit', async () => {
  const repo = bareRepo(join(dir.path, 'move.git'), env);
  await publishTrees({ repo, trees: [tree('clusters/old/network', { 'k.yaml': 'x: 1\n' })] });
  const r = await publishTrees({ repo, trees: [tree('clusters/new/network', { 'k.yaml': 'x: 1\n' })], remove: ['clusters/old/network'] });
  assert.is(r.changed, true);
  assert.equal(files(repo), ['clusters/new/network/.netprofile/SHA256SUMS', 'clusters/new/network/k.yaml']);
  assert.is(commits(repo), 2);
});

t('a hand-edited or hand-added file under the removed path is a conflict: nothing is deleted', async () => {
  const repo = bareRepo(join(dir.path, 'edited.git'), env);
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'k.yaml': 'a: 1\n' })] });
  const work = join(dir.path, 'edited-work');
  git(['clone', '-q', repo, work], { env });
  git(['-C', work, 'config', 'user.name', 'A Person'], { env });
  write(join(work, 'clusters/a/network/extra.yaml'), 'mine: true\n');
  git(['-C', work, 'add', '.'], { env });
  git(['-C', work, 'commit', '-qm', 'hand edit'], { env });
  git(['-C', work, 'push', '-q', 'origin', 'main'], { env });
  const before = files(repo);
  try {
    await publishTrees({ repo, trees: [], remove: ['clusters/a/network'] });
    assert.unreachable('removed a hand-added file');
  } catch (e) {
    assert.instance(e, PublishConflict);
    assert.match((e as Error).message, /clusters\/a\/network\/extra\.yaml/);
  }
  assert.equal(files(repo), before);
});

t('a removal path that escapes the repository or overlaps a published tree is refused before any Git work', async () => {
  const repo = join(dir.path, 'never.git');
  for (const [remove, trees, re] of [
    [['../x'], [], /contains "\.\."/],
    [['clusters/a'], [tree('clusters/a/network', { 'k.yaml': '' })], /overlaps a tree being published/],
  ] as const) {
    try { await publishTrees({ repo, trees: [...trees], remove: [...remove] }); assert.unreachable(String(remove)); } catch (e) {
      assert.instance(e, PublishRefused);
      assert.match((e as Error).message, re);
    }
  }
});

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

t.run();
