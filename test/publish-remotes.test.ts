// Publishing over real transports on loopback: smart HTTP with a token through the credential
// helper (git-http-backend; plain http on 127.0.0.1 stands in for https), ssh against OpenSSH's
// sshd with strict host key checking, four racing publishers, and kill -9 in the middle.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, chmodSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, examples, bin, root } from './helpers.js';
import { isolatedGitEnv, git, bareRepo, startHttpGitServer, startSshServer, suiteServer, GIT_HTTP_BACKEND, type HttpGitServer, type SshGitServer } from './gitserver.js';
import { publishTrees } from '../gitops/index.js';

const ex = (name: string) => join(examples, name, 'networkprofile.yaml');
interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs netprofile in its own process group (so a kill reaches git and its hooks too). */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}
const runAsync = (args: string[], env: Record<string, string>) => start(args, env).done;

let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const heads = (repo: string) => git(['rev-parse', '-q', '--verify', 'refs/heads/main'], { cwd: repo, env, allowFail: true }).trim();
const listing = (repo: string) => git(['ls-tree', '-r', '--name-only', 'main'], { cwd: repo, env }).split('\n').filter(Boolean);
const fsck = (repo: string) => git(['fsck', '--no-progress', '--no-dangling'], { cwd: repo, env, allowFail: false });

// ---------------------------------------------------------------------------------------------
const http = suite('https-style remote: token through the credential helper (smart HTTP on loopback)');
let server: HttpGitServer;
const TOKEN = 'np-test-token-9f8e7d6c5b4a';
http.before(async () => {
  dir = tempDir('netprofile-remotes-');
  env = isolatedGitEnv(join(dir.path, 'home'));
  mkdirSync(join(dir.path, 'http'));
  bareRepo(join(dir.path, 'http', 'fleet.git'), env);
});
const httpServer = suiteServer(http, `git's smart-HTTP server (${GIT_HTTP_BACKEND})`, () => startHttpGitServer({ projectRoot: join(dir.path, 'http'), token: TOKEN }));
http.before.each(() => { server = httpServer(); });

http('publishes with the token from the environment; the token is never in a URL or the output', async () => {
  const url = server.url('fleet.git');
  const r = await runAsync(['publish', ex('baremetal-metallb-l2'), '--repo', url], { ...env, NETPROFILE_GIT_TOKEN: TOKEN });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Published 1 profile to http:\/\/127\.0\.0\.1:\d+\/fleet\.git/);
  assert.ok(listing(join(dir.path, 'http', 'fleet.git')).includes('clusters/office/network/kustomization.yaml'));
  assert.ok(server.requests.some((q) => q.authorized && /git-receive-pack/.test(q.url)), 'no authorized push reached the server');
  assert.ok(server.requests.some((q) => !q.authorized), 'git never asked without credentials first (the helper was not the path)');
  for (const q of server.requests) assert.not.ok(q.url.includes(TOKEN), `token in URL ${q.url}`);
  assert.not.ok((r.stdout + r.stderr).includes(TOKEN));
  const again = await runAsync(['diff', ex('baremetal-metallb-l2'), '--repo', url, '--token-env', 'MY_TOKEN'], { ...env, MY_TOKEN: TOKEN });
  assert.is(again.code, 0, again.stderr);
});

http('a wrong or missing token fails with exit 2 and says to check the credentials', async () => {
  const url = server.url('fleet.git');
  const before = heads(join(dir.path, 'http', 'fleet.git'));
  const wrong = await runAsync(['publish', ex('baremetal-metallb-l2'), '--repo', url, '--target', 'plain'], { ...env, NETPROFILE_GIT_TOKEN: 'not-the-token' });
  assert.is(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /check the credentials/);
  assert.not.ok(wrong.stderr.includes('not-the-token'));
  const none = await runAsync(['publish', ex('baremetal-metallb-l2'), '--repo', url, '--target', 'plain'], env);
  assert.is(none.code, 2, none.stderr);
  assert.is(heads(join(dir.path, 'http', 'fleet.git')), before);
  // Credentials in the URL itself are redacted from every message.
  const inUrl = await runAsync(['publish', ex('baremetal-metallb-l2'), '--repo', url.replace('http://', 'http://u:leaky-secret@'), '--target', 'plain'], { ...env, NETPROFILE_GIT_TOKEN: 'nope' });
  assert.is(inUrl.code, 2);
  assert.not.ok((inUrl.stdout + inUrl.stderr).includes('leaky-secret'), inUrl.stderr);
});

http.run();

// ---------------------------------------------------------------------------------------------
const ssh = suite('ssh:// remote: OpenSSH sshd on loopback, strict host key checking');
const sshServer = suiteServer(ssh, 'OpenSSH sshd (README: Requirements; .ci/run installs openssh-server)', () => startSshServer(join(dir.path, 'sshd')));
let sshd: SshGitServer;
ssh.before.each(() => { sshd = sshServer(); });

