// The Cilium datapath decisions that follow from the rest of the plan (issue 10): each value is
// decided here with its reason; components/cilium.ts only writes them as chart values.
import type { NetworkProfile } from '../api/profile.js';
import { type AddressBlock, isBlock, parseAddressBlock, parseCIDR } from '../api/net.js';
import { clusterPoolMask, l2RateLimit, nodeSegments } from './cilium-datapath.js';
import type { Plan } from './types.js';

type Decide = (field: string, value: unknown, reason: string, rule?: string | null, fact?: string | null) => void;

/** Namespace for BGP password Secrets: the agent gets Secret read access there only. */
export const BGP_SECRETS_NAMESPACE = 'cilium-bgp-secrets';

export function ciliumDatapath(profile: NetworkProfile, env: { class: string | null; provider: string | null; managed: boolean | null },
  d: { ipam: string | null; routing: string | null; kpr: boolean; l2: boolean; bgp: boolean; minor: number; podBlocks: AddressBlock[]; mode: 'l2' | 'bgp' | null }, decide: Decide): Pick<Plan['cni'],
  'clusterPoolIPv4MaskSize' | 'clusterPoolIPv6MaskSize' | 'autoDirectNodeRoutes' | 'devices' | 'k8sClientRateLimit' | 'bpfMasquerade' | 'bgpSecretsNamespace' | 'exclusive'> {
  const spec = profile.spec;

  // Per-node masks (cilium pkg/ipam/cidrset/cidr_set.go clusterSubnetMaxDiff; a mask the operator
  // refuses is reported by rule cilium-ipam-mask).
  let clusterPoolIPv4MaskSize: number | null = null;
  let clusterPoolIPv6MaskSize: number | null = null;
  if (d.ipam === 'cluster-pool') {
    for (const b of d.podBlocks) {
      const m = clusterPoolMask(b);
      if (m.mask === null) continue;
      if (b.family === 'IPv4') clusterPoolIPv4MaskSize = m.mask; else clusterPoolIPv6MaskSize = m.mask;
      decide(`cni.clusterPool${b.family}MaskSize`, m.mask, m.reason, 'cilium-ipam-mask');
    }
  }

  // autoDirectNodeRoutes only on one L2 segment with nothing else distributing pod routes
  // (cilium Documentation/network/concepts/routing.rst). Several subnets: rule native-routing-routes.
  let autoDirectNodeRoutes = false;
  if (d.routing === 'native' && d.ipam !== 'eni' && d.ipam !== 'azure' && d.ipam !== 'alibabacloud'
    && !(d.mode === 'bgp' && spec.loadBalancer.bgp.advertise.includes('podCIDRs')) && env.class === 'bare-metal') {
    const nodeBlocks = spec.cluster.nodeCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
    const seg = nodeSegments(nodeBlocks);
    if (seg.IPv4 <= 1 && seg.IPv6 <= 1) {
      autoDirectNodeRoutes = true;
      decide('cni.autoDirectNodeRoutes', true, nodeBlocks.length
        ? `native routing on bare metal, all nodes in one subnet (${nodeBlocks.map((b) => b.text).join(', ')}): each node installs routes to the others' pod CIDRs`
        : 'native routing on bare metal without cluster.nodeCIDRs: assumed one L2 segment (set nodeCIDRs so netprofile can check)', 'native-routing-routes');
    } else {
      decide('cni.autoDirectNodeRoutes', false, `the nodes span ${Math.max(seg.IPv4, seg.IPv6)} subnets: direct routes reach only one L2 segment`, 'native-routing-routes');
    }
  }

  // L2 announcements answer only on devices Cilium attaches to (l2-announcements.rst: "L2
  // announcements only work if the selected devices are also part of the set of devices specified
  // in the devices Helm option"); forceDeviceDetection keeps the auto-detected ones as well
  // (pkg/datapath/linux/devices_controller.go isSelectedDevice).
  const devices = d.l2 ? [...spec.loadBalancer.l2.interfaces] : [];
  if (devices.length) decide('cni.devices', devices, 'the L2 announcement interfaces must be Cilium devices; auto-detection stays on for the others (forceDeviceDetection)');

  // Client rate limit sized from the pools (l2-announcements.rst "Sizing client rate limit").
  let k8sClientRateLimit: { qps: number; burst: number } | null = null;
  if (d.l2) {
    let addresses = 0n;
    for (const pool of spec.loadBalancer.pools) for (const a of pool.addresses) {
      const b = parseAddressBlock(a);
      if (isBlock(b)) addresses += b.last - b.first + 1n;
    }
    const r = l2RateLimit(addresses, d.minor);
    k8sClientRateLimit = r.limit;
    decide('cni.k8sClientRateLimit', r.limit, r.reason);
  }

  // eBPF masquerading needs the BPF NodePort of kube-proxy replacement (masquerading.rst); it turns
  // on BPF host routing, which bypasses netfilter: not on GKE (Workload Identity relies on it,
  // operations/performance/tuning.rst). ENI IPAM does not masquerade (enableIPv4Masquerade default).
  let bpfMasquerade = false;
  if (d.kpr) {
    if (env.managed && env.provider === 'gcp') decide('cni.bpfMasquerade', false, 'GKE: BPF host routing bypasses the netfilter hooks Workload Identity needs');
    else if (d.ipam === 'eni') decide('cni.bpfMasquerade', false, 'ENI IPAM: pods use VPC addresses and Cilium does not masquerade');
    else { bpfMasquerade = true; decide('cni.bpfMasquerade', true, 'kube-proxy replacement is on: eBPF masquerading replaces the slower iptables masquerade (Linux ≥ 5.10 as Cilium requires)'); }
  }

  const bgpSecretsNamespace = d.bgp ? BGP_SECRETS_NAMESPACE : null;
  if (bgpSecretsNamespace) decide('cni.bgpSecretsNamespace', bgpSecretsNamespace, 'the agent gets Secret read access in bgpControlPlane.secretsNamespace; a dedicated namespace instead of kube-system keeps it away from every other kube-system Secret');

  // Spiderpool beside Cilium: Cilium renames every other CNI config unless cni.exclusive is false
  // (spidernet-io/spiderpool v1.2.2 docs/usage/install/overlay/get-started-cilium.md).
  const exclusive = !spec.underlay.enabled;
  if (!exclusive) decide('cni.exclusive', false, "the underlay needs Multus' CNI config in /etc/cni/net.d, which an exclusive Cilium renames to *.cilium_bak");

  return { clusterPoolIPv4MaskSize, clusterPoolIPv6MaskSize, autoDirectNodeRoutes, devices, k8sClientRateLimit, bpfMasquerade, bgpSecretsNamespace, exclusive };
}
