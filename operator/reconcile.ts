// One reconcile of one NetworkProfile: facts (the Nodes, plus metadata probes when enabled) →
// check → plan → render → publish → status. The same pure pipeline as the command line; this file
// adds the cluster I/O around it. Status is patched only when it differs from what the object
// already carries, and Git is only touched when the rendered tree differs from the last one this
// replica published, so an idle resync writes nothing anywhere.
import { createHash } from 'node:crypto';
import { checkProfile } from '../generators/api/parse.js';
import { hasErrors, type Finding } from '../generators/api/findings.js';
import type { Detection } from '../generators/detect/detect.js';
import { planProfile } from '../generators/plan/plan.js';
import type { Plan } from '../generators/plan/types.js';
import { renderTree, type RenderedTree } from '../generators/render.js';
import type { Clock } from './clock.js';
import type { KubeObject } from './informer.js';
import { KubeError, metaTime, type KubeApi } from './kube.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { CredentialsError, type Publisher, type PublishRequest } from './publisher.js';
import { readCredentials, type ServiceAccountRef } from './secrets.js';
import { ensureFinalizer, finalize, reviewBranchOf, sameTarget, staleTree, type LifecycleDeps } from './finalizer.js';
import { conditionOf, environmentStatus, findingsStatus, mergeConditions, mergePatchFor, planSummary, sameJSON, type DesiredCondition, type ProfileStatus } from './status.js';

export type ReconcileResult = 'published' | 'unchanged' | 'rejected' | 'error' | 'deleted' | 'skipped';

export interface ReconcilerDeps {
  api: KubeApi;
  publisher: Publisher;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  identity: string;
  author: { name: string; email: string };
  getProfile(key: string): KubeObject | undefined;
  /**
   * The environment detected from the Nodes, computed once per change of the Nodes' facts and
   * shared by every profile (operator.ts); `problem` when a Node could not be read.
   */
  getDetection(): { facts?: Detection; problem: string | null };
  /** Extra evidence from instance-metadata probes (empty when --probe-metadata is off). */
  probeEvidence(): string[];
  /** Checked right before publishing: only the leader may write to Git. */
  canPublish(): boolean;
  /** Aborted when the operator stops or loses its Lease: in-flight Git work ends. */
  signal?: AbortSignal;
  /** Re-checks the Lease against the API right before a push (throws when it is no longer ours). */
  confirmLeadership?(): Promise<void>;
  /** The operator's ServiceAccount (named in RBAC hints); default netprofile-system/netprofile-operator. */
  serviceAccount?: ServiceAccountRef;
}

const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'netprofile-system', name: 'netprofile-operator' };

/** Raised when publishing failed; the status was written, the queue backs off. */
export class PublishFailed extends Error {}

/**
 * Raised by the pre-push check: the profile moved on (a new generation, a deletion) or this
 * replica is no longer the leader or is stopping. Nothing is pushed and no status is written;
 * the newer generation's own event runs the key again.
 */
export class Fenced extends Error {}

const CONTROLLER = 'netprofile-operator';

export class Reconciler {
  /** Hash of the last tree this replica published (or found already in Git) per profile. */
  private readonly published = new Map<string, string>();
  readonly findingsByProfile = new Map<string, Finding[]>();

  constructor(private readonly d: ReconcilerDeps) {}

  forget(key: string): void {
    this.published.delete(key);
    this.d.publisher.forget?.(key);
    this.findingsByProfile.delete(key);
    this.d.metrics.setFindings(this.findingsByProfile);
  }

  /**
   * `release` (from the work queue): called while the reconcile waits on the publisher, so the
   * worker serves other profiles meanwhile and a lane of the batching publisher collects them all.
   */
  async reconcile(key: string, release?: () => () => Promise<void>): Promise<ReconcileResult> {
    const obj = this.d.getProfile(key);
    if (!obj) { this.forget(key); return 'deleted'; }
    const started = process.hrtime.bigint();
    let result: ReconcileResult = 'error';
    try {
      result = await this.reconcileObject(key, obj, release);
      return result;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.d.metrics.reconciles.inc({ result });
      this.d.metrics.reconcileDuration.observe({ result }, seconds);
    }
  }

