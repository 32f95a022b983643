// Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it:
// create or take over the Lease only when its holder has not renewed for leaseDuration (measured
// on OUR clock from when we last saw the record change, so clock skew between nodes does not
// matter), renew every retryPeriod, and step down when a renewal has not succeeded for
// renewDeadline. Writes carry the resourceVersion, so two candidates racing for the Lease get one
// 200 and one 409. isLeader() is checked again right before each publish.
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { KubeError, microTime, type KubeApi, type Lease } from './kube.js';

export interface LeaderOptions {
  api: KubeApi;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  clock: Clock;
  log: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export class LeaderElector {
  private leader = false;
  private lastRenew = 0;
  private observed: { record: string; at: number } | null = null;
  private lease: Lease | null = null;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly o: LeaderOptions) {}

  /** True while we hold the Lease and our last renewal is younger than the renew deadline. */
  isLeader(): boolean {
    return this.leader && this.o.clock.now().getTime() - this.lastRenew < this.o.renewDeadlineMs;
  }

  start(): void { this.loop = this.run(); }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let ok = false;
      // The renewal counts from before the request, as client-go's tryAcquireOrRenew takes `now`
      // before it reads the Lease (v0.34 tools/leaderelection/leaderelection.go): the renewTime
      // written is this instant, and other replicas time the Lease from it, so a slow answer must
      // not extend how long we believe we lead.
      const before = this.o.clock.now();
      try { ok = await this.tryAcquireOrRenew(before); } catch (e) {
        this.o.log.error('leader election: Lease request failed', { lease: `${this.o.namespace}/${this.o.name}`, error: (e as Error).message });
      }
      if (this.abort.signal.aborted) break;
      const now = this.o.clock.now().getTime();
      if (ok) {
        this.lastRenew = before.getTime();
        if (!this.leader) {
          this.leader = true;
          this.o.log.info('became leader', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity });
          this.o.onStartedLeading();
        }
      } else if (this.leader && now - this.lastRenew >= this.o.renewDeadlineMs) {
        this.stepDown('could not renew the Lease within the renew deadline');
      }
      await this.o.clock.sleep(this.o.retryPeriodMs, this.abort.signal);
    }
  }

  private stepDown(why: string): void {
    if (!this.leader) return;
    this.leader = false;
    this.o.log.error('lost leadership', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity, reason: why });
    this.o.onStoppedLeading();
  }

  /**
   * Reads the Lease and throws unless this replica still holds it (the fence right before a
   * push); a Lease held by someone else steps down at once.
   */
  async confirm(): Promise<void> {
    if (!this.isLeader()) throw new Error('this replica is not the leader');
    const current = await this.o.api.readLease(this.o.namespace, this.o.name);
    const holder = current?.spec?.holderIdentity ?? '';
    if (holder !== this.o.identity) {
      this.stepDown(`the Lease is held by ${holder || 'nobody'}`);
      throw new Error(`the Lease ${this.o.namespace}/${this.o.name} is held by ${holder || 'nobody'}, not this replica`);
    }
  }

  private async tryAcquireOrRenew(now: Date): Promise<boolean> {
    const { api, namespace, name, identity } = this.o;
    const durationSeconds = Math.max(1, Math.round(this.o.leaseDurationMs / 1000));
    const current = await api.readLease(namespace, name);
    if (!current) {
      try {
        this.lease = await api.createLease({ metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } });
        return true;
      } catch (e) {
        if (e instanceof KubeError && e.code === 409) return false; // another candidate created it first
        throw e;
      }
    }
    const spec = current.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.leaseDurationSeconds ?? 0]);
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: now.getTime() };
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== identity;
    const expired = this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 <= now.getTime();
    if (heldByOther && !expired) {
      if (this.leader) this.stepDown(`the Lease is held by ${holder}`);
      return false;
    }
    const takingOver = holder !== identity;
    const next: Lease = {
      metadata: { name, namespace, resourceVersion: current.metadata.resourceVersion },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: takingOver ? microTime(now) : spec.acquireTime ?? microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
      },
    };
    try {
      this.lease = await api.replaceLease(next);
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.code === 409) return false; // someone wrote it since we read it
      throw e;
    }
  }

  /** Stops campaigning and, when leading, gives the Lease up so a standby takes over at once. */
  async stop(release = true): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (!this.leader) return;
    this.leader = false;
    this.o.onStoppedLeading();
    if (!release) return;
    try {
      const current = await this.o.api.readLease(this.o.namespace, this.o.name);
      if (!current || current.spec?.holderIdentity !== this.o.identity) return;
      const now = microTime(this.o.clock.now());
      await this.o.api.replaceLease({
        metadata: { name: this.o.name, namespace: this.o.namespace, resourceVersion: current.metadata.resourceVersion },
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.spec.leaseTransitions ?? 0 },
      });
      this.o.log.info('released the Lease', { lease: `${this.o.namespace}/${this.o.name}` });
    } catch (e) {
      this.o.log.error('could not release the Lease', { error: (e as Error).message });
    }
  }
}
