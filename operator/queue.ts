// A reconcile queue keyed per profile (after Pepr's queue.ts and client-go's workqueue): a key is
// never processed twice at once, a key added while it runs is run again afterwards, and a failing
// key is retried with its own exponential backoff, so one slow or failing profile never blocks the
// others (they run on the other workers).
import { backoffDelay, type BackoffOptions, type Clock } from './clock.js';

export interface QueueOptions {
  concurrency: number;
  backoff: BackoffOptions;
  clock: Clock;
  /** Called when a key's handler fails (for logs and metrics). */
  onError?: (key: string, error: unknown, attempt: number, retryInMs: number) => void;
  /** Called for each key added to the queue (the adds counter). */
  onAdd?: (key: string) => void;
}

/** An error that says how long to wait at least (a 429's Retry-After). */
export interface RetryAfter { retryAfterMs?: number }

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added again while processing: re-queued when their run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, AbortController>();
  /** When each running key started (longest running processor, wedged workers). */
  private readonly startedAt = new Map<string, number>();
  /** Retries scheduled after a failure (workqueue_retries_total). */
  retries = 0;
  private running = 0;
  /** Keys that gave their worker back while they wait on I/O (release()), still processing. */
  private waiting = 0;
  /** Released keys ready to take a worker again, served before new keys. */
  private readonly resumers: (() => void)[] = [];
  private paused = true;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * `handler(key, release)`: a handler that is about to wait on slow I/O that other keys share (the
   * batching Git publisher) calls release() to give its worker to the next key, and awaits the
   * function it returns to take a worker again before it goes on. The key stays processing
   * meanwhile (never run twice at once) and counts as in flight (stop() waits for it).
   */
  constructor(private readonly handler: (key: string, release: () => () => Promise<void>) => Promise<void>, private readonly options: QueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    this.options.onAdd?.(key);
    const timer = this.delayed.get(key);
    if (timer) { timer.abort(); this.delayed.delete(key); }
    if (this.processing.has(key)) { this.dirty.add(key); return; }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms` unless it is added sooner. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    const ctl = new AbortController();
    this.delayed.set(key, ctl);
    void this.options.clock.sleep(ms, ctl.signal).then(() => {
      if (ctl.signal.aborted) return;
      this.delayed.delete(key);
      this.add(key);
    });
  }

  /** Drops a key's retry state (the object was deleted). */
  forget(key: string): void {
    this.failures.delete(key);
    const timer = this.delayed.get(key);
    if (timer) { timer.abort(); this.delayed.delete(key); }
  }

  attempts(key: string): number { return this.failures.get(key) ?? 0; }

  /** True while the key waits out its backoff after a failure. */
  isBackingOff(key: string): boolean { return this.delayed.has(key); }

  /**
   * A periodic resync's add: a key waiting out its backoff keeps waiting (the retry is already
   * scheduled), so a resync never turns a backoff into a hot loop.
   */
  addUnlessBackingOff(key: string): void {
    if (this.delayed.has(key)) return;
    this.add(key);
  }

  /** Milliseconds the longest-running key has been running (0 when idle). */
  longestRunningMs(now = Date.now()): number {
    let oldest = Infinity;
    for (const t of this.startedAt.values()) oldest = Math.min(oldest, t);
    return oldest === Infinity ? 0 : Math.max(0, now - oldest);
  }

  /** Sum of how long every running key has been running (workqueue_unfinished_work_seconds). */
  unfinishedMs(now = Date.now()): number {
    let sum = 0;
    for (const t of this.startedAt.values()) sum += Math.max(0, now - t);
    return sum;
  }

  /** Workers run only while started (the leader); keys still collect while paused. */
  start(): void { this.paused = false; this.pump(); }
  pause(): void { this.paused = true; }
  get isPaused(): boolean { return this.paused; }

  /** Stops taking work; resolves when the runs in progress end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.paused = true;
    for (const t of this.delayed.values()) t.abort();
    this.delayed.clear();
    await this.idle();
  }

  get length(): number { return this.queue.length; }
  get inFlight(): number { return this.running + this.waiting; }

  /** Resolves when nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting === 0 && (this.queue.length === 0 || this.paused)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    // Work already started finishes first (also while paused: it ends, it takes nothing new).
    while (this.running < this.options.concurrency && this.resumers.length) this.resumers.shift()!();
    while (!this.paused && this.running < this.options.concurrency && this.queue.length) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.startedAt.set(key, Date.now());
      this.running++;
      void this.runOne(key);
    }
    if (this.running === 0 && this.waiting === 0 && (this.queue.length === 0 || this.paused)) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private async runOne(key: string): Promise<void> {
    let holding = true;
    const release = (): (() => Promise<void>) => {
      if (!holding) return async () => {};
      holding = false;
      this.running--;
      this.waiting++;
      this.pump();
      let resumed: Promise<void> | null = null;
      return () => (resumed ??= new Promise<void>((resolve) => {
        this.resumers.push(() => { this.waiting--; this.running++; holding = true; resolve(); });
        this.pump();
      }));
    };
    try {
      await this.handler(key, release);
      this.failures.delete(key);
    } catch (e) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      // A 429's Retry-After is a floor under the backoff (client-go's rest client waits it out too).
      const floor = typeof (e as RetryAfter)?.retryAfterMs === 'number' ? (e as RetryAfter).retryAfterMs! : 0;
      const delay = Math.max(floor, backoffDelay(attempt, this.options.backoff, this.options.clock.random));
      this.options.onError?.(key, e, attempt, delay);
      this.retries++;
      // A real change that arrived meanwhile (the key is dirty) runs at once; else the retry waits.
      if (!this.dirty.has(key)) this.addAfter(key, delay);
    } finally {
      this.processing.delete(key);
      this.startedAt.delete(key);
      // A handler that released its worker and never took it back ends as a waiting key.
      if (holding) this.running--; else this.waiting--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
