// pool-off-subnet: an L2-announced pool must lie in a node subnet, where ARP/NDP from the router
// reaches a node that answers. MetalLB layer2 (metallb v0.16.1 website/content/concepts/layer2.md),
// PureLB local pools (purelb v0.16.6 docs: a local pool is on the nodes' subnet, announced by
// ARP/NDP; a remote pool is for BGP) and Cilium L2 announcements (Documentation/network/l2-announcements.rst)
// answer only for addresses on the link.
import type { Finding } from '../../api/findings.js';
import { nodeSubnets, blockInSubnets } from '../subnets.js';
import { finding, type RuleUnit } from './registry.js';

const L2_IMPLEMENTATIONS = new Set(['metallb', 'purelb', 'cilium']);

export const poolOffSubnet: RuleUnit<'pool-off-subnet'> = {
  id: 'pool-off-subnet',
  severity: 'error',
  summary: 'an L2-announced pool outside every node subnet: nobody would answer ARP/NDP for it',
  why: 'Layer-2 announcement (MetalLB layer2, PureLB local pools, Cilium L2 announcements) answers ARP/NDP on the node link only; an address outside every node subnet is never asked for there, so its Services are unreachable.',
  fix: 'Move the pool into a node subnet (spec.cluster.nodeCIDRs), or announce it with BGP (spec.loadBalancer.bgp.peers).',
  source: 'metallb v0.16.1 website/content/concepts/layer2.md; purelb v0.16.6 docs (local vs remote ServiceGroup pools); cilium Documentation/network/l2-announcements.rst',
  check({ plan, profile, facts }) {
    const lb = plan.loadBalancer;
    if (lb.mode !== 'l2' || !lb.implementation || !L2_IMPLEMENTATIONS.has(lb.implementation)) return [];
    const subnets = nodeSubnets(plan.cluster.nodeCIDRs, facts);
    const out: Finding[] = [];
    if (subnets.source === 'none') {
      // PureLB's local pool names its subnet; netprofile does not invent one.
      if (lb.implementation === 'purelb' && lb.pools.length) out.push(finding(poolOffSubnet, 'spec.cluster.nodeCIDRs', "PureLB's local pools name the node subnet they belong to, and no node subnet is known; set spec.cluster.nodeCIDRs (or give facts) so netprofile does not have to guess it."));
      return out;
    }
    const from = subnets.source === 'nodeCIDRs' ? `spec.cluster.nodeCIDRs (${plan.cluster.nodeCIDRs.join(', ')})` : "the nodes' InternalIPs (a /24 or /64 around each)";
    // With only facts the subnets are estimated: a warning; with nodeCIDRs they are known: an error.
    const severity = subnets.source === 'nodeCIDRs' ? 'error' : 'warning';
    profile.spec.loadBalancer.pools.forEach((pool, i) => {
      pool.addresses.forEach((text, j) => {
        if (!blockInSubnets(subnets, text)) {
          out.push(finding(poolOffSubnet, `spec.loadBalancer.pools[${i}].addresses[${j}]`, `${text} of pool ${pool.name} lies outside every node subnet (${from}); ${lb.implementation} announces it by ARP/NDP on the node link, where nobody asks for it: move it into a node subnet${subnets.source === 'facts' ? ' (or set spec.cluster.nodeCIDRs if the subnet is wider)' : ''}, or announce it with BGP.`, severity));
        }
      });
    });
    return out;
  },
};
