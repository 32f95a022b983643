// bgp-speaker-conflict: a router keeps one BGP session per pair of hosts, so two speakers on one
// node (Cilium's BGP control plane, MetalLB, kube-router, bird) cannot both peer the same router
// (field note 2: Calico's and MetalLB's BGP; metallb website/content/configuration/calico.md).
import type { Finding } from '../../api/findings.js';
import { parseIP } from '../../api/net.js';
import { finding, type RuleUnit } from './registry.js';
import { getPath } from './util.js';

export const bgpSpeakerConflict: RuleUnit<'bgp-speaker-conflict'> = {
  id: 'bgp-speaker-conflict',
  severity: 'error',
  summary: 'two BGP speakers on the same nodes would peer the same router',
  why: 'BGP allows one session per pair of hosts: when two speakers on a node (Cilium BGP control plane, MetalLB, kube-router, bird) peer the same router, the router keeps one and the other flaps.',
  fix: 'Let one speaker peer each router: match speaker and implementation, remove bgpControlPlane from the Cilium values, list each peer once, or peer the speakers with different routers.',
  source: 'field note 2 (Calico and MetalLB BGP on one router); metallb website/content/configuration/calico.md',
  check({ plan, profile }) {
    const lb = plan.loadBalancer;
    const implementation = lb.implementation;
    const speaker = lb.speaker;
    const usesCilium = profile.spec.cni.provider === 'cilium';
    const peers = profile.spec.loadBalancer.bgp.peers;
    const out: Finding[] = [];
    if (lb.mode === 'bgp' && implementation) {
      if (speaker === 'cilium' && implementation !== 'cilium') {
        out.push(finding(bgpSpeakerConflict, 'spec.loadBalancer.bgp.speaker', `speaker: cilium with implementation: ${implementation} would run Cilium's BGP control plane next to ${implementation}'s own announcements; use implementation: cilium, or speaker: ${implementation === 'metallb' ? 'metallb' : 'external'}.`));
      }
      if (speaker === 'metallb' && implementation !== 'metallb') {
        out.push(finding(bgpSpeakerConflict, 'spec.loadBalancer.bgp.speaker', `speaker: metallb needs implementation: metallb (MetalLB peers only for addresses it allocates); change one of the two.`));
      }
      if (speaker === 'cilium' && !usesCilium) {
        out.push(finding(bgpSpeakerConflict, 'spec.loadBalancer.bgp.speaker', 'speaker: cilium needs Cilium as the CNI; choose metallb or external.'));
      }
    }
    // Cilium's own values may switch on a second speaker.
    const userBgp = getPath(profile.spec.cni.cilium.values, ['bgpControlPlane', 'enabled']) === true;
    if (usesCilium && userBgp && speaker && speaker !== 'cilium' && peers.length > 0) {
      out.push(finding(bgpSpeakerConflict, 'spec.cni.cilium.values.bgpControlPlane.enabled', `Cilium's BGP control plane would peer the same routers (${peers.map((p) => p.address).join(', ')}) as ${speaker === 'external' ? 'the external speaker' : speaker} from the same nodes, and a router keeps one session per pair of hosts; remove bgpControlPlane from the values or peer them with different routers.`));
    }
    const seenPeer = new Map<string, number>();
    peers.forEach((p, i) => {
      const ip = parseIP(p.address);
      const key = ip ? `${ip.family}/${ip.value}` : p.address;
      if (seenPeer.has(key)) out.push(finding(bgpSpeakerConflict, `spec.loadBalancer.bgp.peers[${i}].address`, `Peer ${p.name} has the same address as peers[${seenPeer.get(key)}]; one router accepts one session per pair of hosts, so list it once.`));
      else seenPeer.set(key, i);
    });
    return out;
  },
};
