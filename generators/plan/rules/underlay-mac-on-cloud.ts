// underlay-mac-on-cloud: cloud VPCs drop frames from MAC addresses they did not assign; macvlan
// gives every pod a new MAC, ipvlan keeps the parent's (field note 3; Spiderpool's Alibaba Cloud
// guide uses ipvlan). OpenStack port security does the same unless the MACs are allowed.
import { finding, type RuleUnit } from './registry.js';
import { article, providerName } from './util.js';

export const underlayMacOnCloud: RuleUnit<'underlay-mac-on-cloud'> = {
  id: 'underlay-mac-on-cloud',
  severity: 'error',
  summary: 'macvlan underlay on a public cloud (the VPC drops unknown MACs; use ipvlan)',
  why: 'A cloud VPC forwards frames only from the MAC addresses it assigned to a VM NIC; macvlan gives every pod its own MAC, so pod traffic is dropped. OpenStack port security drops them too unless the MACs are allowed on the port.',
  fix: "Use underlay.cni: ipvlan, which keeps the parent interface's MAC (on OpenStack, or allow the pod MACs on every node port).",
  source: 'field note 3 (Spiderpool IPvlan underlay on Alibaba Cloud)',
  check({ plan, profile }) {
    const u = profile.spec.underlay;
    if (!u.enabled || u.cni !== 'macvlan') return [];
    if (plan.environment.class === 'public-cloud') {
      const name = providerName(plan.environment.provider);
      return [finding(underlayMacOnCloud, 'spec.underlay.cni', `${article(name) === 'an' ? 'An' : 'A'} ${name} VPC drops frames from MAC addresses it did not assign, and macvlan gives every pod a new MAC; use cni: ipvlan, which keeps the parent interface's MAC.`)];
    }
    if (plan.environment.class === 'openstack') {
      return [finding(underlayMacOnCloud, 'spec.underlay.cni', 'OpenStack port security drops frames from unknown MAC addresses; use cni: ipvlan, or allow the pod MACs on every node port.', 'warning')];
    }
    return [];
  },
};
