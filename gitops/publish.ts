// publishTrees / diffTrees: commit rendered trees under their spec.gitops.path in ONE commit and
// push, in a temporary clone, with no empty commits, bounded retries on a moved branch, and hand
// edits reported instead of overwritten. The CLI (publish, diff, demo) and the operator call this.
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync, existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, relative, isAbsolute } from 'node:path';
import { createHash } from 'node:crypto';
import type { RenderedTree } from '../generators/render.js';
import { compileCommitMessage, effectiveTemplate, summarizeChanges, CommitMessageError, type CommitChanges, type CommitMessageContext } from '../generators/commit-message.js';
import { checkTreePaths, scanForSecrets, normalisePath, pathProblem, type TreeProblem } from './safety.js';
import { gitEnvironment, makeGit, redact, GitError, DEFAULT_STALL_SECONDS, type Credentials, type Git, type GitLimits } from './git.js';

export type { Credentials } from './git.js';

export interface PublishOptions {
  /** A URL (file://, ssh://, user@host:path, https://, http://) or a local directory. */
  repo: string;
  /** Default: main. */
  branch?: string;
  /**
   * Commit to this branch instead, made from `branch` (one commit on top of its head), for review
   * through a pull request. netprofile force-updates it only while it made the branch: a head
   * commit without the `Netprofile-Review-Base:` trailer (someone else pushed) is refused.
   */
  reviewBranch?: string;
  trees: RenderedTree[];
  /**
   * Paths whose published trees this commit removes (the operator's deletionPolicy: prune, when a
   * profile is deleted or moves). Only files the tree's manifest vouches for are removed silently:
   * a hand-edited or hand-added file there is a conflict, reported and never deleted.
   */
  remove?: string[];
  /** A handlebars template (cluster, profile, summary, changes) or a function of that context. */
  message?: string | ((ctx: CommitMessageContext) => string);
  author?: { name: string; email: string };
  credentials?: Credentials;
  dryRun?: boolean;
  /** Push attempts when the branch moves underneath (default 6). */
  maxAttempts?: number;
  /** Where the temporary clone goes (default the OS temp dir). */
  workDir?: string;
  /** Progress lines (attempts, retries); never carries credentials. */
  log?: (line: string) => void;
  /**
   * Stops the publish at once: the running git (and its ssh or http helper) is killed, the
   * temporary clone removed, and publishTrees rejects with PublishAborted.
   */
  signal?: AbortSignal;
  /**
   * Called right before each push attempt (after the commit is made, before anything reaches the
   * remote); throwing refuses the push and publishTrees rejects with that error unchanged. The
   * operator fences here: it re-checks its lease and the profile's generation.
   */
  beforePush?: () => Promise<void>;
  /** The whole publish (every git, ssh and http call, retries included) ends by then: default 300000 ms. */
  deadlineMs?: number;
  /**
   * Keep the clone here between publishes (the operator: one directory per repository and
   * branch). The next publish fetches only when the branch moved instead of cloning again. One
   * publish at a time per directory (a second one is refused); a clone that failed in any way
   * other than a refusal is removed, so the next publish starts from a fresh one.
   */
  cacheDir?: string;
  /**
   * The branch head at which the caller last saw these exact trees published. When the remote
   * head is still this commit (one `ls-remote`), nothing else is read or written and the result
   * is unchanged: the operator's cheap level-triggered check on every resync.
   */
  verifiedHead?: string;
}

export const DEFAULT_DEADLINE_MS = 300_000;

export interface PublishResult {
  changed: boolean;
  /** The commit now at the branch head (the new one, or the unchanged head); null on dry runs. */
  sha: string | null;
  files: CommitChanges;
  attempts: number;
  /** The rendered commit message (also on dry runs when something changed). */
  message?: string;
  branch: string;
  /** The branch head this publish read (the new commit's parent), null for a new branch. */
  base: string | null;
  /** The published paths (trees and removals) whose files this publish changes, sorted. */
  changedPaths: string[];
}

export interface DiffResult {
  changed: boolean;
  /** Unified diff (git diff) of the branch head against the rendered trees, '' when none. */
  diff: string;
  files: CommitChanges;
  /** Files under the paths someone else edited (publish would refuse). */
  conflicts: string[];
  branch: string;
}

/** A refusal: the input or the repository state is not acceptable (exit 1). */
export class PublishRefused extends Error {
  readonly userError = true;
  readonly exitCode = 1;
  constructor(message: string, readonly problems: TreeProblem[] = [], readonly files: string[] = []) { super(message); }
}

/** Someone edited generated files under the path: reported with the file names, never overwritten. */
export class PublishConflict extends PublishRefused {}

/** Git, network or credentials failed (exit 2). */
export class PublishFailed extends Error {
  readonly userError = true;
  readonly exitCode = 2;
}

/** The remote did not answer before the deadline (exit 2). */
export class PublishTimeout extends PublishFailed {}

/** options.signal stopped the publish; `cause` is the signal's reason. */
export class PublishAborted extends PublishFailed {
  constructor(message: string, override readonly cause?: unknown) { super(message); }
}

export const MANIFEST = '.netprofile/SHA256SUMS';

type Remote =
  | { kind: 'url'; url: string }
  | { kind: 'bare'; url: string; dir: string }
  | { kind: 'worktree'; url: string; dir: string };

interface Entry { mode: string; type: string; sha: string; path: string }

interface Computed {
  base: string | null;
  baseTree: string;
  tree: string;
  changed: boolean;
  files: CommitChanges;
  conflicts: string[];
  changedPaths: string[];
  /** How to make the new tree (only when changed); `tree` is filled in when it is made. */
  ops?: TreeOps;
}

const BRANCH_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/-]+(?<![./])$/;
const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_RE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)/;
const SCHEMES = new Set(['file', 'ssh', 'git+ssh', 'ssh+git', 'https', 'http', 'git']);

