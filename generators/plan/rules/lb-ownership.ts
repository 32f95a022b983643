// lb-ownership: exactly one controller may assign and announce the addresses of LoadBalancer
// Services. A cloud-controller-manager's service controller, MetalLB, PureLB, Cilium LB-IPAM and
// Cilium L2 announcements each act on every LoadBalancer Service they are not told to skip
// (cilium Documentation/network/lb-ipam.rst, defaultLBServiceIPAM; kubernetes
// cloud-provider controllers/service); with two, they race over status.loadBalancer.
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';
import { getPath, isSelfRun, providerName } from './util.js';

export const lbOwnership: RuleUnit<'lb-ownership'> = {
  id: 'lb-ownership',
  severity: 'error',
  summary: 'two implementations would both claim LoadBalancer Services',
  why: "Each LoadBalancer implementation (a cloud's CCM, MetalLB, PureLB, Cilium LB-IPAM and L2 announcements) acts on every LoadBalancer Service; two of them race to assign and announce the same Services.",
  fix: 'Keep one owner: pick the implementation that matches the environment, remove l2announcements or defaultLBServiceIPAM from the Cilium values, or set cloud.ccm: disabled where you really run another implementation.',
  source: 'cilium Documentation/network/lb-ipam.rst (defaultLBServiceIPAM); kubernetes/cloud-provider controllers/service',
  check({ plan, profile }) {
    const impl = plan.loadBalancer.implementation;
    const usesCilium = profile.spec.cni.provider === 'cilium';
    const values = profile.spec.cni.cilium.values;
    const out: Finding[] = [];
    if (isSelfRun(plan) && impl === 'cilium' && !usesCilium) {
      out.push(finding(lbOwnership, 'spec.loadBalancer.implementation', 'implementation: cilium needs Cilium as the CNI (spec.cni.provider: cilium); choose metallb or purelb instead.'));
    }
    if (impl === 'cloud' && plan.environment.class === 'bare-metal') {
      out.push(finding(lbOwnership, 'spec.loadBalancer.implementation', 'implementation: cloud on bare metal leaves LoadBalancer Services pending (no cloud load balancer exists); use auto, cilium, metallb or purelb.'));
    }
    if (usesCilium && getPath(values, ['l2announcements', 'enabled']) === true && impl !== 'cilium' && impl !== null) {
      out.push(finding(lbOwnership, 'spec.cni.cilium.values.l2announcements.enabled', `Cilium L2 announcements would answer for LoadBalancer addresses that ${impl} owns; remove l2announcements from the values or use implementation: cilium.`));
    }
    if (usesCilium && impl && impl !== 'cilium' && getPath(values, ['defaultLBServiceIPAM']) === 'lbipam') {
      out.push(finding(lbOwnership, 'spec.cni.cilium.values.defaultLBServiceIPAM', `Cilium LB-IPAM would assign addresses to the same LoadBalancer Services as ${impl}; remove defaultLBServiceIPAM from the values.`));
    }
    if ((impl === 'cloud' || impl === 'none') && profile.spec.loadBalancer.pools.length > 0) {
      out.push(finding(lbOwnership, 'spec.loadBalancer.pools', `The pools are not used: ${impl === 'cloud' ? "the cloud's load balancer assigns the addresses" : 'no implementation runs'}; remove them or pick an implementation that uses them.`, 'warning'));
    }
    if (plan.ccm.enabled && impl && impl !== 'cloud' && impl !== 'none') {
      out.push(finding(lbOwnership, 'spec.loadBalancer.implementation', `The ${providerName(plan.ccm.provider)} cloud-controller-manager and ${impl} would both claim LoadBalancer Services; use implementation: cloud, or set cloud.ccm: disabled if you really run ${impl} here.`));
    }
    return out;
  },
};
