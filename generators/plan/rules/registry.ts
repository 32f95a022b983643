// The rule registry (api.md §4): one unit per rule id, as kube-linter keeps its checks — the id,
// its usual severity, one line for `netprofile rules`, why it exists (the field note or upstream
// page), the fix, and a pure check over the plan. Every edge prints findings from these units.
import type { Finding, RuleId, Severity } from '../../api/findings.js';
import type { NetworkProfile } from '../../api/profile.js';
import type { Detection } from '../../detect/detect.js';
import type { Plan } from '../types.js';

/** A Helm value of spec.cni.cilium.values the chart of the chosen version does not know. */
export interface UnknownValue { path: string; knownIn: string[]; suggestion?: string }

/** What a check reads: the profile as written, the plan with every decision made, and the facts. */
export interface RuleContext {
  profile: NetworkProfile;
  plan: Plan;
  facts?: Detection;
  /**
   * spec.cni.cilium.values checked against the chart's values schema of the chosen version
   * (cli/values.ts); undefined when no schema checker was given.
   */
  unknownCiliumValues?: UnknownValue[];
}

/** One rule. The id is a literal type, so RuleId is the union of the registered ids. */
export interface RuleUnit<I extends string = RuleId> {
  id: I;
  /** The usual severity; a check may report a lower one where the rule says so. */
  severity: Severity;
  /** One line, printed by `netprofile rules`. */
  summary: string;
  /** Why the rule exists: what breaks on a real cluster. */
  why: string;
  /** What to do about it. */
  fix: string;
  /** The upstream file or page (or field note) behind the rule. */
  source: string;
  /** The check: pure, profile + plan (+ facts) in, findings out. */
  check: (ctx: RuleContext) => Finding[];
}

/** A finding of this unit at its usual severity. */
export function finding(unit: Pick<RuleUnit, 'id' | 'severity'>, path: string, message: string, severity: Severity = unit.severity): Finding {
  return { rule: unit.id, severity, path, message };
}
