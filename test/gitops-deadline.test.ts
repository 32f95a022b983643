// Deadlines and aborts for every git call of publish (issue 13 point 2): remotes on loopback that
// take the TCP connection and then say nothing (plain TCP, an sshd that stops after its banner,
// an http server that stops in the middle of its answer). publishTrees must fail by its deadline
// with a clear error, end at once on abort, leave no helper process connected, and a healthy
// remote published at the same time must not wait for them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { tempDir } from './helpers.js';
import { isolatedGitEnv, git, bareRepo } from './gitserver.js';
import { publishTrees, PublishTimeout, PublishAborted, PublishFailed } from '../gitops/index.js';
import { gitEnvironment } from '../gitops/git.js';
import type { RenderedTree } from '../generators/render.js';

const tree = (path: string, files: Record<string, string>, profile = 'p'): RenderedTree => ({ profile, path, target: 'plain', files });
const one = [tree('clusters/a/network', { 'kustomization.yaml': 'resources: []\n' })];

interface Silent { port: number; open: () => number; accepted: () => number; close(): Promise<void> }

/** Takes every TCP connection and answers nothing (or only `greeting`, then nothing). */
async function silentServer(greeting?: string): Promise<Silent> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: TcpServer = createTcpServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => { /* the client was killed */ });
    s.resume(); // read (and drop) what the client sends, so its going away is seen
    if (greeting) s.write(greeting);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    open: () => sockets.size,
    accepted: () => accepted,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Answers the ref advertisement with headers and the first bytes of the body, then stalls. */
async function stallingHttpServer(): Promise<{ url: string; open: () => number; requests: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    requests++;
    res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement', 'Cache-Control': 'no-cache' });
    res.write('001e# service=git-upload-pack\n0000');
    // ...and nothing more: the pack-line stream stops in the middle.
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/fleet.git`,
    open: () => sockets.size,
    requests: () => requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function eventually(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) assert.unreachable(what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const t = suite('publish deadlines and aborts against remotes that never answer');
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};
t.before(() => {
  dir = tempDir('netprofile-deadline-');
  env = isolatedGitEnv(join(dir.path, 'home'));
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
});
t.after(() => {
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  dir.cleanup();
});

/** Runs a publish that must fail with PublishTimeout; returns the error and how long it took. */
async function mustTimeOut(repo: string, deadlineMs: number): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  try {
    await publishTrees({ repo, trees: one, deadlineMs, workDir: dir.path });
  } catch (e) {
    return { error: e as Error, ms: Date.now() - started };
  }
  return assert.unreachable(`publish to ${repo} succeeded`) as never;
}

// Slack over the deadline for process start and kill on a busy 2-core machine: the check is that
// the publish ends near its deadline, not after the remote's or the OS's own (minutes long) limits.
const SLACK_MS = 4000;

t('a TCP server that never answers (http://): PublishTimeout by the deadline; curl is gone afterwards', async () => {
  const silent = await silentServer();
  try {
    const { error, ms } = await mustTimeOut(`http://127.0.0.1:${silent.port}/fleet.git`, 1500);
    assert.instance(error, PublishTimeout, error.message);
    assert.instance(error, PublishFailed);
    assert.match(error.message, /did not finish before the publish deadline/);
    assert.match(error.message, /127\.0\.0\.1:\d+\/fleet\.git/);
    assert.match(error.message, /1\.5 s/);
    assert.ok(ms < 1500 + SLACK_MS, `took ${ms} ms`);
    assert.ok(silent.accepted() >= 1, 'git never connected');
    await eventually('the http helper kept its connection open after the publish ended', () => silent.open() === 0);
  } finally { await silent.close(); }
});

t('an sshd that sends its banner and stalls (ssh://): PublishTimeout by the deadline; ssh is gone', async () => {
  const silent = await silentServer('SSH-2.0-OpenSSH_9.2p1 stalled\r\n');
  try {
    const { error, ms } = await mustTimeOut(`ssh://${userInfo().username}@127.0.0.1:${silent.port}/srv/fleet.git`, 2000);
    assert.instance(error, PublishFailed, error.message);
    // ssh's own ConnectTimeout (capped by the deadline) or the deadline itself ends it.
    assert.match(error.message, /deadline|timed out|Connection timed out/i);
    assert.ok(ms < 2000 + SLACK_MS, `took ${ms} ms`);
    assert.ok(silent.accepted() >= 1, 'ssh never connected');
    await eventually('ssh kept its connection open after the publish ended', () => silent.open() === 0);
  } finally { await silent.close(); }
});

