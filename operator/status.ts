// status of a NetworkProfile (api.md §1), built as data from the plan and the publish result, with
// its schema defined once here: the CRD's status schema comes from statusSchema via toOpenAPI.
import { s, type Infer } from '../generators/api/schema.js';
import type { Finding } from '../generators/api/findings.js';
import type { Plan } from '../generators/plan/types.js';

const condition = s.object({
  type: s.string({ maxLength: 316, description: 'Detected, Planned, Published or Ready.' }),
  status: s.enumOf(['True', 'False', 'Unknown'], { default: 'Unknown', description: 'True, False or Unknown.' }),
  observedGeneration: s.integer({ minimum: 0, description: 'The metadata.generation the condition was set for.' }),
  lastTransitionTime: s.string({ description: 'RFC 3339 time of the last change of status.' }),
  reason: s.string({ maxLength: 1024, description: 'A CamelCase reason, e.g. PublishFailed.' }),
  message: s.string({ maxLength: 32768, description: 'What happened and what to do, for a person.' }),
}, ['type', 'status', 'lastTransitionTime', 'reason', 'message'], { description: 'A metav1.Condition.' });

export const statusSchema = s.object({
  observedGeneration: s.integer({ minimum: 0, description: 'The metadata.generation this status describes.' }),
  // One condition per type, as metav1.Condition lists are declared upstream
  // (+listType=map, +listMapKeys=type in k8s.io/apimachinery pkg/apis/meta/v1 usage).
  conditions: s.array(condition, { listType: 'map', listMapKeys: ['type'], description: 'Detected, Planned, Published and Ready (metav1.Condition), one per type.' }),
  environment: s.object({
    type: s.string({ description: 'cloud or bare-metal.' }),
    provider: s.string({ description: 'The provider, e.g. aws or alibaba; empty on bare metal without one.' }),
    managed: s.optionalBoolean({ description: 'Whether the provider runs the control plane.' }),
    source: s.string({ description: 'detected (from the Nodes), explicit (from spec.environment), mixed, or none (no facts).' }),
    evidence: s.array(s.string(), { description: 'The signals that decided, as node/NAME FIELD=VALUE, on every Node or on some Nodes.' }),
  }, [], { description: 'The environment the planner used.' }),
  plan: s.object({
    cni: s.string({ description: 'The CNI rendered (cilium or none).' }),
    loadBalancer: s.string({ description: 'The implementation that owns LoadBalancer Services.' }),
    mode: s.string({ description: 'l2 or bgp; empty for the cloud\'s load balancer.' }),
    ccm: s.string({ description: 'The cloud-controller-manager rendered; empty when none.' }),
  }, [], { description: 'A summary of the plan (netprofile plan shows all of it).' }),
  findings: s.array(s.object({
    rule: s.string({ description: 'The stable rule id, e.g. l2-on-cloud.' }),
    severity: s.string({ description: 'error (nothing is published) or warning.' }),
    path: s.string({ description: 'The field the finding is about, e.g. spec.loadBalancer.mode.' }),
    message: s.string({ description: 'What is wrong and what to do.' }),
  }, ['rule', 'severity', 'path', 'message'], { description: 'A rule finding.' }), { description: 'The planner\'s findings.' }),
  lastCommit: s.object({
    sha: s.string({ description: 'The commit that holds the published tree.' }),
    path: s.string({ description: 'The path of the tree in the repository.' }),
    time: s.string({ description: 'RFC 3339 time of the commit.' }),
    repo: s.string({ description: 'The repository URL, without credentials.' }),
    branch: s.string({ description: 'The branch the commit went to (deletionPolicy: prune removes the tree there).' }),
  }, [], { description: 'The last commit the operator published.' }),
}, [], { description: 'Written by the operator only.' });

export type ProfileStatus = Infer<typeof statusSchema>;
export type Condition = Infer<typeof condition>;
export type ConditionType = 'Detected' | 'Planned' | 'Published' | 'Ready';

export interface DesiredCondition { type: ConditionType; status: 'True' | 'False' | 'Unknown'; reason: string; message: string }

/**
 * Conditions with lastTransitionTime kept from the current status when the condition's status did
 * not change (metav1.Condition semantics), so an idle resync produces an identical status.
 */
export function mergeConditions(current: Condition[] | undefined, desired: DesiredCondition[], generation: number, now: string): Condition[] {
  return desired.map((d) => {
    const old = current?.find((c) => c.type === d.type);
    const lastTransitionTime = old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { type: d.type, status: d.status, observedGeneration: generation, lastTransitionTime, reason: d.reason, message: d.message.slice(0, 32768) };
  });
}

/**
 * Evidence lines shown in status: the plan's, at most ten. The plan has one line per signal and
 * value, never one per Node (generators/detect/detect.ts evidenceLines), so a Node joining with
 * the same facts changes nothing status shows and rewrites no profile's status; the cap bounds a
 * cluster whose Nodes show many distinct values (regions, node groups). plan.json holds every
 * line, and `netprofile detect` every Node's evidence.
 */
const STATUS_EVIDENCE = 10;

export function environmentStatus(plan: Plan | null): ProfileStatus['environment'] {
  if (!plan) return { type: '', provider: '', source: 'none', evidence: [] } as unknown as ProfileStatus['environment'];
  const e = plan.environment;
  return { type: e.type ?? '', provider: e.provider ?? '', ...(e.managed === null ? {} : { managed: e.managed }), source: e.source, evidence: e.evidence.slice(0, STATUS_EVIDENCE) } as ProfileStatus['environment'];
}

export function planSummary(plan: Plan | null): ProfileStatus['plan'] {
  if (!plan) return { cni: '', loadBalancer: '', mode: '', ccm: '' };
  return { cni: plan.cni.provider, loadBalancer: plan.loadBalancer.implementation ?? '', mode: plan.loadBalancer.mode ?? '', ccm: plan.ccm.enabled ? plan.ccm.provider ?? '' : '' };
}

export function findingsStatus(findings: Finding[]): ProfileStatus['findings'] {
  return findings.slice(0, 100).map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message }));
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJSON(v, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJSON((a as any)[k], (b as any)[k]));
}

export function conditionOf(status: ProfileStatus | undefined, type: ConditionType): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * The JSON merge patch (RFC 7386) that turns `current` into `desired`: desired's values, plus null
 * for every key current has and desired lacks (a merge patch otherwise keeps stale keys, and the
 * status would never converge).
 */
export function mergePatchFor(current: unknown, desired: unknown): unknown {
  if (!isPlainObject(desired) || !isPlainObject(current)) return desired;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(desired)) if (v !== undefined) out[k] = mergePatchFor(current[k], v);
  for (const k of Object.keys(current)) if (!(k in out)) out[k] = null;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
