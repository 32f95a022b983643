// ccm-on-managed: in managed offerings (ACK, EKS, GKE, AKS) the provider runs the
// cloud-controller-manager with the control plane; a second one fights it over Nodes and
// Services (field note 3).
import { finding, type RuleUnit } from './registry.js';
import { isCloudClass, providerName } from './util.js';

export const ccmOnManaged: RuleUnit<'ccm-on-managed'> = {
  id: 'ccm-on-managed',
  severity: 'error',
  summary: 'a CCM would be deployed on a managed offering that already runs one',
  why: 'A managed offering (ACK, EKS, GKE, AKS) already runs the cloud-controller-manager next to its control plane; a second one initialises the same Nodes and reconciles the same LoadBalancer Services against it.',
  fix: 'Set cloud.ccm: auto (netprofile then deploys none on a managed cluster) or disabled.',
  source: 'field note 3 (managed offerings run the CCM)',
  check({ plan, profile }) {
    if (profile.spec.cloud.ccm !== 'enabled' || !isCloudClass(plan) || !plan.environment.managed) return [];
    const p = plan.environment.provider;
    return [finding(ccmOnManaged, 'spec.cloud.ccm', `${p ? providerName(p) : 'The provider'} already runs a cloud-controller-manager for this managed cluster; a second one would fight it over Nodes and Services, so set cloud.ccm: auto or disabled.`)];
  },
};
