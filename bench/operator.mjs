#!/usr/bin/env node
// Operator benchmarks (issue 13): the real `netprofile operator` process against the fake
// apiserver (test/kube-fake.ts) on a real port and real bare Git remotes. Prints figures and
// ratios against baselines measured in the same run; no thresholds (nothing here fails a build).
//
//   1. RSS and time to first status, 1000 profiles x 1000 Nodes (full-size Nodes: managedFields,
//      images), against 1000 profiles x 10 Nodes and an idle operator (RSS).
//   2. Spec change -> pushed commit, p50 over 10 changes of one profile on a local (file://)
//      remote, against publishTrees called directly with the same trees.
//   3. 200 profiles on one repository -> all published: time and commits, against one profile.
//
// Usage: npm run build && node bench/operator.mjs [--quick] [--only first-status]   (--quick: 200
// profiles x 200 Nodes, 50 profiles on one repository; --only first-status: scenario 1 alone)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'test', 'kube-fake.js'))) { console.error('bench/operator: run `npm run build` first (dist/ is missing)'); process.exit(1); }
const { FakeKube, kubeconfigFor, bareMetalNode, l2Profile } = await import(join(dist, 'test', 'kube-fake.js'));
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : null;
if (only !== null && only !== 'first-status') { console.error(`bench/operator: --only takes first-status (got ${only ?? 'nothing'})`); process.exit(2); }
const bin = join(root, 'bin', 'netprofile');
const NS = 'netprofile-system';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The operator runs with the NODE_OPTIONS of its Deployment (operator/deploy/deployment.yaml), as
// in a cluster; BENCH_NODE_OPTIONS overrides them (an empty value: Node's defaults).
const deployed = /- name: NODE_OPTIONS\n\s+value: (.+)\n/.exec(readFileSync(join(root, 'operator', 'deploy', 'deployment.yaml'), 'utf8'))?.[1]?.trim() ?? '';
const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? deployed;
console.log(`operator: NODE_OPTIONS=${nodeOptions || '(none)'}${process.env.BENCH_NODE_OPTIONS === undefined ? ' (as the Deployment sets them)' : ' (BENCH_NODE_OPTIONS)'}`);

/** A Node as kubectl get -o json shows it on a busy cluster: managedFields, 40 images, conditions. */
function fullNode(i) {
  const n = bareMetalNode(`node-${String(i).padStart(4, '0')}`, `172.21.${48 + (i >> 8)}.${(i & 255) || 1}`);
  n.metadata.labels = { ...n.metadata.labels, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'metal' };
  n.metadata.annotations = { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock' };
  n.metadata.managedFields = ['kubelet', 'kube-controller-manager', 'kubeadm', 'cilium-agent'].map((manager) => ({ manager, operation: 'Update', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:node.alpha.kubernetes.io/ttl': {} }, 'f:labels': { '.': {}, 'f:kubernetes.io/arch': {}, 'f:kubernetes.io/os': {} } }, 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { 'f:lastHeartbeatTime': {}, 'f:message': {}, 'f:reason': {} } }, 'f:images': {} } } }));
  n.spec.podCIDR = `10.42.${i & 255}.0/24`;
  n.status.images = Array.from({ length: 40 }, (_, j) => ({ names: [`registry.example.com/team-${j}/service@sha256:${String(j).padStart(64, 'a')}`, `registry.example.com/team-${j}/service:v1.${j}.0`], sizeBytes: 10_000_000 + j }));
  n.status.conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' }));
  n.status.capacity = { cpu: '64', memory: '263840024Ki', pods: '110', 'ephemeral-storage': '1919782508Ki' };
  n.status.allocatable = n.status.capacity;
  n.status.nodeInfo = { ...n.status.nodeInfo, machineID: 'f'.repeat(32), systemUUID: 'e'.repeat(36), bootID: 'd'.repeat(36), kernelVersion: '6.8.0-49-generic', containerRuntimeVersion: 'containerd://1.7.24', kubeProxyVersion: 'v1.32.4', operatingSystem: 'linux', architecture: 'amd64' };
  n.status.addresses.push({ type: 'Hostname', address: n.metadata.name });
  return n;
}

function rssKiB(pid, field = 'VmRSS') {
  try { return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
}

/** Starts the operator process on the fake; returns the child, a stop() and its peak RSS reader. */
async function operator(fake, dir, extra = []) {
  const server = await fake.listen();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  const child = spawn(process.execPath, [bin, 'operator', '--kubeconfig', kubeconfig, '--git-cache-dir', join(dir, 'clones'), '--namespace', NS, '--metrics-bind-address', '0', '--health-probe-bind-address', '0', ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, POD_NAMESPACE: NS, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) } });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; if (stderr.length > 1e6) stderr = stderr.slice(-5e5); });
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(child.pid)); }, 50);
  const exited = new Promise((r) => child.on('exit', r));
  return {
    child,
    peakMiB: () => Math.max(peak, rssKiB(child.pid, 'VmHWM')) / 1024,
    rssMiB: () => rssKiB(child.pid) / 1024,
    stderr: () => stderr,
    async stop() { clearInterval(sampler); child.kill('SIGTERM'); await Promise.race([exited, sleep(12_000)]); child.kill('SIGKILL'); await fake.close(); },
  };
}

