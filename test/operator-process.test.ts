// The real `netprofile operator` process against the fake apiserver on a real port: it publishes,
// serves /healthz, /readyz and /metrics, and on SIGTERM releases the Lease and exits 0 by itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { bin } from './helpers.js';
import { waitFor, l2Profile, readyOf, operatorProcessSetup } from './kube-fake.js';

test('netprofile operator: publishes, serves probes and metrics, and SIGTERM releases the Lease', async () => {
  const { dir, fake, args } = await operatorProcessSetup('netprofile-operator-proc-');
  const child = spawn(process.execPath, [bin, ...args, '--leader-election-namespace', 'netprofile-system', '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'netprofile-operator-0', POD_NAMESPACE: 'netprofile-system' } });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // A safety net only: the assertion below is that the process exits by itself with code 0.
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    const logs = () => stderr.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { unparsed: l }; } });
    const started = await waitFor(() => logs().find((l) => l.msg === 'starting'), 'the starting log line');
    assert.ok(started.probePort > 0 && started.metricsPort > 0, JSON.stringify(started));
    await waitFor(() => readyOf(fake.profiles.get('netprofile-system/lab'))?.status === 'True', 'Ready=True', 15_000);
    assert.is(fake.leases.get('netprofile-system/netprofile-operator').spec.holderIdentity.startsWith('netprofile-operator-0_'), true);
    const healthz = await fetch(`http://127.0.0.1:${started.probePort}/healthz`);
    assert.is(healthz.status, 200);
    const readyz = await fetch(`http://127.0.0.1:${started.probePort}/readyz`);
    assert.is(readyz.status, 200);
    assert.match(await readyz.text(), /caches synced; leader/);
    const metrics = await (await fetch(`http://127.0.0.1:${started.metricsPort}/metrics`)).text();
    assert.match(metrics, /netprofile_reconciles_total\{result="published"\} 1/);
    assert.match(metrics, /netprofile_commits_published_total 1/);
    assert.match(metrics, /netprofile_leader 1/);
    assert.match(metrics, /# TYPE netprofile_reconcile_duration_seconds histogram/);
    assert.match(metrics, /# TYPE netprofile_findings gauge/);
    assert.ok(logs().every((l) => !l.unparsed), 'every log line is JSON');
    // The repository's kept clone lives under --git-cache-dir (one lane), without credentials or a lock.
    const lanes = readdirSync(join(dir.path, 'clones'));
    assert.is(lanes.length, 1);
    assert.ok(existsSync(join(dir.path, 'clones', lanes[0], 'clone', '.git', 'HEAD')));
    assert.not.ok(existsSync(join(dir.path, 'clones', lanes[0], 'lock')), 'the lock is released after the publish');

    child.kill('SIGTERM');
    const end = await exited;
    assert.equal(end, { code: 0, signal: null }, stderr.slice(-2000));
    const lease = fake.leases.get('netprofile-system/netprofile-operator');
    assert.is(lease.spec.holderIdentity, '', 'the Lease was released');
    assert.is(lease.spec.leaseDurationSeconds, 1);
    assert.ok(logs().some((l) => l.msg === 'released the Lease'));
    assert.ok(logs().some((l) => l.msg === 'stopped'));
    assert.equal(fake.unexpected, []);
  } finally {
    clearTimeout(kill);
    child.kill('SIGKILL');
    await fake.close();
    dir.cleanup();
  }
});

/** Starts the real operator process against the fake on a real port; the profile lab published. */
async function started(extra: string[] = []) {
  const { dir, fake, remote, args } = await operatorProcessSetup('netprofile-operator-proc-');
  const child = spawn(process.execPath, [bin, ...args, '--leader-election-namespace', 'netprofile-system', '--metrics-bind-address', '0', '--health-probe-bind-address', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'netprofile-operator-0', POD_NAMESPACE: 'netprofile-system' } });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await waitFor(() => readyOf(fake.profiles.get('netprofile-system/lab'))?.status === 'True', 'Ready=True', 15_000);
  return {
    fake, remote, child, exited, stderr: () => stderr,
    async cleanup() { clearTimeout(kill); child.kill('SIGKILL'); await fake.close(); dir.cleanup(); },
  };
}

test('SIGTERM with a reconcile still running at the shutdown deadline: exit 1, the Lease left to expire (issue 13.11, 13.3)', async () => {
  const p = await started(['--graceful-shutdown-timeout', '3s']);
  try {
    // The next status write hangs: the reconcile of the spec change cannot end.
    p.fake.hang('PATCH', /\/networkprofiles\/lab\/status$/, 10);
    p.fake.addProfile(l2Profile('lab', `file://${p.remote}`, { pool: '172.21.48.224/28' }));
    await waitFor(() => p.fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')).length >= 2, 'the hung status write');
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const end = await p.exited;
    assert.equal({ code: end.code, signal: end.signal }, { code: 1, signal: null }, p.stderr().slice(-2000));
    assert.ok(end.at - t0 < 5_000, `exited after ${end.at - t0} ms`);
    const lease = p.fake.leases.get('netprofile-system/netprofile-operator');
    assert.ok(lease.spec.holderIdentity.startsWith('netprofile-operator-0_'), 'not released while a reconcile may still write');
    assert.match(p.stderr(), /reconciles still running at the shutdown deadline/);
  } finally { await p.cleanup(); }
});

test('leadership lost while running: the process exits 1 by itself (issue 13.3)', async () => {
  const p = await started();
  try {
    const lease = p.fake.leases.get('netprofile-system/netprofile-operator');
    // Another replica holds the Lease now (this one was partitioned, say).
    lease.spec = { ...lease.spec, holderIdentity: 'netprofile-operator-1_other', renewTime: lease.spec.renewTime };
    lease.metadata.resourceVersion = p.fake.touch();
    const end = await p.exited;
    assert.equal({ code: end.code, signal: end.signal }, { code: 1, signal: null }, p.stderr().slice(-2000));
    assert.match(p.stderr(), /leader election lost/);
    assert.is(p.fake.leases.get('netprofile-system/netprofile-operator').spec.holderIdentity, 'netprofile-operator-1_other', 'the new holder keeps the Lease');
  } finally { await p.cleanup(); }
});

test.run();
