// Loopback Git servers for tests (publish, operator): bare repositories over file://, a smart-HTTP
// server (git-http-backend as CGI behind node:http, basic-auth token checked), and an OpenSSH
// sshd on a free port with generated host and client keys. Nothing listens beyond 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createConnection, createServer as createTcpServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { Test } from 'uvu';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';
// NETPROFILE_TEST_SSHD points the ssh suite at another sshd (or at a missing one, to see it fail alone).
export const SSHD = process.env.NETPROFILE_TEST_SSHD || '/usr/sbin/sshd';

/**
 * An environment for git and netprofile that ignores the user's and the system's git
 * configuration and fixes the identities, so tests never depend on the machine.
 */
export function isolatedGitEnv(dir: string, extraGlobalConfig = ''): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const globalConfig = join(dir, 'gitconfig');
  writeFileSync(globalConfig, `[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n${extraGlobalConfig}`);
  return {
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.test',
    GIT_COMMITTER_NAME: 'Test Committer', GIT_COMMITTER_EMAIL: 'committer@example.test',
    GIT_TERMINAL_PROMPT: '0',
  };
}

/**
 * A `git` wrapper first on PATH that logs every git process started (the subcommand after any
 * -c NAME=VALUE pairs; also the gits git starts itself), with the isolated git environment, set
 * on process.env by install() and put back by restore(). counted(f) runs f and says which git
 * subcommands it started, in order. For counting, never for timing.
 */
export function countingGit(dir: string): {
  install(): void;
  restore(): void;
  counted<T>(f: () => Promise<T>): Promise<{ value: T; gits: number; commands: string[] }>;
} {
  const env = isolatedGitEnv(join(dir, 'home'));
  const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const wrap = join(dir, 'bin');
  const log = join(dir, 'git.log');
  const saved: Record<string, string | undefined> = {};
  return {
    install() {
      mkdirSync(wrap, { recursive: true });
      writeFileSync(join(wrap, 'git'), [
        '#!/bin/sh', 'sub=; skip=0',
        'for x in "$@"; do if [ $skip = 1 ]; then skip=0; continue; fi; if [ "$x" = -c ]; then skip=1; continue; fi; sub=$x; break; done',
        `printf '%s\\n' "$sub" >> '${log}'`, `exec '${realGit}' "$@"`, '',
      ].join('\n'));
      chmodSync(join(wrap, 'git'), 0o755);
      for (const [k, v] of Object.entries({ ...env, PATH: `${wrap}:${process.env.PATH}` })) { saved[k] = process.env[k]; process.env[k] = v; }
    },
    restore() {
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    },
    async counted(f) {
      writeFileSync(log, '');
      const value = await f();
      const commands = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      return { value, gits: commands.length, commands };
    },
  };
}

/** Runs git synchronously; throws with stderr when it fails. */
export function git(args: string[], options: { cwd?: string; env?: Record<string, string>; allowFail?: boolean } = {}): string {
  const r = spawnSync('git', args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && !options.allowFail) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function bareRepo(path: string, env?: Record<string, string>): string {
  git(['init', '-q', '--bare', '--initial-branch=main', path], { env });
  return path;
}

export interface HttpGitServer {
  /** http://127.0.0.1:PORT/<name>: no credentials in it. */
  url(name: string): string;
  /** Every request line seen, and the Authorization headers (for "never in the URL" checks). */
  requests: { method: string; url: string; authorized: boolean }[];
  close(): Promise<void>;
}

/**
 * git-http-backend behind a tiny node:http server with basic auth: the password must equal
 * `token`. Stands in for an https:// forge (loopback has no certificate; the credential path
 * through git's credential helper is the same).
 */
export async function startHttpGitServer(options: { projectRoot: string; token: string; username?: string }): Promise<HttpGitServer> {
  const requests: HttpGitServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const user = sep >= 0 ? decoded.slice(0, sep) : '';
    const password = sep >= 0 ? decoded.slice(sep + 1) : '';
    const authorized = password === options.token && (!options.username || user === options.username);
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="netprofile-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: user || 'token',
      REMOTE_ADDR: '127.0.0.1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const cgi = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) { res.write(chunk); return; }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (end < 0) { end = head.indexOf('\n\n'); sepLen = 2; }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + sepLen));
    });
    cgi.stderr.on('data', () => { /* the backend's complaints reach the client as HTTP errors */ });
    cgi.on('close', () => { if (!headersDone) res.writeHead(500); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

export interface SshGitServer {
  port: number;
  user: string;
  /** ssh://USER@127.0.0.1:PORT/ABSOLUTE/PATH */
  url(absolutePath: string): string;
  keyFile: string;
  knownHostsFile: string;
  /** A known_hosts naming a different key for the same host (a man in the middle). */
  wrongKnownHostsFile: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** OpenSSH's sshd on 127.0.0.1 with a generated host key; only the generated client key gets in. */
export async function startSshServer(dir: string): Promise<SshGitServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (apt-get install -y openssh-server); .ci/run does`);
  mkdirSync(dir, { recursive: true });
  const keygen = (file: string) => { const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netprofile-test', '-f', file]); if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`); };
  for (const k of ['host_key', 'client_key', 'other_host_key']) if (!existsSync(join(dir, k))) keygen(join(dir, k));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  try { mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); } catch { /* not root: sshd runs without privilege separation dir checks */ }
  const user = userInfo().username;
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'StrictModes no', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'UsePAM no',
      `AllowUsers ${user}`, 'LogLevel ERROR', 'MaxStartups 100:30:200', 'MaxSessions 50', '',
    ].join('\n'));
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c) => { stderr += c; });
    const up = await waitForPort(port, child, 5000);
    if (!up) {
      child.kill('SIGKILL');
      if (tries < 3 && /Address already in use|Bind to port/.test(stderr)) continue;
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${stderr}`);
    }
    const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const otherPub = readFileSync(join(dir, 'other_host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
    writeFileSync(join(dir, 'wrong_known_hosts'), `[127.0.0.1]:${port} ${otherPub}\n`);
    return {
      port, user,
      url: (p) => `ssh://${user}@127.0.0.1:${port}${p}`,
      keyFile: join(dir, 'client_key'),
      knownHostsFile: join(dir, 'known_hosts'),
      wrongKnownHostsFile: join(dir, 'wrong_known_hosts'),
      close: async () => {
        if (child.exitCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGTERM');
          await exited;
        }
      },
    };
  }
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise<boolean>((r) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * A server one suite needs, started in its `before` hook. When it cannot start, every test of
 * that suite fails with the reason (uvu would otherwise count a throwing `before` as a suite with
 * nothing run, and a crashing `after` ends the whole process); `after` closes only what started.
 * The other suites of the file and of the run are not affected.
 */
export function suiteServer<T extends { close(): Promise<void> | void }>(
  s: Test,
  what: string,
  start: () => Promise<T>,
): () => T {
  let server: T | undefined;
  let failure: string | undefined;
  s.before(async () => {
    try { server = await start(); } catch (err) { failure = (err as Error).message; }
  });
  s.before.each(() => {
    if (!server) throw new Error(`${what} could not start, so this suite cannot run: ${failure}`);
  });
  s.after(async () => { const running = server; server = undefined; if (running) await running.close(); });
  return () => {
    if (!server) throw new Error(`${what} is not running: ${failure ?? 'not started yet'}`);
    return server;
  };
}
