// ccm-ipv6-unsupported: Alibaba Cloud's CCM fails a Service with ipFamilies [IPv6] with
// ServerGroupNotSupportIpv6 (field note 3; kubernetes/cloud-provider-alibaba-cloud).
import { finding, type RuleUnit } from './registry.js';

export const ccmIpv6Unsupported: RuleUnit<'ccm-ipv6-unsupported'> = {
  id: 'ccm-ipv6-unsupported',
  severity: 'error',
  summary: "IPv6 or dual-stack load balancing on Alibaba Cloud's CCM",
  why: "Alibaba Cloud's cloud-controller-manager cannot put IPv6 backends behind its load balancers: a Service with an IPv6 family fails with ServerGroupNotSupportIpv6.",
  fix: 'Run the cluster IPv4-only for cloud LoadBalancers, or give IPv6 Services another implementation.',
  source: 'field note 3 (ServerGroupNotSupportIpv6)',
  check({ plan }) {
    if (!plan.ccm.enabled || plan.ccm.provider !== 'alibaba' || plan.loadBalancer.implementation !== 'cloud' || !plan.cluster.families.includes('IPv6')) return [];
    return [finding(ccmIpv6Unsupported, 'spec.cluster.serviceCIDRs', `Alibaba Cloud's CCM cannot load-balance to IPv6 backends (ServerGroupNotSupportIpv6); run the cluster IPv4-only for cloud LoadBalancers, or give IPv6 Services another implementation.`)];
  },
};
