// Prometheus metrics (prom-client), all prefixed netprofile_. A registry per operator instance, so
// two operators in one process (the leader-election tests) do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram<'result'>;
  commits: Counter<string>;
  findings: Gauge<'rule' | 'severity'>;
  leader: Gauge<string>;
  /** Work queue metrics, named as controller-runtime names them (pkg/metrics/workqueue.go, v0.22.5). */
  queueAdds: Counter<string>;
  queueRetries: Counter<string>;
  /** Reads depth and running times from the queue when scraped. */
  bindQueue(q: QueueView): void;
  /** The findings of every profile; the gauge counts them when scraped (not on every reconcile). */
  setFindings(byProfile: Map<string, { rule: string; severity: string }[]>): void;
}

/** What the queue gauges read at scrape time. */
export interface QueueView { length: number; longestRunningMs(): number; unfinishedMs(): number }

export function createMetrics(defaults = false): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'netprofile_' });
  const reconciles = new Counter({ name: 'netprofile_reconciles_total', help: 'Reconciles of NetworkProfiles by result (published, unchanged, rejected, error).', labelNames: ['result'] as const, registers: [registry] });
  const reconcileDuration = new Histogram({ name: 'netprofile_reconcile_duration_seconds', help: 'Time to reconcile one NetworkProfile, by result.', labelNames: ['result'] as const, buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const commits = new Counter({ name: 'netprofile_commits_published_total', help: 'Commits pushed to GitOps repositories.', registers: [registry] });
  let findingsSource: Map<string, { rule: string; severity: string }[]> | null = null;
  const findings: Gauge<'rule' | 'severity'> = new Gauge({
    name: 'netprofile_findings', help: 'Current findings of all NetworkProfiles, by rule and severity.', labelNames: ['rule', 'severity'] as const, registers: [registry],
    // Counted at scrape time: recounting every profile's findings on each reconcile would make a
    // first sync of N profiles cost N² work.
    collect() {
      if (!findingsSource) return;
      findings.reset();
      const counts = new Map<string, number>();
      for (const list of findingsSource.values()) for (const f of list) counts.set(`${f.rule}\u0000${f.severity}`, (counts.get(`${f.rule}\u0000${f.severity}`) ?? 0) + 1);
      for (const [k, n] of counts) { const [rule, severity] = k.split('\u0000'); findings.set({ rule, severity }, n); }
    },
  });
  const leader = new Gauge({ name: 'netprofile_leader', help: '1 when this replica holds the leader Lease (or runs without leader election), else 0.', registers: [registry] });
  let queue: QueueView | null = null;
  const queueAdds = new Counter({ name: 'netprofile_workqueue_adds_total', help: 'Keys added to the work queue.', registers: [registry] });
  const queueRetries = new Counter({ name: 'netprofile_workqueue_retries_total', help: 'Retries scheduled after a failed reconcile (with backoff).', registers: [registry] });
  new Gauge({ name: 'netprofile_workqueue_depth', help: 'Keys waiting in the work queue.', registers: [registry], collect() { this.set(queue?.length ?? 0); } });
  new Gauge({ name: 'netprofile_workqueue_longest_running_processor_seconds', help: 'How long the longest-running reconcile has been running.', registers: [registry], collect() { this.set((queue?.longestRunningMs() ?? 0) / 1000); } });
  new Gauge({ name: 'netprofile_workqueue_unfinished_work_seconds', help: 'Seconds of work in progress not yet observed by reconcile_duration (the sum over running reconciles).', registers: [registry], collect() { this.set((queue?.unfinishedMs() ?? 0) / 1000); } });
  return {
    registry, reconciles, reconcileDuration, commits, findings, leader, queueAdds, queueRetries,
    bindQueue(q) { queue = q; },
    setFindings(byProfile) { findingsSource = byProfile; },
  };
}
