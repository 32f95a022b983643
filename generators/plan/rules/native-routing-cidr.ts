// native-routing-cidr: with routingMode native (tunnel disabled) and masquerading, the agent
// refuses to start without ipv4NativeRoutingCIDR ("native routing cidr must be configured with
// option --ipv4-native-routing-cidr ...", field note 4); a CIDR that does not contain the pod
// CIDRs makes Cilium masquerade or drop pod-to-pod traffic.
import { contains, isBlock, parseCIDR } from '../../api/net.js';
import { finding, type RuleUnit } from './registry.js';
import { blocks, getPath } from './util.js';

export const nativeRoutingCidr: RuleUnit<'native-routing-cidr'> = {
  id: 'native-routing-cidr',
  severity: 'error',
  summary: 'native routing with no CIDR to use as ipv4NativeRoutingCIDR',
  why: 'With native routing the Cilium agent needs ipv4NativeRoutingCIDR (the range it does not masquerade) and refuses to start without it; a value that does not contain the pod CIDRs masquerades or drops pod traffic.',
  fix: 'Give an IPv4 pod CIDR in spec.cluster.podCIDRs (netprofile fills it in), and remove ipv4NativeRoutingCIDR from spec.cni.cilium.values unless it contains the pod CIDRs.',
  source: 'field note 4 (agent error "native routing cidr must be configured"); cilium Documentation/network/concepts/routing.rst',
  check({ plan, profile }) {
    const c = plan.cni;
    if (c.provider !== 'cilium' || c.routing !== 'native' || c.ipam === 'eni' || c.ipam === 'alibabacloud') return [];
    const v4Pods = blocks(plan.cluster.podCIDRs).filter((b) => b.family === 'IPv4');
    const userCidr = getPath(profile.spec.cni.cilium.values, ['ipv4NativeRoutingCIDR']);
    if (userCidr !== undefined) {
      const b = typeof userCidr === 'string' ? parseCIDR(userCidr) : { error: 'not a string' };
      const covers = isBlock(b) && v4Pods.every((p) => contains(b, p));
      if (!covers) return [finding(nativeRoutingCidr, 'spec.cni.cilium.values.ipv4NativeRoutingCIDR', `ipv4NativeRoutingCIDR ${String(userCidr).slice(0, 40)} does not contain the IPv4 pod CIDRs (${v4Pods.map((p) => p.text).join(', ')}); Cilium would masquerade or drop pod traffic, so remove it from the values (netprofile fills in the pod CIDR).`)];
    } else if (plan.cluster.families.includes('IPv4') && !c.ipv4NativeRoutingCIDR) {
      return [finding(nativeRoutingCidr, 'spec.cluster.podCIDRs', 'Native routing needs an IPv4 pod CIDR for ipv4NativeRoutingCIDR (the agent refuses to start without it); add it to spec.cluster.podCIDRs.')];
    }
    return [];
  },
};
