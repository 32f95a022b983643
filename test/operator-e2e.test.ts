// The operator end to end, in-process: the real @kubernetes/client-node against the strict fake
// apiserver (test/kube-fake.ts, through nock) and a real bare Git remote (file://).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { harness, bareMetalNode, awsNode, l2Profile, readyOf, waitFor } from './kube-fake.js';

const NS = 'netprofile-system';

const e2e = suite('operator end to end');

e2e('first reconcile publishes the tree, sets Ready and records a Published Event', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addNode(bareMetalNode('worker-1', '172.21.48.2'));
    h.fake.addProfile(l2Profile('lab', h.url));
    await h.start();
    const obj = await waitFor(() => { const p = h.fake.profiles.get(`${NS}/lab`); return readyOf(p)?.status === 'True' ? p : null; }, 'Ready=True');
    const st = obj.status;
    assert.is(st.observedGeneration, 1);
    assert.equal(st.conditions.map((c: any) => `${c.type}=${c.status}`), ['Detected=True', 'Planned=True', 'Published=True', 'Ready=True']);
    assert.is(st.environment.type, 'bare-metal');
    assert.ok(st.environment.evidence.some((e: string) => e.includes('node/cp-1')), 'evidence names the node');
    assert.equal(st.plan, { cni: 'cilium', loadBalancer: 'cilium', mode: 'l2', ccm: '' });
    assert.equal(st.findings, []);
    const commits = h.commits();
    assert.is(commits.length, 1);
    assert.is(st.lastCommit.sha, commits[0].split(' ')[0]);
    assert.is(st.lastCommit.path, 'clusters/lab/network');
    assert.match(st.lastCommit.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const files = execFileSync('git', ['--git-dir', h.remote, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' }).split('\n');
    assert.ok(files.includes('clusters/lab/network/kustomization.yaml'), files.join(','));
    assert.ok(files.includes('clusters/lab/network/.netprofile/plan.json'));
    assert.ok(files.every((f) => f === '' || f.startsWith('clusters/lab/network/')), 'writes only under spec.gitops.path');
    await waitFor(() => h.fake.events.length >= 1, 'the Published Event');
    assert.is(h.fake.events[0].reason, 'Published');
    assert.is(h.fake.events[0].type, 'Normal');
    assert.is(h.fake.events[0].involvedObject.name, 'lab');
    for (const p of h.fake.statusPatches()) assert.is(p.contentType, 'application/merge-patch+json');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

e2e('a spec change gives exactly one new commit and a new observedGeneration', async () => {
  const h = await harness();
  try {
    await h.startPublished();
    assert.is(h.commits().length, 1);
    h.fake.addProfile(l2Profile('lab', h.url, { pool: '172.21.48.224/28' }));
    await waitFor(() => h.fake.profiles.get(`${NS}/lab`).status.observedGeneration === 2, 'observedGeneration 2');
    const op = h.operators[0];
    await op.queue.idle();
    const commits = h.commits();
    assert.is(commits.length, 2, commits.join('\n'));
    const pool = execFileSync('git', ['--git-dir', h.remote, 'show', 'main:clusters/lab/network/.netprofile/plan.json'], { encoding: 'utf8' });
    assert.ok(pool.includes('172.21.48.224/28'));
    assert.is(h.fake.profiles.get(`${NS}/lab`).status.lastCommit.sha, commits[0].split(' ')[0]);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

e2e('a profile with error findings gets Ready=False with its findings and publishes nothing', async () => {
  const h = await harness();
  try {
    h.fake.addNode(awsNode('ip-10-0-1-17'));
    // L2 on a public cloud: the l2-on-cloud error (field note 1).
    h.fake.addProfile(l2Profile('cloudy', h.url));
    await h.start();
    const obj = await waitFor(() => { const p = h.fake.profiles.get(`${NS}/cloudy`); return readyOf(p)?.status === 'False' ? p : null; }, 'Ready=False');
    assert.is(readyOf(obj).reason, 'Rejected');
    assert.ok(obj.status.findings.some((f: any) => f.rule === 'l2-on-cloud' && f.severity === 'error' && f.path === 'spec.loadBalancer.mode'));
    assert.is(obj.status.conditions.find((c: any) => c.type === 'Planned').status, 'False');
    assert.is(obj.status.conditions.find((c: any) => c.type === 'Published').reason, 'Rejected');
    assert.is(obj.status.environment.provider, 'aws');
    assert.equal(h.commits(), []);
    await waitFor(() => h.fake.events.some((e) => e.reason === 'Rejected'), 'Rejected Event');
    assert.is(h.fake.events.find((e) => e.reason === 'Rejected').type, 'Warning');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

e2e('an AWS node joining a bare-metal cluster flips the profile to environment-unknown without publishing', async () => {
  const h = await harness();
  try {
    await h.startPublished();
    const before = h.commits();
    h.fake.addNode(awsNode('ip-10-0-1-17'));
    const obj = await waitFor(() => { const p = h.fake.profiles.get(`${NS}/lab`); return readyOf(p)?.status === 'False' ? p : null; }, 'Ready=False after the AWS node joined');
    assert.ok(obj.status.findings.some((f: any) => f.rule === 'environment-unknown'), JSON.stringify(obj.status.findings));
    const detected = obj.status.conditions.find((c: any) => c.type === 'Detected');
    assert.is(detected.status, 'False');
    assert.is(detected.reason, 'EnvironmentUnknown');
    assert.match(detected.message, /disagree/);
    await h.operators[0].queue.idle();
    assert.equal(h.commits(), before, 'nothing published');
    // The last commit is still the last commit.
    assert.is(obj.status.lastCommit.sha, before[0].split(' ')[0]);
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

e2e('a node heartbeat (no change to the facts) does not re-plan or write', async () => {
  const h = await harness();
  try {
    const op = await h.startPublished();
    await op.queue.idle();
    const reconcilesBefore = (await op.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);
    const writesBefore = h.fake.writes().length;
    const beat = bareMetalNode('cp-1', '172.21.48.1');
    beat.status.conditions[0].lastHeartbeatTime = '2025-01-01T00:00:10Z';
    h.fake.addNode(beat);
    await waitFor(() => op.nodes.store.get('cp-1')?.metadata.resourceVersion === h.fake.nodes.get('cp-1').metadata.resourceVersion, 'the heartbeat in the cache');
    await op.queue.idle();
    const reconcilesAfter = (await op.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);
    assert.is(reconcilesAfter, reconcilesBefore);
    assert.is(h.fake.writes().length, writesBefore);
  } finally { await h.done(); }
});

e2e.run();
