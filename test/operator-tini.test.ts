// The image's entrypoint: tini as PID 1 in front of node (operator/Dockerfile). A SIGTERM sent to
// tini (what the kubelet does) reaches the operator, which stops, releases the Lease and exits 0;
// tini exits with the operator's code. Runs the real binary against the fake apiserver on a port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bin } from './helpers.js';
import { waitFor, readyOf, operatorProcessSetup } from './kube-fake.js';

const TINI = '/usr/bin/tini';

test('under tini, SIGTERM stops the operator, releases the Lease and exits 0', async () => {
  assert.ok(existsSync(TINI), `${TINI} is missing: install Debian's tini package (.ci/run does)`);
  const { dir, fake, args } = await operatorProcessSetup('netprofile-operator-tini-');
  const child = spawn(TINI, ['--', process.execPath, bin, ...args, '--metrics-bind-address', '0', '--health-probe-bind-address', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'netprofile-operator-0', POD_NAMESPACE: 'netprofile-system' } });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    await waitFor(() => readyOf(fake.profiles.get('netprofile-system/lab'))?.status === 'True', 'Ready=True', 15_000);
    assert.ok(fake.leases.get('netprofile-system/netprofile-operator').spec.holderIdentity.startsWith('netprofile-operator-0_'));
    child.kill('SIGTERM');
    const end = await exited;
    assert.equal(end, { code: 0, signal: null }, stderr.slice(-2000));
    assert.is(fake.leases.get('netprofile-system/netprofile-operator').spec.holderIdentity, '', 'the Lease was released');
    assert.match(stderr, /"msg":"stopped"/);
  } finally {
    clearTimeout(kill);
    child.kill('SIGKILL');
    await fake.close();
    dir.cleanup();
  }
});

test.run();