export async function publishTrees(options: PublishOptions): Promise<PublishResult> {
  const session = await openSession(options);
  try {
    return await publishLoop(options, session);
  } catch (e) {
    // The clone is whole after a refusal, and after the caller's own pre-push check refused.
    if (!(e instanceof PublishRefused) && !session.refusedBeforePush) session.spoil();
    throw translate(e, session.repoLabel);
  } finally {
    session.close();
  }
}

/** options.beforePush, its refusal noted on the session (the clone is still whole then). */
async function fence(options: PublishOptions, session: Session): Promise<void> {
  try { await options.beforePush?.(); } catch (e) { session.refusedBeforePush = true; throw e; }
}

async function publishLoop(options: PublishOptions, session: Session): Promise<PublishResult> {
  if (options.reviewBranch) return reviewLoop(options, options.reviewBranch, session);
  const max = Math.max(1, options.maxAttempts ?? 6);
  for (let attempt = 1; ; attempt++) {
    const computed = await session.compute(attempt === 1 ? options.verifiedHead : undefined);
    if (computed.conflicts.length) throw conflictError(computed.conflicts, session.repoLabel);
    const done = { files: computed.files, attempts: attempt, branch: session.branch, base: computed.base, changedPaths: computed.changedPaths };
    if (!computed.changed) return { ...done, changed: false, sha: computed.base };
    const message = session.message(computed.files, computed.changedPaths);
    if (options.dryRun) return { ...done, changed: true, sha: null, message };
    const sha = await session.commit(computed, message);
    await fence(options, session);
    const pushed = await session.push(sha, computed.base);
    if (pushed === 'ok') return { ...done, changed: true, sha, message };
    if (attempt >= max) throw new PublishFailed(`${session.repoLabel}: branch ${session.branch} kept moving while publishing; gave up after ${attempt} attempts (${pushed}). Run publish again.`);
    // Jittered, growing back-off so racing publishers spread out instead of colliding again.
    const delay = Math.min(2000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random());
    options.log?.(`attempt ${attempt}: ${pushed}; fetching the new head and retrying in ${Math.round(delay)} ms`);
    await session.sleep(delay);
  }
}

type Session = Awaited<ReturnType<typeof openSession>>;

export const REVIEW_TRAILER = 'Netprofile-Review-Base';

