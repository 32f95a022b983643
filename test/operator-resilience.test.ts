// The operator under API trouble and contention: 410 Gone relists, 500s back off, an idle resync
// writes nothing, two replicas contend for the Lease and only the leader publishes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeKube, waitFor, harness, bareMetalNode, l2Profile, readyOf } from './kube-fake.js';
import type { Publisher } from '../operator/publisher.js';
import { gitPublisher } from '../operator/publisher.js';

const NS = 'netprofile-system';
const t = suite('operator resilience');

t('a 410 Gone on the watch relists, and changes made meanwhile are seen', async () => {
  const h = await harness();
  try {
    const op = await h.startPublished();
    await waitFor(() => h.fake.openWatches('networkprofiles') === 1, 'a profile watch');
    const lists = op.profiles.stats.lists;
    h.fake.expireWatches('networkprofiles');
    // Created after the compaction: only a relist (not a replay) can show it.
    h.fake.addProfile(l2Profile('second', h.url, { pool: '172.21.48.224/28' }));
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/second`))?.status === 'True', 'the second profile published');
    assert.ok(op.profiles.stats.relistsOnGone >= 1);
    assert.is(op.profiles.stats.lists, lists + 1);
    const profileLists = h.fake.requests.filter((r) => r.method === 'GET' && r.path === '/apis/netprofile.io/v1alpha1/networkprofiles' && !r.query.watch);
    assert.is(profileLists.length, 2);
    // The new watch starts from the relist's resourceVersion, not the expired one.
    const watches = h.fake.requests.filter((r) => r.path === '/apis/netprofile.io/v1alpha1/networkprofiles' && r.query.watch === 'true');
    assert.ok(Number(watches[watches.length - 1].query.resourceVersion) >= h.fake.compactedBelow - 1);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('500s on list back off with growing delays, then the informer recovers', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    h.fake.fail('GET', /^\/apis\/netprofile\.io\/v1alpha1\/networkprofiles$/, 500, 3);
    const op = await h.start();
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'published after the 500s');
    assert.is(op.profiles.stats.errors, 3);
    const log = (op as any).o.log.entries as any[];
    const retries = log.filter((e) => e.msg === 'list/watch failed, backing off' && e.informer === 'networkprofiles');
    assert.is(retries.length, 3);
    assert.equal(retries.map((r) => r.attempt), [1, 2, 3]);
    assert.is(retries[0].code, 500);
    // base 20 ms doubling, jitter adds at most half: [20,30], [40,60], [80,120].
    assert.ok(retries[0].retryInMs >= 20 && retries[0].retryInMs <= 30, String(retries[0].retryInMs));
    assert.ok(retries[1].retryInMs >= 40 && retries[1].retryInMs <= 60, String(retries[1].retryInMs));
    assert.ok(retries[2].retryInMs >= 80 && retries[2].retryInMs <= 120, String(retries[2].retryInMs));
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('a status patch answered 500 is retried with per-profile backoff; another profile is not held up', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('flaky', h.url));
    h.fake.addProfile(l2Profile('fine', h.url, { pool: '172.21.48.224/28' }));
    h.fake.fail('PATCH', /\/networkprofiles\/flaky\/status$/, 500, 2);
    const op = await h.start();
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/fine`))?.status === 'True', 'the healthy profile');
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/flaky`))?.status === 'True', 'the flaky profile after retries');
    const log = (op as any).o.log.entries as any[];
    const failures = log.filter((e) => e.msg === 'reconcile failed, backing off' && e.profile === `${NS}/flaky`);
    assert.equal(failures.map((f) => f.attempt), [1, 2]);
    assert.ok(failures[1].retryInMs > failures[0].retryInMs, 'the delay grows');
    assert.ok(!log.some((e) => e.msg === 'reconcile failed, backing off' && e.profile === `${NS}/fine`));
    // The two profiles share a repository: one commit (or one each when they missed each
    // other's batch), and the retries of the status write did not publish again.
    assert.ok(h.commits().length >= 1 && h.commits().length <= 2, h.commits().join('\n'));
    await waitFor(() => op.queue.attempts(`${NS}/flaky`) === 0, 'success resets the backoff');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('a failing publish sets Published=False with PublishFailed, records one Event, and backs off', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', 'file:///nonexistent/repo.git'));
    const op = await h.start();
    const obj = await waitFor(() => { const p = h.fake.profiles.get(`${NS}/lab`); return readyOf(p)?.status === 'False' ? p : null; }, 'Ready=False');
    const published = obj.status.conditions.find((c: any) => c.type === 'Published');
    assert.is(published.reason, 'PublishFailed');
    assert.is(readyOf(obj).reason, 'PublishFailed');
    await waitFor(() => op.queue.attempts(`${NS}/lab`) >= 3, 'three attempts');
    assert.is(h.fake.events.filter((e) => e.reason === 'PublishFailed').length, 1, 'one Event per transition, not per retry');
    assert.is(h.fake.events[0].type, 'Warning');
    assert.is(h.fake.statusPatches().length, 1, 'the retries write no new status');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('an idle resync writes nothing: no status patch, no Event, no commit, no Git call', async () => {
  let publishes = 0;
  const counting: Publisher = async (r) => { publishes++; return gitPublisher(r); };
  const h = await harness();
  try {
    const op = await h.startPublished({ resyncMs: 50, publisher: counting });
    await op.queue.idle();
    const writes = h.fake.writes().length;
    const commits = h.commits().length;
    const resyncs = op.profiles.stats.resyncs;
    await waitFor(() => op.profiles.stats.resyncs >= resyncs + 3, 'three resyncs');
    await op.queue.idle();
    const reconciled = (await op.metrics.reconciles.get()).values.find((v) => v.labels.result === 'unchanged')?.value ?? 0;
    assert.ok(reconciled >= 3, `resyncs reconciled (${reconciled})`);
    assert.is(h.fake.writes().length, writes);
    assert.is(h.commits().length, commits);
    assert.is(publishes, 1);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('two operators contend for the Lease: only the leader publishes; when it stops, the other takes over', async () => {
  const h = await harness();
  const publishedBy: string[] = [];
  const tagged = (id: string): Publisher => async (r) => { publishedBy.push(id); return gitPublisher(r); };
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    const [a, b] = await Promise.all([h.start({ identity: 'op-a', leaderElect: true, publisher: tagged('op-a') }), h.start({ identity: 'op-b', leaderElect: true, publisher: tagged('op-b') })]);
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'published by the leader');
    const lease = h.fake.leases.get(`${NS}/netprofile-operator`);
    const leaderId = lease.spec.holderIdentity;
    assert.ok(leaderId === 'op-a' || leaderId === 'op-b');
    const [leader, standby] = leaderId === 'op-a' ? [a, b] : [b, a];
    assert.ok(leader.leader!.isLeader());
    assert.not.ok(standby.leader!.isLeader());
    assert.equal([...new Set(publishedBy)], [leaderId]);
    assert.is((await leader.metrics.leader.get()).values[0].value, 1);
    assert.is((await standby.metrics.leader.get()).values[0].value, 0);
    // Every status patch and Event came while its writer held the Lease (only the leader writes).
    assert.ok(h.fake.events.every((e) => e.reportingInstance === leaderId));
    // A spec change while the standby watches: still only the leader publishes.
    h.fake.addProfile(l2Profile('lab', h.url, { pool: '172.21.48.224/28' }));
    await waitFor(() => h.fake.profiles.get(`${NS}/lab`).status.observedGeneration === 2, 'generation 2');
    assert.equal([...new Set(publishedBy)], [leaderId]);
    // The leader stops (SIGTERM path): it releases the Lease and the standby takes over at once.
    await leader.stop(2000);
    assert.is(h.fake.leases.get(`${NS}/netprofile-operator`).spec.holderIdentity === leaderId, false);
    await waitFor(() => standby.leader!.isLeader(), 'the standby leads');
    h.fake.addProfile(l2Profile('lab', h.url, { pool: '172.21.48.208/28' }));
    await waitFor(() => h.fake.profiles.get(`${NS}/lab`).status.observedGeneration === 3, 'generation 3');
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True' && h.commits().length === 3, 'third commit');
    const standbyId = leaderId === 'op-a' ? 'op-b' : 'op-a';
    assert.is(publishedBy[publishedBy.length - 1], standbyId);
    assert.is(h.fake.leases.get(`${NS}/netprofile-operator`).spec.holderIdentity, standbyId);
    assert.ok(h.fake.leases.get(`${NS}/netprofile-operator`).spec.leaseTransitions >= 0);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('the fake apiserver rejects what kube-apiserver rejects: a merge body sent as a JSON Patch', () => {
  const fake = new FakeKube();
  fake.addProfile(l2Profile('lab', 'file:///x'));
  const r = fake.handle('PATCH', '/apis/netprofile.io/v1alpha1/namespaces/netprofile-system/networkprofiles/lab/status', 'application/json-patch+json', JSON.stringify({ status: { observedGeneration: 1, conditions: [] } }));
  assert.is(r.status, 400);
  assert.is(fake.unexpected.length, 1);
  const lease = fake.handle('POST', '/apis/coordination.k8s.io/v1/namespaces/netprofile-system/leases', 'application/json', JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: '2025-01-01T00:00:00.000Z', renewTime: '2025-01-01T00:00:00.000Z' } }));
  assert.is(lease.status, 400, 'MicroTime with three digits is refused');
});

t.run();
