// The Git process layer of publish: simple-git over the real `git`, with an environment that
// never prompts, never reads a pager or editor, and carries the credentials of this publish only.
import { simpleGit, type SimpleGit } from 'simple-git';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
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
  constructor(message: string, readonly stderr: string) { super(message); }
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

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Builds the environment for git: credentials go into files under `secretsDir` (0600) or into
 * environment variables read by a credential helper, never into URLs, arguments or logs.
 */
export function gitEnvironment(credentials: Credentials | undefined, secretsDir: string): GitEnv {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Never wait for a person: no terminal prompt, no askpass program, no pager, no editor.
  env.GIT_TERMINAL_PROMPT = '0';
  delete env.GIT_ASKPASS; delete env.SSH_ASKPASS;
  env.GIT_PAGER = 'cat'; env.GIT_EDITOR = 'true';
  // Messages are parsed (non-fast-forward, conflicts): keep them in English.
  env.LC_ALL = 'C'; env.LANGUAGE = 'C';
  const config: string[] = [];
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
  if (keyFile || knownHosts || !env.GIT_SSH_COMMAND) {
    // StrictHostKeyChecking=yes always: an unknown or changed host key is an error, never a prompt.
    const parts = ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
    if (keyFile) parts.push('-i', shellQuote(keyFile), '-o', 'IdentitiesOnly=yes');
    if (knownHosts) parts.push('-o', `UserKnownHostsFile=${shellQuote(knownHosts)}`, '-o', 'GlobalKnownHostsFile=/dev/null');
    env.GIT_SSH_COMMAND = parts.join(' ');
    delete env.GIT_SSH;
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

export interface Git {
  raw(args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<string>;
  binary(args: string[]): Promise<Buffer>;
}

/** A git runner rooted at `dir`; errors become GitError with credentials redacted. */
export function makeGit(dir: string, genv: GitEnv): Git {
  const make = (cwd: string, extraEnv?: Record<string, string>): SimpleGit => simpleGit({
    baseDir: cwd,
    config: genv.config,
    maxConcurrentProcesses: 1,
    trimmed: false,
    unsafe: {
      // We build these ourselves (credential helper, GIT_SSH_COMMAND) or pass the user's
      // environment through; none of them comes from a profile.
      allowUnsafeSshCommand: true, allowUnsafeCredentialHelper: true, allowUnsafeAskPass: true,
      allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true, allowUnsafeEditor: true,
      allowUnsafePager: true, allowUnsafeDiffExternal: true, allowUnsafeGitProxy: true, allowUnsafeTemplateDir: true,
    },
  }).env({ ...genv.env, ...extraEnv });
  const base = make(dir);
  const wrap = async <T>(p: Promise<T>, args: string[]): Promise<T> => {
    try { return await p; } catch (e) {
      const text = redact(String((e as Error).message ?? e)).trim();
      throw new GitError(`git ${redact(args.filter((a) => !a.startsWith('credential.')).slice(0, 3).join(' '))} failed: ${text.split('\n').slice(0, 12).join('\n')}`, text);
    }
  };
  return {
    raw: (args, opts) => wrap((opts?.cwd || opts?.env ? make(opts.cwd ?? dir, opts.env) : base).raw(args), args),
    binary: (args) => wrap(base.binaryCatFile(args), args),
  };
}
