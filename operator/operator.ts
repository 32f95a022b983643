// Wires the operator: two informers (NetworkProfiles, Nodes) feed a work queue keyed per profile;
// the reconciler runs only on the leader; health, readiness and metrics read the parts' state.
import { detectEnvironment, nodeFactsFromList, type Detection, type NodeFacts } from '../generators/detect/detect.js';
import type { BackoffOptions, Clock } from './clock.js';
import { Informer, objectKey, type KubeObject } from './informer.js';
import { nodeForDetection, type KubeApi } from './kube.js';
import { LeaderElector } from './leader.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Publisher } from './publisher.js';
import { WorkQueue } from './queue.js';
import { Fenced, Reconciler } from './reconcile.js';
import { SecretWatch } from './secrets.js';

export interface OperatorOptions {
  api: KubeApi;
  /** Watch one namespace; null watches all. */
  namespace: string | null;
  leaderElection: null | { namespace: string; name: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  identity: string;
  resyncMs: number;
  concurrency: number;
  queueBackoff: BackoffOptions;
  watchBackoff: BackoffOptions;
  publisher: Publisher;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
  author?: { name: string; email: string };
  /** Evidence from instance-metadata probes, gathered once at start (--probe-metadata). */
  probe?: () => Promise<string[]>;
  /** The operator's ServiceAccount, named in RBAC hints (from POD_NAMESPACE and SERVICE_ACCOUNT_NAME). */
  serviceAccount?: { namespace: string; name: string };
  /**
   * Called once when the Lease is lost while running (not on stop). The process exits non-zero,
   * as controller-runtime's manager does ("leader election lost"); a fresh process campaigns again.
   */
  onLostLeadership?: (reason: string) => void;
  /** /healthz fails when one reconcile has run longer than this (a wedged worker; default 10 min). */
  wedgedAfterMs?: number;
}

/**
 * Whether an update of a NetworkProfile needs a reconcile: a new generation (a spec change, as
 * controller-runtime's GenerationChangedPredicate decides, pkg/predicate/predicate.go v0.22.5),
 * or a change of what the reconcile reads outside spec: deletionTimestamp, finalizers, labels and
 * annotations. A status-only update (our own status write coming back) does not.
 */
export function updateMatters(old: KubeObject, obj: KubeObject): boolean {
  const o = old.metadata, n = obj.metadata;
  if (typeof o.generation === 'number' && typeof n.generation === 'number') {
    if (o.generation !== n.generation) return true;
  } else if (JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) return true;
  return (o.deletionTimestamp ?? null) !== (n.deletionTimestamp ?? null)
    || JSON.stringify(o.finalizers ?? []) !== JSON.stringify(n.finalizers ?? [])
    || JSON.stringify(o.labels ?? {}) !== JSON.stringify(n.labels ?? {})
    || JSON.stringify(o.annotations ?? {}) !== JSON.stringify(n.annotations ?? {});
}

export class Operator {
  readonly metrics: Metrics;
  readonly queue: WorkQueue;
  readonly reconciler: Reconciler;
  readonly profiles: Informer;
  readonly nodes: Informer;
  readonly leader: LeaderElector | null;
  /** Watches the Secrets the profiles reference (operator/secrets.ts). */
  readonly secrets: SecretWatch;
  /** Per Node: its facts as detection reads them (or why it could not be read), and their JSON. */
  private readonly nodeFacts = new Map<string, { json: string; facts?: NodeFacts; problem?: string }>();
  /** The detection over all Nodes, shared by every profile until a Node's facts change. */
  private detection: { facts?: Detection; problem: string | null } | null = null;
  private probeEvidence: string[] = [];
  private confirming: Promise<void> | null = null;
  private stopped = false;
  private started = false;
  private lost: string | null = null;
  /** Aborted on stop or lost Lease: in-flight Git work ends, no new push starts. */
  private readonly work = new AbortController();
  /** How often detection ran over the Nodes (once per change of their facts). */
  readonly stats = { detections: 0 };