  private async reconcileObject(key: string, obj: KubeObject, release?: () => () => Promise<void>): Promise<ReconcileResult> {
    const log = this.d.log.with({ profile: key });
    // The published tree's lifecycle (operator/finalizer.ts): a deleted profile is finalized, a
    // live one carries the finalizer exactly when its deletionPolicy is prune.
    if (obj.metadata.deletionTimestamp) {
      if (!this.d.canPublish()) return 'skipped';
      await finalize(this.lifecycle(log), obj);
      return 'deleted';
    }
    if (this.d.canPublish()) await ensureFinalizer(this.lifecycle(log), obj);
    const namespace = obj.metadata.namespace ?? 'default';
    const name = obj.metadata.name;
    const generation = typeof obj.metadata.generation === 'number' ? obj.metadata.generation : 0;
    const current = (obj.status && typeof obj.status === 'object' ? obj.status : {}) as ProfileStatus;
    const now = this.d.clock.now();

    // Validate the spec exactly as a file would be; the API server's own fields are not ours.
    const parsed = checkProfile({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name, namespace, ...(obj.metadata.labels ? { labels: obj.metadata.labels } : {}) }, spec: obj.spec }, `${PLURAL_LABEL}/${name} in ${namespace}`);
    let plan: Plan | null = null;
    let findings: Finding[] = parsed.findings;
    let detectProblem: string | null = null;
    if (parsed.profile) {
      const shared = this.d.getDetection();
      detectProblem = shared.problem;
      plan = planProfile(parsed.profile, { facts: shared.facts });
      findings = plan.findings;
    }
    this.findingsByProfile.set(key, findings);
    this.d.metrics.setFindings(this.findingsByProfile);

    const envStatus = environmentStatus(plan)!;
    const probes = this.d.probeEvidence();
    if (probes.length) envStatus.evidence = [...(envStatus.evidence ?? []), ...probes];
    const detected: DesiredCondition = plan && plan.environment.type !== null
      ? { type: 'Detected', status: 'True', reason: plan.environment.source === 'explicit' ? 'Explicit' : 'Detected', message: `${plan.environment.type}${plan.environment.provider ? `/${plan.environment.provider}` : ''}${plan.environment.managed ? ' (managed)' : ''} from ${plan.environment.source === 'explicit' ? 'spec.environment' : 'the Nodes'}` }
      : { type: 'Detected', status: 'False', reason: plan ? 'EnvironmentUnknown' : 'InvalidSpec', message: detectProblem ?? findings.find((f) => f.rule === 'environment-unknown')?.message ?? (plan ? 'the environment could not be determined' : 'the spec did not validate; see status.findings') };
    const errors = findings.filter((f) => f.severity === 'error');
    const planned: DesiredCondition = errors.length === 0 && plan
      ? { type: 'Planned', status: 'True', reason: 'Planned', message: `${plan.decisions.length} decision(s), ${findings.length} warning(s)` }
      : { type: 'Planned', status: 'False', reason: 'Rejected', message: `${errors.length} error finding(s): ${errors[0] ? `${errors[0].path}: ${errors[0].message} [${errors[0].rule}]` : 'the spec did not validate'}` };

    let publishedCond: DesiredCondition;
    let lastCommit = current.lastCommit;
    let result: ReconcileResult;
    let failure: Error | null = null;
    let event: { reason: string; type: 'Normal' | 'Warning'; message: string } | null = null;

