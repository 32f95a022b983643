// The render entry point every edge calls: plan in, objects or a file tree out. Pure.
// (Initial version: the tree skeleton; components and targets fill it in.)
import { stringify } from 'yaml';
import type { Plan } from './plan/types.js';
import { planToJSON } from './plan/output.js';
import type { K8sObject } from './components/types.js';

export type Target = 'flux' | 'argocd' | 'plain';
export const TARGETS: readonly Target[] = ['flux', 'argocd', 'plain'];

export interface RenderedTree {
  profile: string;
  /** Where the tree lands: spec.gitops.path (relative, already validated). */
  path: string;
  target: Target;
  /** Relative file path (forward slashes) → content; keys sorted. */
  files: Record<string, string>;
}

export class RenderRefused extends Error {
  constructor(readonly plan: Plan) {
    super(`profile ${plan.profile} has error findings; nothing is rendered`);
  }
}

/** All objects of a profile, in apply order. Throws RenderRefused when the plan has errors. */
export function renderObjects(plan: Plan, target: Target = plan.gitops.engine): K8sObject[] {
  if (plan.findings.some((f) => f.severity === 'error')) throw new RenderRefused(plan);
  void target;
  return [];
}

export function renderTree(plan: Plan, target: Target = plan.gitops.engine): RenderedTree {
  const objects = renderObjects(plan, target);
  const files: Record<string, string> = {};
  files['kustomization.yaml'] = stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: objects.length ? ['controllers', 'configs'] : [] });
  files['README.md'] = `# ${plan.cluster.name} network\n`;
  files['.netprofile/plan.json'] = JSON.stringify(planToJSON(plan), null, 2) + '\n';
  return { profile: plan.profile, path: plan.gitops.path, target, files: sortKeys(files) };
}

/** Multi-document YAML of the objects, as `render` prints without --out. */
export function renderStream(plans: Plan[], target?: Target): string {
  return plans.flatMap((p) => renderObjects(p, target ?? p.gitops.engine)).map((o) => stringify(o)).join('---\n');
}

function sortKeys(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