  constructor(private readonly o: OperatorOptions) {
    this.metrics = o.metrics ?? createMetrics();
    const log = o.log;
    this.reconciler = new Reconciler({
      api: o.api, publisher: o.publisher, clock: o.clock, log, metrics: this.metrics, identity: o.identity,
      author: o.author ?? { name: 'netprofile-operator', email: 'netprofile-operator@netprofile.io' },
      getProfile: (key) => this.profiles.store.get(key),
      getDetection: () => this.sharedDetection(),
      probeEvidence: () => this.probeEvidence,
      canPublish: () => !this.stopped && !this.lost && (this.leader ? this.leader.isLeader() : true),
      signal: this.work.signal,
      confirmLeadership: async () => {
        if (!this.leader) return;
        // The fences of one batched commit run at once: they share one read of the Lease.
        this.confirming ??= this.leader.confirm().finally(() => { this.confirming = null; });
        try { await this.confirming; } catch (e) { throw new Fenced((e as Error).message); }
      },
      serviceAccount: o.serviceAccount,
    });
    this.queue = new WorkQueue(async (key, release) => {
      const result = await this.reconciler.reconcile(key, release);
      log.debug('reconciled', { profile: key, result });
    }, {
      concurrency: o.concurrency, backoff: o.queueBackoff, clock: o.clock,
      onAdd: () => this.metrics.queueAdds.inc(),
      onError: (key, error, attempt, retryInMs) => {
        this.metrics.queueRetries.inc();
        log.error('reconcile failed, backing off', { profile: key, error: (error as Error).message, attempt, retryInMs });
      },
    });
    this.metrics.bindQueue(this.queue);
    this.profiles = new Informer(o.api.profiles(o.namespace), {
      onChange: (type, obj, old) => {
        const key = objectKey(obj);
        this.secrets.track(type, obj);
        if (type === 'DELETED') { this.queue.forget(key); this.reconciler.forget(key); return; }
        if (type === 'MODIFIED' && old && !updateMatters(old, obj)) return;
        this.queue.add(key);
      },
      // A resync re-checks every profile, but a key waiting out its backoff keeps waiting.
      onResync: (objects) => { for (const obj of objects) this.queue.addUnlessBackingOff(objectKey(obj)); },
    }, { name: 'networkprofiles', resyncMs: o.resyncMs, backoff: o.watchBackoff, clock: o.clock, log });
    this.secrets = new SecretWatch({ api: o.api, profiles: () => this.profiles.list(), enqueue: (key) => this.queue.add(key), backoff: o.watchBackoff, clock: o.clock, log });
    this.nodes = new Informer(o.api.nodes(), {
      // Nodes change every few seconds (heartbeats, conditions); only a change of the facts that
      // detection reads re-plans, and then every profile of the cluster.
      onChange: (type, obj) => { if (this.nodeFactsChanged(type, obj)) { this.detection = null; this.enqueueAllSoon(); } },
      // The cache keeps only what detection reads (managedFields, images, conditions dropped).
    }, { name: 'nodes', resyncMs: 0, backoff: o.watchBackoff, clock: o.clock, log, transform: nodeForDetection });
    this.leader = o.leaderElection ? new LeaderElector({
      api: o.api, ...o.leaderElection, identity: o.identity, clock: o.clock, log,
      onStartedLeading: () => { this.metrics.leader.set(1); this.enqueueAll(); this.queue.start(); },
      onStoppedLeading: () => {
        this.metrics.leader.set(0);
        this.queue.pause();
        if (!this.stopped) this.loseLeadership('the Lease was lost');
      },
    }) : null;
  }

  /**
   * Leadership lost while running: stop taking work and abort in-flight Git work at once (a push
   * that is already past its fence cannot be recalled, but nothing new starts), stop campaigning,
   * and tell the process to exit non-zero.
   */
  private loseLeadership(reason: string): void {
    if (this.lost) return;
    this.lost = reason;
    this.work.abort();
    void this.leader?.stop(false);
    this.o.log.error('leader election lost; exiting', { reason });
    this.o.onLostLeadership?.(reason);
  }

  get lostLeadership(): string | null { return this.lost; }

