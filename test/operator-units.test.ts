// The operator's parts without a cluster: the keyed work queue, backoff, flags, status merging,
// Git credentials from a Secret, metadata probes, health and metrics endpoints.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkQueue } from '../operator/queue.js';
import { backoffDelay, systemClock } from '../operator/clock.js';
import { parseDuration, parseOperatorFlags } from '../operator/flags.js';
import { mergeConditions, mergePatchFor, sameJSON } from '../operator/status.js';
import { credentialsFromSecret, CredentialsError } from '../operator/publisher.js';
import { probeMetadata, type Fetch } from '../operator/probes.js';
import { parseBindAddress } from '../operator/http.js';
import { microTime, metaTime, toKubeError, KubeError } from '../operator/kube.js';
import { UsageError } from '../cli/args.js';
import { cli } from './helpers.js';

const queue = suite('work queue');

queue('a slow profile does not block the others, and one key never runs twice at once', async () => {
  const order: string[] = [];
  let release!: () => void;
  const slow = new Promise<void>((r) => { release = r; });
  let running = 0; let maxSame = 0;
  const q = new WorkQueue(async (key) => {
    if (key === 'slow') { running++; maxSame = Math.max(maxSame, running); await slow; running--; }
    order.push(key);
  }, { concurrency: 2, backoff: { baseMs: 10, maxMs: 100, jitter: 0 }, clock: systemClock });
  q.start();
  q.add('slow'); q.add('a'); q.add('b'); q.add('slow'); q.add('c');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(order, ['a', 'b', 'c'], 'the others ran while slow was stuck');
  release();
  await q.idle();
  assert.equal(order, ['a', 'b', 'c', 'slow', 'slow'], 'added again while running: run again after');
  assert.is(maxSame, 1);
});

queue('failures back off exponentially per key and success resets them', async () => {
  const delays: number[] = [];
  let calls = 0;
  const q = new WorkQueue(async (key) => { if (key === 'bad') { calls++; if (calls < 4) throw new Error('boom'); } }, {
    concurrency: 1, backoff: { baseMs: 5, maxMs: 1000, jitter: 0 }, clock: systemClock,
    onError: (_k, _e, _a, ms) => delays.push(ms),
  });
  q.start();
  q.add('bad');
  for (let i = 0; i < 200 && calls < 4; i++) await new Promise((r) => setTimeout(r, 5));
  await q.idle();
  assert.equal(delays, [5, 10, 20]);
  assert.is(q.attempts('bad'), 0);
});

queue('a paused queue (not the leader) collects keys and runs nothing until started', async () => {
  const ran: string[] = [];
  const q = new WorkQueue(async (k) => { ran.push(k); }, { concurrency: 1, backoff: { baseMs: 1, maxMs: 1, jitter: 0 }, clock: systemClock });
  q.add('x'); q.add('x'); q.add('y');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ran, []);
  q.start();
  await q.idle();
  assert.equal(ran, ['x', 'y']);
});