/** publish --review-branch: the change as one commit on the base head, on its own branch. */
async function reviewLoop(options: PublishOptions, review: string, session: Session): Promise<PublishResult> {
  if (!BRANCH_RE.test(review) || review.endsWith('.lock')) throw new PublishRefused(`review branch "${review.slice(0, 80)}" is not a valid branch name`);
  if (review === session.branch) throw new PublishRefused(`the review branch "${review}" is the base branch itself; name another branch`);
  const max = Math.max(1, options.maxAttempts ?? 6);
  for (let attempt = 1; ; attempt++) {
    const computed = await session.compute();
    if (computed.conflicts.length) throw conflictError(computed.conflicts, session.repoLabel);
    const current = await session.reviewHead(review);
    if (current && !current.ours) throw new PublishRefused(`${session.repoLabel}: branch ${review} exists and netprofile did not make it (its head commit has no ${REVIEW_TRAILER} trailer); netprofile never overwrites it: name another spec.gitops.reviewBranch or delete the branch`);
    const done = { files: computed.files, attempts: attempt, branch: review, base: computed.base, changedPaths: computed.changedPaths };
    // Nothing to review, or the review branch already holds exactly this change on this base.
    if (!computed.changed) return { ...done, changed: false, sha: current?.sha ?? computed.base };
    if (current && current.parent === computed.base && current.tree === await session.tree(computed)) return { ...done, changed: false, sha: current.sha };
    const message = `${session.message(computed.files, computed.changedPaths).replace(/\n*$/, '')}\n\n${REVIEW_TRAILER}: ${session.branch}\n`;
    if (options.dryRun) return { ...done, changed: true, sha: null, message };
    const sha = await session.commit(computed, message);
    await fence(options, session);
    const pushed = await session.pushReview(sha, review, current?.sha ?? null);
    if (pushed === 'ok') return { ...done, changed: true, sha, message };
    if (attempt >= max) throw new PublishFailed(`${session.repoLabel}: branch ${review} kept moving while publishing; gave up after ${attempt} attempts. Run publish again.`);
    await session.sleep(Math.min(2000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
  }
}

export async function diffTrees(options: Omit<PublishOptions, 'dryRun' | 'message' | 'author' | 'maxAttempts'>): Promise<DiffResult> {
  const session = await openSession({ ...options, dryRun: true });
  try {
    const computed = await session.compute();
    const diff = computed.changed ? await session.diff(computed) : '';
    return { changed: computed.changed, diff, files: computed.files, conflicts: computed.conflicts, branch: session.branch };
  } catch (e) {
    throw translate(e, session.repoLabel);
  } finally {
    session.close();
  }
}

/** The refusal for hand-edited files under the published paths (also per profile, by the operator). */
export function conflictError(files: string[], repo: string): PublishConflict {
  return new PublishConflict(`${repo}: ${files.length === 1 ? 'a file' : `${files.length} files`} under the published path changed outside netprofile and would be overwritten: ${files.join(', ')}. ` +
    'Move the change into the NetworkProfile (or revert the hand edit), then publish again.', [], files);
}

function classifyRepo(repo: string): { kind: 'url' | 'local'; url: string } {
  if (typeof repo !== 'string' || !repo) throw new PublishRefused('--repo is empty');
  if (repo.startsWith('-')) throw new PublishRefused(`repository "${redact(repo).slice(0, 80)}" starts with "-"`);
  if (URL_RE.test(repo)) {
    const scheme = repo.slice(0, repo.indexOf(':')).toLowerCase();
    if (!SCHEMES.has(scheme)) throw new PublishRefused(`repository URL scheme "${scheme}" is not supported; use file://, ssh://, https:// or a local directory`);
    return { kind: 'url', url: repo };
  }
  if (SCP_RE.test(repo)) return { kind: 'url', url: repo };
  return { kind: 'local', url: resolve(repo) };
}

async function openSession(options: PublishOptions) {
  const trees = options.trees.map((t) => ({ ...t, path: t.path }));
  const remove = [...new Set((options.remove ?? []).map(normalisePath))];
  if (!trees.length && !remove.length) throw new PublishRefused('nothing to publish: no rendered trees');
  for (const r of remove) {
    const bad = pathProblem(r);
    if (bad) throw new PublishRefused(`refused: the path to remove "${r.slice(0, 200)}" ${bad}`);
    if (trees.some((t) => { const p = normalisePath(t.path); return p === r || p.startsWith(`${r}/`) || r.startsWith(`${p}/`); })) throw new PublishRefused(`refused: the path to remove "${r.slice(0, 200)}" overlaps a tree being published`);
  }
  // Everything that can be refused without Git is refused first: nothing is cloned or pushed.
  const pathProblems = checkTreePaths(trees);
  if (pathProblems.length) throw new PublishRefused(`refused: ${pathProblems.map((p) => `${p.profile}: ${p.message}`).join('; ')}`, pathProblems);
  const secretProblems = scanForSecrets(trees);
  if (secretProblems.length) throw new PublishRefused(`refused: ${secretProblems.map((p) => `${p.file}: ${p.message}`).join('; ')}`, secretProblems);
  const branch = options.branch ?? 'main';
  if (!BRANCH_RE.test(branch) || branch.endsWith('.lock')) throw new PublishRefused(`branch "${branch.slice(0, 80)}" is not a valid branch name`);
  const renderMessage = typeof options.message === 'function' ? options.message : compileCommitMessage(effectiveTemplate(options.message));
  const paths = [...trees.map((t) => normalisePath(t.path)), ...remove].sort();

  const cls = classifyRepo(options.repo);
  let remote: Remote = { kind: 'url', url: cls.url };
  const repoLabel = redact(options.repo);
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (!(deadlineMs > 0)) throw new PublishRefused(`the publish deadline must be a positive number of milliseconds, not ${deadlineMs}`);
  const limits: GitLimits = { signal: options.signal, deadline: Date.now() + deadlineMs, label: `${repoLabel}, ${Math.round(deadlineMs / 100) / 10} s` };
  if (options.signal?.aborted) throw aborted(repoLabel, options.signal.reason);
  const cache = options.cacheDir ? resolve(options.cacheDir) : null;
  if (cache) {
    if (busyCaches.has(cache)) throw new PublishFailed(`${repoLabel}: another publish is using the clone in ${cache}; publishes of one repository and branch run one at a time`);
    busyCaches.add(cache);
  }
  let work: string;
  try {
    if (cache) {
      mkdirSync(cache, { recursive: true, mode: 0o700 });
      await lockCache(cache, limits, repoLabel);
    }
    work = cache ?? mkdtempSync(join(options.workDir ?? tmpdir(), 'netprofile-publish-'));
  } catch (e) {
    if (cache) busyCaches.delete(cache);
    if (e instanceof PublishFailed) throw e;
    throw new PublishFailed(`${repoLabel}: cannot create the working directory: ${(e as Error).message}`);
  }
  // Connection and stall limits for ssh and http: never longer than the whole deadline.
  const genv = gitEnvironment(options.credentials, join(work, 'secrets'), { stallSeconds: Math.min(DEFAULT_STALL_SECONDS, Math.ceil(deadlineMs / 1000)) });
  const clone = join(work, 'clone');
  let keep = cache !== null;
  const cleanup = () => {
    genv.cleanup();
    if (!cache) { rmSync(work, { recursive: true, force: true }); return; }
    for (const f of ['index', 'message']) rmSync(join(work, f), { force: true });
    // A clone that failed, or that has gathered many packs (one per publish), starts over next time.
    if (!keep || packCount(clone) > MAX_CACHED_PACKS) rmSync(clone, { recursive: true, force: true });
    rmSync(join(cache, 'lock'), { force: true });
    busyCaches.delete(cache);
  };
  try {
    if (cls.kind === 'local') remote = await inspectLocal(cls.url, genv, limits, paths, branch, repoLabel);
    const git = makeGit(clone, genv, limits);
    const marker = join(work, 'clone.json');
    let objectFormat = cache ? cachedClone(clone, marker, remote.url) : null;
    if (!objectFormat) {
      rmSync(clone, { recursive: true, force: true });
      mkdirSync(clone);
      // No template (no sample hooks to write and remove); the remote goes straight into the
      // clone's config file, and the object format is read from it (extensions.objectFormat).
      await git.raw(['init', '-q', '--template=', clone]);
      const config = join(clone, '.git', 'config');
      const text = readFileSync(config, 'utf8');
      writeFileSync(config, `${text}[remote "origin"]\n\turl = ${configValue(remote.url)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`);
      objectFormat = /^\s*objectformat\s*=\s*sha256\s*$/im.test(text) ? 'sha256' : 'sha1';
      if (cache) writeFileSync(marker, JSON.stringify({ url: remote.url, objectFormat }));
    }
    const format = objectFormat;
    // Who commits is asked only when there is something to commit.
    let identityOnce: ReturnType<typeof identity> | null = null;
    const whoCommits = () => (identityOnce ??= identity(git, options.author));
    const targets: Target[] = [...trees, ...remove.map((path) => ({ path, files: {}, removed: true }))];
    return {
      branch, repoLabel,
      /** A failure that is not a refusal: the kept clone may be half-updated, so it goes. */
      spoil: () => { keep = false; },
      refusedBeforePush: false,
      message: (files: CommitChanges, changedPaths: string[] = paths) => renderMessage(messageContext(trees, files, paths, changedPaths)),
      compute: (verifiedHead?: string) => compute(git, targets, paths, branch, format, clone, work, repoLabel, verifiedHead),
      tree: (c: Computed) => treeThroughIndex(git, c, format, work),
      diff: async (c: Computed) => git.raw(['diff', '--no-color', '--no-ext-diff', '--no-renames', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', c.baseTree, await treeThroughIndex(git, c, format, work), '--', ...paths,
        // The manifest changes whenever a file does; the files themselves are the diff to read.
        ...paths.map((p) => `:(exclude,literal)${p}/${MANIFEST}`)]),
      commit: async (c: Computed, message: string) => {
        // fast-import cannot sign: a signed commit goes through the index and commit-tree -S
        // (commit-tree does not read commit.gpgSign itself, so the configuration is read here).
        const who = await whoCommits();
        if (!who.sign) return commitByFastImport(git, c, message, who.idents(), clone);
        const msgFile = join(work, 'message');
        writeFileSync(msgFile, message);
        const args = ['commit-tree', '-S', await treeThroughIndex(git, c, format, work), ...(c.base ? ['-p', c.base] : []), '-F', msgFile];
        return (await git.raw(args, { env: who.env })).trim();
      },
      push: (sha: string, base: string | null) => push(git, remote, sha, base, branch, clone, genv, limits),
      /** A back-off that the signal and the deadline end early. */
      sleep: (ms: number) => sleep(ms, limits, repoLabel),
      /** The review branch's head: its commit, tree, first parent, and whether netprofile made it. */
      reviewHead: async (review: string) => {
        const heads = (await git.raw(['ls-remote', '--heads', 'origin', `refs/heads/${review}`])).trim();
        if (!heads) return null;
        await git.raw(['fetch', '-q', '--no-tags', '--depth=1', 'origin', `+refs/heads/${review}:refs/remotes/origin/${review}`]);
        const sha = (await git.raw(['rev-parse', '--verify', `refs/remotes/origin/${review}^{commit}`])).trim();
        // The raw object: a depth-1 fetch grafts the commit, so `git show` would report no parent.
        const raw = await git.raw(['cat-file', 'commit', sha]);
        const split = raw.indexOf('\n\n');
        const header = raw.slice(0, split < 0 ? raw.length : split).split('\n');
        const body = split < 0 ? [] : raw.slice(split + 2).split('\n');
        const field = (k: string) => header.find((l) => l.startsWith(`${k} `))?.slice(k.length + 1).trim() ?? null;
        const ours = body.some((l) => l.trim() === `${REVIEW_TRAILER}: ${branch}`);
        return { sha, tree: field('tree') ?? '', parent: field('parent'), ours };
      },
      /** Pushes the review commit, replacing only the head this publish saw (a lease). */
      pushReview: async (sha: string, review: string, expected: string | null): Promise<string> => {
        try {
          await git.raw(['push', '-q', '--porcelain', `--force-with-lease=refs/heads/${review}:${expected ?? ''}`, 'origin', `+${sha}:refs/heads/${review}`]);
          return 'ok';
        } catch (e) {
          if (e instanceof GitError && /stale info|\[rejected\]|non-fast-forward|fetch first|cannot lock ref/i.test(e.stderr)) return 'moved';
          throw e;
        }
      },
      close: cleanup,
    };
  } catch (e) {
    if (!(e instanceof PublishRefused)) keep = false;
    cleanup();
    throw translate(e, repoLabel);
  }
}

/** Directories of kept clones in use by a publish of this process. */
const busyCaches = new Set<string>();
const MAX_CACHED_PACKS = 50;

/**
 * Takes the kept clone's lock file (created exclusively, holding our pid) against another process
 * using the same directory: waits for a live holder until the deadline or the signal, takes over
 * the lock of a process that is gone.
 */
async function lockCache(cache: string, limits: GitLimits, label: string): Promise<void> {
  const lock = join(cache, 'lock');
  for (;;) {
    try { writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 }); return; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(readFileSync(lock, 'utf8').trim() || 0);
    let alive = holder > 0 && holder !== process.pid;
    if (alive) { try { process.kill(holder, 0); } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; } }
    if (!alive) { rmSync(lock, { force: true }); continue; }
    await sleep(50, limits, label);
  }
}

