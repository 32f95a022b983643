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
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added again while processing: re-queued when their run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, AbortController>();
  private running = 0;
  private paused = true;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly handler: (key: string) => Promise<void>, private readonly options: QueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
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
  get inFlight(): number { return this.running; }

  /** Resolves when nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && (this.queue.length === 0 || this.paused)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.paused && this.running < this.options.concurrency && this.queue.length) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.runOne(key);
    }
    if (this.running === 0 && (this.queue.length === 0 || this.paused)) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private async runOne(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (e) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const delay = backoffDelay(attempt, this.options.backoff, this.options.clock.random);
      this.options.onError?.(key, e, attempt, delay);
      if (!this.dirty.has(key)) this.addAfter(key, delay);
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
