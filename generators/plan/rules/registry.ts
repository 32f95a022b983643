// The rule registry (api.md §4): one unit per rule id, as kube-linter keeps its checks — the id,
// its usual severity, one line for `netprofile rules`, why it exists (the field note or upstream
// page), the fix, and a pure check over the plan. Every edge prints findings from these units.
import type { Finding, RuleId, Severity } from '../../api/findings.js';
import type { NetworkProfile } from '../../api/profile.js';
import type { Detection } from '../../detect/detect.js';
import type { Plan } from '../types.js';

/** What a check reads: the profile as written, the plan with every decision made, and the facts. */
export interface RuleContext {
  profile: NetworkProfile;
  plan: Plan;
  facts?: Detection;
}

export interface RuleUnit {
  id: RuleId;
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
  /**
   * The check: pure, plan in, findings out. A unit without a check is reported by the planner
   * itself while it decides (its decision depends on the finding, e.g. l2-on-cloud).
   */
  check?: (ctx: RuleContext) => Finding[];
}

/** A finding of this unit at its usual severity. */
export function finding(unit: Pick<RuleUnit, 'id' | 'severity'>, path: string, message: string, severity: Severity = unit.severity): Finding {
  return { rule: unit.id, severity, path, message };
}
