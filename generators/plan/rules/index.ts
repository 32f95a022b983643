// Every rule unit, in the order `netprofile rules` lists them. Add a unit: one file in this folder
// exporting a RuleUnit, one line here.
import type { RuleContext, RuleUnit } from './registry.js';
import type { Finding } from '../../api/findings.js';
import { chartVersionUnknown } from './chart-version-unknown.js';
import { ciliumBfdUnsupported } from './cilium-bfd-unsupported.js';
import { bgpSecretKey } from './bgp-secret-key.js';
import { ciliumIpamMask } from './cilium-ipam-mask.js';
import { nativeRoutingRoutes } from './native-routing-routes.js';
import { ciliumVersionFeature } from './cilium-version-feature.js';
import { poolOffSubnet } from './pool-off-subnet.js';
import { purelbAutoAssign } from './purelb-auto-assign.js';
import { ccmVersionSkew } from './ccm-version-skew.js';

export const RULE_UNITS: readonly RuleUnit[] = [
  chartVersionUnknown,
  ciliumBfdUnsupported,
  bgpSecretKey,
  ciliumIpamMask,
  nativeRoutingRoutes,
  ciliumVersionFeature,
  poolOffSubnet,
  purelbAutoAssign,
  ccmVersionSkew,
];

/** Runs every unit's check over a finished plan. */
export function runRuleChecks(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const unit of RULE_UNITS) if (unit.check) out.push(...unit.check(ctx));
  return out;
}

export function ruleUnit(id: string): RuleUnit | undefined {
  return RULE_UNITS.find((u) => u.id === id);
}
