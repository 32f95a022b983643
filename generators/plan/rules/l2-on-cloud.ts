// l2-on-cloud: a cloud VPC answers ARP by proxy for every address, so a VIP announced by
// gratuitous ARP from a node is unreachable from outside the cluster (field note 1: Cilium L2
// announcements on Alibaba Cloud ECS, every arping answered by ee:ff:ff:ff:ff:ff). OpenStack
// Neutron drops ARP for addresses it did not assign unless port security / allowed-address-pairs
// allow them (neutron port-security extension): a warning there.
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';
import { article, isSelfRun, providerName } from './util.js';

export function l2OnCloudMessage(provider: string | null): string {
  const name = providerName(provider);
  return `L2 announcements cannot work in ${article(name)} ${name} VPC: the VPC answers ARP by proxy for every address, so a VIP announced from a node is unreachable from outside the cluster; use mode: auto (the cloud's load balancer through its CCM) or BGP where the provider offers a BGP router.`;
}

export const l2OnCloud: RuleUnit<'l2-on-cloud'> = {
  id: 'l2-on-cloud',
  severity: 'error',
  summary: 'L2 announcement asked for, or would be chosen, on a public-cloud VPC',
  why: 'A cloud VPC is a virtual network that answers ARP by proxy for every address; gratuitous ARP from a node changes nothing, so an L2-announced VIP (Cilium L2 announcements, MetalLB layer2, PureLB local pools) is reachable only from inside the cluster. On OpenStack, Neutron port security drops ARP for addresses it did not assign.',
  fix: "Use mode: auto (the cloud's load balancer through its cloud-controller-manager) or BGP where the provider offers a BGP router; on OpenStack allow the pool addresses on every node port (allowed-address-pairs).",
  source: 'field note 1 (Cilium L2 announcements on Alibaba Cloud ECS); OpenStack Neutron port security',
  check({ plan, profile }) {
    const lb = profile.spec.loadBalancer;
    const cls = plan.environment.class;
    const out: Finding[] = [];
    if (cls === 'public-cloud' && plan.loadBalancer.mode === 'l2' && (isSelfRun(plan) || (lb.implementation === 'auto' && lb.mode === 'l2'))) {
      out.push(finding(l2OnCloud, lb.mode === 'l2' ? 'spec.loadBalancer.mode' : 'spec.loadBalancer.implementation', l2OnCloudMessage(plan.environment.provider)));
    } else if (cls === 'openstack' && lb.implementation === 'auto' && lb.mode === 'l2') {
      out.push(finding(l2OnCloud, 'spec.loadBalancer.mode', 'OpenStack networks drop ARP for addresses Neutron did not assign unless port security / allowed-address-pairs are set on every node port; make sure they are, or use the OpenStack CCM (mode: auto).', 'warning'));
    }
    return out;
  },
};