  private nodeFactsChanged(type: string, obj: KubeObject): boolean {
    const key = obj.metadata.name;
    if (type === 'DELETED') return this.nodeFacts.delete(key);
    let entry: { json: string; facts?: NodeFacts; problem?: string };
    try {
      const facts = nodeFactsFromList({ ...obj, kind: 'Node' }, 'the cluster\'s Nodes')[0];
      entry = { json: JSON.stringify(facts), facts };
    } catch (e) { entry = { json: `invalid:${(e as Error).message}`, problem: (e as Error).message.replace('items[0]', `Node ${key}`) }; }
    if (this.nodeFacts.get(key)?.json === entry.json) return false;
    this.nodeFacts.set(key, entry);
    return true;
  }

  /** Detection over the current Nodes: computed once per change of their facts, for all profiles. */
  sharedDetection(): { facts?: Detection; problem: string | null } {
    if (this.detection) return this.detection;
    this.stats.detections++;
    const facts: NodeFacts[] = [];
    let problem: string | null = null;
    for (const e of this.nodeFacts.values()) {
      if (e.problem) { problem ??= e.problem; continue; }
      facts.push(e.facts!);
    }
    this.detection = problem ? { problem } : { facts: detectEnvironment(facts), problem: null };
    return this.detection;
  }

  private enqueueAll(): void {
    for (const obj of this.profiles.list()) this.queue.add(objectKey(obj));
  }

  private enqueueScheduled = false;
  /** A list of M Nodes (or a burst of Node events) queues every profile once, not M times. */
  private enqueueAllSoon(): void {
    if (this.enqueueScheduled) return;
    this.enqueueScheduled = true;
    queueMicrotask(() => { this.enqueueScheduled = false; this.enqueueAll(); });
  }

  async start(): Promise<void> {
    this.started = true;
    if (this.o.probe) this.probeEvidence = await this.o.probe();
    this.nodes.start();
    // Profiles are planned against the Nodes: wait for the node cache before the first plan.
    this.profiles.start();
    await this.nodes.waitForSync(); // resolves early when stop() stops the informer
    if (this.stopped) return;
    if (this.leader) this.leader.start();
    else { this.metrics.leader.set(1); this.queue.start(); }
  }

  /**
   * Stops the runnables first, then gives up the Lease: no new work is taken, in-flight Git work
   * is aborted, and only when every reconcile has ended within `graceMs` is the Lease released
   * (so the standby takes over at once). When a reconcile is still running at the deadline the
   * Lease is left to expire instead, so no two replicas ever publish at the same moment; the
   * result is false and the process exits non-zero.
   */
  async stop(graceMs = 8000): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    this.queue.pause();
    this.work.abort();
    const grace = new AbortController();
    const ended = await Promise.race([this.queue.stop().then(() => true), this.o.clock.sleep(graceMs, grace.signal).then(() => false)]);
    grace.abort();
    if (!ended) this.o.log.error('reconciles still running at the shutdown deadline; not releasing the Lease (it expires)', { inFlight: this.queue.inFlight });
    await this.leader?.stop(ended && !this.lost);
    this.metrics.leader.set(0);
    await Promise.all([this.profiles.stop(), this.nodes.stop(), this.secrets.stop()]);
    return ended;
  }

  /** Not healthy while starting, stopping, after a lost Lease, or while one reconcile is wedged. */
  healthz(): { ok: boolean; detail: string } {
    if (this.lost) return { ok: false, detail: `leader election lost: ${this.lost}` };
    if (!this.started || this.stopped) return { ok: false, detail: this.stopped ? 'stopping' : 'starting' };
    const longest = this.queue.longestRunningMs();
    const limit = this.o.wedgedAfterMs ?? 600_000;
    if (longest > limit) return { ok: false, detail: `a reconcile has been running for ${Math.round(longest / 1000)} s (more than ${Math.round(limit / 1000)} s): a worker is wedged` };
    return { ok: true, detail: 'running' };
  }

  readyz(): { ok: boolean; detail: string } {
    const synced = this.profiles.hasSynced && this.nodes.hasSynced;
    return { ok: synced && !this.stopped, detail: synced ? `caches synced; ${this.leader ? (this.leader.isLeader() ? 'leader' : 'standby') : 'no leader election'}` : 'waiting for the NetworkProfile and Node caches' };
  }
}
