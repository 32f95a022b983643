// invalid-field, the planner's half: values that parse but cannot work together (the parser in
// generators/api/ reports values that do not parse under the same id). Each names the field and
// what to put there.
import type { Finding } from '../../api/findings.js';
import { contains, containsIP, isBlock, parseAddressBlock, parseCIDR, parseIP } from '../../api/net.js';
import { finding, type RuleUnit } from './registry.js';
import { CCM_NEEDS_SECRET, isSelfRun, providerName } from './util.js';

export const invalidField: RuleUnit<'invalid-field'> = {
  id: 'invalid-field',
  severity: 'error',
  summary: 'a value that does not parse (CIDR, range, ASN, name, port), or a field that is missing or does not exist',
  why: 'A value that does not parse, a required field left out, or a Helm value the chart does not know is either rejected by the cluster or, worse, ignored without a word (Helm drops unknown values).',
  fix: 'Correct the named field as the message says: a CIDR, range, ASN 1-4294967295, DNS name or port; the required peer, localASN, pool or credentials Secret.',
  source: 'generators/api/schema.ts (the profile schema); Helm values.schema.json per chart version',
  check({ plan, profile, facts, unknownCiliumValues }) {
    const spec = profile.spec;
    const lb = plan.loadBalancer;
    const out: Finding[] = [];
    const seenNames = new Map<string, number>();
    spec.loadBalancer.pools.forEach((p, i) => {
      if (seenNames.has(p.name)) out.push(finding(invalidField, `spec.loadBalancer.pools[${i}].name`, `Pool name ${p.name} is used twice (pools[${seenNames.get(p.name)}]); give each pool its own name.`));
      else seenNames.set(p.name, i);
    });
    if (lb.mode === 'bgp' && lb.implementation) {
      if (spec.loadBalancer.bgp.peers.length === 0 && lb.speaker !== 'external') {
        out.push(finding(invalidField, 'spec.loadBalancer.bgp.peers', `BGP mode needs at least one peer in spec.loadBalancer.bgp.peers for the ${lb.speaker} speaker to connect to.`));
      }
      if (lb.speaker !== 'external' && spec.loadBalancer.bgp.localASN === undefined) {
        out.push(finding(invalidField, 'spec.loadBalancer.bgp.localASN', `spec.loadBalancer.bgp.localASN is required when ${lb.speaker} speaks BGP; set the cluster's AS number.`));
      }
    }
    if (isSelfRun(plan) && spec.loadBalancer.pools.length === 0) {
      out.push(finding(invalidField, 'spec.loadBalancer.pools', `${lb.implementation} hands out LoadBalancer addresses from pools; add at least one pool to spec.loadBalancer.pools.`));
    }
    // The CCM's credentials.
    const c = spec.cloud;
    if (plan.ccm.enabled && plan.ccm.provider) {
      if (CCM_NEEDS_SECRET.has(plan.ccm.provider) && !c.credentialsSecretRef && c.credentials === undefined) {
        out.push(finding(invalidField, 'spec.cloud.credentialsSecretRef', `The ${plan.ccm.provider} cloud-controller-manager needs credentials; create a Secret and set spec.cloud.credentialsSecretRef: {name, namespace}.`));
      }
      if (c.credentialsSecretRef && c.credentialsSecretRef.namespace !== 'kube-system') {
        out.push(finding(invalidField, 'spec.cloud.credentialsSecretRef.namespace', `The ${providerName(plan.ccm.provider)} cloud-controller-manager runs in kube-system and a Pod can only read Secrets of its own namespace; create the Secret in kube-system (namespace: kube-system).`));
      }
    }
    // Helm values no chart version has (those another version has are cilium-version-feature's).
    if (plan.cni.provider === 'cilium' && unknownCiliumValues) {
      for (const u of unknownCiliumValues) {
        if (u.knownIn.length) continue;
        out.push(finding(invalidField, `spec.cni.cilium.values.${u.path}`, `Cilium ${plan.cni.version}'s chart has no value ${u.path}${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ''}; Helm would ignore it silently, so fix or remove it.`));
      }
    }
    // The underlay's pools.
    const u = spec.underlay;
    if (u.enabled) {
      if (u.pools.length === 0) out.push(finding(invalidField, 'spec.underlay.pools', 'underlay.enabled needs pools: one per node and interface with the addresses the network gives that NIC.'));
      const knownNodes = facts ? new Set(facts.perNode.map((n) => n.node)) : null;
      const seen = new Set<string>();
      u.pools.forEach((p, i) => {
        const path = `spec.underlay.pools[${i}]`;
        const subnet = parseCIDR(p.subnet);
        if (isBlock(subnet)) {
          p.ips.forEach((ip, j) => {
            const b = parseAddressBlock(ip);
            if (isBlock(b) && !contains(subnet, b)) out.push(finding(invalidField, `${path}.ips[${j}]`, `${b.text} is not inside the pool's subnet ${subnet.text}; give addresses of that subnet.`));
          });
          if (p.gateway) {
            const g = parseIP(p.gateway);
            if (g && !containsIP(subnet, g.family, g.value)) out.push(finding(invalidField, `${path}.gateway`, `Gateway ${p.gateway} is not inside the subnet ${subnet.text}; give the subnet's router address.`));
          }
        }
        const key = `${p.node}/${p.interface}`;
        if (seen.has(key)) out.push(finding(invalidField, `${path}.interface`, `Node ${p.node} interface ${p.interface} has two pools; merge their ips into one pool.`));
        seen.add(key);
        if (knownNodes && !knownNodes.has(p.node)) out.push(finding(invalidField, `${path}.node`, `No node named ${p.node} is in the facts; check the name (SpiderIPPool binds by nodeName).`, 'warning'));
      });
    }
    return out;
  },
};
