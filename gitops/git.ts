// The Git process layer of publish: the real `git`, spawned directly, with an environment that
// never prompts, never reads a pager or editor, and carries the credentials of this publish only.
// Every call has a deadline and an AbortSignal: a remote that accepts TCP and then says nothing
// ends the call (and its ssh or http helper) instead of holding a worker.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Credentials {
  /** A private key file for ssh:// (and scp-like) remotes. */
  sshKeyFile?: string;
  /** The private key itself (operator: the Secret's `identity`); written to a 0600 temp file. */
  sshKey?: string;
  /** known_hosts file; host key checking stays strict, so an unknown host is refused. */
  knownHostsFile?: string;
  /** known_hosts content (operator: the Secret's `known_hosts`). */
  knownHosts?: string;
  /** https basic auth. */
  username?: string;
  password?: string;
  /** https token (sent as the password, username `x-access-token` unless given). */
  token?: string;
}

export class GitError extends Error {
  constructor(message: string, readonly stderr: string, readonly kind: 'failed' | 'timeout' | 'aborted' = 'failed', readonly reason?: unknown) { super(message); }
}

/** user:password@ in a URL becomes ***@, everywhere a URL might appear in text. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/gi, '$1***@');
}

export interface GitEnv {
  env: Record<string, string>;
  /** -c settings for every git call (credential helper). */
  config: string[];
  cleanup(): void;
}

export interface NetworkLimits {
  /** Seconds a connection may take to come up or stay silent (ssh ConnectTimeout/keepalives, http low speed). */
  stallSeconds?: number;
}

export const DEFAULT_STALL_SECONDS = 30;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Builds the environment for git: credentials go into files under `secretsDir` (0600) or into
 * environment variables read by a credential helper, never into URLs, arguments or logs.
 */
export function gitEnvironment(credentials: Credentials | undefined, secretsDir: string, limits: NetworkLimits = {}): GitEnv {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Never wait for a person: no terminal prompt, no askpass program, no pager, no editor.
  env.GIT_TERMINAL_PROMPT = '0';
  delete env.GIT_ASKPASS; delete env.SSH_ASKPASS;
  env.GIT_PAGER = 'cat'; env.GIT_EDITOR = 'true';
  // Messages are parsed (non-fast-forward, conflicts): keep them in English.
  env.LC_ALL = 'C'; env.LANGUAGE = 'C';
  const stall = Math.max(1, Math.round(limits.stallSeconds ?? DEFAULT_STALL_SECONDS));
  // http(s): a transfer slower than 1 KiB/s for `stall` seconds is aborted by curl
  // (git/git Documentation/config/http.txt, v2.39.5: http.lowSpeedLimit, http.lowSpeedTime).
  const config: string[] = ['http.lowSpeedLimit=1024', `http.lowSpeedTime=${stall}`];
  const c = credentials ?? {};
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  let keyFile = c.sshKeyFile;
  if (c.sshKey) {
    keyFile = join(secretsDir, 'identity');
    writeFileSync(keyFile, c.sshKey.endsWith('\n') ? c.sshKey : c.sshKey + '\n', { mode: 0o600 });
  }
  let knownHosts = c.knownHostsFile;
  if (c.knownHosts) {
    knownHosts = join(secretsDir, 'known_hosts');
    writeFileSync(knownHosts, c.knownHosts.endsWith('\n') ? c.knownHosts : c.knownHosts + '\n', { mode: 0o600 });
  }
  // ssh: a connection (TCP and the banner exchange) must be up within `stall` seconds, and a
  // server that stops answering is dropped after three unanswered keepalives
  // (openssh/openssh-portable ssh_config.5: ConnectTimeout, ServerAliveInterval, ServerAliveCountMax).
  const sshLimits = ['-o', `ConnectTimeout=${stall}`, '-o', `ServerAliveInterval=${Math.max(1, Math.ceil(stall / 3))}`, '-o', 'ServerAliveCountMax=3'];
  if (keyFile || knownHosts || !env.GIT_SSH_COMMAND) {
    // StrictHostKeyChecking=yes always: an unknown or changed host key is an error, never a prompt.
    const parts = ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', ...sshLimits];
    if (keyFile) parts.push('-i', shellQuote(keyFile), '-o', 'IdentitiesOnly=yes');
    if (knownHosts) parts.push('-o', `UserKnownHostsFile=${shellQuote(knownHosts)}`, '-o', 'GlobalKnownHostsFile=/dev/null');
    env.GIT_SSH_COMMAND = parts.join(' ');
    delete env.GIT_SSH;
  } else if (/^\S*\bssh(\s|$)/.test(env.GIT_SSH_COMMAND)) {
    // The user's own ssh command keeps its options and gains the limits.
    env.GIT_SSH_COMMAND = `${env.GIT_SSH_COMMAND} ${sshLimits.join(' ')}`;
  }
  const secret = c.token ?? c.password;
  if (secret !== undefined) {
    env.NETPROFILE_GIT_HELPER_USERNAME = c.username ?? (c.token !== undefined ? 'x-access-token' : '');
    env.NETPROFILE_GIT_HELPER_PASSWORD = secret;
    // An empty helper first clears helpers from the user's configuration (a stored, stale token
    // must not win), then ours answers `get` from the environment of this process only.
    config.push('credential.helper=', `credential.helper=!f() { test "$1" = get && printf 'username=%s\\npassword=%s\\n' "$NETPROFILE_GIT_HELPER_USERNAME" "$NETPROFILE_GIT_HELPER_PASSWORD"; }; f`);
  }
  return {
    env, config,
    cleanup: () => { rmSync(secretsDir, { recursive: true, force: true }); },
  };
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to git's standard input (then closed); without it stdin is /dev/null. */
  input?: string | Buffer;
}

