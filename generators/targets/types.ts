// What a target makes of the components' output: the objects in apply order (stdout, KRM) and the
// files of the tree below plan.gitops.path (README.md and .netprofile/ are added by render.ts).
import type { Plan } from '../plan/types.js';
import type { K8sObject } from '../components/types.js';
import type { NamedOutput } from '../components/index.js';

export interface TargetOutput {
  objects: K8sObject[];
  /** Relative path → content. */
  files: Record<string, string>;
  /** How this target's tree is applied, for the README (one sentence each). */
  howToApply: string[];
  /** Steps the target itself needs (e.g. Argo CD Application health), one sentence each. */
  manualSteps: string[];
}

export type TargetRenderer = (plan: Plan, components: NamedOutput[]) => TargetOutput;
