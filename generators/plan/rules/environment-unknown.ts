// environment-unknown: every later choice (L2 or the cloud's load balancer, a CCM or none)
// depends on where the cluster runs; with environment auto, no usable facts (no Node list, or
// nodes that disagree) and no provider, netprofile refuses to guess (generators/detect/detect.ts).
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';

export const environmentUnknown: RuleUnit<'environment-unknown'> = {
  id: 'environment-unknown',
  severity: 'error',
  summary: 'environment is auto and there are no facts to detect from, or the nodes disagree (or wait for a CCM no signal names)',
  why: "Whether L2 announcement can work, and whether a cloud-controller-manager is needed, depends on where the cluster runs; guessing bare metal in a cloud VPC renders pools nobody can reach.",
  fix: 'Set spec.environment.type and spec.environment.provider, or give a Node list: spec.environment.factsFrom or --nodes (from `kubectl get nodes -o yaml`).',
  source: 'generators/detect/detect.ts (provider IDs, node labels)',
  check({ plan, profile, facts }) {
    const e = profile.spec.environment;
    const usable = facts && facts.type !== null ? facts : undefined;
    const out: Finding[] = [];
    if (e.type === 'auto' && !usable) {
      out.push(finding(environmentUnknown, 'spec.environment.type', facts?.problem
        ? `Cannot detect the environment: ${facts.problem}; set spec.environment.type (and provider) explicitly.`
        : 'environment is auto but there are no facts to detect from; set spec.environment.type (and provider), or point at a Node list: spec.environment.factsFrom (relative to the profile; from `kubectl get nodes -o yaml > nodes.yaml`), or --nodes on the command line.'));
      return out;
    }
    if (plan.environment.type === 'cloud' && plan.environment.provider === null && e.provider === 'auto') {
      if (!usable || usable.type !== 'cloud') {
        out.push(finding(environmentUnknown, 'spec.environment.provider', 'environment.type is cloud but the provider is unknown; set spec.environment.provider (alibaba, aws, gcp, azure, openstack, hetzner, digitalocean or other).'));
      } else {
        // Nodes that wait for a CCM (uninitialized taint, no providerID): a cloud, but no signal names it.
        const waiting = usable.uninitialized;
        out.push(finding(environmentUnknown, 'spec.environment.provider', `${waiting.length ? `Node${waiting.length > 1 ? 's' : ''} ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ` and ${waiting.length - 3} more` : ''} carry` : 'The nodes carry'} node.cloudprovider.kubernetes.io/uninitialized and no spec.providerID: the kubelet waits for a cloud-controller-manager, so this is a cloud, not bare metal, but no signal names the provider; set spec.environment.provider (alibaba, aws, gcp, azure, openstack, hetzner, digitalocean) so netprofile renders its CCM.`));
      }
    }
    return out;
  },
};