t('an http server that stops in the middle of its answer: PublishTimeout by the deadline', async () => {
  const stalling = await stallingHttpServer();
  try {
    const { error, ms } = await mustTimeOut(stalling.url, 1500);
    assert.instance(error, PublishTimeout, error.message);
    assert.ok(ms < 1500 + SLACK_MS, `took ${ms} ms`);
    assert.ok(stalling.requests() >= 1, 'git never asked');
    await eventually('the http helper kept its connection open', () => stalling.open() === 0);
  } finally { await stalling.close(); }
});

t('abort ends a stalled publish at once with PublishAborted carrying the reason; no temp dir is left', async () => {
  const silent = await silentServer();
  const workDir = join(dir.path, 'abort-work');
  git(['init', '-q', workDir]);
  try {
    const controller = new AbortController();
    const started = Date.now();
    const p = publishTrees({ repo: `http://127.0.0.1:${silent.port}/fleet.git`, trees: one, deadlineMs: 120_000, signal: controller.signal, workDir });
    await eventually('git never connected', () => silent.accepted() >= 1);
    const reason = new Error('lease lost');
    controller.abort(reason);
    const error = await p.then(() => assert.unreachable('publish succeeded') as never, (e: Error) => e);
    assert.instance(error, PublishAborted, error.message);
    assert.is((error as PublishAborted).cause, reason);
    assert.match(error.message, /lease lost/);
    assert.ok(Date.now() - started < 120_000 / 10, 'abort did not end the publish early');
    await eventually('the helper kept its connection open after abort', () => silent.open() === 0);
    assert.equal(git(['-C', workDir, 'status', '--porcelain', '--ignored']).trim(), '', 'the temporary clone was left behind');
    // An already-aborted signal refuses before any git runs.
    const before = silent.accepted();
    const again = await publishTrees({ repo: `http://127.0.0.1:${silent.port}/fleet.git`, trees: one, signal: AbortSignal.abort('stopping') }).catch((e: Error) => e);
    assert.instance(again, PublishAborted);
    assert.is(silent.accepted(), before);
  } finally { await silent.close(); }
});

t('three stalled remotes do not hold up a healthy one published at the same time', async () => {
  const silent = await Promise.all([silentServer(), silentServer('SSH-2.0-OpenSSH_9.2p1 stalled\r\n'), stallingHttpServer()]);
  const healthy = bareRepo(join(dir.path, 'healthy.git'));
  try {
    let stalledDone = 0;
    const stalled = [
      `http://127.0.0.1:${(silent[0] as Silent).port}/a.git`,
      `ssh://${userInfo().username}@127.0.0.1:${(silent[1] as Silent).port}/srv/b.git`,
      (silent[2] as { url: string }).url,
    ].map((repo) => publishTrees({ repo, trees: one, deadlineMs: 8000 }).then(() => 'published', (e: Error) => e).finally(() => { stalledDone++; }));
    const ok = await publishTrees({ repo: `file://${healthy}`, trees: one, deadlineMs: 8000 });
    assert.ok(ok.changed);
    assert.is(stalledDone, 0, 'the healthy publish waited for a stalled one');
    assert.is(git(['rev-parse', 'main'], { cwd: healthy }).trim(), ok.sha);
    const outcomes = await Promise.all(stalled);
    for (const o of outcomes) assert.instance(o, PublishFailed, String(o));
  } finally { await Promise.all(silent.map((s) => s.close())); }
});

