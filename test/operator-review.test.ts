// spec.gitops.reviewBranch through the real operator (issue 12.8): the tree goes to the review
// branch made from repo.branch, repo.branch is untouched, the status says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { harness, bareMetalNode, l2Profile, readyOf, waitFor } from './kube-fake.js';

const rev = (remote: string, ref: string) => { try { return execFileSync('git', ['--git-dir', remote, 'rev-parse', '--verify', '-q', ref], { encoding: 'utf8' }).trim(); } catch { return ''; } };

test('a profile with spec.gitops.reviewBranch publishes to that branch, made from repo.branch', async () => {
  const h = await harness();
  try {
    await h.startPublished();
    const base = rev(h.remote, 'main');
    const p = l2Profile('lab', h.url, { pool: '172.21.48.224/28' });
    p.spec.gitops.reviewBranch = 'netprofile/lab';
    h.fake.addProfile(p);
    const obj = await waitFor(() => { const o = h.fake.profiles.get('netprofile-system/lab'); return o.status.observedGeneration === 2 && readyOf(o)?.status === 'True' ? o : null; }, 'Ready on generation 2');
    assert.is(rev(h.remote, 'main'), base, 'repo.branch untouched');
    assert.is(rev(h.remote, 'netprofile/lab^'), base);
    assert.is(obj.status.lastCommit.sha, rev(h.remote, 'netprofile/lab'));
    const published = obj.status.conditions.find((c: any) => c.type === 'Published');
    assert.match(published.message, /review branch netprofile\/lab \(made from main/);
    const plan = execFileSync('git', ['--git-dir', h.remote, 'show', 'netprofile/lab:clusters/lab/network/.netprofile/plan.json'], { encoding: 'utf8' });
    assert.ok(plan.includes('172.21.48.224/28'));
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

test.run();