ssh('publishes with a key and known_hosts given as files', async () => {
  const repo = bareRepo(join(dir.path, 'ssh-fleet.git'), env);
  const r = await runAsync(['publish', ex('baremetal-cilium-l2'), '--repo', sshd.url(repo), '--ssh-key', sshd.keyFile, '--known-hosts', sshd.knownHostsFile], env);
  assert.is(r.code, 0, r.stderr);
  assert.ok(listing(repo).includes('clusters/lab-l2/network/kustomization.yaml'));
  const noop = await runAsync(['publish', ex('baremetal-cilium-l2'), '--repo', sshd.url(repo)], { ...env, NETPROFILE_SSH_KEY: sshd.keyFile, NETPROFILE_KNOWN_HOSTS: sshd.knownHostsFile });
  assert.is(noop.code, 0, noop.stderr);
  assert.match(noop.stdout, /Nothing changed/);
});

ssh('an unknown or wrong host key is refused (exit 2), never trusted on first use', async () => {
  const repo = bareRepo(join(dir.path, 'ssh-mitm.git'), env);
  const wrong = await runAsync(['publish', ex('baremetal-cilium-l2'), '--repo', sshd.url(repo), '--ssh-key', sshd.keyFile, '--known-hosts', sshd.wrongKnownHostsFile], env);
  assert.is(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /host key/i);
  const emptyKnown = join(dir.path, 'empty_known_hosts');
  writeFileSync(emptyKnown, '');
  const unknown = await runAsync(['publish', ex('baremetal-cilium-l2'), '--repo', sshd.url(repo), '--ssh-key', sshd.keyFile, '--known-hosts', emptyKnown], env);
  assert.is(unknown.code, 2, unknown.stderr);
  assert.is(readFileSync(emptyKnown, 'utf8'), '', 'the host key was added to known_hosts');
  assert.is(heads(repo), '');
});

ssh('the operator mapping: key and known_hosts as strings land in a 0600 temp file that is removed', async () => {
  const repo = bareRepo(join(dir.path, 'ssh-operator.git'), env);
  const workDir = join(dir.path, 'operator-work');
  mkdirSync(workDir);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const r = await publishTrees({
      repo: sshd.url(repo), workDir,
      trees: [{ profile: 'op', path: 'clusters/op/network', target: 'flux', files: { 'kustomization.yaml': 'resources: []\n' } }],
      credentials: { sshKey: readFileSync(sshd.keyFile, 'utf8'), knownHosts: readFileSync(sshd.knownHostsFile, 'utf8') },
    });
    assert.ok(r.changed);
    assert.is(r.sha, heads(repo));
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  assert.equal(readdirSync(workDir), [], 'the temporary clone or key file was left behind');
});

ssh.run();

// ---------------------------------------------------------------------------------------------
const race = suite('races and interruptions on one remote');

race('four publishers for different profiles at once: all land, history linear, fsck clean', async () => {
  const repo = bareRepo(join(dir.path, 'race.git'), env);
  const url = `file://${repo}`;
  const profiles = ['baremetal-metallb-l2', 'baremetal-cilium-l2', 'baremetal-cilium-bgp', 'baremetal-kube-router-purelb'];
  const runs = await Promise.all(profiles.map((p) => runAsync(['publish', ex(p), '--repo', url, '--max-attempts', '12'], env)));
  runs.forEach((r, i) => assert.is(r.code, 0, `${profiles[i]}: ${r.stderr}`));
  const files = listing(repo);
  for (const path of ['clusters/office/network', 'clusters/lab-l2/network', 'clusters/dc1/network', 'clusters/cilium-prod/network']) {
    assert.ok(files.includes(`${path}/kustomization.yaml`), `${path} lost in the race`);
  }
  assert.is(Number(git(['rev-list', '--count', 'main'], { cwd: repo, env }).trim()), 4, 'one commit per publisher');
  assert.is(git(['rev-list', '--merges', 'main'], { cwd: repo, env }), '', 'history has merges');
  fsck(repo);
  const retried = runs.filter((r) => /retrying/.test(r.stderr)).length;
  // At least one of them had to fetch and re-apply unless they happened to run one by one;
  // either way every tree is there. Record it for the README, do not depend on it.
  console.log(`      (race: ${retried} of 4 publishers retried)`);
});

