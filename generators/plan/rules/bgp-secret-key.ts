// bgp-secret-key: Cilium reads the BGP password only from the key "password" of the Secret
// (cilium pkg/bgpv1/manager/reconcilerv2/neighbor.go, v1.16: secret["password"]; pkg/bgp/manager/reconciler/neighbor.go on main);
// MetalLB's BGPPeer passwordSecret is a kubernetes.io/basic-auth Secret read at "password"
// (metallb v0.16.1 api/v1beta2/bgppeer_types.go). Another key means no password: the session
// never comes up against a router that requires one.
import { finding, type RuleUnit } from './registry.js';

export const bgpSecretKey: RuleUnit<'bgp-secret-key'> = {
  id: 'bgp-secret-key',
  severity: 'error',
  summary: 'a BGP passwordSecretRef key the speaker does not read',
  why: 'Cilium and MetalLB read the BGP password only from the Secret key "password"; a password under another key is ignored and the session to a router that requires TCP MD5 never comes up.',
  fix: 'Store the password under the key "password" and set passwordSecretRef.key: password (the default).',
  source: 'cilium pkg/bgpv1/manager/reconcilerv2/neighbor.go; metallb api/v1beta2/bgppeer_types.go',
  check: ({ plan }) => {
    const speaker = plan.loadBalancer.speaker;
    if ((speaker !== 'cilium' && speaker !== 'metallb') || !plan.loadBalancer.bgp) return [];
    const out = [];
    for (const [i, p] of plan.loadBalancer.bgp.peers.entries()) {
      if (!p.passwordSecretRef || p.passwordSecretRef.key === 'password') continue;
      out.push(finding(bgpSecretKey, `spec.loadBalancer.bgp.peers[${i}].passwordSecretRef.key`, `${speaker === 'cilium' ? 'Cilium' : 'MetalLB'} reads the BGP password of peer ${p.name} only from the Secret key "password", not "${p.passwordSecretRef.key}"; move it to that key and set key: password.`));
    }
    return out;
  },
};
