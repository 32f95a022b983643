// ccm-unsupported-provider: a self-managed cluster on a cloud needs that cloud's
// cloud-controller-manager (nodes keep the node.cloudprovider.kubernetes.io/uninitialized taint
// until one runs, kubernetes.io/docs/concepts/architecture/cloud-controller/; field note 3);
// netprofile renders CCMs only for the providers in generators/components/ccm/.
import { finding, type RuleUnit } from './registry.js';
import { CCM_PROVIDERS, isCloudClass } from './util.js';
import type { CcmProvider } from '../types.js';

export const ccmUnsupportedProvider: RuleUnit<'ccm-unsupported-provider'> = {
  id: 'ccm-unsupported-provider',
  severity: 'error',
  summary: 'self-managed cloud cluster on a provider netprofile has no CCM for',
  why: "A self-managed cluster on a cloud needs the provider's cloud-controller-manager to initialise Nodes and serve LoadBalancer Services; netprofile renders one only for the providers it knows (alibaba, aws, azure, gcp, openstack, hetzner, digitalocean). cloud.ccm: enabled off a cloud has nothing to run.",
  fix: "Install the provider's CCM yourself and set cloud.ccm: disabled; off a cloud, set cloud.ccm: auto or disabled.",
  source: 'kubernetes.io/docs/concepts/architecture/cloud-controller/; field note 3',
  check({ plan, profile }) {
    const c = profile.spec.cloud;
    const env = plan.environment;
    if (c.ccm === 'disabled') return [];
    if (!isCloudClass(plan)) {
      if (c.ccm === 'enabled' && env.class) return [finding(ccmUnsupportedProvider, 'spec.cloud.ccm', `cloud.ccm: enabled but the environment is ${env.class}${env.provider ? ` (${env.provider})` : ''}, where no cloud-controller-manager runs; set cloud.ccm: auto or disabled.`)];
      return [];
    }
    if (env.managed) return [];
    if (env.provider && CCM_PROVIDERS.has(env.provider as CcmProvider)) return [];
    return [finding(ccmUnsupportedProvider, 'spec.cloud.ccm', `netprofile has no cloud-controller-manager for provider ${env.provider ?? '(unknown)'}; install the provider's CCM yourself and set cloud.ccm: disabled.`,
      c.ccm === 'enabled' || plan.loadBalancer.implementation === 'cloud' ? 'error' : 'warning')];
  },
};