race('the branch moves between fetch and push: publish fetches, re-applies on the new head, keeps the other commit', async () => {
  // Deterministic race: a pre-receive hook holds the publisher's push until another commit has
  // landed on main, so its ref update fails and it must fetch and re-apply.
  const repo = bareRepo(join(dir.path, 'retry.git'), env);
  const seed = join(dir.path, 'retry-seed');
  git(['clone', '-q', repo, seed], { env });
  writeFileSync(join(seed, 'other.txt'), 'first\n');
  git(['add', '.'], { cwd: seed, env }); git(['commit', '-qm', 'seed'], { cwd: seed, env }); git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed, env });
  const entered = join(dir.path, 'retry-entered');
  const go = join(dir.path, 'retry-go');
  const hook = join(repo, 'hooks', 'pre-receive');
  writeFileSync(hook, `#!/bin/sh\nif [ ! -e '${entered}' ]; then touch '${entered}'; while [ ! -e '${go}' ]; do sleep 0.05; done; fi\nexit 0\n`);
  chmodSync(hook, 0o755);
  const publisher = start(['publish', ex('baremetal-metallb-l2'), '--repo', repo], env);
  for (let i = 0; i < 600 && !existsSync(entered); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(entered), 'the publisher never pushed');
  writeFileSync(join(seed, 'other.txt'), 'second\n');
  git(['commit', '-qam', 'someone else'], { cwd: seed, env });
  git(['push', '-q', 'origin', 'HEAD:main'], { cwd: seed, env });
  const racer = git(['rev-parse', 'HEAD'], { cwd: seed, env }).trim();
  writeFileSync(go, '');
  const r = await publisher.done;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(after 2 attempts\)/);
  assert.match(r.stderr, /attempt 1: .*retrying/);
  assert.is(git(['rev-parse', 'main~1'], { cwd: repo, env }).trim(), racer, 'the other commit was not kept underneath');
  assert.is(git(['show', 'main:other.txt'], { cwd: repo, env }), 'second\n');
  assert.ok(listing(repo).includes('clusters/office/network/kustomization.yaml'));
  fsck(repo);
});

race('kill -9 in the middle of the push leaves the remote untouched; the next publish converges', async () => {
  const repo = bareRepo(join(dir.path, 'kill.git'), env);
  const p = ex('baremetal-metallb-l2');
  const first = await runAsync(['publish', p, '--repo', repo], env);
  assert.is(first.code, 0, first.stderr);
  const before = heads(repo);
  const marker = join(dir.path, 'in-pre-receive');
  const hook = join(repo, 'hooks', 'pre-receive');
  // The objects are in the remote's quarantine and the ref update is pending when the hook runs:
  // the worst moment to die.
  writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\nsleep 60\n`);
  chmodSync(hook, 0o755);
  const victim = start(['publish', p, '--repo', repo, '--target', 'plain'], env);
  for (let i = 0; i < 600 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(marker), 'the publish never reached the push');
  process.kill(-victim.child.pid!, 'SIGKILL');
  const killed = await victim.done;
  assert.is(killed.signal, 'SIGKILL');
  rmSync(hook);
  assert.is(heads(repo), before, 'the killed publish moved the branch');
  fsck(repo);
  const next = await runAsync(['publish', p, '--repo', repo, '--target', 'plain'], env);
  assert.is(next.code, 0, next.stderr);
  assert.ok(listing(repo).includes('clusters/office/network/controllers/metallb.values.yaml'));
  assert.is(git(['rev-parse', 'main~1'], { cwd: repo, env }).trim(), before);
  fsck(repo);
});

race('kill -9 at many points: the branch is always the old or a complete new commit, then converges', async () => {
  const repo = bareRepo(join(dir.path, 'sweep.git'), env);
  const p = ex('baremetal-cilium-bgp');
  assert.is((await runAsync(['publish', p, '--repo', repo, '--target', 'plain'], env)).code, 0);
  const old = heads(repo);
  const complete = (sha: string) => git(['ls-tree', '-r', '--name-only', sha], { cwd: repo, env }).includes('clusters/dc1/network/flux-kustomizations.yaml');
  const outcomes = new Set<string>();
  for (const delay of [0, 80, 160, 240, 320, 400, 520, 700, 900]) {
    const v = start(['publish', p, '--repo', repo], env);
    await new Promise((r) => setTimeout(r, delay));
    try { process.kill(-v.child.pid!, 'SIGKILL'); } catch { /* already done */ }
    const res = await v.done;
    const now = heads(repo);
    assert.ok(now === old || complete(now), `after a kill at ${delay} ms the branch is ${now}, neither old nor complete`);
    outcomes.add(now === old ? 'untouched' : 'landed');
    if (now !== old) break;
    assert.ok(res.signal === 'SIGKILL' || res.code !== 0, 'a run that finished must have landed');
    fsck(repo);
  }
  const last = await runAsync(['publish', p, '--repo', repo], env);
  assert.is(last.code, 0, last.stderr);
  assert.ok(complete(heads(repo)));
  const noop = await runAsync(['publish', p, '--repo', repo], env);
  assert.match(noop.stdout, /Nothing changed/);
  fsck(repo);
  assert.ok(outcomes.has('untouched'), 'no kill landed before the push');
});

race.after(() => dir.cleanup());
race.run();