queue('backoff: capped, jittered upward, and jittered at the cap too (issue 13.10)', () => {
  assert.is(backoffDelay(1, { baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0), 100);
  assert.is(backoffDelay(3, { baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1), 600);
  // At the cap, replicas must still spread out: the capped delay gets its jitter as well.
  assert.is(backoffDelay(30, { baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0), 1000);
  assert.is(backoffDelay(30, { baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1), 1500);
  assert.is(backoffDelay(30, { baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0.5), 1250);
});

queue('a resync does not cut a backoff short; a real change does', async () => {
  let runs = 0;
  const q = new WorkQueue(async () => { runs++; throw new Error('down'); }, { concurrency: 1, backoff: { baseMs: 400, maxMs: 400, jitter: 0 }, clock: systemClock });
  q.start();
  q.add('k');
  await new Promise((r) => setTimeout(r, 30));
  assert.is(runs, 1);
  assert.ok(q.isBackingOff('k'));
  for (let i = 0; i < 5; i++) q.addUnlessBackingOff('k');
  await new Promise((r) => setTimeout(r, 30));
  assert.is(runs, 1, 'resyncs wait for the backoff');
  q.add('k');
  await new Promise((r) => setTimeout(r, 30));
  assert.is(runs, 2, 'a change runs at once');
  await q.stop();
});

queue('a Retry-After is a floor under the backoff', async () => {
  const delays: number[] = [];
  const q = new WorkQueue(async () => { throw Object.assign(new Error('429'), { retryAfterMs: 2000 }); }, { concurrency: 1, backoff: { baseMs: 10, maxMs: 100, jitter: 0 }, clock: systemClock, onError: (_k, _e, _a, ms) => delays.push(ms) });
  q.start();
  q.add('k');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(delays, [2000]);
  await q.stop();
});

queue.run();

const flags = suite('operator flags');

flags('controller-runtime names and defaults', () => {
  const f = parseOperatorFlags(['--all-namespaces'], {});
  assert.equal(f.metricsAddress, { host: undefined, port: 8080 });
  assert.equal(f.probeAddress, { host: undefined, port: 8081 });
  assert.is(f.leaderElect, false);
  assert.is(f.namespace, null);
  assert.is(f.probeMetadata, false);
  const g = parseOperatorFlags(['--leader-elect=true', '--metrics-bind-address=0', '--health-probe-bind-address', '127.0.0.1:9440', '--resync-period', '1h30m', '--namespace', 'team-a', '--probe-metadata'], { POD_NAMESPACE: 'netprofile-system' });
  assert.is(g.leaderElect, true);
  assert.is(g.leaderElectionNamespace, 'netprofile-system');
  assert.is(g.metricsAddress, null);
  assert.equal(g.probeAddress, { host: '127.0.0.1', port: 9440 });
  assert.is(g.resyncMs, 5_400_000);
  assert.is(g.namespace, 'team-a');
  assert.is(g.probeMetadata, true);
  assert.is(parseOperatorFlags(['--leader-elect=false', '--all-namespaces'], {}).leaderElect, false);
});

flags('the watch scope defaults to the operator\'s own namespace, where the install grants Secret access', () => {
  assert.is(parseOperatorFlags([], { POD_NAMESPACE: 'netprofile-system' }).namespace, 'netprofile-system');
  assert.is(parseOperatorFlags(['--namespace', 'team-a'], { POD_NAMESPACE: 'netprofile-system' }).namespace, 'team-a');
  assert.is(parseOperatorFlags(['--all-namespaces'], { POD_NAMESPACE: 'netprofile-system' }).namespace, null);
  assert.throws(() => parseOperatorFlags([], {}), (e: Error) => e instanceof UsageError && /--namespace NS .*--all-namespaces/.test(e.message));
  assert.throws(() => parseOperatorFlags(['--namespace', 'a', '--all-namespaces'], {}), /exclude each other/);
});

flags('bad flags are usage errors that say what to do', () => {
  assert.throws(() => parseOperatorFlags(['--leader-elect', '--namespace', 'a'], {}), (e: Error) => e instanceof UsageError && /POD_NAMESPACE/.test(e.message));
  assert.throws(() => parseOperatorFlags(['--resync-period', '10', '--all-namespaces'], {}), /not a duration/);
  assert.throws(() => parseOperatorFlags(['--metrics-bind-address', 'localhost', '--all-namespaces'], {}), /HOST:PORT/);
  assert.throws(() => parseOperatorFlags(['--namespace', 'Bad_NS'], {}), /not a namespace name/);
  assert.throws(() => parseOperatorFlags(['--leader-elect=maybe'], {}), /true or false/);
  assert.throws(() => parseOperatorFlags(['--no-such-flag'], {}), /unknown flag/);
  assert.is(parseDuration('500ms', 'x'), 500);
  assert.equal(parseBindAddress('[::1]:8080', 'x'), { host: '::1', port: 8080 });
});

flags('netprofile operator exits 2 on usage and environment errors, naming the fix', () => {
  const r = cli(['operator', '--all-namespaces', '--resync-period', 'soon']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--resync-period "soon" is not a duration/);
  const env = { ...process.env, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
  delete (env as any).KUBECONFIG; delete (env as any).KUBERNETES_SERVICE_HOST;
  const s = cli(['operator', '--all-namespaces', '--health-probe-bind-address=0', '--metrics-bind-address=0'], { env });
  assert.is(s.code, 2);
  assert.match(s.stderr, /pass --kubeconfig FILE, set KUBECONFIG, or run in a cluster/);
  const h = cli(['operator', '--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /--health-probe-bind-address/);
});

flags.run();

const status = suite('status and API details');

status('conditions keep lastTransitionTime while their status holds', () => {
  const first = mergeConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'm' }], 1, '2025-01-01T00:00:00Z');
  const same = mergeConditions(first, [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'm2' }], 2, '2025-01-02T00:00:00Z');
  assert.is(same[0].lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.is(same[0].observedGeneration, 2);
  const flipped = mergeConditions(same, [{ type: 'Ready', status: 'False', reason: 'Rejected', message: 'x' }], 2, '2025-01-03T00:00:00Z');
  assert.is(flipped[0].lastTransitionTime, '2025-01-03T00:00:00Z');
});

status('the status merge patch removes keys the new status no longer has', () => {
  assert.equal(mergePatchFor({ environment: { type: 'cloud', managed: false }, lastCommit: { sha: 'a' } }, { environment: { type: '' } }), { environment: { type: '', managed: null }, lastCommit: null });
  assert.ok(sameJSON({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] }));
  assert.not.ok(sameJSON({ a: [1, 2] }, { a: [2, 1] }));
});

status('times as kube-apiserver parses them', () => {
  const d = new Date('2025-03-04T05:06:07.891Z');
  assert.is(microTime(d), '2025-03-04T05:06:07.891000Z');
  assert.is(metaTime(d), '2025-03-04T05:06:07Z');
});

status('API errors keep the code and reason of the Status object', () => {
  const e = toKubeError({ code: 409, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', message: 'the object has been modified', code: 409 }) }, 'update Lease x');
  assert.ok(e instanceof KubeError);
  assert.is((e as KubeError).code, 409);
  assert.is((e as KubeError).reason, 'Conflict');
  assert.match(e.message, /update Lease x: 409 Conflict: the object has been modified/);
});

status('Git credentials from the Secret: ssh needs identity and known_hosts; https a token or a password', () => {
  assert.equal(credentialsFromSecret({ identity: 'KEY', known_hosts: 'git.example ssh-ed25519 AAAA' }, 'ssh://git@git.example/fleet.git', 'deploy'), { sshKey: 'KEY\n', knownHosts: 'git.example ssh-ed25519 AAAA' });
  assert.throws(() => credentialsFromSecret({ identity: 'KEY' }, 'git@git.example:fleet.git', 'deploy'), (e: Error) => e instanceof CredentialsError && /known_hosts/.test(e.message));
  assert.equal(credentialsFromSecret({ token: 'T' }, 'https://git.example/fleet.git', 'deploy'), { token: 'T' });
  assert.equal(credentialsFromSecret({ username: 'u', password: 'p' }, 'https://git.example/fleet.git', 'deploy'), { username: 'u', password: 'p' });
  assert.throws(() => credentialsFromSecret({ username: 'u' }, 'https://git.example/fleet.git', 'deploy'), /neither "token" nor "username" and "password"/);
  assert.equal(credentialsFromSecret(null, 'file:///x', undefined), {});
});

status('metadata probes: evidence from the service that answers, silence from the ones that do not', async () => {
  const seen: string[] = [];
  const fake: Fetch = async (url, init) => {
    seen.push(`${init.method} ${url}`);
    if (url.startsWith('http://100.100.100.200/')) return { status: 200, headers: new Headers(), text: async () => 'cn-hangzhou' };
    throw new Error('connect ETIMEDOUT');
  };
  const evidence = await probeMetadata(fake, 50);
  assert.equal(evidence, ['probe/alibaba http://100.100.100.200/latest/meta-data/region-id=cn-hangzhou']);
  assert.is(seen.length, 5);
  assert.ok(seen.includes('PUT http://169.254.169.254/latest/api/token'));
});

status.run();
