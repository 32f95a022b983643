// Every rule unit, in the order `netprofile rules` lists them and the planner reports them: the
// rules of the API first, then netprofile's own. Add a unit: one file in this folder exporting a
// RuleUnit, one line here. Every edge (findings.ts RULES, `netprofile rules`/`explain`, the plan's
// findings) reads this list.
import type { RuleContext, RuleUnit, UnknownValue } from './registry.js';
import type { Finding } from '../../api/findings.js';
import type { NetworkProfile } from '../../api/profile.js';
import type { Detection } from '../../detect/detect.js';
import type { Plan } from '../types.js';
import { environmentUnknown } from './environment-unknown.js';
import { familyMismatch } from './family-mismatch.js';
import { l2OnCloud } from './l2-on-cloud.js';
import { poolOverlap } from './pool-overlap.js';
import { kubeProxyReplacementRequired } from './kube-proxy-replacement-required.js';
import { apiServerRequired } from './api-server-required.js';
import { nativeRoutingCidr } from './native-routing-cidr.js';
import { bgpSpeakerConflict } from './bgp-speaker-conflict.js';
import { lbOwnership } from './lb-ownership.js';
import { ccmOnManaged } from './ccm-on-managed.js';
import { ccmUnsupportedProvider } from './ccm-unsupported-provider.js';
import { ccmIpv6Unsupported } from './ccm-ipv6-unsupported.js';
import { inlineSecret } from './inline-secret.js';
import { ciliumVersionFeature } from './cilium-version-feature.js';
import { metallbStrictArp } from './metallb-strict-arp.js';
import { k3sServicelb } from './k3s-servicelb.js';
import { underlayMacOnCloud } from './underlay-mac-on-cloud.js';
import { invalidField } from './invalid-field.js';
import { ciliumBfdUnsupported } from './cilium-bfd-unsupported.js';
import { chartVersionUnknown } from './chart-version-unknown.js';
import { poolOffSubnet } from './pool-off-subnet.js';
import { valuesConflict } from './values-conflict.js';
import { bgpSecretKey } from './bgp-secret-key.js';
import { ciliumIpamMask } from './cilium-ipam-mask.js';
import { nativeRoutingRoutes } from './native-routing-routes.js';
import { purelbAutoAssign } from './purelb-auto-assign.js';
import { ccmVersionSkew } from './ccm-version-skew.js';
import { platformCni } from './platform-cni.js';
import { platformDatapath } from './platform-datapath.js';

export const RULE_UNITS = [
  l2OnCloud,
  poolOverlap,
  familyMismatch,
  kubeProxyReplacementRequired,
  apiServerRequired,
  nativeRoutingCidr,
  bgpSpeakerConflict,
  lbOwnership,
  ccmOnManaged,
  ccmUnsupportedProvider,
  ccmIpv6Unsupported,
  inlineSecret,
  ciliumVersionFeature,
  metallbStrictArp,
  k3sServicelb,
  underlayMacOnCloud,
  environmentUnknown,
  invalidField,
  ciliumBfdUnsupported,
  chartVersionUnknown,
  poolOffSubnet,
  valuesConflict,
  bgpSecretKey,
  ciliumIpamMask,
  nativeRoutingRoutes,
  purelbAutoAssign,
  ccmVersionSkew,
  platformCni,
  platformDatapath,
] as const;

/** Every rule id a finding can carry: the ids of the registered units. */
export type RegisteredRuleId = (typeof RULE_UNITS)[number]['id'];

/** Runs every unit's check over a finished plan, in registry order. */
export function runRuleChecks(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const unit of RULE_UNITS as readonly RuleUnit[]) out.push(...unit.check(ctx));
  return out;
}

export interface CheckOptions {
  facts?: Detection;
  /** The unknown-values check of spec.cni.cilium.values against the chart of that version (cli/values.ts). */
  checkCiliumValues?: (version: string, values: Record<string, unknown>) => UnknownValue[];
}

/**
 * The findings of every rule over a plan and the profile it came from (a stable entry point for
 * the planner, `netprofile validate` and the operator). The plan's own findings are not read.
 */
export function checkRules(plan: Plan, profile: NetworkProfile, options: CheckOptions = {}): Finding[] {
  const values = profile.spec.cni.cilium.values;
  const unknownCiliumValues = options.checkCiliumValues && plan.cni.provider === 'cilium' && plan.cni.version && values && Object.keys(values).length
    ? options.checkCiliumValues(plan.cni.version, values)
    : undefined;
  return runRuleChecks({ profile, plan, facts: options.facts, unknownCiliumValues });
}

export function ruleUnit(id: string): RuleUnit | undefined {
  return (RULE_UNITS as readonly RuleUnit[]).find((u) => u.id === id);
}
