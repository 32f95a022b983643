// cilium-ipam-mask: the per-node mask of Cilium's cluster-pool IPAM must be one the operator's
// allocator accepts for the pod CIDR (generators/plan/cilium-datapath.ts, pkg/ipam/cidrset).
import { finding, type RuleUnit } from './registry.js';
import { isBlock, parseCIDR } from '../../api/net.js';
import { clusterPoolMask, maskProblem } from '../cilium-datapath.js';

export const ciliumIpamMask: RuleUnit<'cilium-ipam-mask'> = {
  id: 'cilium-ipam-mask',
  severity: 'error',
  summary: 'no per-node cluster-pool mask the cilium-operator accepts fits the pod CIDR',
  why: 'cilium-operator refuses an IPv6 per-node mask more than 16 bits longer than the pod CIDR (clusterSubnetMaxDiff) and stops at start; a mask shorter than the CIDR gives no node a block. Either way no pod gets an address.',
  fix: 'Give a pod CIDR of at least /24 (IPv4) or /120 (IPv6), or remove ipam.operator.clusterPoolIPv*MaskSize from the values so netprofile chooses one.',
  source: 'cilium pkg/ipam/cidrset/cidr_set.go (clusterSubnetMaxDiff = 16)',
  check: ({ plan }) => {
    const c = plan.cni;
    if (c.provider !== 'cilium' || c.ipam !== 'cluster-pool') return [];
    const out = [];
    const operator = (c.extraValues as any)?.ipam?.operator ?? {};
    for (const [family, list, key] of [['IPv4', c.clusterPoolIPv4PodCIDRList, 'clusterPoolIPv4MaskSize'], ['IPv6', c.clusterPoolIPv6PodCIDRList, 'clusterPoolIPv6MaskSize']] as const) {
      if (!list.length) continue;
      const block = parseCIDR(list[0]);
      if (!isBlock(block)) continue;
      const user = operator[key];
      if (typeof user === 'number') {
        const problem = maskProblem(block, user);
        if (problem) out.push(finding(ciliumIpamMask, `spec.cni.cilium.values.ipam.operator.${key}`, `${key} ${problem}; remove it so netprofile chooses a mask that fits ${list[0]}.`));
        continue;
      }
      const chosen = clusterPoolMask(block);
      if (chosen.mask === null) {
        out.push(finding(ciliumIpamMask, 'spec.cluster.podCIDRs', `${chosen.reason}: Cilium's cluster-pool cannot give each node a block of ${family === 'IPv4' ? 'a /24' : 'a /120'}; use a larger ${family} pod CIDR.`));
      }
    }
    return out;
  },
};
