// A finding is data (rule, severity, path, message), produced by the planner and printed by every
// edge in its own format: text, plan JSON, KRM results, status.findings, Events.

import { RULE_UNITS, type RegisteredRuleId } from '../plan/rules/index.js';

export type Severity = 'error' | 'warning';

/**
 * Every rule id a finding can carry, with its one-line summary: derived from the rule registry
 * (generators/plan/rules/index.ts), the one list every edge prints from.
 */
export const RULES: Readonly<Record<RuleId, string>> = Object.fromEntries(RULE_UNITS.map((u) => [u.id, u.summary])) as Record<RuleId, string>;

/** The stable rule ids (the API's, plus netprofile's own): the ids of the registered units. */
export type RuleId = RegisteredRuleId;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Field path in the profile, e.g. spec.loadBalancer.pools[1].addresses[0]. */
  path: string;
  /** One sentence: what is wrong and what to do. */
  message: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function formatFinding(f: Finding, file?: string): string {
  return `${file ? `${file}: ` : ''}${f.severity}: ${f.path}: ${f.message} [${f.rule}]`;
}
