// The one render the three plugin edges share (KRM function, legacy exec plugin, Argo CD CMP):
// a decoded NetworkProfile in, objects and findings out. The only I/O is reading the Node list
// named by spec.environment.factsFrom, which must stay inside `root` (kustomize's load
// restrictor: the kustomization directory; for Argo CD: the profile's directory in the app).
// Imports only what rendering needs: never @kubernetes/client-node (start-up is the latency of
// every `kustomize build` and every Argo CD refresh).
import { checkProfile } from '../generators/api/parse.js';
import type { Finding } from '../generators/api/findings.js';
import { planProfile } from '../generators/plan/plan.js';
import type { Plan } from '../generators/plan/types.js';
import { renderObjects, TARGETS, type Target } from '../generators/render.js';
import type { K8sObject } from '../generators/components/types.js';
import { factsFromProfile } from '../cli/load.js';
import { ciliumValuesChecker } from '../cli/values.js';

/** Annotation on a NetworkProfile that picks the render target inside kustomize / Argo CD. */
export const TARGET_ANNOTATION = 'netprofile.io/target';

export interface ProfileRender {
  /** metadata.name, or a stand-in for messages. */
  name: string;
  findings: Finding[];
  /** Empty whenever a finding is an error. */
  objects: K8sObject[];
  target: Target | null;
  plan?: Plan;
  /** The Node list read, when factsFrom was used. */
  factsFile?: string;
}

export interface RenderOptions {
  /** Label of the profile in messages (a file path, or "functionConfig"). */
  file: string;
  document?: number;
  /** Directory factsFrom is resolved against and must stay inside. */
  root: string;
  /** A target that wins over the annotation and the default (Argo CD env). */
  target?: Target;
  /** The target when neither the override nor the annotation says. */
  defaultTarget: (profileEngine: Target, engineExplicit: boolean) => Target;
}

/** Reads the target annotation; a finding when it holds something else than a target. */
function annotatedTarget(value: unknown, findings: Finding[]): Target | undefined {
  const raw = (value as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations?.[TARGET_ANNOTATION];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && (TARGETS as readonly string[]).includes(raw)) return raw as Target;
  findings.push({ rule: 'invalid-field', severity: 'error', path: `metadata.annotations["${TARGET_ANNOTATION}"]`, message: `metadata.annotations["${TARGET_ANNOTATION}"] is ${JSON.stringify(raw).slice(0, 40)}; set it to one of ${TARGETS.join(', ')}.` });
  return undefined;
}

/**
 * Validates, plans and renders one decoded profile. Throws InputError when the Node list cannot
 * be read or factsFrom leaves the root (an I/O problem, exit 2 at the edges).
 */
export function renderProfileValue(value: unknown, options: RenderOptions): ProfileRender {
  const parsed = checkProfile(value, options.file, options.document ?? 0);
  if (!parsed.profile) return { name: parsed.name, findings: parsed.findings, objects: [], target: null };
  const profile = parsed.profile;
  const found = factsFromProfile(profile, options.root, options.file);
  const factsFile = found?.path;
  const plan = planProfile(profile, { facts: found?.facts, checkCiliumValues: ciliumValuesChecker() });
  const findings = [...plan.findings];
  const rawEngine = (value as { spec?: { gitops?: { engine?: unknown } } })?.spec?.gitops?.engine;
  const target = options.target ?? annotatedTarget(value, findings) ?? options.defaultTarget(plan.gitops.engine, rawEngine !== undefined);
  const rejected = findings.some((f) => f.severity === 'error');
  const objects = rejected ? [] : renderObjects(plan, target);
  return { name: parsed.name, findings, objects, target, plan, factsFile };
}
