// cilium-version-feature: features the chosen Cilium minor does not have, each reported once.
// - Helm values another chart version has (the values schema of each release, checked by
//   cli/values.ts); without a schema checker, externalIPs, which left the chart in 1.17 (the
//   1.17-1.20 values schemas have no externalIPs; field note 1).
// - IPv6 (NDP) L2 announcements: the IPv6 L2 responder map and its test landed in the v1.19
//   development cycle (cilium pkg/maps/l2v6respondermap, commit 0c6c8350d5, after the v1.18
//   branch point); l2-announcements.rst says "does not support IPv6/NDP" until then.
// - IPv6-only BGP router ID: before 1.18 the agent derives the router ID from the node's IPv4
//   address only (pkg/bgpv1/manager/manager.go getRouterID, CiliumNode.GetIP(false)); 1.18 adds
//   bgpControlPlane.routerIDAllocation (MAC-derived in default mode; absent from the 1.17.18 chart
//   values, present in 1.18.3's).
import { finding, type RuleUnit } from './registry.js';
import { getPath } from './util.js';

export const ciliumVersionFeature: RuleUnit<'cilium-version-feature'> = {
  id: 'cilium-version-feature',
  severity: 'error',
  summary: 'a feature or Helm value the chosen Cilium version does not have',
  why: 'Helm ignores a value the chart does not know, and the agent ignores a feature it does not have: the install validates but the feature silently does nothing (IPv6 L2 announcements before 1.19, an IPv6-only BGP instance without router ID before 1.18).',
  fix: 'Pick a Cilium version that has the feature, or remove it from the profile.',
  source: 'cilium install/kubernetes/cilium/values.yaml per release; Documentation/network/l2-announcements.rst; pkg/bgpv1/manager/manager.go',
  check: ({ plan, profile, unknownCiliumValues }) => {
    const c = plan.cni;
    if (c.provider !== 'cilium' || c.minor === null) return [];
    const out = [];
    const values = profile.spec.cni.cilium.values;
    if (values && Object.keys(values).length) {
      if (unknownCiliumValues) {
        for (const u of unknownCiliumValues) {
          if (u.knownIn.length) out.push(finding(ciliumVersionFeature, `spec.cni.cilium.values.${u.path}`, `Cilium ${c.version}'s chart has no value ${u.path} (it exists in ${u.knownIn.join(', ')}); Helm would ignore it silently, so remove it or pick a version that has it.`));
        }
      } else if (c.minor >= 17 && getPath(values, ['externalIPs']) !== undefined) {
        out.push(finding(ciliumVersionFeature, 'spec.cni.cilium.values.externalIPs', `Cilium ${c.version}'s chart has no externalIPs value (it left the chart in 1.17); Helm would ignore it silently, so remove it.`));
      }
    }
    if (c.l2announcements && c.minor < 19) {
      plan.loadBalancer.pools.forEach((p, i) => {
        if (p.families.includes('IPv6')) out.push(finding(ciliumVersionFeature, `spec.loadBalancer.pools[${i}].addresses`, `Cilium ${c.version} L2 announcements answer ARP only; IPv6 (NDP) arrived in 1.19, so nobody would answer for the IPv6 addresses of pool ${p.name}; use Cilium ≥ 1.19 or IPv4 addresses.`));
      });
    }
    if (c.bgpControlPlane && c.minor < 18 && !plan.cluster.families.includes('IPv4')) {
      out.push(finding(ciliumVersionFeature, 'spec.loadBalancer.bgp', `Cilium ${c.version} derives the BGP router ID from the node's IPv4 address, which an IPv6-only cluster has none of; the BGP instance will not start. Use Cilium ≥ 1.18 (router ID from the MAC address), or add a CiliumBGPNodeConfigOverride with a routerID per node.`));
    }
    return out;
  },
};