    if (!plan || hasErrors(findings)) {
      publishedCond = { type: 'Published', status: 'False', reason: 'Rejected', message: 'the profile has error findings; nothing was published' };
      result = 'rejected';
      if (conditionOf(current, 'Planned')?.status !== 'False' || conditionOf(current, 'Planned')?.message !== planned.message) {
        event = { reason: 'Rejected', type: 'Warning', message: planned.message };
      }
    } else if (!plan.gitops.repo) {
      publishedCond = { type: 'Published', status: 'False', reason: 'NoRepository', message: 'spec.gitops.repo is not set: set spec.gitops.repo.url (and secretRef) to publish' };
      result = 'skipped';
    } else {
      const repo = plan.gitops.repo;
      const tree = renderTree(plan);
      const hash = treeHash(tree, repo.url, `${repo.branch}${reviewBranchOf(obj) ? ` review:${reviewBranchOf(obj)}` : ""}`);
      const publishedBefore = conditionOf(current, 'Published');
      // The same tree as last published: a level-triggered publisher still checks Git (one
      // ls-remote while the branch has not moved; drift is repaired), any other is not asked.
      const same = this.published.get(key) === hash && publishedBefore?.status === 'True';
      if (same && !this.d.publisher.levelTriggered) {
        publishedCond = { type: 'Published', status: 'True', reason: publishedBefore.reason, message: publishedBefore.message };
        result = 'unchanged';
      } else if (!this.d.canPublish()) {
        log.info('not the leader: not publishing');
        return 'skipped';
      } else {
        try {
          const outcome = await this.publish(plan, tree, repo, namespace, log, obj, key, generation, { hash, same, release });
          this.published.set(key, hash);
          if (outcome.changed) {
            lastCommit = { sha: outcome.sha, path: plan.gitops.path, time: metaTime(now), repo: repo.url, branch: repo.branch };
            this.d.metrics.commits.inc();
            result = 'published';
            event = { reason: 'Published', type: 'Normal', message: `commit ${outcome.sha.slice(0, 12)} to ${repo.url} (${repo.branch}) under ${plan.gitops.path}` };
          } else {
            result = 'unchanged';
            const target = { repo: repo.url, branch: repo.branch, path: plan.gitops.path };
            const last = lastCommit?.sha && lastCommit.repo && lastCommit.path ? { repo: lastCommit.repo, branch: lastCommit.branch || repo.branch, path: lastCommit.path } : null;
            if (outcome.sha && (!last || !sameTarget(last, target))) lastCommit = { sha: outcome.sha, path: plan.gitops.path, time: '', repo: repo.url, branch: repo.branch };
          }
          const review = reviewBranchOf(obj);
          publishedCond = { type: 'Published', status: 'True', reason: 'Published', message: review ? `${plan.gitops.path} in ${repo.url} is up to date on review branch ${review} (made from ${repo.branch}; merge its pull request to deliver)` : `${plan.gitops.path} in ${repo.url} (${repo.branch}) is up to date` };
        } catch (e) {
          if (e instanceof Fenced || this.d.signal?.aborted) {
            log.info('not pushing', { reason: (e as Error).message });
            return 'skipped';
          }
          failure = e as Error;
          result = 'error';
          const credentials = e instanceof CredentialsError;
          // The condition carries a stable message (durations, ports and temporary paths
          // normalised), so a failure whose text changes between attempts does not rewrite status
          // on every retry; the Event and the log carry the full text.
          publishedCond = { type: 'Published', status: 'False', reason: credentials ? 'CredentialsUnavailable' : 'PublishFailed', message: stableMessage((e as Error).message) };
          if (publishedBefore?.reason !== publishedCond.reason || publishedBefore?.status !== 'False') {
            event = { reason: 'PublishFailed', type: 'Warning', message: oneLine((e as Error).message) };
          }
          log.error('publish failed', { error: (e as Error).message });
        }
      }
    }

    const ready: DesiredCondition = planned.status === 'True' && publishedCond.status === 'True'
      ? { type: 'Ready', status: 'True', reason: 'Ready', message: 'planned and published' }
      : { type: 'Ready', status: 'False', reason: planned.status !== 'True' ? 'Rejected' : publishedCond.reason, message: planned.status !== 'True' ? planned.message : publishedCond.message };

