// kube-proxy-replacement-required: Cilium's L2 announcements are part of its kube-proxy
// replacement: the install step of cilium Documentation/network/l2-announcements.rst enables
// "the feature and all the requirements" with kubeProxyReplacement=true, k8sServiceHost and
// k8sServicePort (field note 1 ran the same).
import { finding, type RuleUnit } from './registry.js';

export const kubeProxyReplacementRequired: RuleUnit<'kube-proxy-replacement-required'> = {
  id: 'kube-proxy-replacement-required',
  severity: 'error',
  summary: 'Cilium L2 announcements (or another feature that needs it) without kubeProxy: none',
  why: "Cilium answers ARP for LoadBalancer addresses only as part of its kube-proxy replacement; with kube-proxy still running the announcements are never made.",
  fix: 'Set spec.cluster.kubeProxy: none (with spec.cluster.apiServer), or use implementation: metallb.',
  source: 'cilium Documentation/network/l2-announcements.rst (prerequisites)',
  check({ plan }) {
    const lb = plan.loadBalancer;
    if (lb.implementation !== 'cilium' || lb.mode !== 'l2' || plan.cluster.kubeProxy === 'none') return [];
    return [finding(kubeProxyReplacementRequired, 'spec.cluster.kubeProxy', `Cilium L2 announcements need Cilium's kube-proxy replacement; set spec.cluster.kubeProxy: none (with cluster.apiServer), or use implementation: metallb.`)];
  },
};