async function until(check, what, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return;
    if (Date.now() > end) throw new Error(`bench/operator: timed out waiting for ${what}`);
    await sleep(10);
  }
}

const statusOf = (fake, name) => fake.profiles.get(`${NS}/${name}`)?.status;
const isReady = (fake, name) => statusOf(fake, name)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

// ---- 1. RSS and time to first status ------------------------------------------------------------

async function firstStatus(profiles, nodes) {
  const dir = mkdtempSync(join(tmpdir(), 'netprofile-bench-op-'));
  const fake = new FakeKube();
  for (let i = 0; i < nodes; i++) fake.addNode(fullNode(i));
  for (let i = 0; i < profiles; i++) {
    const p = l2Profile(`p${i}`, 'file:///unused');
    delete p.spec.gitops.repo; // plan and status only: the Git side is measured in 2 and 3
    fake.addProfile(p);
  }
  const t0 = performance.now();
  const op = await operator(fake, dir);
  try {
    await until(() => { for (let i = 0; i < profiles; i++) if (!statusOf(fake, `p${i}`)) return false; return true; }, `first status of ${profiles} profiles`, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    await sleep(300);
    return { seconds, peakMiB: op.peakMiB(), settledMiB: op.rssMiB() };
  } finally { await op.stop(); rmSync(dir, { recursive: true, force: true }); }
}

async function idle() {
  const dir = mkdtempSync(join(tmpdir(), 'netprofile-bench-op-'));
  const fake = new FakeKube();
  const op = await operator(fake, dir);
  try {
    await until(() => fake.openWatches('nodes') === 1 && fake.openWatches('networkprofiles') === 1, 'the watches', 30_000);
    await sleep(500);
    return { peakMiB: op.peakMiB() };
  } finally { await op.stop(); rmSync(dir, { recursive: true, force: true }); }
}

// ---- 2. spec change -> pushed commit -------------------------------------------------------------

function head(remote) {
  try { return readFileSync(join(remote, 'refs', 'heads', 'main'), 'utf8').trim(); } catch {
    try { return /^(\w+) refs\/heads\/main$/m.exec(readFileSync(join(remote, 'packed-refs'), 'utf8'))?.[1] ?? ''; } catch { return ''; }
  }
}

const pools = ['172.21.48.240/28', '172.21.48.224/28'];

/** A temp dir with a bare remote, and a fake with one bare-metal Node and `names` profiles on it. */
function withRemote(names) {
  const dir = mkdtempSync(join(tmpdir(), 'netprofile-bench-op-'));
  const remote = join(dir, 'fleet.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const fake = new FakeKube();
  fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
  for (const name of names) fake.addProfile(l2Profile(name, `file://${remote}`));
  return { dir, remote, fake };
}

async function specToCommit(changes) {
  const { dir, remote, fake } = withRemote(['lab']);
  const op = await operator(fake, dir);
  const times = [];
  try {
    await until(() => isReady(fake, 'lab'), 'the first publish', 60_000);
    for (let i = 0; i < changes; i++) {
      const before = head(remote);
      const t0 = performance.now();
      fake.addProfile(l2Profile('lab', `file://${remote}`, { pool: pools[(i + 1) % 2] }));
      await until(() => head(remote) !== before, 'the pushed commit', 60_000);
      times.push(performance.now() - t0);
      await until(() => statusOf(fake, 'lab')?.observedGeneration === i + 2 && isReady(fake, 'lab'), 'status of the change', 60_000);
    }
  } finally { await op.stop(); }
  // Baseline: publishTrees itself, the same two trees alternately, from this process.
  const { planProfile } = await import(join(dist, 'generators', 'plan', 'plan.js'));
  const { checkProfile } = await import(join(dist, 'generators', 'api', 'parse.js'));
  const { renderTree } = await import(join(dist, 'generators', 'render.js'));
  const { publishTrees } = await import(join(dist, 'gitops', 'index.js'));
  const trees = pools.map((pool) => {
    const p = l2Profile('lab', `file://${remote}`, { pool });
    p.spec.environment = { type: 'bare-metal' };
    return renderTree(planProfile(checkProfile(p, 'bench').profile, {}));
  });
  const raw = [];
  for (let i = 0; i < changes; i++) {
    const t0 = performance.now();
    await publishTrees({ repo: `file://${remote}`, branch: 'main', trees: [trees[i % 2]], message: 'bench', author: { name: 'bench', email: 'bench@example.com' } });
    raw.push(performance.now() - t0);
  }
  rmSync(dir, { recursive: true, force: true });
  return { p50: median(times), raw50: median(raw) };
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

// ---- 3. many profiles on one repository ----------------------------------------------------------

async function oneRepository(profiles) {
  const { dir, remote, fake } = withRemote(Array.from({ length: profiles }, (_, i) => `p${i}`));
  const t0 = performance.now();
  const op = await operator(fake, dir);
  try {
    const ready = () => { let n = 0; for (let i = 0; i < profiles; i++) if (isReady(fake, `p${i}`)) n++; return n; };
    let timedOut = false;
    try { await until(() => ready() === profiles, `${profiles} profiles published`, 600_000); } catch { timedOut = true; }
    const seconds = (performance.now() - t0) / 1000;
    const commits = Number(execFileSync('git', ['--git-dir', remote, 'rev-list', '--count', 'main'], { encoding: 'utf8' }).trim());
    const failed = [...op.stderr().matchAll(/"msg":"publish failed"/g)].length;
    return { seconds, commits, failed, published: ready(), timedOut };
  } finally { await op.stop(); rmSync(dir, { recursive: true, force: true }); }
}

// ---- run -----------------------------------------------------------------------------------------

const N = quick ? 200 : 1000;
const M = quick ? 50 : 200;
const f = (x, d = 2) => x.toFixed(d);

const base = await idle();
const small = await firstStatus(N, 10);
const big = await firstStatus(N, N);
console.log(`operator: first status, ${N} profiles x ${N} Nodes: ${f(big.seconds)} s, peak RSS ${f(big.peakMiB, 0)} MiB (settled ${f(big.settledMiB, 0)} MiB)`);
console.log(`operator: first status, ${N} profiles x 10 Nodes: ${f(small.seconds)} s, peak RSS ${f(small.peakMiB, 0)} MiB; idle operator peak RSS ${f(base.peakMiB, 0)} MiB`);
console.log(`operator: ratio time ${N} Nodes / 10 Nodes = ${f(big.seconds / small.seconds)}; RSS ${N}x${N} / idle = ${f(big.peakMiB / base.peakMiB)} (aim: < 150 MB and < 5 s)`);

if (only === 'first-status') process.exit(0);

const change = await specToCommit(10);
console.log(`operator: spec change -> pushed commit p50 ${f(change.p50, 0)} ms; publishTrees alone p50 ${f(change.raw50, 0)} ms; ratio ${f(change.p50 / change.raw50)} (aim: < 500 ms)`);

const one = await oneRepository(1);
const many = await oneRepository(M);
console.log(`operator: ${M} profiles on one repository -> ${many.timedOut ? `NOT all published: ${many.published} of ${M} after` : 'all published in'} ${f(many.seconds)} s with ${many.commits} commit(s), ${many.failed} failed publish attempt(s); one profile ${f(one.seconds)} s; ratio ${f(many.seconds / one.seconds)} (aim: < 20 s, a handful of commits)`);
process.exit(0);
