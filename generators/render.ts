// The render entry point every edge calls: plan in, objects or a file tree out. Pure:
// components (one generator each) → target (flux | argocd | plain) → files, README, plan.json.
import type { Plan } from './plan/types.js';
import { planToJSON } from './plan/output.js';
import type { K8sObject } from './components/types.js';
import { renderComponents, type NamedOutput } from './components/index.js';
import { TARGET_RENDERERS } from './targets/index.js';
import type { TargetOutput } from './targets/types.js';
import { toDocuments } from './targets/yaml.js';
import { renderReadme } from './readme/readme.js';

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

function renderTarget(plan: Plan, target: Target): { components: NamedOutput[]; out: TargetOutput } {
  if (plan.findings.some((f) => f.severity === 'error')) throw new RenderRefused(plan);
  const renderer = TARGET_RENDERERS[target];
  if (!renderer) throw new Error(`unknown target ${String(target)}; use one of ${TARGETS.join(', ')}`);
  const components = renderComponents(plan);
  return { components, out: renderer(plan, components) };
}

/** All objects of a profile, in apply order. Throws RenderRefused when the plan has errors. */
export function renderObjects(plan: Plan, target: Target = plan.gitops.engine): K8sObject[] {
  return renderTarget(plan, target).out.objects;
}

const COMPONENT_TITLES: Record<string, string> = {
  cilium: 'Cilium', metallb: 'MetalLB', purelb: 'PureLB', ccm: 'Cloud controller manager', spiderpool: 'Spiderpool',
};

export function renderTree(plan: Plan, target: Target = plan.gitops.engine): RenderedTree {
  const { components, out } = renderTarget(plan, target);
  const files: Record<string, string> = { ...out.files };
  files['.netprofile/plan.json'] = JSON.stringify(planToJSON(plan), null, 2) + '\n';
  const listed = Object.keys(files).concat('README.md').sort(byPath);
  const manualSteps = components.map((c) => ({ component: COMPONENT_TITLES[c.component] ?? c.component, items: unique(c.output.manualSteps) }));
  if (out.manualSteps.length) manualSteps.push({ component: target === 'argocd' ? 'Argo CD' : target === 'flux' ? 'Flux' : 'Install', items: out.manualSteps });
  files['README.md'] = renderReadme({ plan, target, howToApply: out.howToApply, files: listed, manualSteps });
  return { profile: plan.profile, path: plan.gitops.path, target, files: sortKeys(files) };
}

/** Multi-document YAML of the objects, as `render` prints without --out. */
export function renderStream(plans: Plan[], target?: Target): string {
  return plans.map((p) => toDocuments(renderObjects(p, target ?? p.gitops.engine))).filter((s) => s.length).join('---\n');
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function sortKeys(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => byPath(a, b)));
}
