// The operator under the faults of a real cluster and a real Git host (issue 13): no hot loop on
// its own status writes, node churn planned once, a cache of only what detection reads, paged
// lists, watches that back off, deadlines on every API call, Retry-After, a wedged worker seen by
// /healthz, and the fence before each push. The real @kubernetes/client-node against the fake
// apiserver (test/kube-fake.ts), with the install's RBAC enforced.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { harness, bareMetalNode, l2Profile, readyOf, waitFor } from './kube-fake.js';
import { gitPublisher, type Publisher } from '../operator/publisher.js';
import { updateMatters } from '../operator/operator.js';
import { stableMessage } from '../operator/reconcile.js';
import { Informer, type ListWatch, type WatchEvent } from '../operator/informer.js';
import { memoryLogger } from '../operator/log.js';
import { systemClock } from '../operator/clock.js';

const NS = 'netprofile-system';
const reconcileCount = async (op: any) => (await op.metrics.reconciles.get()).values.reduce((a: number, v: any) => a + v.value, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- 1. hot loop ---------------------------------------------------------------------------

const hot = suite('status writes do not re-queue (issue 13.1)');

hot('a publisher whose error text changes each attempt: bounded attempts with growing backoff, one status write', async () => {
  let attempts = 0;
  // curl and ssh put timings and ports into their messages: each attempt reads differently.
  const flaky: Publisher = async () => {
    attempts++;
    throw new Error(`git push: fatal: unable to access 'https://git.example/fleet.git/': Failed to connect to git.example port ${40000 + attempts} after ${1000 + attempts * 37} ms: Couldn't connect to server (/tmp/netprofile-publish-${attempts}x/clone)`);
  };
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', 'https://git.example/fleet.git'));
    const op = await h.start({ publisher: flaky, queueBackoff: { baseMs: 50, maxMs: 400, jitter: 0.2 } });
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'False', 'Ready=False');
    await sleep(1500);
    // 50, 100, 200, 400, 400·(1..1.2) ... in 1.5 s: well under a dozen (the old code: hundreds).
    assert.ok(attempts >= 3 && attempts <= 10, `attempts ${attempts}`);
    assert.is(h.fake.statusPatches().length, 1, 'one status write for the failure, not one per attempt');
    const published = h.fake.profiles.get(`${NS}/lab`).status.conditions.find((c: any) => c.type === 'Published');
    assert.is(published.reason, 'PublishFailed');
    assert.not.match(published.message, /40001|1037/);
    const delays = ((op as any).o.log.entries as any[]).filter((e) => e.msg === 'reconcile failed, backing off').map((e) => e.retryInMs);
    assert.ok(delays.length >= 3);
    for (let i = 1; i < Math.min(delays.length, 4); i++) assert.ok(delays[i] > delays[i - 1], `growing: ${delays.join(',')}`);
    // The Event carries the full text of the first failure.
    assert.match(h.fake.events.find((e) => e.reason === 'PublishFailed').message, /port 40001 after 1037 ms/);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

hot('only updates that matter re-queue: generation, deletion, finalizers, labels, annotations; not status', () => {
  const base = { apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name: 'a', namespace: NS, generation: 3, resourceVersion: '10' }, spec: { x: 1 }, status: { observedGeneration: 2 } };
  const next = (f: (o: any) => void) => { const o = structuredClone(base) as any; o.metadata.resourceVersion = '11'; f(o); return o; };
  assert.not.ok(updateMatters(base, next((o) => { o.status = { observedGeneration: 3, conditions: [] }; })), 'status only');
  assert.ok(updateMatters(base, next((o) => { o.metadata.generation = 4; o.spec.x = 2; })), 'spec');
  assert.ok(updateMatters(base, next((o) => { o.metadata.deletionTimestamp = '2025-01-01T00:00:00Z'; })), 'deletion');
  assert.ok(updateMatters(base, next((o) => { o.metadata.finalizers = ['netprofile.io/gitops']; })), 'finalizer');
  assert.ok(updateMatters(base, next((o) => { o.metadata.labels = { team: 'a' }; })), 'label');
  assert.ok(updateMatters(base, next((o) => { o.metadata.annotations = { note: 'b' }; })), 'annotation');
});

hot('condition messages are stable: durations, ports, temporary paths and times normalised', () => {
  const a = stableMessage("ssh: connect to host 10.0.0.5 port 2222: Connection timed out after 10043 ms at 2026-12-03T07:00:01Z in /tmp/netprofile-abc123/repo");
  const b = stableMessage("ssh: connect to host 10.0.0.5 port 2223: Connection timed out after 9987 ms at 2026-12-03T07:00:09Z in /tmp/netprofile-zzz999/repo");
  assert.is(a, b);
  assert.match(a, /10\.0\.0\.5 port N/);
  assert.is(stableMessage('Operation timed out after 30000 milliseconds with 0 bytes received'), stableMessage('Operation timed out after 30001 milliseconds with 0 bytes received'));
});

hot.run();

// ---- 7. node churn -------------------------------------------------------------------------

const churn = suite('node churn (issue 13.7)');

churn('a node joining with the same facts: detection runs once for all profiles, no status write', async () => {
  const h = await harness();
  try {
    for (let i = 1; i <= 12; i++) h.fake.addNode(bareMetalNode(`node-${String(i).padStart(2, '0')}`, `172.21.48.${i}`));
    for (let i = 0; i < 20; i++) {
      const p = l2Profile(`p${i}`, h.url);
      delete p.spec.gitops.repo; // plan and status only: no Git in this test
      h.fake.addProfile(p);
    }
    const op = await h.start({ concurrency: 4 });
    await waitFor(() => [...h.fake.profiles.values()].every((p) => p.status?.observedGeneration === 1), 'every profile has status');
    await op.queue.idle();
    const detected = h.fake.profiles.get(`${NS}/p0`).status.conditions.find((c: any) => c.type === 'Detected');
    assert.is(detected.message, 'bare-metal from the Nodes', 'no node count in the message');
    const patches = h.fake.statusPatches().length;
    const detections = op.stats.detections;
    const before = await reconcileCount(op);
    h.fake.addNode(bareMetalNode('node-13', '172.21.48.13'));
    await waitFor(async () => (await reconcileCount(op)) >= before + 20, 'every profile re-planned');
    await op.queue.idle();
    await sleep(200);
    assert.is(await reconcileCount(op), before + 20, 'one reconcile per profile, none for our own writes');
    assert.is(op.stats.detections, detections + 1, 'the Nodes were read once for all 20 profiles');
    assert.is(h.fake.statusPatches().length, patches, 'nothing a status shows changed');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

churn.run();

// ---- 8. memory -----------------------------------------------------------------------------

const memory = suite('node cache and paged lists (issue 13.8)');

memory('the Node cache keeps only what detection reads; lists are paged with limit and continue', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 1100; i++) {
      const n = bareMetalNode(`n${i}`, `172.21.${48 + (i >> 8)}.${i & 255}`);
      n.metadata.managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:images': {} } } }];
      n.metadata.annotations = { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };
      n.spec.podCIDR = '10.42.0.0/24';
      n.status.images = [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320000 }];
      n.status.addresses.push({ type: 'Hostname', address: `n${i}` });
      n.status.nodeInfo.machineID = 'abc';
      n.status.capacity = { cpu: '8', memory: '32Gi' };
      h.fake.addNode(n);
    }
    const op = await h.start();
    assert.is(op.nodes.store.size, 1100);
    const lists = h.fake.requests.filter((r) => r.path === '/api/v1/nodes' && r.query.watch !== 'true');
    // Nodes come 50 a page (operator/kube.ts nodePageSize): 22 pages for 1100.
    assert.equal(lists.map((r) => [r.query.limit, r.query.continue !== undefined]), [['50', false], ...Array.from({ length: 21 }, () => ['50', true])]);
    assert.equal(op.nodes.store.get('n7'), {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'n7', resourceVersion: h.fake.nodes.get('n7').metadata.resourceVersion, labels: { 'kubernetes.io/hostname': 'n7' } },
      spec: {},
      status: { addresses: [{ type: 'InternalIP', address: '172.21.48.7' }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Ubuntu 24.04.1 LTS' } },
    });
    // A watched update is cut down the same way.
    const n: any = bareMetalNode('n7', '172.21.48.7');
    n.status.images = [{ names: ['x'], sizeBytes: 1 }];
    n.metadata.labels.extra = 'y';
    h.fake.addNode(n);
    await waitFor(() => (op.nodes.store.get('n7') as any)?.metadata.labels?.extra === 'y', 'the update');
    assert.is((op.nodes.store.get('n7') as any).status.images, undefined);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

memory.run();

// ---- 10. informer --------------------------------------------------------------------------

const informer = suite('informer watches (issue 13.10)');

informer('one abort listener per watch, removed when the watch ends', async () => {
  let watches = 0;
  const lw: ListWatch = {
    async list() { return { items: [], resourceVersion: '1' }; },
    async watch(rv, onEvent, onDone) {
      watches++;
      // One event, then a clean end: a normal (not short, it sent an event) watch each time.
      setTimeout(() => { onEvent({ type: 'ADDED', object: { metadata: { name: `o${watches}`, resourceVersion: String(Number(rv) + 1) } } } as WatchEvent); onDone(null); }, 1);
      return () => {};
    },
  };
  const inf = new Informer(lw, { onChange() {} }, { name: 'test', resyncMs: 0, backoff: { baseMs: 1, maxMs: 2, jitter: 0 }, clock: systemClock, log: memoryLogger() });
  inf.start();
  await waitFor(() => watches >= 60, '60 watches');
  const signal = (inf as any).abort.signal as AbortSignal;
  assert.ok(getEventListeners(signal, 'abort').length <= 1, `listeners: ${getEventListeners(signal, 'abort').length}`);
  await inf.stop();
});

informer('a server that ends every watch at once is not hammered: short watches back off', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    // timeoutSeconds of 300-600 "seconds" last 0.3-0.6 ms here: every watch ends at once, empty.
    h.fake.watchSecondMs = 0.001;
    const op = await h.start();
    const t0 = h.fake.requests.length;
    await sleep(1500);
    const watches = h.fake.requests.slice(t0).filter((r) => r.path === '/api/v1/nodes' && r.query.watch === 'true').length;
    // Backoff 20 ms doubling to a 300 ms cap (jittered): about ten in 1.5 s; the old code: thousands.
    assert.ok(watches > 2 && watches < 20, `watch requests in 1.5 s: ${watches}`);
    assert.ok(op.nodes.stats.shortWatches > 2);
    const logged = ((op as any).o.log.entries as any[]).filter((e) => e.msg === 'list/watch failed, backing off' && /very short watch/.test(e.error));
    assert.ok(logged.length > 2);
  } finally { await h.done(); }
});

informer('BOOKMARK events move the watch\'s resourceVersion without touching the cache', async () => {
  const h = await harness();
  try {
    const op = await h.startPublished();
    await waitFor(() => h.fake.openWatches('nodes') === 1, 'a node watch');
    await sleep(1100); // longer than a "very short watch"
    const rv = h.fake.touch();
    h.fake.bookmark('nodes');
    await sleep(50);
    const changes = op.nodes.store.get('cp-1')!.metadata.resourceVersion;
    h.fake.closeWatches();
    await waitFor(() => h.fake.requests.filter((r) => r.path === '/api/v1/nodes' && r.query.watch === 'true').length >= 2, 'a new node watch');
    const last = h.fake.requests.filter((r) => r.path === '/api/v1/nodes' && r.query.watch === 'true').pop()!;
    assert.is(last.query.resourceVersion, rv, 'the new watch starts from the bookmark');
    assert.is(op.nodes.store.get('cp-1')!.metadata.resourceVersion, changes);
    assert.ok(Number(last.query.timeoutSeconds) >= 300 && Number(last.query.timeoutSeconds) <= 600, last.query.timeoutSeconds);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

informer.run();

// ---- 11. deadlines, Retry-After, wedged workers, queue metrics ------------------------------

const small = suite('deadlines, Retry-After, health and queue metrics (issue 13.11)');

small('a hung status write ends at the API deadline and is retried; /healthz sees a wedged worker meanwhile', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    h.fake.hang('PATCH', /\/networkprofiles\/lab\/status$/, 1);
    const op = await h.start({ deadlines: { requestMs: 1500 }, wedgedAfterMs: 500 });
    await waitFor(() => h.fake.statusPatches().length === 1, 'the hung status write');
    await waitFor(() => !op.healthz().ok, '/healthz failing', 3000);
    assert.match(op.healthz().detail, /wedged/);
    const metrics = await op.metrics.registry.metrics();
    const longest = Number(/^netprofile_workqueue_longest_running_processor_seconds (\S+)$/m.exec(metrics)?.[1]);
    assert.ok(longest >= 0.5, `longest running ${longest}`);
    assert.match(metrics, /^netprofile_workqueue_depth 0$/m);
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'Ready after the deadline and a retry', 8000);
    await op.queue.idle();
    assert.ok(op.healthz().ok, op.healthz().detail);
    const after = await op.metrics.registry.metrics();
    assert.match(after, /^netprofile_workqueue_retries_total 1$/m);
    assert.match(after, /^netprofile_workqueue_adds_total [1-9]/m);
    const failed = ((op as any).o.log.entries as any[]).find((e) => e.msg === 'reconcile failed, backing off');
    assert.match(failed.error, /API deadline/);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

small('a 429 with Retry-After: the retry waits at least that long', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    h.fake.throttle('PATCH', /\/networkprofiles\/lab\/status$/, 1, 1);
    const op = await h.start();
    await waitFor(() => readyOf(h.fake.profiles.get(`${NS}/lab`))?.status === 'True', 'Ready after the 429', 8000);
    const failed = ((op as any).o.log.entries as any[]).find((e) => e.msg === 'reconcile failed, backing off');
    assert.ok(failed.retryInMs >= 1000, `retry in ${failed.retryInMs} ms`);
    const patches = h.fake.requests.map((r, i) => ({ r, i })).filter(({ r }) => r.method === 'PATCH' && r.path.endsWith('/status'));
    assert.is(patches.length, 2);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

small('the renewal counts from before the Lease request: a slow answer does not extend leadership', async () => {
  const { LeaderElector } = await import('../operator/leader.js');
  let t = 1_000_000;
  const clock = { now: () => new Date(t), random: () => 0, sleep: (_ms: number, signal?: AbortSignal) => new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true })) };
  const api: any = {
    async readLease() { return null; },
    async createLease(l: any) { t += 600; return { ...l, metadata: { ...l.metadata, resourceVersion: '1' } }; },
  };
  let started = 0;
  const le = new LeaderElector({ api, namespace: NS, name: 'x', identity: 'me', leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 100, clock, log: memoryLogger(), onStartedLeading: () => { started++; }, onStoppedLeading() {} });
  le.start();
  await waitFor(() => started === 1, 'leading');
  assert.ok(le.isLeader(), '600 ms after the request began: still within the 700 ms renew deadline');
  t += 150; // 750 ms after the request began, 150 ms after the answer
  assert.not.ok(le.isLeader(), 'the renew deadline counts from before the request');
  await le.stop(false);
});

small.run();

// ---- 3. fencing ----------------------------------------------------------------------------

const fence = suite('fencing (issue 13.3)');

fence('stop aborts in-flight Git work first and releases the Lease only after', async () => {
  const order: string[] = [];
  let started = false;
  const slow: Publisher = (req: any) => new Promise((_resolve, reject) => {
    started = true;
    const signal: AbortSignal | undefined = req.signal;
    signal?.addEventListener('abort', () => { order.push('git aborted'); reject(new Error('aborted')); }, { once: true });
  });
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    const op = await h.start({ leaderElect: true, publisher: slow });
    await waitFor(() => started, 'a publish in flight');
    const before = h.fake.requests.length;
    const clean = await op.stop(2000);
    assert.ok(clean, 'every reconcile ended within the grace period');
    const release = h.fake.requests.slice(before).findIndex((r) => r.method === 'PUT' && r.path.includes('/leases/') && r.body?.spec?.holderIdentity === '');
    assert.ok(release >= 0, 'the Lease was released');
    assert.equal(order, ['git aborted']);
    assert.equal(h.fake.statusPatches().filter((p) => p.body.status.conditions?.some((c: any) => c.type === 'Published' && c.status === 'False')), [], 'an aborted publish is no failure to report');
    assert.equal(h.commits(), []);
  } finally { await h.done(); }
});

fence('a profile that moved to a new generation while publishing: the old tree is not pushed, the new one is', async () => {
  let calls = 0;
  const h = await harness();
  const pushedPools: string[] = [];
  // Holds the first publish until generation 2 is in the cache, then hands it to the real
  // publisher: publishTrees calls the operator's beforePush right before its push.
  const racing: Publisher = async (req: any) => {
    calls++;
    if (calls === 1) await waitFor(() => h.operators[0]?.profiles.store.get(`${NS}/lab`)?.metadata.generation === 2, 'generation 2 in the cache');
    const r = await gitPublisher(req);
    pushedPools.push(JSON.parse(req.trees[0].files['.netprofile/plan.json']).loadBalancer?.pools?.[0]?.addresses?.[0] ?? '?');
    return r;
  };
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    await h.start({ publisher: racing });
    await waitFor(() => calls === 1, 'the first publish');
    h.fake.addProfile(l2Profile('lab', h.url, { pool: '172.21.48.224/28' }));
    await waitFor(() => { const p = h.fake.profiles.get(`${NS}/lab`); return p.status?.observedGeneration === 2 && readyOf(p)?.status === 'True'; }, 'generation 2 published');
    assert.is(pushedPools.length, 1, `only the new generation pushed: ${pushedPools.join(',')}`);
    assert.is(h.commits().length, 1);
    const st = h.fake.profiles.get(`${NS}/lab`).status;
    assert.is(st.lastCommit.sha, h.commits()[0].split(' ')[0]);
    assert.ok(h.fake.statusPatches().every((p) => p.body.status.observedGeneration === 2), 'no status for generation 1 was written');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

fence('the Lease taken over mid-publish: the push is refused and the operator reports lost leadership', async () => {
  let lost: string | null = null;
  let calls = 0;
  const h = await harness();
  const racing: Publisher = async (req: any) => {
    calls++;
    // Another replica took the Lease over (this one was paused too long, say).
    const lease = h.fake.leases.get(`${NS}/netprofile-operator`);
    lease.spec.holderIdentity = 'op-other';
    lease.metadata.resourceVersion = h.fake.touch();
    // The real publisher: publishTrees' beforePush re-reads the Lease right before the push.
    return gitPublisher(req);
  };
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', h.url));
    const op = await h.start({ leaderElect: true, publisher: racing, onLostLeadership: (r) => { lost = r; } });
    await waitFor(() => lost !== null, 'lost leadership reported');
    await op.queue.idle();
    assert.is(calls, 1);
    assert.equal(h.commits(), [], 'nothing pushed');
    assert.ok(op.lostLeadership);
    assert.not.ok(op.healthz().ok);
    assert.match(op.healthz().detail, /leader election lost/);
    const writes = h.fake.writes({ leases: true }).length;
    await sleep(300);
    assert.is(h.fake.writes({ leases: true }).length, writes, 'no more campaigning or writing');
  } finally { await h.done(); }
});

fence('stop kills a git that hangs on a silent remote, then releases the Lease', async () => {
  const { createServer } = await import('node:net');
  const sockets: any[] = [];
  // Accepts TCP and never answers (a wedged Git host).
  const silent = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as any).port;
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(l2Profile('lab', `http://127.0.0.1:${port}/fleet.git`));
    const op = await h.start({ leaderElect: true });
    await waitFor(() => sockets.length > 0, 'git connected to the silent remote');
    const t0 = Date.now();
    const clean = await op.stop(5000);
    assert.ok(clean, 'the hung git ended when the work was aborted');
    assert.ok(Date.now() - t0 < 4000, `stopped in ${Date.now() - t0} ms`);
    assert.is(h.fake.leases.get(`${NS}/netprofile-operator`).spec.holderIdentity, '', 'released after the runnables ended');
    assert.equal(h.fake.statusPatches().filter((p) => JSON.stringify(p.body).includes('PublishFailed')), [], 'an abort is not reported as a failure');
  } finally {
    await h.done();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

fence.run();
