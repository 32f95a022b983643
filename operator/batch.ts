// The operator's Git publisher at fleet scale (issue 13 points 4 and 5): publishes are serialised
// per repository, branch and credentials (a "lane"), every profile of a lane that is waiting when
// the lane is free goes into ONE commit, the clone of each lane is kept between publishes (one
// fetch when the branch moved, none when it did not), and each lane remembers the head at which
// it last saw every profile's tree: a resync of an unchanged profile costs one `ls-remote`, and a
// branch that moved (someone deleted or changed the generated tree) is compared and repaired.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { PublishOptions, PublishResult as TreesResult } from '../gitops/index.js';
import type { Publisher, PublishRequest, PublishResult } from './publisher.js';

export interface BatchingOptions {
  /** Kept clones live here, one directory per lane (default $TMPDIR/netprofile-clones). */
  cacheRoot?: string;
  /** How long a free lane waits for more requests before it starts a commit (default 25 ms). */
  lingerMs?: number;
  /** At most this many requests in one commit (default 500). */
  maxBatch?: number;
  /** The publish itself (tests inject a counting one); default gitops' publishTrees. */
  publishTrees?: (options: PublishOptions) => Promise<TreesResult>;
}

interface Waiting { req: PublishRequest; resolve(r: PublishResult): void; reject(e: unknown): void }

interface Lane {
  id: string;
  cacheDir: string;
  pending: Waiting[];
  running: boolean;
  timer: NodeJS.Timeout | null;
  /** The branch head at which each profile's tree (by hash) was last seen in place. */
  verified: { head: string | null; trees: Map<string, { hash: string; path: string }> };
}

/** Counters for tests and the benchmark. */
export interface BatchStats { publishes: number; requests: number; verifiedByHead: number; individually: number }

export type BatchingPublisher = Publisher & { readonly levelTriggered: true; readonly stats: BatchStats; forget(key: string): void; verifiedCount(): number };

