// Time, sleeping and randomness behind one small interface, so loops with periods and backoff can
// be tested with short periods and without waiting on wall-clock timers.

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  }),
  random: () => Math.random(),
};

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added at random (0.2 = up to +20 %), so replicas do not retry in step. */
  jitter: number;
}

/**
 * Exponential backoff with jitter: base·2^(attempt-1), capped at maxMs, then up to jitter·delay
 * added. The jitter applies at the cap too (k8s.io/apimachinery pkg/util/wait/backoff.go,
 * Backoff.Step jitters the capped duration), so clients stuck at the cap do not retry in step.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp + exp * o.jitter * random());
}
