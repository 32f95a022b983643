// One reconcile of one NetworkProfile: facts (the Nodes, plus metadata probes when enabled) →
// check → plan → render → publish → status. The same pure pipeline as the command line; this file
// adds the cluster I/O around it. Status is patched only when it differs from what the object
// already carries, and Git is only touched when the rendered tree differs from the last one this
// replica published, so an idle resync writes nothing anywhere.
import { createHash } from 'node:crypto';
import { checkProfile, InputError } from '../generators/api/parse.js';
import { hasErrors, type Finding } from '../generators/api/findings.js';
import { detectEnvironment, nodeFactsFromList, type Detection } from '../generators/detect/detect.js';
import { planProfile } from '../generators/plan/plan.js';
import type { Plan } from '../generators/plan/types.js';
import { renderTree, type RenderedTree } from '../generators/render.js';
import type { Clock } from './clock.js';
import type { KubeObject } from './informer.js';
import { KubeError, metaTime, type KubeApi } from './kube.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { CredentialsError, type Publisher } from './publisher.js';
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
  getNodes(): KubeObject[];
  /** Extra evidence from instance-metadata probes (empty when --probe-metadata is off). */
  probeEvidence(): string[];
  /** Checked right before publishing: only the leader may write to Git. */
  canPublish(): boolean;
  /** The operator's ServiceAccount (named in RBAC hints); default netprofile-system/netprofile-operator. */
  serviceAccount?: ServiceAccountRef;
}

const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'netprofile-system', name: 'netprofile-operator' };

/** Raised when publishing failed; the status was written, the queue backs off. */
export class PublishFailed extends Error {}

const CONTROLLER = 'netprofile-operator';

export class Reconciler {
  /** Hash of the last tree this replica published (or found already in Git) per profile. */
  private readonly published = new Map<string, string>();
  readonly findingsByProfile = new Map<string, Finding[]>();

  constructor(private readonly d: ReconcilerDeps) {}

  forget(key: string): void {
    this.published.delete(key);
    this.findingsByProfile.delete(key);
    this.d.metrics.setFindings(this.findingsByProfile);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.d.getProfile(key);
    if (!obj) { this.forget(key); return 'deleted'; }
    const started = process.hrtime.bigint();
    let result: ReconcileResult = 'error';
    try {
      result = await this.reconcileObject(key, obj);
      return result;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.d.metrics.reconciles.inc({ result });
      this.d.metrics.reconcileDuration.observe({ result }, seconds);
    }
  }

  private async reconcileObject(key: string, obj: KubeObject): Promise<ReconcileResult> {
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
      let facts: Detection | undefined;
      try {
        facts = detectEnvironment(nodeFactsFromList({ kind: 'NodeList', items: this.d.getNodes() }, 'the cluster\'s Nodes'));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        detectProblem = e.message;
      }
      plan = planProfile(parsed.profile, { facts });
      findings = plan.findings;
    }
    this.findingsByProfile.set(key, findings);
    this.d.metrics.setFindings(this.findingsByProfile);

    const envStatus = environmentStatus(plan)!;
    const probes = this.d.probeEvidence();
    if (probes.length) envStatus.evidence = [...(envStatus.evidence ?? []), ...probes];
    const detected: DesiredCondition = plan && plan.environment.type !== null
      ? { type: 'Detected', status: 'True', reason: plan.environment.source === 'explicit' ? 'Explicit' : 'Detected', message: `${plan.environment.type}${plan.environment.provider ? `/${plan.environment.provider}` : ''}${plan.environment.managed ? ' (managed)' : ''} from ${plan.environment.source === 'explicit' ? 'spec.environment' : `${this.d.getNodes().length} node(s)`}` }
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
      if (this.published.get(key) === hash && publishedBefore?.status === 'True') {
        publishedCond = { type: 'Published', status: 'True', reason: publishedBefore.reason, message: publishedBefore.message };
        result = 'unchanged';
      } else if (!this.d.canPublish()) {
        log.info('not the leader: not publishing');
        return 'skipped';
      } else {
        try {
          const outcome = await this.publish(plan, tree, repo, namespace, log, obj);
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
          failure = e as Error;
          result = 'error';
          const credentials = e instanceof CredentialsError;
          publishedCond = { type: 'Published', status: 'False', reason: credentials ? 'CredentialsUnavailable' : 'PublishFailed', message: oneLine((e as Error).message) };
          if (publishedBefore?.reason !== publishedCond.reason || publishedBefore?.status !== 'False') {
            event = { reason: 'PublishFailed', type: 'Warning', message: publishedCond.message };
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

  private async publish(plan: Plan, tree: RenderedTree, repo: { url: string; branch: string; secretRef: { name: string } | null }, namespace: string, log: Logger, obj: KubeObject) {
    const credentials = await readCredentials(this.d.api, namespace, repo.secretRef?.name, repo.url, this.d.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
    // deletionPolicy: prune and the target moved: the old tree goes, in the same commit when it
    // is in the same repository and branch (operator/finalizer.ts).
    const remove = await staleTree(this.lifecycle(log), obj, { repo: repo.url, branch: repo.branch, path: plan.gitops.path });
    const outcome = await this.d.publisher({ repo: repo.url, branch: repo.branch, reviewBranch: reviewBranchOf(obj), trees: [tree], remove, message: plan.gitops.commitMessage, author: this.d.author, credentials, dryRun: false });
    log.info(outcome.changed ? 'published' : 'already up to date', { repo: repo.url, branch: repo.branch, path: plan.gitops.path, sha: outcome.sha, attempts: outcome.attempts });
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

function oneLine(s: string): string { return s.replace(/\s+/g, ' ').trim().slice(0, 1000); }

export function treeHash(tree: RenderedTree, url: string, branch: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([url, branch, tree.path, tree.target]));
  for (const [k, v] of Object.entries(tree.files)) h.update(`\u0000${k}\u0000${v}`);
  return h.digest('hex');
}