t('beforePush runs right before every push attempt; when it throws nothing is pushed and its error comes out', async () => {
  const repo = bareRepo(join(dir.path, 'fence.git'));
  const seed = join(dir.path, 'fence-seed');
  git(['clone', '-q', repo, seed]);
  git(['commit', '-q', '--allow-empty', '-m', 'seed'], { cwd: seed });
  git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed });
  let calls = 0;
  // The first call moves the branch (another writer lands meanwhile): the push is rejected, the
  // publish re-applies on the new head and asks again before the second push.
  const r = await publishTrees({
    repo, trees: one,
    beforePush: async () => {
      calls++;
      if (calls === 1) { git(['commit', '-q', '--allow-empty', '-m', 'someone else'], { cwd: seed }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed }); }
    },
  });
  assert.is(r.attempts, 2);
  assert.is(calls, 2);
  assert.is(git(['log', '-1', '--format=%s', 'main~1'], { cwd: repo }).trim(), 'someone else');
  const head = git(['rev-parse', 'main'], { cwd: repo }).trim();
  class Fenced extends Error {}
  const refused = await publishTrees({ repo, trees: [tree('clusters/a/network', { 'kustomization.yaml': 'resources: [x.yaml]\n' })], beforePush: async () => { throw new Fenced('not the leader any more'); } }).catch((e: Error) => e);
  assert.instance(refused, Fenced);
  assert.is(git(['rev-parse', 'main'], { cwd: repo }).trim(), head, 'a refused push reached the remote');
  // Dry runs never push, so they never ask.
  let asked = false;
  await publishTrees({ repo, trees: [tree('clusters/a/network', { 'kustomization.yaml': 'resources: [y.yaml]\n' })], dryRun: true, beforePush: async () => { asked = true; } });
  assert.not.ok(asked);
});

t('the git environment carries ssh connect/keepalive limits and the http low-speed limit', () => {
  const d = tempDir('netprofile-genv-');
  try {
    const saveSsh = process.env.GIT_SSH_COMMAND;
    delete process.env.GIT_SSH_COMMAND;
    const genv = gitEnvironment({}, join(d.path, 's'), { stallSeconds: 12 });
    assert.match(genv.env.GIT_SSH_COMMAND, /-o ConnectTimeout=12 -o ServerAliveInterval=4 -o ServerAliveCountMax=3/);
    assert.match(genv.env.GIT_SSH_COMMAND, /BatchMode=yes/);
    assert.ok(genv.config.includes('http.lowSpeedLimit=1024'), genv.config.join(' '));
    assert.ok(genv.config.includes('http.lowSpeedTime=12'), genv.config.join(' '));
    // A user's own ssh command keeps its options and gains the limits.
    process.env.GIT_SSH_COMMAND = 'ssh -o ProxyJump=bastion';
    const own = gitEnvironment(undefined, join(d.path, 't'), { stallSeconds: 30 });
    assert.is(own.env.GIT_SSH_COMMAND, 'ssh -o ProxyJump=bastion -o ConnectTimeout=30 -o ServerAliveInterval=10 -o ServerAliveCountMax=3');
    if (saveSsh === undefined) delete process.env.GIT_SSH_COMMAND; else process.env.GIT_SSH_COMMAND = saveSsh;
  } finally { d.cleanup(); }
});

t.run();

const cmd = suite('netprofile publish --timeout');
cmd('a remote that never answers: exit 2 by --timeout, naming the remote; a bad --timeout is a usage error', async () => {
  const { spawn } = await import('node:child_process');
  const { bin, root, examples } = await import('./helpers.js');
  const silent = await silentServer();
  const d = tempDir('netprofile-timeout-cli-');
  try {
    const genv = isolatedGitEnv(join(d.path, 'home'));
    const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...genv }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => { stderr += c; });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const profile = join(examples, 'baremetal-metallb-l2', 'networkprofile.yaml');
    const r = await run(['publish', profile, '--repo', `http://127.0.0.1:${silent.port}/fleet.git`, '--timeout', '1.5']);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /did not finish before the publish deadline \(http:\/\/127\.0\.0\.1:\d+\/fleet\.git, 1\.5 s\)/);
    const bad = await run(['publish', profile, '--repo', `http://127.0.0.1:${silent.port}/fleet.git`, '--timeout', '0']);
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--timeout must be a number of seconds/);
  } finally { await silent.close(); d.cleanup(); }
});
cmd.run();
