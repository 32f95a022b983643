// After a publish: does the remote's HEAD name a branch that exists? `git init --bare` makes HEAD
// refs/heads/master (unless init.defaultBranch says otherwise); publishing only main leaves a
// remote whose every clone warns "remote HEAD refers to nonexistent ref, unable to checkout" and
// checks out nothing. One `git ls-remote --symref`, with the publish's credentials and a deadline.
import { execFile } from 'node:child_process';
import { mkdtempSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gitEnvironment, redact, type Credentials } from '../gitops/git.js';

export const REMOTE_HEAD_TIMEOUT_MS = 20_000;

/** The symbolic target of the remote's HEAD and the branches it has, or undefined when unknown. */
export async function remoteHead(repo: string, credentials: Credentials | undefined, timeoutMs = REMOTE_HEAD_TIMEOUT_MS): Promise<{ head?: string; heads: string[] } | undefined> {
  const genv = gitEnvironment(credentials, mkdtempSync(join(tmpdir(), 'netprofile-head-')));
  try {
    const args = [...genv.config.flatMap((c) => ['-c', c]), 'ls-remote', '--symref', '--', repo, 'HEAD', 'refs/heads/*'];
    const out = await new Promise<string | undefined>((done) => {
      execFile('git', args, { env: genv.env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20 }, (err, stdout) => done(err ? undefined : stdout));
    });
    if (out === undefined) return undefined;
    let head: string | undefined;
    const heads: string[] = [];
    for (const line of out.split('\n')) {
      const sym = /^ref: (refs\/\S+)\tHEAD$/.exec(line);
      if (sym) { head = sym[1]; continue; }
      const ref = /^[0-9a-f]{40,64}\t(refs\/heads\/\S+)$/.exec(line);
      if (ref) heads.push(ref[1]);
    }
    return { head, heads };
  } finally {
    genv.cleanup();
  }
}

/**
 * A warning (with the fix) when the remote's HEAD names a branch the remote does not have, else
 * undefined. `branch` is the one just published.
 */
export async function remoteHeadWarning(repo: string, branch: string, credentials: Credentials | undefined): Promise<string | undefined> {
  const r = await remoteHead(repo, credentials);
  // A HEAD that resolves is listed (with --symref, as "ref: refs/heads/B"); a dangling one is not
  // listed at all, so its name is known only for a local repository.
  if (!r || (r.head && r.heads.includes(r.head)) || !r.heads.length) return undefined;
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/:]+:/.test(repo) && existsSync(repo) && statSync(repo).isDirectory();
  let head = r.head;
  if (!head && local) head = await localSymref(repo);
  if (head && r.heads.includes(head)) return undefined;
  const named = head?.replace(/^refs\/heads\//, '');
  const fix = local
    ? `git --git-dir=${resolve(repo)}${existsSync(join(repo, '.git')) ? '/.git' : ''} symbolic-ref HEAD refs/heads/${branch}`
    : `on the server, in the repository: git symbolic-ref HEAD refs/heads/${branch} (on a Git host: set its default branch to ${branch})`;
  return `warning: the remote's HEAD names ${named ? `branch ${named}` : 'a branch'}, which does not exist there (a fresh \`git init --bare\` names ${named ?? 'master'} by default), so every clone of ${redact(repo)} warns "remote HEAD refers to nonexistent ref" and checks nothing out. Fix: ${fix}; or publish to that branch with --branch ${named ?? 'BRANCH'}.`;
}

async function localSymref(repo: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('git', ['--git-dir', existsSync(join(repo, '.git')) ? join(repo, '.git') : repo, 'symbolic-ref', '-q', 'HEAD'], { timeout: REMOTE_HEAD_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => done(err ? undefined : stdout.trim() || undefined));
  });
}
