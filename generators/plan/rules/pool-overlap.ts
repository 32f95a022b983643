// pool-overlap: two owners of one address hand it out twice; a LoadBalancer address inside the
// pod or service CIDR collides with a pod or ClusterIP; a routed pool on the node subnet (or one
// that contains a node's address) collides with a node. Field note 4 keeps the LoadBalancer
// range (10.32.192.0/18) apart from the pod (10.32.0.0/17) and service (10.32.128.0/18) CIDRs.
// An L2 pool belongs inside a node subnet (metallb v0.16.1 website/content/concepts/layer2.md).
import type { Finding } from '../../api/findings.js';
import { contains, isBlock, overlaps, parseAddressBlock } from '../../api/net.js';
import { nodeAddressesIn } from '../node-addresses.js';
import { finding, type RuleUnit } from './registry.js';
import { blocks } from './util.js';

export const poolOverlap: RuleUnit<'pool-overlap'> = {
  id: 'pool-overlap',
  severity: 'error',
  summary: 'a LoadBalancer pool overlaps another pool, the pod CIDRs, the service CIDRs or the node CIDRs',
  why: 'Two pools that share addresses let two owners hand out the same IP; a LoadBalancer address inside the pod or service CIDR collides with a pod or a ClusterIP; a routed pool on the node network (or an L2 pool holding a node address) answers for a node.',
  fix: 'Make the pools disjoint and keep them outside the pod and service CIDRs; an L2 pool lies wholly inside a node subnet but away from node addresses, a BGP pool outside the node CIDRs.',
  source: 'field note 4 (disjoint pod, service and LoadBalancer ranges); metallb website/content/concepts/layer2.md',
  check({ plan, profile, facts }) {
    const pools = profile.spec.loadBalancer.pools;
    const families = plan.cluster.families;
    const mode = plan.loadBalancer.mode;
    const podBlocks = blocks(plan.cluster.podCIDRs);
    const serviceBlocks = blocks(plan.cluster.serviceCIDRs);
    const nodeBlocks = blocks(plan.cluster.nodeCIDRs);
    const parsed = pools.map((p) => p.addresses.map((a) => parseAddressBlock(a)).map((b) => (isBlock(b) ? b : null)));
    const out: Finding[] = [];
    pools.forEach((pool, i) => {
      parsed[i].forEach((b, j) => {
        // A block of a family the cluster does not run is family-mismatch's.
        if (!b || !families.includes(b.family)) return;
        const path = `spec.loadBalancer.pools[${i}].addresses[${j}]`;
        // Against the other pools (each pair once) and against itself.
        for (let k = 0; k <= i; k++) {
          parsed[k].forEach((o, l) => {
            if (!o || (k === i && l >= j)) return;
            if (overlaps(b, o)) out.push(finding(poolOverlap, path, `${b.text} overlaps ${o.text} of pool ${pools[k].name} (spec.loadBalancer.pools[${k}].addresses[${l}]); two owners would hand out the same address, so make the pools disjoint.`));
          });
        }
        for (const [what, list] of [['pod CIDR', podBlocks], ['service CIDR', serviceBlocks]] as const) {
          for (const o of list) if (overlaps(b, o)) out.push(finding(poolOverlap, path, `${b.text} overlaps the ${what} ${o.text}; LoadBalancer addresses must lie outside the cluster's ${what}s, so pick another range.`));
        }
        for (const o of nodeBlocks) {
          if (!overlaps(b, o)) continue;
          // An L2 pool belongs inside the node subnet (that is where ARP reaches); the node
          // addresses themselves are checked against the facts below.
          if (mode === 'l2' && contains(o, b)) continue;
          out.push(finding(poolOverlap, path, `${b.text} overlaps the node CIDR ${o.text}; ${mode === 'l2' ? 'an L2 pool must lie wholly inside the node subnet and away from node addresses' : 'routed LoadBalancer addresses must not collide with node addresses'}, so pick another range.`));
        }
        // The node addresses are parsed once per Detection and found by binary search
        // (generators/plan/node-addresses.ts), not parsed and scanned again for every profile.
        for (const n of facts ? nodeAddressesIn(facts, b) : []) {
          out.push(finding(poolOverlap, path, `${b.text} contains ${n.text}, the address of node ${n.node}; exclude it from the pool.`));
        }
      });
    });
    return out;
  },
};
