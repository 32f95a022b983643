// A list-then-watch informer (client-go's Reflector in miniature): list to fill the cache, watch
// from the list's resourceVersion, relist when the watch says 410 Gone (the resourceVersion is too
// old), back off with jitter on any other error, and hand every object to the handler again each
// resync period so a lost event is repaired. The Kubernetes calls are behind ListWatch.
// A watch that ends within a second without an event is an error, not a clean end (client-go
// v0.34 tools/cache/reflector.go, VeryShortWatchError): it backs off like any other, so a server
// that closes every watch at once is not hammered. An optional transform cuts each object down to
// what the handlers read before it is cached (client-go's SharedInformer SetTransform).
import { backoffDelay, type BackoffOptions, type Clock } from './clock.js';
import type { Logger } from './log.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; generation?: number; [k: string]: unknown };
  [k: string]: unknown;
}

export interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: any }

/** An error from the API with its HTTP code (410 means: relist). */
export interface CodedError extends Error { code?: number }

export interface ListWatch {
  list(): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /**
   * Starts a watch from `resourceVersion`; `onEvent` gets each event, `onDone` is called once when
   * the stream ends (error or not). Returns a function that aborts the stream.
   */
  watch(resourceVersion: string, onEvent: (e: WatchEvent) => void, onDone: (err: CodedError | null) => void): Promise<() => void>;
}

export interface InformerHandlers {
  onChange(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject): void;
  /** Every resync period, with all cached objects. */
  onResync?(objects: KubeObject[]): void;
}

export interface InformerOptions {
  name: string;
  /** Applied to every listed or watched object before it is cached and handed on. */
  transform?: (obj: KubeObject) => KubeObject;
  /** A watch shorter than this with no event is a "very short watch" (default 1000 ms). */
  shortWatchMs?: number;
  resyncMs: number;
  backoff: BackoffOptions;
  clock: Clock;
  log: Logger;
}

export function objectKey(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export class Informer {
  readonly store = new Map<string, KubeObject>();
  private synced = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private stopWatch: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private resyncLoop: Promise<void> | null = null;
  private syncWaiters: (() => void)[] = [];
  /** Counters the tests and metrics read. */
  readonly stats = { lists: 0, watches: 0, relistsOnGone: 0, errors: 0, resyncs: 0, shortWatches: 0 };

  constructor(private readonly lw: ListWatch, private readonly handlers: InformerHandlers, private readonly o: InformerOptions) {}

  get hasSynced(): boolean { return this.synced; }
  list(): KubeObject[] { return [...this.store.values()]; }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  start(): void {
    this.loop = this.run();
    if (this.o.resyncMs > 0) this.resyncLoop = this.resync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.stopWatch?.();
    for (const w of this.syncWaiters.splice(0)) w();
    await Promise.all([this.loop, this.resyncLoop]);
  }

  private async resync(): Promise<void> {
    while (!this.stopped) {
      await this.o.clock.sleep(this.o.resyncMs, this.abort.signal);
      if (this.stopped) return;
      if (this.synced) { this.stats.resyncs++; this.handlers.onResync?.(this.list()); }
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let rv: string | null = null;
    while (!this.stopped) {
      try {
        if (rv === null) {
          this.stats.lists++;
          const listed = await this.lw.list();
          if (this.stopped) return;
          this.replace(this.o.transform ? listed.items.map(this.o.transform) : listed.items);
          rv = listed.resourceVersion;
        }
        const began = Date.now();
        const outcome = await this.watchOnce(rv);
        if (this.stopped) return;
        if (outcome.gone) {
          // 410 Gone: the resourceVersion was compacted away; only a fresh list is consistent.
          this.stats.relistsOnGone++;
          this.o.log.info('watch expired (410 Gone), relisting', { informer: this.o.name, resourceVersion: rv });
          rv = null;
          attempt = 0;
          continue;
        }
        rv = outcome.resourceVersion;
        if (outcome.error) throw outcome.error;
        if (!outcome.events && Date.now() - began < (this.o.shortWatchMs ?? 1000)) {
          this.stats.shortWatches++;
          const short: CodedError = new Error('very short watch: the watch closed within a second and sent no event');
          throw short;
        }
        attempt = 0; // a clean end (server timeout): watch again at once
      } catch (e) {
        if (this.stopped) return;
        const code = (e as CodedError).code;
        if (code === 410) { this.stats.relistsOnGone++; rv = null; continue; }
        this.stats.errors++;
        attempt++;
        const delay = backoffDelay(attempt, this.o.backoff, this.o.clock.random);
        this.o.log.error('list/watch failed, backing off', { informer: this.o.name, code, error: (e as Error).message, attempt, retryInMs: delay });
        await this.o.clock.sleep(delay, this.abort.signal);
      }
    }
  }

  private watchOnce(from: string): Promise<{ gone: boolean; resourceVersion: string; error?: CodedError; events: number }> {
    return new Promise((resolve) => {
      let rv = from;
      let finished = false;
      let events = 0;
      const onAbort = () => finish({ gone: false, resourceVersion: rv });
      const finish = (r: { gone: boolean; resourceVersion: string; error?: CodedError }) => {
        if (finished) return;
        finished = true;
        // One listener per watch, removed when the watch ends (no MaxListenersExceededWarning).
        this.abort.signal.removeEventListener('abort', onAbort);
        this.stopWatch?.();
        this.stopWatch = null;
        resolve({ ...r, events });
      };
      this.stats.watches++;
      // Stopping must not wait for the server to notice the aborted stream.
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      this.lw.watch(from, (e) => {
        if (finished || this.stopped) return;
        events++;
        if (e.type === 'ERROR') {
          const code = e.object?.code;
          if (code === 410) return finish({ gone: true, resourceVersion: rv });
          const err: CodedError = new Error(`watch error: ${e.object?.reason ?? ''} ${e.object?.message ?? ''}`.trim());
          err.code = code;
          return finish({ gone: false, resourceVersion: rv, error: err });
        }
        const newRv = e.object?.metadata?.resourceVersion;
        if (typeof newRv === 'string' && newRv) rv = newRv;
        if (e.type === 'BOOKMARK') return;
        this.apply(e.type, this.o.transform ? this.o.transform(e.object as KubeObject) : e.object as KubeObject);
      }, (err) => {
        if (err && err.code === 410) return finish({ gone: true, resourceVersion: rv });
        finish({ gone: false, resourceVersion: rv, error: err ?? undefined });
      }).then((stop) => {
        if (finished || this.stopped) stop();
        else this.stopWatch = stop;
      }, (err) => finish({ gone: (err as CodedError)?.code === 410, resourceVersion: rv, error: err as CodedError }));
    });
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    if (!obj?.metadata?.name) return;
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (type === 'DELETED') {
      this.store.delete(key);
      this.handlers.onChange('DELETED', obj, old);
      return;
    }
    this.store.set(key, obj);
    this.handlers.onChange(old ? 'MODIFIED' : 'ADDED', obj, old);
  }

  /** A fresh list replaces the cache: objects missing from it were deleted while we did not watch. */
  private replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      const old = this.store.get(key);
      this.store.set(key, item);
      if (!old) this.handlers.onChange('ADDED', item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.handlers.onChange('MODIFIED', item, old);
    }
    for (const [key, old] of [...this.store]) {
      if (!seen.has(key)) { this.store.delete(key); this.handlers.onChange('DELETED', old, old); }
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }
}
