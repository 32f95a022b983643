// `netprofile publish --review-branch NAME` (issue 12.8, command line): the change lands as one
// commit on the base head, on its own branch, against a real bare repository; the base branch
// never moves; a branch someone else made is refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { cli, tempDir, examples } from './helpers.js';
import { isolatedGitEnv, git, bareRepo } from './gitserver.js';

const ex = (name: string) => join(examples, name, 'networkprofile.yaml');
const t = suite('publish --review-branch');
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
t.before(() => { dir = tempDir('netprofile-review-cli-'); env = isolatedGitEnv(join(dir.path, 'home')); });
t.after(() => dir.cleanup());

const run = (args: string[]) => cli(args, { env, timeout: 60_000 });
const rev = (repo: string, ref: string) => git(['rev-parse', '--verify', '-q', ref], { cwd: repo, env, allowFail: true }).trim();

t('--help documents the flag', () => {
  const h = run(['publish', '--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /--review-branch R/);
  assert.match(h.stdout, /Netprofile-Review-Base/);
});

t('the change is one commit on the base head on the review branch; main does not move; again is a no-op', () => {
  const repo = bareRepo(join(dir.path, 'fleet.git'), env);
  assert.is(run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--target', 'plain']).code, 0);
  const base = rev(repo, 'main');
  const r = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--target', 'flux', '--review-branch', 'netprofile/office']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(branch netprofile\/office, made from main\): commit [0-9a-f]{12}/);
  assert.is(rev(repo, 'main'), base, 'the base branch did not move');
  assert.is(rev(repo, 'netprofile/office^'), base, 'one commit on the base head');
  assert.match(git(['log', '-1', '--format=%B', 'netprofile/office'], { cwd: repo, env }), /Netprofile-Review-Base: main/);
  assert.match(git(['show', 'netprofile/office:clusters/office/network/flux-kustomizations.yaml'], { cwd: repo, env }), /kind: Kustomization/);
  const head = rev(repo, 'netprofile/office');
  const again = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--target', 'flux', '--review-branch', 'netprofile/office']);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing changed/);
  assert.is(rev(repo, 'netprofile/office'), head);
});

t('a branch of that name that netprofile did not make is refused (exit 1), never overwritten', () => {
  const repo = bareRepo(join(dir.path, 'other.git'), env);
  assert.is(run(['publish', ex('baremetal-metallb-l2'), '--repo', repo]).code, 0);
  git(['branch', 'feature', 'main'], { cwd: repo, env });
  const before = rev(repo, 'feature');
  const r = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--target', 'plain', '--review-branch', 'feature']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /branch feature exists and netprofile did not make it/);
  assert.is(rev(repo, 'feature'), before);
});

t('usage errors: an empty name, the base branch itself, an invalid name', () => {
  const repo = bareRepo(join(dir.path, 'u.git'), env);
  assert.is(run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--review-branch', '']).code, 2);
  const same = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--review-branch', 'main']);
  assert.is(same.code, 2);
  assert.match(same.stderr, /is the base branch itself/);
  const bad = run(['publish', ex('baremetal-metallb-l2'), '--repo', repo, '--review-branch', '-x..y']);
  assert.is.not(bad.code, 0);
  assert.is(rev(repo, 'main'), '', 'nothing pushed');
});

t.run();
