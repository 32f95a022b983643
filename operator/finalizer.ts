// The published tree's lifecycle (spec.gitops.deletionPolicy, api.md §1): under `prune` a profile
// carries the finalizer netprofile.io/gitops, and the tree it published (status.lastCommit: repo,
// branch, path) is removed from Git when the profile is deleted or its target moves (another path,
// repository or branch), before the finalizer goes. Under `orphan` (the default) the tree stays in
// Git and no finalizer is kept, so deleting a profile never waits on the operator.
import type { KubeObject } from './informer.js';
import type { KubeApi } from './kube.js';
import type { Logger } from './log.js';
import type { Publisher } from './publisher.js';
import { readCredentials, type ServiceAccountRef } from './secrets.js';

export const FINALIZER = 'netprofile.io/gitops';

export type DeletionPolicy = 'orphan' | 'prune';

/** Where a tree was (or is to be) published. */
export interface Target { repo: string; branch: string; path: string }

/** spec.gitops.reviewBranch, or undefined when the profile commits straight to repo.branch. */
export function reviewBranchOf(obj: KubeObject): string | undefined {
  const v = (obj.spec as { gitops?: { reviewBranch?: unknown } } | undefined)?.gitops?.reviewBranch;
  return typeof v === 'string' && v ? v : undefined;
}

export function deletionPolicyOf(obj: KubeObject): DeletionPolicy {
  const spec = obj.spec as { gitops?: { deletionPolicy?: unknown } } | undefined;
  return spec?.gitops?.deletionPolicy === 'prune' ? 'prune' : 'orphan';
}

export function finalizersOf(obj: KubeObject): string[] {
  const f = obj.metadata.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

/** The target the status says was published last; null when nothing was (or it predates branch). */
export function publishedTarget(obj: KubeObject, defaultBranch = 'main'): Target | null {
  const lc = (obj.status as { lastCommit?: { repo?: string; branch?: string; path?: string; sha?: string } } | undefined)?.lastCommit;
  if (!lc?.repo || !lc.path || !lc.sha) return null;
  return { repo: lc.repo, branch: lc.branch || defaultBranch, path: lc.path };
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.repo === b.repo && a.branch === b.branch && a.path.replace(/\/+$/, '') === b.path.replace(/\/+$/, '');
}

export function sameRepository(a: Target, b: Target): boolean {
  return a.repo === b.repo && a.branch === b.branch;
}

export interface LifecycleDeps {
  api: KubeApi;
  publisher: Publisher;
  author: { name: string; email: string };
  serviceAccount: ServiceAccountRef;
  log: Logger;
  emit(obj: KubeObject, e: { reason: string; type: 'Normal' | 'Warning'; message: string }): Promise<void>;
}

/** Adds or removes our finalizer (a merge patch guarded by resourceVersion: a 409 retries). */
async function setFinalizer(d: LifecycleDeps, obj: KubeObject, present: boolean): Promise<void> {
  const current = finalizersOf(obj);
  if (current.includes(FINALIZER) === present) return;
  const next = present ? [...current, FINALIZER] : current.filter((f) => f !== FINALIZER);
  await d.api.patchProfileMetadata(obj.metadata.namespace ?? 'default', obj.metadata.name, { finalizers: next, resourceVersion: obj.metadata.resourceVersion });
  obj.metadata.finalizers = next;
}

/** Before planning a live profile: the finalizer present exactly when the policy is prune. */
export async function ensureFinalizer(d: LifecycleDeps, obj: KubeObject): Promise<void> {
  const spec = obj.spec as { gitops?: { repo?: unknown } } | undefined;
  await setFinalizer(d, obj, deletionPolicyOf(obj) === 'prune' && !!spec?.gitops?.repo);
}

/** Removes the tree at `target` in one commit (nothing when it is already gone). */
export async function pruneTree(d: LifecycleDeps, obj: KubeObject, target: Target, why: string): Promise<{ changed: boolean; sha: string }> {
  const namespace = obj.metadata.namespace ?? 'default';
  const spec = obj.spec as { gitops?: { repo?: { secretRef?: { name?: string } } } } | undefined;
  const credentials = await readCredentials(d.api, namespace, spec?.gitops?.repo?.secretRef?.name, target.repo, d.serviceAccount);
  const message = `netprofile: remove ${target.path} (${why}, deletionPolicy: prune)\n`;
  const r = await d.publisher({ repo: target.repo, branch: target.branch, trees: [], remove: [target.path], reviewBranch: reviewBranchOf(obj), message, author: d.author, credentials, dryRun: false });
  d.log.info(r.changed ? 'pruned the published tree' : 'the published tree was already gone', { repo: target.repo, branch: target.branch, path: target.path, sha: r.sha });
  return { changed: r.changed, sha: r.sha };
}

/**
 * A profile being deleted: under prune, remove its published tree, then the finalizer. Errors
 * propagate (the queue backs off and retries; the finalizer stays until the tree is gone).
 */
export async function finalize(d: LifecycleDeps, obj: KubeObject): Promise<void> {
  if (!finalizersOf(obj).includes(FINALIZER)) return;
  const target = publishedTarget(obj);
  if (deletionPolicyOf(obj) === 'prune' && target) {
    let pruned: { changed: boolean; sha: string };
    try {
      pruned = await pruneTree(d, obj, target, `profile ${obj.metadata.namespace}/${obj.metadata.name} deleted`);
    } catch (e) {
      await d.emit(obj, { reason: 'PruneFailed', type: 'Warning', message: `${target.path} in ${target.repo} (${target.branch}) could not be removed; the finalizer ${FINALIZER} stays until it is (set spec.gitops.deletionPolicy: orphan to leave the tree): ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 600)}` });
      throw e;
    }
    if (pruned.changed) await d.emit(obj, { reason: 'Pruned', type: 'Normal', message: `removed ${target.path} from ${target.repo} (${target.branch}) in commit ${pruned.sha.slice(0, 12)}` });
  }
  await setFinalizer(d, obj, false);
}

/**
 * Under prune, when the profile's target moved away from what it last published: the old path to
 * remove in the same commit (same repository and branch), or [] after removing it from the other
 * repository or branch first. [] under orphan or when nothing moved.
 */
export async function staleTree(d: LifecycleDeps, obj: KubeObject, target: Target): Promise<string[]> {
  if (deletionPolicyOf(obj) !== 'prune') return [];
  const before = publishedTarget(obj, target.branch);
  if (!before || sameTarget(before, target)) return [];
  if (!sameRepository(before, target)) {
    await pruneTree(d, obj, before, `profile ${obj.metadata.namespace}/${obj.metadata.name} moved to ${target.path} in ${target.repo} (${target.branch})`);
    return [];
  }
  const a = before.path.replace(/\/+$/, '');
  const b = target.path.replace(/\/+$/, '');
  // A path inside the other is replaced by the publish itself, not removed.
  if (a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) return [];
  return [a];
}
