// values-conflict: spec.cni.cilium.values is merged last (the user's word wins), so a key there
// that contradicts a decision of the plan changes the install behind the plan's back; say so.
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';
import { getPath } from './util.js';

export const valuesConflict: RuleUnit<'values-conflict'> = {
  id: 'values-conflict',
  severity: 'warning',
  summary: 'spec.cni.cilium.values overrides a value the planner decided',
  why: 'The Helm values in the profile are merged over what netprofile decided; a key that says otherwise (kubeProxyReplacement, routingMode, ipam.mode, ...) wins, and the plan, its decisions and the other rendered objects no longer describe the install.',
  fix: 'Remove the key from spec.cni.cilium.values and set the profile field the plan decides it from, or keep it if that is really what you want.',
  source: 'generators/components/cilium.ts (values merged last)',
  check({ plan, profile }) {
    const c = plan.cni;
    const values = profile.spec.cni.cilium.values;
    if (c.provider !== 'cilium' || !values || !Object.keys(values).length) return [];
    const decided: Record<string, unknown> = {
      kubeProxyReplacement: c.kubeProxyReplacement, routingMode: c.routing, 'l2announcements.enabled': c.l2announcements, 'bgpControlPlane.enabled': c.bgpControlPlane,
      'ipam.mode': c.ipam, ipv4NativeRoutingCIDR: c.ipv4NativeRoutingCIDR, tunnelProtocol: c.routing === 'tunnel' ? c.tunnelProtocol : undefined,
    };
    const out: Finding[] = [];
    for (const [k, v] of Object.entries(decided)) {
      const user = getPath(values, k.split('.'));
      if (user === undefined || v === undefined || v === null) continue;
      // ipv4NativeRoutingCIDR is native-routing-cidr's: a wider one that contains the pods is fine.
      if (String(user) !== String(v) && k !== 'ipv4NativeRoutingCIDR') {
        out.push(finding(valuesConflict, `spec.cni.cilium.values.${k}`, `values set ${k}: ${JSON.stringify(user)} but the plan decided ${JSON.stringify(v)}; the values win as asked, so make sure that is what you want or remove the key.`));
      }
    }
    return out;
  },
};