export interface Git {
  raw(args: string[], opts?: RunOptions): Promise<string>;
  buffer(args: string[], opts?: RunOptions): Promise<Buffer>;
  /** `cat-file --batch` over many objects in ONE process: content per id (missing ids absent). */
  catFileBatch(ids: string[]): Promise<Map<string, { type: string; content: Buffer }>>;
  /** How many git processes this runner started (tests and bench count them). */
  readonly spawned: number;
}

export interface GitLimits {
  /** Aborts every running call at once and refuses new ones. */
  signal?: AbortSignal;
  /** Epoch milliseconds by which every call must be done (the publish deadline). */
  deadline?: number;
  /** Whom to name in a timeout message (the redacted repository). */
  label?: string;
  /** Called once per git process started. */
  onSpawn?: (args: string[]) => void;
}

/**
 * The pids below `pid` (git's ssh, git-remote-http, pack-objects...), read from /proc. git stays
 * in our process group (a kill -9 of netprofile's group must take git with it), so on a stop its
 * helpers are found and killed one by one; where /proc is missing only git itself is killed.
 */
function descendants(pid: number): number[] {
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return []; }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${e}/stat`, 'utf8'); } catch { continue; }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) for (const c of children.get(queue.shift()!) ?? []) { out.push(c); queue.push(c); }
  return out;
}

function killTree(pid: number): void {
  const below = descendants(pid);
  for (const p of [pid, ...below]) { try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ } }
}

const describe = (args: string[]) => `git ${redact(args.filter((a) => !a.startsWith('credential.')).slice(0, 3).join(' '))}`;

/** A git runner rooted at `dir`; errors become GitError with credentials redacted. */
export function makeGit(dir: string, genv: GitEnv, limits: GitLimits = {}): Git {
  let spawned = 0;
  const configArgs = genv.config.flatMap((c) => ['-c', c]);
  const run = (args: string[], opts: RunOptions = {}): Promise<Buffer> => new Promise((resolve, reject) => {
    const what = describe(args);
    const { signal, deadline } = limits;
    if (signal?.aborted) { reject(abortError(what, signal.reason)); return; }
    const left = deadline === undefined ? Infinity : deadline - Date.now();
    if (left <= 0) { reject(timeoutError(what, limits)); return; }
    spawned++;
    limits.onSpawn?.(args);
    const child = spawn('git', [...configArgs, ...args], {
      cwd: opts.cwd ?? dir,
      env: { ...genv.env, ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killTree(child.pid);
    };
    const finish = (e: Error | null, value?: Buffer) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (e) reject(e); else resolve(value!);
    };
    const onAbort = () => { stop(); finish(abortError(what, signal?.reason)); };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (left !== Infinity) timer = setTimeout(() => { stop(); finish(timeoutError(what, limits)); }, left);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => finish(new GitError(`${what} could not start: ${e.message}`, e.message)));
    child.on('close', (code, sig) => {
      if (code === 0) { finish(null, Buffer.concat(out)); return; }
      // --porcelain pushes report a rejected ref on stdout: keep both streams for the callers' parsing.
      const text = redact(`${Buffer.concat(err).toString('utf8')}\n${Buffer.concat(out).toString('utf8')}`).trim();
      finish(new GitError(`${what} failed${sig ? ` (${sig})` : ''}: ${text.split('\n').slice(0, 12).join('\n')}`, text));
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => { /* git exited early; its exit code says why */ });
      child.stdin!.end(opts.input);
    }
  });
  return {
    raw: async (args, opts) => (await run(args, opts)).toString('utf8'),
    buffer: run,
    catFileBatch: async (ids) => {
      const found = new Map<string, { type: string; content: Buffer }>();
      const unique = [...new Set(ids)];
      if (!unique.length) return found;
      const out = await run(['cat-file', '--batch'], { input: unique.join('\n') + '\n' });
      let at = 0;
      for (const id of unique) {
        const nl = out.indexOf(10, at);
        if (nl < 0) break;
        const header = out.subarray(at, nl).toString('utf8');
        at = nl + 1;
        const [sha, type, size] = header.split(' ');
        if (type === 'missing' || size === undefined) continue;
        const n = Number(size);
        found.set(id, { type, content: out.subarray(at, at + n) });
        void sha;
        at += n + 1;
      }
      return found;
    },
    get spawned() { return spawned; },
  };
}

function timeoutError(what: string, limits: GitLimits): GitError {
  return new GitError(`${what} did not finish before the publish deadline${limits.label ? ` (${limits.label})` : ''}`, '', 'timeout');
}

function abortError(what: string, reason: unknown): GitError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new GitError(`${what} was stopped: ${why}`, '', 'aborted', reason);
}
