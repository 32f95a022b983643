// k3s-servicelb: k3s ships ServiceLB (klipper-lb), which claims every LoadBalancer Service unless
// the servers start with --disable servicelb (docs.k3s.io/networking/networking-services,
// ServiceLB; metallb v0.16.1 website/content/configuration/k3s.md: disable Klipper to run MetalLB).
import { finding, type RuleUnit } from './registry.js';

export const k3sServicelb: RuleUnit<'k3s-servicelb'> = {
  id: 'k3s-servicelb',
  severity: 'warning',
  summary: 'k3s with its built-in ServiceLB while another implementation is chosen',
  why: 'k3s runs ServiceLB (klipper-lb) by default, which also claims LoadBalancer Services; two owners race for every Service.',
  fix: 'Start the k3s servers with --disable=servicelb so the chosen implementation alone owns LoadBalancer Services.',
  source: 'docs.k3s.io/networking/networking-services (ServiceLB); metallb website/content/configuration/k3s.md',
  check({ plan }) {
    const impl = plan.loadBalancer.implementation;
    if (plan.cluster.distribution !== 'k3s' || !impl || impl === 'none') return [];
    return [finding(k3sServicelb, 'spec.cluster.distribution', `k3s runs its own ServiceLB (klipper-lb), which also claims LoadBalancer Services; start the k3s servers with --disable=servicelb so ${impl === 'cloud' ? 'the cloud CCM' : impl} alone owns them.`)];
  },
};
