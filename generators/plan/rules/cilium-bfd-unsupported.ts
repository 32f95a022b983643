// cilium-bfd-unsupported: Cilium's BGP control plane has no BFD. Upstream's mitigation for slow
// failure detection is shorter hold/keepalive timers, which netprofile sets on the peer's
// CiliumBGPPeerConfig (components/cilium.ts, BFD_MITIGATION_TIMERS).
// cilium v1.20 Documentation/network/bgp-control-plane/bgp-control-plane-operation.rst ("Peering Link Down")
import { finding, type RuleUnit } from './registry.js';

/** Hold 9 s / keepalive 3 s: the RFC 4271 ratio (keepalive = hold / 3), above upstream's minimum 3/1. */
export const BFD_MITIGATION_TIMERS = { holdTimeSeconds: 9, keepAliveTimeSeconds: 3 } as const;

export const ciliumBfdUnsupported: RuleUnit<'cilium-bfd-unsupported'> = {
  id: 'cilium-bfd-unsupported',
  severity: 'warning',
  summary: "BFD asked for on Cilium's BGP control plane, which has none",
  why: 'Cilium does not support BFD ("currently, Cilium does not support it"); a peering link that fails away from the node is only noticed when the BGP hold timer (90 s by default) expires.',
  fix: `netprofile sets holdTimeSeconds ${BFD_MITIGATION_TIMERS.holdTimeSeconds} / keepAliveTimeSeconds ${BFD_MITIGATION_TIMERS.keepAliveTimeSeconds} on that peer, as upstream suggests; set bfd: false to silence this, or use MetalLB (speaker: metallb) where BFD is needed.`,
  source: 'cilium Documentation/network/bgp-control-plane/bgp-control-plane-operation.rst',
  check: ({ plan }) => {
    if (plan.loadBalancer.speaker !== 'cilium' || !plan.loadBalancer.bgp) return [];
    const out = [];
    for (const [i, p] of plan.loadBalancer.bgp.peers.entries()) {
      if (!p.bfd) continue;
      out.push(finding(ciliumBfdUnsupported, `spec.loadBalancer.bgp.peers[${i}].bfd`, `Cilium's BGP control plane has no BFD, so peer ${p.name} would fail over only on the hold timer; netprofile sets hold ${BFD_MITIGATION_TIMERS.holdTimeSeconds} s / keepalive ${BFD_MITIGATION_TIMERS.keepAliveTimeSeconds} s on it instead (upstream's mitigation), or use speaker: metallb for BFD.`));
    }
    return out;
  },
};
