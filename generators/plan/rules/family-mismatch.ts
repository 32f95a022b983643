// family-mismatch: an address of an IP family the cluster does not run. The pod and service
// CIDRs name the families (Kubernetes dual-stack: one CIDR per family in --cluster-cidr and
// --service-cluster-ip-range, kubernetes.io/docs/concepts/services-networking/dual-stack/);
// a pool, peer or node CIDR of another family would never be served.
import type { Finding } from '../../api/findings.js';
import { isBlock, parseAddressBlock, parseIP } from '../../api/net.js';
import { finding, type RuleUnit } from './registry.js';
import { blocks } from './util.js';
import { withArticle } from '../../text/article.js';

export const familyMismatch: RuleUnit<'family-mismatch'> = {
  id: 'family-mismatch',
  severity: 'error',
  summary: 'a pool, peer or CIDR of an IP family the cluster does not run',
  why: 'A cluster runs the IP families of its pod and service CIDRs; a LoadBalancer address, BGP peer or node CIDR of another family is never served (no Service gets that family, no speaker has a session of it).',
  fix: "Give the pod and service CIDRs one CIDR per IP family the cluster runs, and use pools, peers and node CIDRs of those families.",
  source: 'kubernetes.io/docs/concepts/services-networking/dual-stack/',
  check({ plan, profile }) {
    const families = plan.cluster.families;
    const serviceFamilies = [...new Set(blocks(plan.cluster.serviceCIDRs).map((b) => b.family))].sort();
    const out: Finding[] = [];
    if (families.join() !== serviceFamilies.join()) {
      out.push(finding(familyMismatch, 'spec.cluster.serviceCIDRs', `The service CIDRs are ${serviceFamilies.join(' and ')} but the pod CIDRs are ${families.join(' and ')}; give both one CIDR per IP family the cluster runs.`));
    }
    blocks(plan.cluster.nodeCIDRs).forEach((b, i) => {
      if (!families.includes(b.family)) out.push(finding(familyMismatch, `spec.cluster.nodeCIDRs[${i}]`, `${b.text} is ${b.family} but the cluster runs ${families.join(' and ')}; remove it or add ${withArticle(b.family)} pod and service CIDR.`));
    });
    profile.spec.loadBalancer.pools.forEach((pool, i) => {
      pool.addresses.forEach((a, j) => {
        const b = parseAddressBlock(a);
        if (isBlock(b) && !families.includes(b.family)) {
          out.push(finding(familyMismatch, `spec.loadBalancer.pools[${i}].addresses[${j}]`, `${b.text} is ${b.family} but the cluster runs ${families.join(' and ')}; use addresses of the cluster's family or add ${withArticle(b.family)} pod and service CIDR.`));
        }
      });
    });
    profile.spec.loadBalancer.bgp.peers.forEach((p, i) => {
      const ip = parseIP(p.address);
      if (ip && !families.includes(ip.family)) {
        out.push(finding(familyMismatch, `spec.loadBalancer.bgp.peers[${i}].address`, `Peer ${p.name} (${p.address}) is ${ip.family} but the cluster runs ${families.join(' and ')}; peer over an address of the cluster's family.`));
      }
    });
    return out;
  },
};