/** The kept clone's object format when it is a clone of `url` that looks whole, else null. */
function cachedClone(clone: string, marker: string, url: string): string | null {
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { url?: unknown; objectFormat?: unknown };
    if (m.url !== url || typeof m.objectFormat !== 'string') return null;
    if (!existsSync(join(clone, '.git', 'HEAD')) || !existsSync(join(clone, '.git', 'objects'))) return null;
    return m.objectFormat;
  } catch { return null; }
}

function packCount(clone: string): number {
  try { return readdirSync(join(clone, '.git', 'objects', 'pack')).filter((f) => f.endsWith('.pack')).length; } catch { return 0; }
}

function aborted(repo: string, reason: unknown): PublishAborted {
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new PublishAborted(`${repo}: publish stopped before it finished (${why}); nothing was pushed unless a commit is reported`, reason);
}

function sleep(ms: number, limits: GitLimits, repo: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal } = limits;
    if (signal?.aborted) { reject(aborted(repo, signal.reason)); return; }
    if (limits.deadline !== undefined && Date.now() + ms >= limits.deadline) {
      reject(new PublishTimeout(`${repo}: the publish deadline (${limits.label}) ends before the next attempt; run publish again`));
      return;
    }
    const onAbort = () => { clearTimeout(t); reject(aborted(repo, signal?.reason)); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function translate(e: unknown, repo: string): unknown {
  if (e instanceof GitError && e.kind === 'aborted') return aborted(repo, e.reason);
  if (e instanceof GitError && e.kind === 'timeout') {
    return new PublishTimeout(`${repo}: ${e.message}: the remote took the connection but did not answer in time; check that the Git host is up and reachable (firewall, proxy, a hung server), or give a longer deadline`);
  }
  if (e instanceof GitError) {
    const hint = /Host key verification failed/.test(e.stderr) ? ' (the host key is not in known_hosts: add it, netprofile never trusts an unknown host)'
      : /Authentication failed|could not read Username|Permission denied|403|401/.test(e.stderr) ? ' (check the credentials)'
        : /does not appear to be a git repository|not found|No such file/i.test(e.stderr) ? ' (check --repo)' : '';
    return new PublishFailed(`${repo}: ${e.message}${hint}`);
  }
  return e;
}

async function inspectLocal(dir: string, genv: ReturnType<typeof gitEnvironment>, limits: GitLimits, paths: string[], branch: string, label: string): Promise<Remote> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PublishFailed(`${label}: no such directory; create the repository first (git init --bare ${label}) or give a URL`);
  const git = makeGit(dir, genv, limits);
  let bare: string;
  try { bare = (await git.raw(['rev-parse', '--is-bare-repository'])).trim(); } catch (e) {
    if (e instanceof GitError && e.kind !== 'failed') throw e;
    throw new PublishFailed(`${label}: is not a Git repository; create it with \`git init --bare ${label}\` or \`git init ${label}\``);
  }
  if (bare === 'true') return { kind: 'bare', url: dir, dir };
  const top = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
  if (realpathSync(top) !== realpathSync(dir)) throw new PublishRefused(`${label}: is inside the repository ${top}, not its root; give --repo ${top}`);
  // The path must be real directories inside the working tree: a symlink could send the
  // checkout of the published commit anywhere.
  for (const path of paths) {
    const segs = path.split('/');
    for (let i = 1; i <= segs.length; i++) {
      const p = join(dir, ...segs.slice(0, i));
      let st;
      try { st = lstatSync(p); } catch { break; }
      if (st.isSymbolicLink()) {
        const real = (() => { try { return realpathSync(p); } catch { return '(dangling)'; } })();
        const rel = relative(realpathSync(dir), real);
        const outside = rel.startsWith('..') || isAbsolute(rel);
        throw new PublishRefused(`${label}: spec.gitops.path "${path}" goes through the symlink ${segs.slice(0, i).join('/')} → ${real}${outside ? ', outside the repository' : ''}; netprofile publishes only into real directories`);
      }
    }
  }
  const dirty = (await git.raw(['status', '--porcelain=v1', '--untracked-files=all', '--', ...paths])).split('\n').filter(Boolean);
  if (dirty.length) {
    const files = dirty.map((l) => l.slice(3));
    throw new PublishRefused(`${label}: the working tree has uncommitted changes under the published path: ${files.join(', ')}; commit or discard them first`, [], files);
  }
  let head = '';
  try { head = (await git.raw(['symbolic-ref', '-q', 'HEAD'])).trim(); } catch { head = ''; }
  return head === `refs/heads/${branch}` ? { kind: 'worktree', url: dir, dir } : { kind: 'bare', url: dir, dir };
}

