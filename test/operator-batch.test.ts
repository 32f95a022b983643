// The operator at fleet scale against one repository (issue 13 points 4 and 5): publishes are
// serialised per repository and branch and batched into one commit, the clone is kept between
// reconciles, a resync checks Git with one ls-remote and repairs drift, and one profile's hand
// edit or fence never holds up the others of its commit. The real operator (in process) against
// the fake apiserver and a real bare repository; the batching publisher also alone, with a
// recording publishTrees, for the fences and refusals.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, harness, bareMetalNode, l2Profile, readyOf } from './kube-fake.js';
import { batchingPublisher } from '../operator/batch.js';
import type { PublishRequest } from '../operator/publisher.js';
import { WorkQueue } from '../operator/queue.js';
import { systemClock } from '../operator/clock.js';
import { PublishConflict, PublishRefused, type PublishOptions } from '../gitops/index.js';

const NS = 'netprofile-system';
const t = suite('operator: one repository, many profiles');

const gitIn = (dir: string, args: string[]) => execFileSync('git', ['-c', 'user.name=person', '-c', 'user.email=person@example.test', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

t('100 profiles on one repository with 4 workers: all Ready, a handful of commits, no retries or give-ups', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    for (let i = 0; i < 100; i++) h.fake.addProfile(l2Profile(`p${i}`, h.url));
    const op = await h.start({ concurrency: 4 });
    await waitFor(() => { for (let i = 0; i < 100; i++) if (readyOf(h.fake.profiles.get(`${NS}/p${i}`))?.status !== 'True') return false; return true; }, '100 profiles Ready', 120_000);
    const commits = h.commits();
    assert.ok(commits.length <= 5, `a handful of commits, not one per profile: ${commits.length}`);
    const log = (op as any).o.log.entries as any[];
    assert.is(log.filter((e) => e.msg === 'publish failed').length, 0, 'no publish failed');
    assert.is(log.filter((e) => e.msg === 'reconcile failed, backing off').length, 0, 'no retries');
    // Every tree is there, and every status names the commit that holds it.
    const files = execFileSync('git', ['--git-dir', h.remote, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' }).split('\n');
    for (let i = 0; i < 100; i++) assert.ok(files.includes(`clusters/p${i}/network/kustomization.yaml`), `p${i}'s tree`);
    const shas = new Set(commits.map((c) => c.split(' ')[0]));
    for (let i = 0; i < 100; i++) assert.ok(shas.has(h.fake.profiles.get(`${NS}/p${i}`).status.lastCommit.sha), `p${i}'s lastCommit is a commit of the branch`);
    assert.match(commits[commits.length - 1], /^\w+ netprofile\(\d+ clusters\): /, 'one subject for many clusters');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('a resync repairs a tree deleted in Git; an idle resync costs one ls-remote and writes nothing', async () => {
  const h = await harness();
  const publisher = batchingPublisher({ cacheRoot: join(h.dir.path, 'clones') });
  try {
    const op = await h.startPublished({ resyncMs: 100, publisher });
    await op.queue.idle();
    const commits = h.commits().length;
    const writes = h.fake.writes().length;
    const checked = publisher.stats.verifiedByHead;
    await waitFor(() => publisher.stats.verifiedByHead >= checked + 3, 'three resyncs checked against the head');
    assert.is(h.commits().length, commits, 'idle: no commit');
    assert.is(h.fake.writes().length, writes, 'idle: no API write');
    // A person deletes the generated tree.
    const work = join(h.dir.path, 'person');
    gitIn(h.dir.path, ['clone', '-q', h.remote, work]);
    gitIn(work, ['rm', '-rq', 'clusters/lab']);
    gitIn(work, ['commit', '-qm', 'remove the network tree']);
    gitIn(work, ['push', '-q', 'origin', 'HEAD:main']);
    await waitFor(() => h.commits().length === commits + 2, 'the repair commit', 15_000);
    const tree = execFileSync('git', ['--git-dir', h.remote, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });
    assert.match(tree, /clusters\/lab\/network\/kustomization\.yaml/);
    const head = execFileSync('git', ['--git-dir', h.remote, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
    await waitFor(() => h.fake.profiles.get(`${NS}/lab`).status.lastCommit.sha === head, 'lastCommit names the repair');
    assert.is(readyOf(h.fake.profiles.get(`${NS}/lab`)).status, 'True');
    const log = (op as any).o.log.entries as any[];
    assert.ok(log.some((e) => e.msg === 'repaired drift in Git'), 'the repair is logged');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('a restarted operator reuses the kept clone: no new clone, nothing fetched when the branch did not move', async () => {
  const h = await harness();
  const cacheRoot = join(h.dir.path, 'clones');
  try {
    const first = await h.startPublished({ publisher: batchingPublisher({ cacheRoot }) });
    await first.queue.idle();
    await first.stop(2000);
    const clones = readdirSync(cacheRoot);
    assert.is(clones.length, 1, 'one lane, one clone');
    const gitDir = join(cacheRoot, clones[0], 'clone', '.git');
    writeFileSync(join(gitDir, 'netprofile-test-marker'), 'kept\n');
    const fetchHead = existsSync(join(gitDir, 'FETCH_HEAD')) ? statSync(join(gitDir, 'FETCH_HEAD')).mtimeMs : 0;
    // A new process (a new publisher, nothing in memory) on the same emptyDir.
    const publisher = batchingPublisher({ cacheRoot });
    h.fake.addProfile(l2Profile('lab', h.url, { pool: '172.21.48.224/28' }));
    const second = await h.start({ identity: 'op-2', publisher });
    await waitFor(() => h.fake.profiles.get(`${NS}/lab`)?.status?.observedGeneration === 2 && readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'the change published after the restart');
    await second.queue.idle();
    assert.is(h.commits().length, 2);
    assert.ok(existsSync(join(gitDir, 'netprofile-test-marker')), 'the same clone was used');
    assert.is(existsSync(join(gitDir, 'FETCH_HEAD')) ? statSync(join(gitDir, 'FETCH_HEAD')).mtimeMs : 0, fetchHead, 'nothing fetched: the clone had the head');
  } finally { await h.done(); }
});

t('a hand edit under one profile fails that profile only; the others of the commit are published', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('a', h.url));
    h.fake.addProfile(l2Profile('b', h.url));
    await h.start({ concurrency: 4 });
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/a`))?.status === 'True' && readyOf(h.fake.profiles.get(`${NS}/b`))?.status === 'True', 'both Ready');
    const work = join(h.dir.path, 'person');
    gitIn(h.dir.path, ['clone', '-q', h.remote, work]);
    writeFileSync(join(work, 'clusters/a/network/kustomization.yaml'), '# edited by hand\n');
    gitIn(work, ['commit', '-qam', 'hand edit']);
    gitIn(work, ['push', '-q', 'origin', 'HEAD:main']);
    // Both change in one generation each: they arrive together in one lane.
    for (const name of ['a', 'b']) h.fake.addProfile(l2Profile(name, h.url, { pool: '172.21.48.224/28' }));
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/a`))?.status === 'False', 'a refused');
    await waitFor(() => h.fake.profiles.get(`${NS}/b`)?.status?.observedGeneration === 2 && readyOf(h.fake.profiles.get(`${NS}/b`))?.status === 'True', 'b published');
    const a = h.fake.profiles.get(`${NS}/a`).status.conditions.find((c: any) => c.type === 'Published');
    assert.is(a.reason, 'PublishFailed');
    assert.match(a.message, /clusters\/a\/network\/kustomization\.yaml/);
    assert.not.match(a.message, /clusters\/b\//);
    const pool = execFileSync('git', ['--git-dir', h.remote, 'grep', '-l', '172.21.48.224', 'main', '--', 'clusters/b'], { encoding: 'utf8' });
    assert.ok(pool.trim().length > 0, 'b has its new pool');
    assert.is(execFileSync('git', ['--git-dir', h.remote, 'show', 'main:clusters/a/network/kustomization.yaml'], { encoding: 'utf8' }), '# edited by hand\n', 'the hand edit is kept');
  } finally { await h.done(); }
});

// ---- the batching publisher alone -----------------------------------------------------------------

const request = (i: number, extra: Partial<PublishRequest> = {}): PublishRequest => ({
  repo: 'file:///repo.git', branch: 'main', message: 'm', author: { name: 'n', email: 'e@x' }, credentials: {}, dryRun: false,
  trees: [{ profile: `p${i}`, path: `clusters/p${i}`, target: 'plain', files: { 'a.yaml': `i: ${i}\n` } }], key: `ns/p${i}`, hash: `h${i}`, ...extra,
});

function recording(answer: (o: PublishOptions, n: number) => Promise<any>) {
  const calls: PublishOptions[] = [];
  return { calls, publishTrees: async (o: PublishOptions) => { calls.push(o); return answer(o, calls.length); } };
}

const ok = (o: PublishOptions, sha: string, base: string | null = null) => ({ changed: true, sha, base, files: { added: o.trees.map((t) => `${t.path}/a.yaml`), changed: [], removed: [] }, changedPaths: o.trees.map((t) => t.path).sort(), attempts: 1, branch: 'main' });

t('requests that wait on one lane go into one publish; another branch or Secret is another lane', async () => {
  const rec = recording(async (o) => ok(o, 'c1'));
  const pub = batchingPublisher({ publishTrees: rec.publishTrees, cacheRoot: '/nonexistent', lingerMs: 5 });
  const results = await Promise.all([pub(request(1)), pub(request(2)), pub(request(3)), pub(request(4, { branch: 'other' })), pub(request(5, { credentials: { token: 's' } }))]);
  assert.is(rec.calls.length, 3);
  assert.equal(rec.calls[0].trees.map((t) => t.profile), ['p1', 'p2', 'p3']);
  assert.not.equal(rec.calls[0].cacheDir, rec.calls[1].cacheDir, 'one kept clone per lane');
  assert.ok(results.every((r) => r.changed && r.sha === 'c1'));
  assert.equal(results[1].files, { added: ['clusters/p2/a.yaml'], changed: [], removed: [] }, 'each profile sees its own files');
});

t('profiles with different commit message templates get a commit each, one after the other', async () => {
  let running = 0, overlapped = false;
  const rec = recording(async (o) => { running++; if (running > 1) overlapped = true; await new Promise((r) => setTimeout(r, 5)); running--; return ok(o, 'c'); });
  const pub = batchingPublisher({ publishTrees: rec.publishTrees, cacheRoot: '/nonexistent', lingerMs: 5 });
  await Promise.all([pub(request(1, { message: 'x: {{summary}}' })), pub(request(2)), pub(request(3, { message: 'x: {{summary}}' }))]);
  assert.is(rec.calls.length, 2);
  assert.equal(rec.calls.map((c) => [c.message, c.trees.map((t) => t.profile)]), [['x: {{summary}}', ['p1', 'p3']], ['m', ['p2']]]);
  assert.not.ok(overlapped, 'never two publishes on one lane at once');
});

t('a fence that fails drops that profile from the commit; the others are pushed without it', async () => {
  const rec = recording(async (o) => { await o.beforePush?.(); return ok(o, `c${rec.calls.length}`); });
  const pub = batchingPublisher({ publishTrees: rec.publishTrees, cacheRoot: '/nonexistent', lingerMs: 5 });
  const moved = new Error('the profile moved to generation 3');
  const [a, b] = await Promise.allSettled([pub(request(1, { beforePush: async () => { throw moved; } })), pub(request(2, { beforePush: async () => {} }))]);
  assert.is(a.status, 'rejected');
  assert.is((a as PromiseRejectedResult).reason, moved);
  assert.is(b.status, 'fulfilled');
  assert.is(rec.calls.length, 2);
  assert.equal(rec.calls[1].trees.map((t) => t.profile), ['p2'], 'published again without the fenced profile');
});

t('a refusal of the combined commit publishes each profile alone; a conflict fails only its profile', async () => {
  const refusing = recording(async (o) => { if (o.trees.length > 1) throw new PublishRefused('refused: two profiles publish clusters/x'); if (o.trees[0].profile === 'p1') throw new PublishRefused('refused: p1 alone'); return ok(o, 'c'); });
  const pub = batchingPublisher({ publishTrees: refusing.publishTrees, cacheRoot: '/nonexistent', lingerMs: 5 });
  const [a, b] = await Promise.allSettled([pub(request(1)), pub(request(2))]);
  assert.is(a.status, 'rejected');
  assert.match((a as PromiseRejectedResult).reason.message, /p1 alone/);
  assert.is(b.status, 'fulfilled');
  assert.is(pub.stats.individually, 2);
  const conflicting = recording(async (o) => { if (o.trees.some((t) => t.profile === 'p1')) throw new PublishConflict('x', [], ['clusters/p1/a.yaml']); return ok(o, 'c'); });
  const pub2 = batchingPublisher({ publishTrees: conflicting.publishTrees, cacheRoot: '/nonexistent', lingerMs: 5 });
  const [c, d] = await Promise.allSettled([pub2(request(1)), pub2(request(2))]);
  assert.instance((c as PromiseRejectedResult).reason, PublishConflict);
  assert.equal((c as PromiseRejectedResult).reason.files, ['clusters/p1/a.yaml']);
  assert.is(d.status, 'fulfilled');
  assert.is(conflicting.calls.length, 2);
});

t('verification: the head is offered only when every tree of the batch was seen there; a moved base forgets the others', async () => {
  let n = 0;
  const rec = recording(async (o) => {
    n++;
    if (o.verifiedHead) return { changed: false, sha: o.verifiedHead, base: o.verifiedHead, files: { added: [], changed: [], removed: [] }, changedPaths: [], attempts: 1, branch: 'main' };
    return n === 3 ? ok(o, 'c3', 'someone-else') : ok(o, `c${n}`, n === 1 ? null : `c${n - 1}`);
  });
  const pub = batchingPublisher({ publishTrees: rec.publishTrees, cacheRoot: '/nonexistent', lingerMs: 1 });
  await Promise.all([pub(request(1)), pub(request(2))]); // c1: both seen at c1
  await pub(request(1, { hash: 'h1-new' })); // c2 on c1: p2 still seen
  const again = await Promise.all([pub(request(1, { hash: 'h1-new' })), pub(request(2))]);
  assert.is(rec.calls[2].verifiedHead, 'c2', 'both trees were seen at c2');
  assert.ok(again.every((r) => !r.changed));
  await pub(request(3)); // c3, but its base is not c2: someone else pushed in between
  await pub(request(2));
  assert.is(rec.calls[4].verifiedHead, undefined, 'p2 must be compared again after a foreign commit');
  assert.is(pub.stats.verifiedByHead, 1);
});

t('a deleted profile is forgotten by the lanes', async () => {
  const h = await harness();
  const publisher = batchingPublisher({ cacheRoot: join(h.dir.path, 'clones') });
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('a', h.url));
    h.fake.addProfile(l2Profile('b', h.url));
    const op = await h.start({ publisher });
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/a`))?.status === 'True' && readyOf(h.fake.profiles.get(`${NS}/b`))?.status === 'True', 'both Ready');
    await op.queue.idle();
    assert.is(publisher.verifiedCount(), 2);
    h.fake.deleteProfile(NS, 'a');
    await waitFor(() => publisher.verifiedCount() === 1, 'a forgotten');
  } finally { await h.done(); }
});

t('the work queue: a released key frees its worker, takes one back to finish, and stop() waits for it', async () => {
  const order: string[] = [];
  let unblock!: () => void;
  const blocked = new Promise<void>((r) => { unblock = r; });
  const q = new WorkQueue(async (key, release) => {
    order.push(`start ${key}`);
    if (key === 'a') { const resume = release(); await blocked; await resume(); }
    order.push(`end ${key}`);
  }, { concurrency: 1, backoff: { baseMs: 10, maxMs: 10, jitter: 0 }, clock: systemClock });
  q.start();
  q.add('a');
  q.add('b');
  await waitFor(() => order.includes('end b'), 'b ran while a waited');
  assert.is(q.inFlight, 1, 'a is still in flight');
  q.add('a'); // a is processing: not run twice at once
  let stopped = false;
  const stopping = q.stop().then(() => { stopped = true; });
  await new Promise((r) => setTimeout(r, 30));
  assert.not.ok(stopped, 'stop waits for the released key');
  unblock();
  await stopping;
  assert.equal(order, ['start a', 'start b', 'end b', 'end a']);
});

t.run();
