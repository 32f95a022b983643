// Wires the operator: two informers (NetworkProfiles, Nodes) feed a work queue keyed per profile;
// the reconciler runs only on the leader; health, readiness and metrics read the parts' state.
import { nodeFactsFromList } from '../generators/detect/detect.js';
import type { BackoffOptions, Clock } from './clock.js';
import { Informer, objectKey, type KubeObject } from './informer.js';
import type { KubeApi } from './kube.js';
import { LeaderElector } from './leader.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Publisher } from './publisher.js';
import { WorkQueue } from './queue.js';
import { Reconciler } from './reconcile.js';
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
  private readonly nodeFacts = new Map<string, string>();
  private probeEvidence: string[] = [];
  private stopped = false;
  private started = false;

  constructor(private readonly o: OperatorOptions) {
    this.metrics = o.metrics ?? createMetrics();
    const log = o.log;
    this.reconciler = new Reconciler({
      api: o.api, publisher: o.publisher, clock: o.clock, log, metrics: this.metrics, identity: o.identity,
      author: o.author ?? { name: 'netprofile-operator', email: 'netprofile-operator@netprofile.io' },
      getProfile: (key) => this.profiles.store.get(key),
      getNodes: () => this.nodes.list(),
      probeEvidence: () => this.probeEvidence,
      canPublish: () => !this.stopped && (this.leader ? this.leader.isLeader() : true),
      serviceAccount: o.serviceAccount,
    });
    this.queue = new WorkQueue(async (key) => {
      const result = await this.reconciler.reconcile(key);
      log.debug('reconciled', { profile: key, result });
    }, {
      concurrency: o.concurrency, backoff: o.queueBackoff, clock: o.clock,
      onError: (key, error, attempt, retryInMs) => log.error('reconcile failed, backing off', { profile: key, error: (error as Error).message, attempt, retryInMs }),
    });
    this.profiles = new Informer(o.api.profiles(o.namespace), {
      onChange: (type, obj) => {
        const key = objectKey(obj);
        this.secrets.refresh();
        if (type === 'DELETED') { this.queue.forget(key); this.reconciler.forget(key); return; }
        this.queue.add(key);
      },
      onResync: (objects) => { for (const obj of objects) this.queue.add(objectKey(obj)); },
    }, { name: 'networkprofiles', resyncMs: o.resyncMs, backoff: o.watchBackoff, clock: o.clock, log });
    this.secrets = new SecretWatch({ api: o.api, profiles: () => this.profiles.list(), enqueue: (key) => this.queue.add(key), backoff: o.watchBackoff, clock: o.clock, log });
    this.nodes = new Informer(o.api.nodes(), {
      // Nodes change every few seconds (heartbeats, conditions); only a change of the facts that
      // detection reads re-plans, and then every profile of the cluster.
      onChange: (type, obj) => { if (this.nodeFactsChanged(type, obj)) this.enqueueAll(); },
    }, { name: 'nodes', resyncMs: 0, backoff: o.watchBackoff, clock: o.clock, log });
    this.leader = o.leaderElection ? new LeaderElector({
      api: o.api, ...o.leaderElection, identity: o.identity, clock: o.clock, log,
      onStartedLeading: () => { this.metrics.leader.set(1); this.enqueueAll(); this.queue.start(); },
      onStoppedLeading: () => { this.metrics.leader.set(0); this.queue.pause(); },
    }) : null;
  }

  private nodeFactsChanged(type: string, obj: KubeObject): boolean {
    const key = obj.metadata.name;
    if (type === 'DELETED') return this.nodeFacts.delete(key);
    let facts: string;
    try { facts = JSON.stringify(nodeFactsFromList({ ...obj, kind: 'Node' }, 'node')); } catch { facts = `invalid:${obj.metadata.resourceVersion}`; }
    if (this.nodeFacts.get(key) === facts) return false;
    this.nodeFacts.set(key, facts);
    return true;
  }

  private enqueueAll(): void {
    for (const obj of this.profiles.list()) this.queue.add(objectKey(obj));
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

  /** Stops within the grace period: no new work, in-flight reconciles end, the Lease is released. */
  async stop(graceMs = 8000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.pause();
    await Promise.race([this.queue.stop(), this.o.clock.sleep(graceMs)]);
    await this.leader?.stop(true);
    this.metrics.leader.set(0);
    await Promise.all([this.profiles.stop(), this.nodes.stop(), this.secrets.stop()]);
  }

  healthz(): { ok: boolean; detail: string } {
    return { ok: this.started && !this.stopped, detail: this.stopped ? 'stopping' : this.started ? 'running' : 'starting' };
  }

  readyz(): { ok: boolean; detail: string } {
    const synced = this.profiles.hasSynced && this.nodes.hasSynced;
    return { ok: synced && !this.stopped, detail: synced ? `caches synced; ${this.leader ? (this.leader.isLeader() ? 'leader' : 'standby') : 'no leader election'}` : 'waiting for the NetworkProfile and Node caches' };
  }
}
