// Publishing rendered trees to Git. The operator codes against the Publisher shape of
// cli/publish's publishTrees (one commit per publish, only when the tree changed, retries on a
// non-fast-forward push); credentials come from the profile's Secret, written to files that live
// only for the call (the root filesystem is read-only; /tmp is an emptyDir).
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { simpleGit } from 'simple-git';
import type { RenderedTree } from '../generators/render.js';

export interface GitCredentials {
  sshKeyFile?: string;
  knownHostsFile?: string;
  username?: string;
  password?: string;
  token?: string;
}

export interface PublishRequest {
  repo: string;
  branch: string;
  trees: RenderedTree[];
  message: string;
  author: { name: string; email: string };
  credentials: GitCredentials;
  dryRun: boolean;
}

export interface PublishResult { changed: boolean; sha: string; files: unknown; attempts: number }

export type Publisher = (request: PublishRequest) => Promise<PublishResult>;

/** The keys a Git credentials Secret may hold (api.md §8, the issue). */
export const SECRET_KEYS = ['identity', 'known_hosts', 'username', 'password', 'token'] as const;

export class CredentialsError extends Error {}

/**
 * Writes the Secret's ssh key material to private temporary files and returns the credentials
 * publishTrees takes, plus a cleanup that removes the files.
 */
export function credentialsFromSecret(data: Record<string, string> | null, repoUrl: string, secretName: string | undefined): { credentials: GitCredentials; cleanup(): void } {
  if (!data || !secretName) return { credentials: {}, cleanup: () => {} };
  const ssh = /^(ssh:\/\/|[A-Za-z0-9._-]+@[^:/]+:)/.test(repoUrl);
  if (ssh) {
    if (!data.identity) throw new CredentialsError(`Secret ${secretName} has no "identity" key (the ssh private key) for ${repoUrl}; add it with: kubectl create secret generic ${secretName} --from-file=identity=./id_ed25519 --from-file=known_hosts=./known_hosts`);
    if (!data.known_hosts) throw new CredentialsError(`Secret ${secretName} has no "known_hosts" key; the operator never trusts an unknown host key: add the output of ssh-keyscan for the Git host`);
    const dir = mkdtempSync(join(tmpdir(), 'netprofile-cred-'));
    const sshKeyFile = join(dir, 'identity');
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(sshKeyFile, data.identity.endsWith('\n') ? data.identity : `${data.identity}\n`, { mode: 0o600 });
    writeFileSync(knownHostsFile, data.known_hosts, { mode: 0o600 });
    return { credentials: { sshKeyFile, knownHostsFile }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (data.token) return { credentials: { token: data.token, ...(data.username ? { username: data.username } : {}) }, cleanup: () => {} };
  if (data.username && data.password) return { credentials: { username: data.username, password: data.password }, cleanup: () => {} };
  if (/^https?:\/\//.test(repoUrl)) throw new CredentialsError(`Secret ${secretName} has neither "token" nor "username" and "password" for ${repoUrl}`);
  return { credentials: {}, cleanup: () => {} };
}

/**
 * A minimal Git publisher with publishTrees' contract, used until cli/publish is present: clone,
 * replace each tree's path, commit when something changed, push (fetch and rebase on a rejected
 * push, three times at most).
 */
export const gitPublisher: Publisher = async (req) => {
  const work = mkdtempSync(join(tmpdir(), 'netprofile-publish-'));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), GIT_TERMINAL_PROMPT: '0' };
  if (req.credentials.sshKeyFile) {
    env.GIT_SSH_COMMAND = `ssh -i ${req.credentials.sshKeyFile} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${req.credentials.knownHostsFile ?? '/dev/null'}`;
  }
  const config: string[] = [];
  if (req.credentials.token || req.credentials.password) {
    const user = req.credentials.username ?? 'x-access-token';
    const pass = req.credentials.token ?? req.credentials.password!;
    config.push(`http.extraHeader=Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
  }
  try {
    const git = simpleGit({ baseDir: work, config }).env(env);
    await git.init();
    await git.addRemote('origin', req.repo);
    const remoteHeads = await git.listRemote(['--heads', 'origin', req.branch]);
    const exists = remoteHeads.trim().length > 0;
    if (exists) { await git.fetch('origin', req.branch); await git.checkout(['-B', req.branch, `origin/${req.branch}`]); }
    else await git.checkout(['--orphan', req.branch]);
    const files: string[] = [];
    for (const tree of req.trees) {
      const base = join(work, tree.path);
      rmSync(base, { recursive: true, force: true });
      for (const [rel, content] of Object.entries(tree.files)) {
        const full = join(base, rel);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        files.push(`${tree.path}/${rel}`);
      }
      if (existsSync(base) && readdirSync(base).length) await git.add(['-A', '--', tree.path]);
    }
    const status = await git.status();
    if (status.isClean()) {
      const sha = exists ? (await git.revparse(['HEAD'])).trim() : '';
      return { changed: false, sha, files: [], attempts: 0 };
    }
    if (req.dryRun) return { changed: true, sha: '', files, attempts: 0 };
    await git.raw(['-c', `user.name=${req.author.name}`, '-c', `user.email=${req.author.email}`, 'commit', '--no-gpg-sign', '-q', '-m', req.message]);
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await git.push('origin', `HEAD:refs/heads/${req.branch}`);
        break;
      } catch (e) {
        if (attempts >= 3) throw e;
        await git.fetch('origin', req.branch);
        await git.rebase([`origin/${req.branch}`]);
      }
    }
    return { changed: true, sha: (await git.revparse(['HEAD'])).trim(), files, attempts };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