/**
 * Who commits: the author given (else the user's git identity), the user's committer identity,
 * and netprofile's own where git has none. Also whether the user signs commits. Two `git var`
 * and one `git config` process; the idents come back as fast-import reads them
 * ("Name <email> epoch tz", as git var prints them), with the time of the commit.
 */
async function identity(git: Git, author?: { name: string; email: string }) {
  const env: Record<string, string> = {};
  if (author) { env.GIT_AUTHOR_NAME = author.name; env.GIT_AUTHOR_EMAIL = author.email; }
  const fallback = author ?? { name: 'netprofile', email: 'netprofile@localhost' };
  const ident = (v: string) => git.raw(['var', v], { env }).then((s) => s.trim(), () => null);
  const [a, c, sign] = await Promise.all([
    ident('GIT_AUTHOR_IDENT'), ident('GIT_COMMITTER_IDENT'),
    git.raw(['config', '--type=bool', '--get', 'commit.gpgSign']).then((s) => s.trim() === 'true', () => false),
  ]);
  if (!a) { env.GIT_AUTHOR_NAME = fallback.name; env.GIT_AUTHOR_EMAIL = fallback.email; }
  if (!c) { env.GIT_COMMITTER_NAME = fallback.name; env.GIT_COMMITTER_EMAIL = fallback.email; }
  const clean = (x: string) => x.replace(/[<>\n]/g, '').trim();
  const own = `${clean(fallback.name)} <${clean(fallback.email)}>`;
  const who = { a: a?.replace(/ \d+ [+-]\d{4}$/, '') ?? own, c: c?.replace(/ \d+ [+-]\d{4}$/, '') ?? own };
  const zone = (x: string | null) => / \d+ ([+-]\d{4})$/.exec(x ?? '')?.[1] ?? '+0000';
  const when = (x: string | null, dateVar: string) => {
    // A date the user fixed (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE) is what git var printed.
    if (x && process.env[dateVar]) return / (\d+ [+-]\d{4})$/.exec(x)?.[1] ?? `${Math.floor(Date.now() / 1000)} +0000`;
    return `${Math.floor(Date.now() / 1000)} ${zone(x)}`;
  };
  return {
    env, sign,
    idents: () => ({ author: `${who.a} ${when(a, 'GIT_AUTHOR_DATE')}`, committer: `${who.c} ${when(c, 'GIT_COMMITTER_DATE')}` }),
  };
}

