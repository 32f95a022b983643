// native-routing-routes: with native routing, every node must know how to reach every other
// node's pod CIDR. autoDirectNodeRoutes does that only when all nodes share one L2 segment;
// across subnets "an additional system component such as a BGP daemon must be run to distribute
// the routes" (cilium Documentation/network/concepts/routing.rst). Without it pod traffic to
// nodes in other subnets is silently blackholed.
import { finding, type RuleUnit } from './registry.js';

export const nativeRoutingRoutes: RuleUnit<'native-routing-routes'> = {
  id: 'native-routing-routes',
  severity: 'error',
  summary: 'native routing across several node subnets with nothing to distribute the pod routes',
  why: "autoDirectNodeRoutes installs routes to the other nodes' pod CIDRs only for nodes on the same L2 segment; nodes in other subnets get none and pod traffic to them is dropped without a word.",
  fix: 'Advertise the pod CIDRs over BGP (loadBalancer.bgp.advertise: [podCIDRs, ...]), or use routing: tunnel.',
  source: 'cilium Documentation/network/concepts/routing.rst (native routing)',
  check: ({ plan, profile }) => {
    const c = plan.cni;
    if (c.provider !== 'cilium' || c.routing !== 'native') return [];
    if (c.ipam === 'eni' || c.ipam === 'azure' || c.ipam === 'alibabacloud') return [];
    if (plan.environment.class !== 'bare-metal') return [];
    if (plan.loadBalancer.bgp?.advertise.includes('podCIDRs')) return [];
    const segments = plan.cluster.nodeCIDRs.length;
    const v4 = plan.cluster.nodeCIDRs.filter((x) => !x.includes(':')).length;
    const v6 = segments - v4;
    if (v4 <= 1 && v6 <= 1) return [];
    return [finding(nativeRoutingRoutes, profile.spec.cni.cilium.routing === 'native' ? 'spec.cni.cilium.routing' : 'spec.cluster.nodeCIDRs',
      `Native routing across ${Math.max(v4, v6)} node subnets (${plan.cluster.nodeCIDRs.join(', ')}): autoDirectNodeRoutes only reaches nodes on the same L2 segment and nothing else distributes the pod routes; advertise podCIDRs over BGP or use routing: tunnel.`)];
  },
};