    const desired: ProfileStatus = {
      observedGeneration: generation,
      conditions: mergeConditions(current.conditions, [detected, planned, publishedCond, ready], generation, metaTime(now)),
      environment: envStatus,
      plan: planSummary(plan),
      findings: findingsStatus(findings),
      ...(lastCommit ? { lastCommit } : {}),
    };
    if (!sameJSON(current, desired)) {
      if (!this.d.canPublish()) { log.info('not the leader: not writing status'); return 'skipped'; }
      try {
        await this.d.api.patchProfileStatus(namespace, name, mergePatchFor(current, desired) as Record<string, unknown>);
        // The cache sees our write only when its watch event arrives; until then, a reconcile of
        // the same object must not write the same status again.
        obj.status = desired;
        log.info('status updated', { ready: ready.status, reason: ready.reason, generation });
      } catch (e) {
        if (e instanceof KubeError && e.code === 404) return 'deleted';
        throw e;
      }
    }
    if (event) await this.emitEvent(obj, event, log);
    if (failure) throw new PublishFailed(failure.message);
    return result;
  }

  private lifecycle(log: Logger): LifecycleDeps {
    return { api: this.d.api, publisher: this.d.publisher, author: this.d.author, serviceAccount: this.d.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT, log, emit: (obj, e) => this.emitEvent(obj, e, log) };
  }

  /**
   * The fence checked right before every push (and before publishing starts): this replica still
   * holds the Lease (re-read from the API), is not stopping, and the profile in the cache is
   * still the generation being published. Throws Fenced otherwise. `readLease: false` (a re-check
   * of an unchanged tree, which pushes only after its own beforePush fence) skips the API read.
   */
  private async fence(key: string, generation: number, readLease = true): Promise<void> {
    if (this.d.signal?.aborted) throw new Fenced('the operator is stopping');
    if (!this.d.canPublish()) throw new Fenced('this replica is not the leader');
    if (readLease) await this.d.confirmLeadership?.();
    const current = this.d.getProfile(key);
    if (!current) throw new Fenced('the profile was deleted while publishing');
    const now = typeof current.metadata.generation === 'number' ? current.metadata.generation : 0;
    if (now !== generation) throw new Fenced(`the profile moved from generation ${generation} to ${now} while publishing; the newer generation publishes`);
    if (current.metadata.deletionTimestamp) throw new Fenced('the profile is being deleted');
  }

  private async publish(plan: Plan, tree: RenderedTree, repo: { url: string; branch: string; secretRef: { name: string } | null }, namespace: string, log: Logger, obj: KubeObject, key: string, generation: number, o: { hash: string; same: boolean; release?: () => () => Promise<void> }) {
    const credentials = await readCredentials(this.d.api, namespace, repo.secretRef?.name, repo.url, this.d.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
    // deletionPolicy: prune and the target moved: the old tree goes, in the same commit when it
    // is in the same repository and branch (operator/finalizer.ts).
    const remove = await staleTree(this.lifecycle(log), obj, { repo: repo.url, branch: repo.branch, path: plan.gitops.path });
    // A re-check of an unchanged tree pushes nothing unless Git drifted, and every push is fenced
    // right before it: the Lease is re-read up front only when a change is expected.
    await this.fence(key, generation, !o.same);
    const request: PublishRequest & FencedRequest = {
      repo: repo.url, branch: repo.branch, reviewBranch: reviewBranchOf(obj), trees: [tree], remove, message: plan.gitops.commitMessage, author: this.d.author, credentials, dryRun: false,
      key, hash: o.hash,
      ...(this.d.signal ? { signal: this.d.signal } : {}),
      beforePush: () => this.fence(key, generation),
    };
    // The wait for the repository's lane gives the worker back to the queue meanwhile.
    const resume = o.release?.();
    let outcome;
    try { outcome = await this.d.publisher(request); } finally { await resume?.(); }
    if (outcome.changed || !o.same) log.info(outcome.changed ? (o.same ? 'repaired drift in Git' : 'published') : 'already up to date', { repo: repo.url, branch: repo.branch, path: plan.gitops.path, sha: outcome.sha, attempts: outcome.attempts });
    return outcome;
  }

  private async emitEvent(obj: KubeObject, e: { reason: string; type: 'Normal' | 'Warning'; message: string }, log: Logger): Promise<void> {
    const t = metaTime(this.d.clock.now());
    const namespace = obj.metadata.namespace ?? 'default';
    try {
      await this.d.api.createEvent({
        metadata: { generateName: `${obj.metadata.name}.`, namespace },
        involvedObject: { apiVersion: obj.apiVersion ?? 'netprofile.io/v1alpha1', kind: 'NetworkProfile', name: obj.metadata.name, namespace, ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}), ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}) },
        reason: e.reason,
        message: e.message.slice(0, 1024),
        type: e.type,
        action: e.reason === 'Published' ? 'Publish' : e.reason === 'Rejected' ? 'Plan' : 'Publish',
        source: { component: CONTROLLER },
        reportingComponent: `netprofile.io/${CONTROLLER}`,
        reportingInstance: this.d.identity,
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
      });
    } catch (err) {
      // An Event is a courtesy: failing to record one never fails the reconcile.
      log.error('could not record Event', { reason: e.reason, error: (err as Error).message });
    }
  }
}

const PLURAL_LABEL = 'networkprofile';

/** What the operator adds to a publish request: abort on stop or lost Lease, and the pre-push fence. */
export interface FencedRequest {
  signal?: AbortSignal;
  /** Called right before each push; throws to refuse it. */
  beforePush?: () => Promise<void>;
}

function oneLine(s: string): string { return s.replace(/\s+/g, ' ').trim().slice(0, 1000); }

/**
 * A failure message that stays the same between attempts of the same failure: durations ("after
 * 1234 ms", "5.2s"), port numbers of connection errors, temporary clone paths and timestamps are
 * replaced by placeholders. The full text goes to the Event and the log.
 */
export function stableMessage(text: string): string {
  return oneLine(text
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/g, '<time>')
    .replace(/(?:\/(?:tmp|var\/tmp|private\/var\/folders)\/[^\s'":,)]+)/g, '<tmp>')
    .replace(/\b\d+(?:\.\d+)?(?=\s?(?:ms|milliseconds?|µs|us|ns|seconds?|secs?|s|minutes?|mins?|m|h)\b)/g, 'N')
    .replace(/\bport \d{1,5}\b/gi, 'port N')
    .replace(/\b(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}\b/g, '$1:N')
    .replace(/\b(pid|process) \d+\b/gi, '$1 N'));
}

export function treeHash(tree: RenderedTree, url: string, branch: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([url, branch, tree.path, tree.target]));
  for (const [k, v] of Object.entries(tree.files)) h.update(`\u0000${k}\u0000${v}`);
  return h.digest('hex');
}