/** A value for a git config file: quoted, with backslash and double quote escaped. */
function configValue(v: string): string {
  if (/[\n\r\0]/.test(v)) throw new PublishRefused('the repository URL contains a line break');
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function messageContext(trees: RenderedTree[], files: CommitChanges, paths: string[], changedPaths: string[]): CommitMessageContext {
  // The clusters and the summary of what changed (a fleet's commit names the trees it touches,
  // not every tree it checked); a long list of clusters becomes a count.
  const touched = new Set(changedPaths);
  const changedTrees = trees.filter((t) => touched.has(normalisePath(t.path)));
  const named = changedTrees.length ? changedTrees : trees;
  const clusters = [...new Set(named.map((t) => clusterOf(t)))];
  return {
    cluster: clusters.length > 3 ? `${clusters.length} clusters` : clusters.join(', '),
    profile: named.map((t) => t.profile).join(', '),
    summary: summarizeChanges(files, changedPaths.length ? changedPaths : paths),
    changes: files,
  };
}

function clusterOf(tree: RenderedTree): string {
  // The tree carries its plan; fall back to the profile name when a caller built the tree by hand.
  const plan = tree.files['.netprofile/plan.json'];
  if (plan) { try { const c = JSON.parse(plan)?.cluster; if (typeof c?.name === 'string') return c.name; } catch { /* not JSON */ } }
  return tree.profile;
}

export function blobId(content: string | Buffer, format: string): string {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash(format === 'sha256' ? 'sha256' : 'sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** The manifest publish writes next to the tree: `sha256sum -c` format, so hand edits are checkable. */
export function manifestFor(files: Record<string, string>): string {
  return Object.keys(files).filter((f) => f !== MANIFEST).sort().map((f) => `${sha256(files[f])}  ${f}\n`).join('');
}

function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

/** The branch head on the remote (one `ls-remote`), or null when the branch does not exist. */
async function remoteHeadOf(git: Git, branch: string): Promise<string | null> {
  const line = (await git.raw(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`])).split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line ? line.slice(0, line.indexOf('\t')) : null;
}

/**
 * The branch head and its objects in the clone: `ls-remote`, then a depth-1 fetch only when the
 * clone does not have that head yet (a kept clone fetches nothing when nothing moved).
 */
async function fetchBase(git: Git, branch: string, clone: string, known?: string | null): Promise<string | null> {
  const head = known !== undefined ? known : await remoteHeadOf(git, branch);
  if (!head) return null;
  if (readRef(clone, `refs/remotes/origin/${branch}`) === head) return head;
  await git.raw(['fetch', '-q', '--no-tags', '--depth=1', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
  // The branch may have moved again between ls-remote and fetch: the fetched ref is the base.
  return readRef(clone, `refs/remotes/origin/${branch}`) ?? (await git.raw(['rev-parse', '--verify', `refs/remotes/origin/${branch}^{commit}`])).trim();
}

/** A ref of the clone read from its files (loose, then packed-refs): no git process. */
function readRef(clone: string, ref: string): string | null {
  const gitDir = join(clone, '.git');
  try { const v = readFileSync(join(gitDir, ...ref.split('/')), 'utf8').trim(); if (/^[0-9a-f]{40,64}$/.test(v)) return v; } catch { /* not loose */ }
  try {
    for (const line of readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && line.slice(sp + 1) === ref && /^[0-9a-f]{40,64}$/.test(line.slice(0, sp))) return line.slice(0, sp);
    }
  } catch { /* no packed refs */ }
  return null;
}

function parseLsTree(out: string): Entry[] {
  return out.split('\0').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    const [mode, type, sha] = line.slice(0, tab).split(' ');
    return { mode, type, sha, path: line.slice(tab + 1) };
  });
}

/** A tree to publish, or (removed) a published path to empty. */
type Target = Pick<RenderedTree, 'path' | 'files'> & { removed?: boolean };

/** Git's order of paths in a tree walk (byte order of the full paths). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const emptyTreeId = (format: string) => createHash(format === 'sha256' ? 'sha256' : 'sha1').update('tree 0\0').digest('hex');

/**
 * What the commit would change, with a number of git processes that does not grow with the fleet:
 * ls-remote (+ fetch when the head moved), ONE `ls-tree -r -t` of the whole base tree, ONE
 * `cat-file --batch` for the manifests and the blobs whose content must be checked against them;
 * blob ids of the rendered files are computed here. Only when something changed: ONE
 * `hash-object -w --stdin-paths` for the new blobs, then read-tree, ONE `update-index
 * --index-info` and write-tree.
 */
async function compute(git: Git, trees: Target[], paths: string[], branch: string, format: string, clone: string, work: string, label: string, verifiedHead?: string): Promise<Computed> {
  let head: string | null | undefined;
  if (verifiedHead) {
    // The caller saw exactly these trees at this head: when the branch is still there, nothing
    // under the paths can differ (one ls-remote, no fetch, no tree read).
    head = await remoteHeadOf(git, branch);
    if (head === verifiedHead) return { base: head, baseTree: `${head}^{tree}`, tree: '', changed: false, files: { added: [], changed: [], removed: [] }, conflicts: [], changedPaths: [] };
  }
  const base = await fetchBase(git, branch, clone, head);
  const baseTree = base ? `${base}^{tree}` : emptyTreeId(format);
  const entries = new Map<string, Entry>();
  if (base) for (const e of parseLsTree(await git.raw(['ls-tree', '-r', '-t', '-z', '--full-tree', base]))) entries.set(e.path, e);
  // Symlinks or files along the path in the committed tree: refuse (a checkout would follow them).
  for (const p of paths) {
    const s = p.split('/');
    for (let i = 1; i <= s.length; i++) {
      const e = entries.get(s.slice(0, i).join('/'));
      if (!e) break;
      if (e.mode === '120000') {
        const target = (await git.raw(['cat-file', 'blob', e.sha])).trim();
        throw new PublishRefused(`${label}: spec.gitops.path goes through the symlink ${e.path} → ${target} in branch ${branch}; netprofile publishes only into real directories, never through a link (it could lead out of the repository)`);
      }
      if (e.type !== 'tree') throw new PublishRefused(`${label}: spec.gitops.path needs ${e.path} to be a directory, but branch ${branch} has a ${e.type === 'commit' ? 'submodule' : 'file'} there`);
    }
  }
  // Every non-tree entry of the base under the published paths, per path.
  const under = new Map<string, Entry[]>(paths.map((p) => [p, []]));
  for (const e of entries.values()) {
    if (e.type === 'tree') continue;
    const slash = e.path.lastIndexOf('/');
    for (let cut = slash; cut > 0; cut = e.path.lastIndexOf('/', cut - 1)) {
      const list = under.get(e.path.slice(0, cut));
      if (list) { list.push(e); break; }
    }
  }
  // What should be there: path → { blob id, content }.
  const desired = new Map<string, { sha: string; content: string }>();
  void work;
  const ours = new Map<string, Record<string, string>>();
  for (const tree of trees) {
    const path = normalisePath(tree.path);
    const files: Record<string, string> = { ...tree.files, [MANIFEST]: manifestFor(tree.files) };
    ours.set(path, files);
    if (tree.removed) continue;
    for (const [rel, content] of Object.entries(files)) desired.set(`${path}/${rel}`, { sha: blobId(content, format), content });
  }
  // Hand edits: a file there that is neither what we render now nor what our manifest vouches for.
  const toRead: string[] = [];
  const suspects: { e: Entry; path: string; rel: string }[] = [];
  for (const [path, list] of under) {
    const files = ours.get(path)!;
    for (const e of list) {
      const rel = e.path.slice(path.length + 1);
      if (rel === MANIFEST) { toRead.push(e.sha); continue; }
      if (e.mode === '100644' && rel in files && e.sha === desired.get(e.path)?.sha) continue;
      suspects.push({ e, path, rel });
      if (e.mode === '100644') toRead.push(e.sha);
    }
  }
  const conflicts: string[] = [];
  if (suspects.length) {
    const objects = await git.catFileBatch(toRead);
    const manifests = new Map<string, Map<string, string>>();
    for (const path of paths) {
      const m = entries.get(`${path}/${MANIFEST}`);
      const text = m ? objects.get(m.sha)?.content.toString('utf8') : undefined;
      manifests.set(path, text ? parseManifest(text) : new Map());
    }
    for (const { e, path, rel } of suspects) {
      const vouched = manifests.get(path)!.get(rel);
      const content = e.mode === '100644' ? objects.get(e.sha)?.content : undefined;
      if (vouched && content && sha256(content) === vouched) continue;
      conflicts.push(e.path);
    }
  }
  // The changes, from the base entries and the desired ones: no diff-tree needed.
  const all: CommitChanges = { added: [], changed: [], removed: [] };
  const baseUnder = new Map<string, Entry>();
  for (const list of under.values()) for (const e of list) baseUnder.set(e.path, e);
  for (const [p, d] of desired) {
    const e = baseUnder.get(p);
    if (!e) all.added.push(p);
    else if (e.sha !== d.sha || e.mode !== '100644') all.changed.push(p);
  }
  for (const p of baseUnder.keys()) if (!desired.has(p)) all.removed.push(p);
  for (const l of [all.added, all.changed, all.removed]) l.sort(byteOrder);
  const changed = all.added.length + all.changed.length + all.removed.length > 0;
  // Which published paths these changes fall under (each file's nearest path).
  const pathSet = new Set(paths);
  const touched = new Set<string>();
  for (const f of [...all.added, ...all.changed, ...all.removed]) {
    for (let cut = f.lastIndexOf('/'); cut > 0; cut = f.lastIndexOf('/', cut - 1)) {
      if (pathSet.has(f.slice(0, cut))) { touched.add(f.slice(0, cut)); break; }
    }
  }
  const changedPaths = [...touched].sort(byteOrder);
  // The manifest is bookkeeping: it changes exactly when another file does, so it is not listed
  // (unless it is the only difference, e.g. someone deleted it).
  const onlyManifest = (l: string[]) => l.filter((f) => !f.endsWith(`/${MANIFEST}`));
  const listed = { added: onlyManifest(all.added), changed: onlyManifest(all.changed), removed: onlyManifest(all.removed) };
  const shown = listed.added.length + listed.changed.length + listed.removed.length ? listed : all;
  if (!changed) return { base, baseTree, tree: '', changed, files: shown, conflicts: conflicts.sort(), changedPaths };

  // Blobs the base does not have yet; the new tree or commit is made from them on demand.
  const known = new Set<string>();
  for (const e of entries.values()) if (e.type === 'blob') known.add(e.sha);
  const fresh = new Map<string, Buffer>();
  for (const d of desired.values()) if (!known.has(d.sha) && !fresh.has(d.sha)) fresh.set(d.sha, Buffer.from(d.content, 'utf8'));
  const writes = [...all.added, ...all.changed].map((p) => ({ path: p, sha: desired.get(p)!.sha }));
  const deletes = [...baseUnder.keys()].filter((p) => !desired.has(p)).sort(byteOrder);
  const ops: TreeOps = { fresh, writes, deletes, desired: [...desired].map(([p, d]) => ({ path: p, sha: d.sha })) };
  return { base, baseTree, tree: '', changed, files: shown, conflicts: conflicts.sort(), changedPaths, ops };
}

/** What turns the base tree into the new one: new blobs, files to write, files to delete. */
interface TreeOps {
  fresh: Map<string, Buffer>;
  writes: { path: string; sha: string }[];
  deletes: string[];
  /** Every file under the published paths as it should be (for the index route). */
  desired: { path: string; sha: string }[];
}

/** A path as git fast-import reads it: always C-quoted (git-fast-import.txt: "path"). */
function quotePath(p: string): string {
  let out = '"';
  for (const byte of Buffer.from(p, 'utf8')) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte < 0x20 || byte === 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return Buffer.from(out + '"', 'latin1').toString('utf8');
}

/**
 * The new tree through the index: the new blobs in one fast-import (blob commands only), then
 * read-tree of the base, ONE update-index --index-info and write-tree. Used where a tree is needed
 * without a commit (diff, the review branch's comparison) and for signed commits.
 */
async function treeThroughIndex(git: Git, c: Computed, format: string, work: string): Promise<string> {
  if (c.tree) return c.tree;
  const ops = c.ops!;
  if (ops.fresh.size) {
    const stream: Buffer[] = [];
    for (const body of ops.fresh.values()) stream.push(Buffer.from(`blob\ndata ${body.length}\n`), body, Buffer.from('\n'));
    stream.push(Buffer.from('done\n'));
    await git.raw(['fast-import', '--quiet', '--done'], { input: Buffer.concat(stream) });
    ops.fresh.clear();
  }
  const index = { GIT_INDEX_FILE: join(work, 'index') };
  rmSync(index.GIT_INDEX_FILE, { force: true });
  // No base: update-index starts from an empty index of its own.
  if (c.base) await git.raw(['read-tree', c.base], { env: index });
  const zero = '0'.repeat(format === 'sha256' ? 64 : 40);
  const lines: string[] = ops.deletes.map((p) => `0 ${zero}\t${p}`);
  for (const d of ops.desired) lines.push(`100644 ${d.sha}\t${d.path}`);
  await git.raw(['update-index', '--replace', '-z', '--index-info'], { input: lines.join('\0') + '\0', env: index });
  c.tree = (await git.raw(['write-tree'], { env: index })).trim();
  return c.tree;
}

const PUBLISH_REF = 'refs/netprofile/publish';

/**
 * The commit in ONE git fast-import: the new blobs, then a commit on the base that writes and
 * deletes only the changed files (fast-import builds the trees from the base's;
 * git/git Documentation/git-fast-import.txt, v2.39.5: blob, mark, commit, from, M, D, done).
 * The commit lands on a private ref, read back from the clone's files.
 */
async function commitByFastImport(git: Git, c: Computed, message: string, idents: { author: string; committer: string }, clone: string): Promise<string> {
  const ops = c.ops!;
  const stream: Buffer[] = [];
  const marks = new Map<string, number>();
  for (const [sha, body] of ops.fresh) {
    marks.set(sha, marks.size + 1);
    stream.push(Buffer.from(`blob\nmark :${marks.size}\ndata ${body.length}\n`), body, Buffer.from('\n'));
  }
  const msg = Buffer.from(message, 'utf8');
  stream.push(Buffer.from(`commit ${PUBLISH_REF}\nauthor ${idents.author}\ncommitter ${idents.committer}\ndata ${msg.length}\n`), msg, Buffer.from('\n'));
  const lines: string[] = [];
  if (c.base) lines.push(`from ${c.base}`);
  for (const p of ops.deletes) lines.push(`D ${quotePath(p)}`);
  for (const w of ops.writes) lines.push(`M 100644 ${marks.has(w.sha) ? `:${marks.get(w.sha)}` : w.sha} ${quotePath(w.path)}`);
  stream.push(Buffer.from(`${lines.join('\n')}\n\ndone\n`, 'utf8'));
  await git.raw(['fast-import', '--quiet', '--done', '--force', '--date-format=raw'], { input: Buffer.concat(stream) });
  const sha = readRef(clone, PUBLISH_REF);
  if (!sha) throw new PublishFailed(`git fast-import wrote no commit to ${PUBLISH_REF}`);
  return sha;
}

/** 'ok', or why the push did not land and should be retried on the new head. */
async function push(git: Git, remote: Remote, sha: string, base: string | null, branch: string, clone: string, genv: ReturnType<typeof gitEnvironment>, limits: GitLimits): Promise<string> {
  try {
    if (remote.kind === 'worktree') {
      // The branch is checked out in the user's working tree: git refuses a push there, so the
      // working tree fast-forwards to our commit itself (files outside the path may be dirty).
      await git.raw(['update-ref', `refs/heads/netprofile-publish`, sha]);
      const wt = makeGit(remote.dir, genv, limits);
      await wt.raw(['fetch', '-q', '--no-tags', clone, 'refs/heads/netprofile-publish']);
      const head = await wt.raw(['rev-parse', '-q', '--verify', 'HEAD']).then((s) => s.trim() || null, () => null);
      if (head !== base) return `branch ${branch} moved to ${head?.slice(0, 12)}`;
      await wt.raw(['merge', '--ff-only', '-q', '--no-stat', 'FETCH_HEAD']);
      return 'ok';
    }
    await git.raw(['push', '-q', '--porcelain', 'origin', `${sha}:refs/heads/${branch}`]);
    return 'ok';
  } catch (e) {
    if (!(e instanceof GitError) || e.kind !== 'failed') throw e;
    if (/non-fast-forward|fetch first|\[rejected\]|cannot lock ref|failed to update ref|but expected|stale info|Not possible to fast-forward|index\.lock|incorrect old value/i.test(e.stderr)) {
      return /fetch first|non-fast-forward|\[rejected\]|Not possible/.test(e.stderr) ? `push rejected: branch ${branch} moved (non-fast-forward)` : 'the branch was being updated by someone else';
    }
    throw translate(e, redact(remote.url));
  }
}
