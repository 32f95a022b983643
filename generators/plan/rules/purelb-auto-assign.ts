// purelb-auto-assign: PureLB serves a Service without the purelb.io/service-group annotation only
// from the ServiceGroup named "default" (purelb v0.16.6 internal/allocator/allocator.go,
// defaultPoolName). netprofile names the one autoAssign pool's group "default"; with several
// autoAssign pools (or one named default that is not autoAssign) that cannot hold.
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';

export const purelbAutoAssign: RuleUnit<'purelb-auto-assign'> = {
  id: 'purelb-auto-assign',
  severity: 'warning',
  summary: 'PureLB: autoAssign cannot be honoured (only the ServiceGroup named default serves un-annotated Services)',
  why: 'PureLB allocates for a Service without the purelb.io/service-group annotation only from the group named "default"; it has no per-pool autoAssign switch.',
  fix: 'Keep autoAssign: true on exactly one pool (netprofile names its ServiceGroup default) and set autoAssign: false on the others.',
  source: 'purelb v0.16.6 internal/allocator/allocator.go (defaultPoolName "default")',
  check({ plan }) {
    const lb = plan.loadBalancer;
    if (lb.implementation !== 'purelb') return [];
    const auto = lb.pools.filter((p) => p.autoAssign);
    const out: Finding[] = [];
    if (auto.length > 1) {
      out.push(finding(purelbAutoAssign, 'spec.loadBalancer.pools', `Pools ${auto.map((p) => p.name).join(', ')} all have autoAssign: true, but PureLB serves un-annotated Services only from the one group named default; netprofile names none of them default, so Services need the purelb.io/service-group annotation. Set autoAssign: false on all but one.`));
    }
    const i = lb.pools.findIndex((p) => p.name === 'default' && !p.autoAssign);
    if (i >= 0) out.push(finding(purelbAutoAssign, `spec.loadBalancer.pools[${i}].autoAssign`, 'Pool default has autoAssign: false, but PureLB serves every un-annotated Service from the group named default; rename the pool or set autoAssign: true.'));
    return out;
  },
};

/** The ServiceGroup name of a pool: "default" for the only autoAssign pool, else the pool's name. */
export function purelbGroupName(pools: readonly { name: string; autoAssign: boolean }[], name: string): string {
  const auto = pools.filter((p) => p.autoAssign);
  if (auto.length === 1 && auto[0].name === name && !pools.some((p) => p.name === 'default' && p.name !== name)) return 'default';
  return name;
}