const norm = (p: string) => p.replace(/\/+$/, '').replace(/^\.\//, '');

/** A request refused by its own pre-push fence; the others of its commit go on without it. */
class Fenced extends Error {
  constructor(readonly failed: Map<Waiting, unknown>) { super('fenced'); }
}

export function batchingPublisher(options: BatchingOptions = {}): BatchingPublisher {
  const lanes = new Map<string, Lane>();
  const linger = options.lingerMs ?? 25;
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const root = options.cacheRoot ?? join(tmpdir(), 'netprofile-clones');
  const stats: BatchStats = { publishes: 0, requests: 0, verifiedByHead: 0, individually: 0 };
  const publish = async (o: PublishOptions): Promise<TreesResult> => {
    stats.publishes++;
    return (options.publishTrees ?? (await import('../gitops/index.js')).publishTrees)(o);
  };

  const laneOf = (req: PublishRequest): Lane => {
    // Credentials are part of the lane: two Secrets for one URL never share a clone or a commit.
    const id = createHash('sha256').update(JSON.stringify([req.repo, req.branch, req.reviewBranch ?? '', req.credentials ?? {}])).digest('hex').slice(0, 24);
    let lane = lanes.get(id);
    if (!lane) {
      lane = { id, cacheDir: join(root, id), pending: [], running: false, timer: null, verified: { head: null, trees: new Map() } };
      lanes.set(id, lane);
    }
    return lane;
  };

  const schedule = (lane: Lane) => {
    if (lane.running || lane.timer || !lane.pending.length) return;
    lane.timer = setTimeout(() => { lane.timer = null; void drain(lane); }, linger);
  };

  const drain = async (lane: Lane) => {
    lane.running = true;
    try {
      while (lane.pending.length) {
        const batch = lane.pending.splice(0, maxBatch).filter((w) => {
          if (!w.req.signal?.aborted) return true;
          w.reject(w.req.signal.reason ?? new Error('aborted'));
          return false;
        });
        // Each profile's commit message template is honoured: one commit per template in use
        // (usually all profiles share the default), one after the other on the lane.
        const byTemplate = new Map<string, Waiting[]>();
        for (const w of batch) byTemplate.set(w.req.message, [...(byTemplate.get(w.req.message) ?? []), w]);
        for (const group of byTemplate.values()) await runBatch(lane, group);
      }
    } finally {
      lane.running = false;
      schedule(lane);
    }
  };

  const runBatch = async (lane: Lane, batch: Waiting[]): Promise<void> => {
    let rest = batch;
    while (rest.length) {
      try {
        await commitTogether(lane, rest);
        return;
      } catch (e) {
        if (e instanceof Fenced) {
          for (const [w, why] of e.failed) w.reject(why);
          rest = rest.filter((w) => !e.failed.has(w));
          continue;
        }
        const { PublishConflict, PublishRefused, conflictError, redact } = await import('../gitops/index.js');
        lane.verified = { head: null, trees: new Map() };
        if (e instanceof PublishConflict && e.files.length && rest.length > 1) {
          // A hand edit under one profile's path: that profile is told, the others go on.
          const hit = rest.filter((w) => e.files.some((f) => pathsOf(w.req).some((p) => f.startsWith(`${p}/`))));
          if (hit.length && hit.length < rest.length) {
            for (const w of hit) {
              const files = e.files.filter((f) => pathsOf(w.req).some((p) => f.startsWith(`${p}/`)));
              w.reject(conflictError(files, redact(w.req.repo)));
            }
            rest = rest.filter((w) => !hit.includes(w));
            continue;
          }
        }
        if (e instanceof PublishRefused && rest.length > 1) {
          // Another refusal of the combined commit (two profiles on one path, a Secret in a
          // tree): each profile alone, so each gets its own answer.
          for (const w of rest) {
            stats.individually++;
            await commitTogether(lane, [w]).catch((err) => w.reject(err instanceof Fenced ? err.failed.get(w) : err));
          }
          return;
        }
        for (const w of rest) w.reject(e);
        return;
      }
    }
  };

  /** One publishTrees for every request of `batch`; resolves each with its own share. */
  const commitTogether = async (lane: Lane, batch: Waiting[]): Promise<void> => {
    const first = batch[0].req;
    const review = !!first.reviewBranch;
    const v = lane.verified;
    const allVerified = !review && v.head !== null && batch.every((w) => !w.req.remove?.length && w.req.key && w.req.hash && v.trees.get(w.req.key)?.hash === w.req.hash);
    const signals = [...new Set(batch.map((w) => w.req.signal).filter((s): s is AbortSignal => !!s))];
    const deadlines = batch.map((w) => w.req.deadlineMs).filter((d): d is number => typeof d === 'number');
    const result = await publish({
      repo: first.repo, branch: first.branch, ...(first.reviewBranch ? { reviewBranch: first.reviewBranch } : {}),
      trees: batch.flatMap((w) => w.req.trees),
      remove: [...new Set(batch.flatMap((w) => w.req.remove ?? []))],
      message: first.message,
      author: first.author, credentials: first.credentials, dryRun: first.dryRun,
      ...(signals.length ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}),
      ...(deadlines.length ? { deadlineMs: Math.min(...deadlines) } : {}),
      cacheDir: lane.cacheDir,
      ...(allVerified ? { verifiedHead: v.head! } : {}),
      beforePush: async () => {
        const failed = new Map<Waiting, unknown>();
        const outcomes = await Promise.allSettled(batch.map((w) => w.req.beforePush?.()));
        outcomes.forEach((o, i) => { if (o.status === 'rejected') failed.set(batch[i], o.reason); });
        if (failed.size) throw new Fenced(failed);
      },
    });
    stats.requests += batch.length;
    if (allVerified && !result.changed && result.sha === v.head) stats.verifiedByHead++;
    // What this lane now knows is in place: earlier trees stay verified only when this commit
    // (or this check) was made on the head they were verified at.
    if (!review) {
      if (result.base !== v.head || v.head === null) v.trees.clear();
      const removed = new Set(batch.flatMap((w) => (w.req.remove ?? []).map(norm)));
      if (removed.size) for (const [k, t] of v.trees) if (removed.has(t.path)) v.trees.delete(k);
      for (const w of batch) if (w.req.key && w.req.hash && w.req.trees.length === 1) v.trees.set(w.req.key, { hash: w.req.hash, path: norm(w.req.trees[0].path) });
      v.head = result.sha;
    }
    const changed = new Set(result.changedPaths);
    for (const w of batch) {
      const mine = pathsOf(w.req);
      const inMine = (f: string) => mine.some((p) => f.startsWith(`${p}/`));
      w.resolve({
        changed: result.changed && mine.some((p) => changed.has(p)),
        sha: result.sha ?? '',
        files: { added: result.files.added.filter(inMine), changed: result.files.changed.filter(inMine), removed: result.files.removed.filter(inMine) },
        attempts: result.attempts,
      });
    }
  };

  const publisher = ((req: PublishRequest) => new Promise<PublishResult>((resolve, reject) => {
    if (req.signal?.aborted) { reject(req.signal.reason ?? new Error('aborted')); return; }
    const lane = laneOf(req);
    lane.pending.push({ req, resolve, reject });
    schedule(lane);
  })) as BatchingPublisher;
  Object.defineProperty(publisher, 'levelTriggered', { value: true });
  // A deleted profile's verification goes with it (a profile made again under the same name is
  // compared against Git afresh).
  Object.defineProperty(publisher, 'forget', { value: (key: string) => { for (const lane of lanes.values()) lane.verified.trees.delete(key); } });
  Object.defineProperty(publisher, 'verifiedCount', { value: () => [...lanes.values()].reduce((n, l) => n + l.verified.trees.size, 0) });
  Object.defineProperty(publisher, 'stats', { value: stats });
  return publisher;
}

function pathsOf(req: PublishRequest): string[] {
  return [...req.trees.map((t) => norm(t.path)), ...(req.remove ?? []).map(norm)];
}
