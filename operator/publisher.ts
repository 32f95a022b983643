// Publishing rendered trees to Git through the Publisher shape (injectable in tests), backed by
// gitops/'s publishTrees. Credentials come from the profile's Secret; publishTrees writes key
// material to 0600 files in its temporary clone only for the call (the root filesystem is
// read-only; /tmp is an emptyDir).
import type { RenderedTree } from '../generators/render.js';
import type { Credentials as GitCredentials } from '../gitops/index.js';

export type { GitCredentials };

export interface PublishRequest {
  repo: string;
  branch: string;
  trees: RenderedTree[];
  /** spec.gitops.reviewBranch: commit to this branch, made from `branch`, for a pull request. */
  reviewBranch?: string;
  /** Published paths to remove in the same commit (deletionPolicy: prune). */
  remove?: string[];
  /** The profile's handlebars commit-message template (spec.gitops.commitMessage). */
  message: string;
  author: { name: string; email: string };
  credentials: GitCredentials;
  dryRun: boolean;
  /** Stops the publish at once (operator stop, lost lease): git and its ssh/http helpers are killed. */
  signal?: AbortSignal;
  /** Called right before each push attempt; throw to refuse (lease and generation fencing). */
  beforePush?: () => Promise<void>;
  /** Deadline for the whole publish, every git/ssh/http call included (default 300000 ms). */
  deadlineMs?: number;
  /** The profile (namespace/name) this request publishes, when it is one profile's tree. */
  key?: string;
  /** The tree's hash (reconcile.ts treeHash): a level-triggered publisher verifies by it. */
  hash?: string;
}

export interface PublishResult { changed: boolean; sha: string; files: unknown; attempts: number }

/**
 * Publishes one request. A `levelTriggered` publisher (batch.ts) is asked on every reconcile,
 * also when the tree did not change, and checks Git itself (cheaply); any other publisher is asked
 * only when the tree differs from the one this replica published last.
 */
export type Publisher = ((request: PublishRequest) => Promise<PublishResult>) & {
  readonly levelTriggered?: boolean;
  /** The profile is gone (deleted, or this replica stopped leading it): drop what is kept for it. */
  forget?(key: string): void;
};

/** The keys a Git credentials Secret may hold (api.md §8, the issue). */
export const SECRET_KEYS = ['identity', 'known_hosts', 'username', 'password', 'token'] as const;

export class CredentialsError extends Error {}

/** The credentials publishTrees takes, from the Secret's keys; refuses what cannot work. */
export function credentialsFromSecret(data: Record<string, string> | null, repoUrl: string, secretName: string | undefined): GitCredentials {
  if (!data || !secretName) return {};
  const ssh = /^(ssh:\/\/|[A-Za-z0-9._-]+@[^:/]+:)/.test(repoUrl);
  if (ssh) {
    if (!data.identity) throw new CredentialsError(`Secret ${secretName} has no "identity" key (the ssh private key) for ${repoUrl}; create it with: kubectl create secret generic ${secretName} --from-file=identity=./id_ed25519 --from-file=known_hosts=./known_hosts`);
    if (!data.known_hosts) throw new CredentialsError(`Secret ${secretName} has no "known_hosts" key; the operator never trusts an unknown host key: add the output of ssh-keyscan for the Git host`);
    return { sshKey: data.identity.endsWith('\n') ? data.identity : `${data.identity}\n`, knownHosts: data.known_hosts };
  }
  if (data.token) return { token: data.token, ...(data.username ? { username: data.username } : {}) };
  if (data.username && data.password) return { username: data.username, password: data.password };
  if (/^https?:\/\//.test(repoUrl)) throw new CredentialsError(`Secret ${secretName} has neither "token" nor "username" and "password" for ${repoUrl}`);
  return {};
}

/**
 * The operator's publisher: gitops/'s publishTrees (a temporary clone, one commit per publish
 * only when the tree changed, fetch-and-retry on a moved branch, refusal of Secrets and key
 * material). The commit message is the profile's handlebars template; publishTrees fills in
 * cluster, profile, summary and changes.
 */
export const gitPublisher: Publisher = async (req) => {
  const { publishTrees } = await import('../gitops/index.js');
  const r = await publishTrees({ repo: req.repo, branch: req.branch, trees: req.trees, ...(req.remove?.length ? { remove: req.remove } : {}), ...(req.reviewBranch ? { reviewBranch: req.reviewBranch } : {}), message: req.message, author: req.author, credentials: req.credentials, dryRun: req.dryRun, signal: req.signal, beforePush: req.beforePush, deadlineMs: req.deadlineMs });
  return { changed: r.changed, sha: r.sha ?? '', files: r.files, attempts: r.attempts };
};
