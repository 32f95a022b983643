// metallb-strict-arp: kube-proxy in IPVS mode binds every Service address to kube-ipvs0 and the
// node answers ARP for all of them; MetalLB's installation page asks for strictARP: true
// (metallb v0.16.1 website/content/installation/_index.md, "Preparation"; field note 2).
import { finding, type RuleUnit } from './registry.js';

export const metallbStrictArp: RuleUnit<'metallb-strict-arp'> = {
  id: 'metallb-strict-arp',
  severity: 'warning',
  summary: 'MetalLB layer2 with kube-proxy in IPVS mode (set strictARP: true)',
  why: 'kube-proxy in IPVS mode puts every Service address on every node, and without strictARP each node answers ARP for them, so the MetalLB speaker that owns a VIP is not the only one answering.',
  fix: 'Set strictARP: true in the kube-proxy ConfigMap (kube-system/kube-proxy, config.conf ipvs.strictARP) before MetalLB layer 2 announces; netprofile does not edit kube-proxy.',
  source: 'metallb website/content/installation/_index.md (Preparation); field note 2',
  check({ plan }) {
    const lb = plan.loadBalancer;
    if (lb.implementation !== 'metallb' || lb.mode !== 'l2' || plan.cluster.kubeProxy !== 'ipvs') return [];
    return [finding(metallbStrictArp, 'spec.cluster.kubeProxy', 'kube-proxy in IPVS mode answers ARP for every Service address on every node; set strictARP: true in the kube-proxy ConfigMap (kube-system/kube-proxy, config.conf ipvs.strictARP) before MetalLB layer 2 announces.')];
  },
};
