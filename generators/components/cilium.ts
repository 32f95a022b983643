// Cilium: chart values from the plan (one function, read top to bottom, in the manner of
// Gardener's generateChartValues) and the LB-IPAM / L2 / BGP custom resources. Field names follow
// the bundled CRDs under shared/schemas/cilium/<version>/crds.
import type { Plan, PlanPeer } from '../plan/types.js';
import type { ComponentOutput, K8sObject } from './types.js';
import { chartInstall } from './charts.js';
import { deepMerge, netprofileLabels } from './merge.js';
import { peerSecretSteps } from './bgp.js';

/** Label that ties CiliumBGPPeerConfig families to the CiliumBGPAdvertisement they announce. */
export const BGP_ADVERTISE_LABEL = 'netprofile.io/advertise';
/** Label a Service carries to draw from a pool that is not auto-assigned (Cilium has no autoAssign). */
export const POOL_LABEL = 'netprofile.io/lb-pool';

/** The Helm values of the Cilium chart for this plan; spec.cni.cilium.values merged last. */
export function ciliumValues(plan: Plan): Record<string, unknown> {
  const c = plan.cni;
  const values: Record<string, unknown> = {};

  // kube-proxy replacement: Cilium must then reach the API server without the kubernetes Service.
  values.kubeProxyReplacement = c.kubeProxyReplacement === true;
  if (c.kubeProxyReplacement && plan.cluster.apiServer) {
    values.k8sServiceHost = plan.cluster.apiServer.host;
    values.k8sServicePort = plan.cluster.apiServer.port;
  }

  // IP families.
  const v4 = plan.cluster.families.includes('IPv4');
  const v6 = plan.cluster.families.includes('IPv6');
  if (!v4) values.ipv4 = { enabled: false };
  if (v6) values.ipv6 = { enabled: true };

  // IPAM: cluster-pool from the profile's pod CIDRs (Cilium's own default 10.0.0.0/8 collides
  // with most networks, field notes §4), with the per-node masks the plan chose so that the
  // operator's allocator accepts them (cilium pkg/ipam/cidrset/cidr_set.go clusterSubnetMaxDiff).
  const ipam: Record<string, unknown> = { mode: c.ipam ?? 'cluster-pool' };
  if (c.ipam === 'cluster-pool') {
    const operator: Record<string, unknown> = {};
    if (c.clusterPoolIPv4PodCIDRList.length) {
      operator.clusterPoolIPv4PodCIDRList = [...c.clusterPoolIPv4PodCIDRList];
      if (c.clusterPoolIPv4MaskSize !== null) operator.clusterPoolIPv4MaskSize = c.clusterPoolIPv4MaskSize;
    }
    if (c.clusterPoolIPv6PodCIDRList.length) {
      operator.clusterPoolIPv6PodCIDRList = [...c.clusterPoolIPv6PodCIDRList];
      if (c.clusterPoolIPv6MaskSize !== null) operator.clusterPoolIPv6MaskSize = c.clusterPoolIPv6MaskSize;
    }
    ipam.operator = operator;
  }
  values.ipam = ipam;

  // Routing: an overlay needs nothing from the network; native routing needs the pod CIDR as
  // ipv4NativeRoutingCIDR or the agent refuses to start (field notes §4).
  if (c.routing === 'native') {
    values.routingMode = 'native';
    if (c.ipv4NativeRoutingCIDR) values.ipv4NativeRoutingCIDR = c.ipv4NativeRoutingCIDR;
    if (c.ipv6NativeRoutingCIDR) values.ipv6NativeRoutingCIDR = c.ipv6NativeRoutingCIDR;
    // Nodes install each other's pod routes only when nothing else distributes them and the
    // nodes share one L2 segment: not behind BGP, not with cloud IPAM, not inside a cloud VPC.
    // cilium Documentation/network/concepts/routing.rst: only "if all nodes share a single L2 network".
    if (c.autoDirectNodeRoutes) values.autoDirectNodeRoutes = true;
  } else {
    values.routingMode = 'tunnel';
    values.tunnelProtocol = c.tunnelProtocol ?? 'vxlan';
  }

  // Load balancing.
  if (c.l2announcements) {
    values.l2announcements = { enabled: true };
    // Raised only above the chart's default (cilium l2-announcements.rst "Sizing client rate limit").
    if (c.k8sClientRateLimit) values.k8sClientRateLimit = { ...c.k8sClientRateLimit };
  }
  // cilium l2-announcements.rst: announcements only on devices in `devices`; the 1.16-1.20
  // configmap templates write `join " " .Values.devices` (a list), and forceDeviceDetection keeps
  // the auto-detected devices besides the listed ones (pkg/datapath/linux/devices_controller.go).
  if (c.devices.length) {
    values.devices = [...c.devices];
    values.forceDeviceDetection = true;
  }
  if (c.bgpControlPlane) {
    // The agent gets a Role for Secrets in secretsNamespace.name; create: true makes the chart
    // create that namespace (cilium v1.16.19 templates/cilium-secrets-namespace.yaml, cilium-agent/role.yaml).
    values.bgpControlPlane = c.bgpSecretsNamespace ? { enabled: true, secretsNamespace: { create: true, name: c.bgpSecretsNamespace } } : { enabled: true };
  }
  // externalIPs.enabled is not rendered: on 1.16 the configmap writes enable-external-ips only
  // when kubeProxyReplacement is "false" or "partial" (cilium v1.16.19
  // templates/cilium-configmap.yaml), and with kube-proxy replacement the agent turns external IPs
  // on itself (daemon/cmd/kube_proxy_replacement.go, initKubeProxyReplacementOptions); from 1.17 the
  // value is gone. Without KPR kube-proxy serves external IPs.
  // eBPF masquerading where kube-proxy replacement provides BPF NodePort (masquerading.rst).
  if (c.bpfMasquerade) values.bpf = { masquerade: true };
  // Spiderpool beside Cilium: keep Multus' CNI config (spiderpool v1.2.2 get-started-cilium.md).
  if (!c.exclusive) values.cni = { exclusive: false };
  // Exactly one implementation owns LoadBalancer Services: when it is not Cilium, LB-IPAM must
  // not race it (decisions.md, lb-ownership). The value exists from 1.17 on.
  const otherOwner = plan.loadBalancer.implementation !== null && plan.loadBalancer.implementation !== 'none' && plan.loadBalancer.implementation !== 'cilium';
  if (!c.lbIPAM && otherOwner && (c.minor ?? 18) >= 17) values.defaultLBServiceIPAM = 'none';

  // Hubble from the profile.
  if (c.hubble) values.hubble = { relay: { enabled: c.hubble.relay }, ui: { enabled: c.hubble.ui } };

  // The platform's own values (generators/platforms/platforms.ts, each citing its install guide):
  // eni.enabled, gke.enabled with nodeinit, aksbyocni.enabled, alibabacloud.enabled, Talos's
  // capabilities and cgroup mount.
  const withPlatform = plan.platform ? deepMerge(values, plan.platform.values) : values;
  // The user's values last, as asked; the planner reported any conflict as a finding.
  return deepMerge(withPlatform, c.extraValues ?? {});
}

/** API versions follow the Cilium minor (api.md §6). */
export function ciliumApiVersions(minor: number): { pool: string; bgp: string; l2: string } {
  return minor >= 18
    ? { pool: 'cilium.io/v2', bgp: 'cilium.io/v2', l2: 'cilium.io/v2alpha1' }
    : { pool: 'cilium.io/v2alpha1', bgp: 'cilium.io/v2alpha1', l2: 'cilium.io/v2alpha1' };
}

export function renderCilium(plan: Plan): ComponentOutput {
  const out: ComponentOutput = { charts: [], controllers: [], configs: [], manualSteps: [] };
  if (plan.cni.provider !== 'cilium' || !plan.cni.version) return out;
  const minor = plan.cni.minor ?? 18;
  const api = ciliumApiVersions(minor);
  const labels = netprofileLabels(plan.profile);
  out.charts.push(chartInstall('cilium', ciliumValues(plan), plan.cni.version));

  // The platform's steps around the CNI (its own CNI off, kube-proxy off the way that platform does it).
  if (plan.platform) out.manualSteps.push(...plan.platform.manualSteps);
  else if (plan.cni.kubeProxyReplacement) {
    out.manualSteps.push('Cilium replaces kube-proxy: create the cluster without it (kubeadm init --skip-phases=addon/kube-proxy), or delete the kube-proxy DaemonSet and its iptables rules once Cilium runs.');
  }
  // GKE routes the pod ranges itself (VPC-native alias ranges): no route to add there.
  if (plan.cni.routing === 'native' && plan.platform?.id !== 'gke' && plan.environment.class !== 'bare-metal' && plan.cni.ipam !== 'eni' && plan.cni.ipam !== 'azure' && plan.cni.ipam !== 'alibabacloud' && !plan.loadBalancer.bgp?.advertise.includes('podCIDRs')) {
    out.manualSteps.push(`Native routing inside a cloud network: add routes for each node's pod CIDR to the VPC route table (nodes cannot install them for each other there).`);
  }

  // LB-IPAM pools only when Cilium owns LoadBalancer Services (lb-ownership).
  if (plan.cni.lbIPAM) {
    for (const pool of plan.loadBalancer.pools) {
      const spec: Record<string, unknown> = {
        blocks: pool.blocks.map((b) => (b.cidr ? { cidr: b.cidr } : { start: b.start, stop: b.stop })),
      };
      if (pool.serviceSelector) spec.serviceSelector = pool.serviceSelector;
      else if (!pool.autoAssign) {
        // The CRD has no autoAssign: a pool that must not hand out addresses unasked serves only
        // Services that carry its label.
        spec.serviceSelector = { matchLabels: { [POOL_LABEL]: pool.name } };
        out.manualSteps.push(`Pool ${pool.name} is not auto-assigned: label a Service ${POOL_LABEL}=${pool.name} to take an address from it.`);
      }
      out.configs.push({ apiVersion: api.pool, kind: 'CiliumLoadBalancerIPPool', metadata: { name: pool.name, labels }, spec });
    }
  }

  if (plan.cni.l2announcements) {
    const l2 = plan.loadBalancer.l2;
    // Before 1.19 the agent skips a device without an IP address even when `devices` lists it
    // (cilium pkg/datapath/linux/devices_controller.go isSelectedDevice; fixed by 6d5900a0d7 in the v1.19 cycle).
    if (plan.cni.devices.length && (plan.cni.minor ?? 18) < 19) {
      out.manualSteps.push(`Cilium ${plan.cni.version} attaches only to devices that carry an IP address, even when listed in devices: give ${plan.cni.devices.join(', ')} an address on every announcing node (a bare VLAN or bond is skipped), or use Cilium 1.19 or later.`);
    }
    const spec: Record<string, unknown> = { loadBalancerIPs: true };
    // Cilium reads interfaces as regular expressions: anchor a plain name so eth0 is not eth01.
    if (l2?.interfaces.length) spec.interfaces = l2.interfaces.map((i) => (/^[A-Za-z0-9_.@-]+$/.test(i) ? `^${i.replace(/\./g, '\\.')}$` : i));
    if (l2?.nodeSelector) spec.nodeSelector = l2.nodeSelector;
    out.configs.push({ apiVersion: api.l2, kind: 'CiliumL2AnnouncementPolicy', metadata: { name: 'l2-announcements', labels }, spec });
  }

  if (plan.cni.bgpControlPlane && plan.loadBalancer.bgp) {
    out.configs.push(...ciliumBgp(plan, api.bgp, labels, out.manualSteps));
  }
  return out;
}

function ciliumBgp(plan: Plan, apiVersion: string, labels: Record<string, string>, manualSteps: string[]): K8sObject[] {
  const bgp = plan.loadBalancer.bgp!;
  const objects: K8sObject[] = [];
  const peerConfigName = (p: PlanPeer) => `peer-${p.name}`;
  const instance: Record<string, unknown> = {
    name: `instance-${bgp.localASN ?? 0}`,
    localASN: bgp.localASN,
    peers: bgp.peers.map((p) => ({ name: p.name, peerASN: p.asn, peerAddress: p.address, peerConfigRef: { name: peerConfigName(p) } })),
  };
  objects.push({ apiVersion, kind: 'CiliumBGPClusterConfig', metadata: { name: 'bgp', labels }, spec: { bgpInstances: [instance] } });

  for (const p of bgp.peers) {
    const families = plan.cluster.families.map((f) => ({ afi: f === 'IPv4' ? 'ipv4' : 'ipv6', safi: 'unicast', advertisements: { matchLabels: { [BGP_ADVERTISE_LABEL]: 'bgp' } } }));
    const spec: Record<string, unknown> = { families };
    // Cilium reads BGP passwords from bgpControlPlane.secretsNamespace, key "password" (rule bgp-secret-key).
    if (p.passwordSecretRef) spec.authSecretRef = p.passwordSecretRef.name;
    // No BFD in Cilium: shorter timers instead (bgp-control-plane-operation.rst, rule cilium-bfd-unsupported).
    if (p.timers) spec.timers = { holdTimeSeconds: p.timers.holdTimeSeconds, keepAliveTimeSeconds: p.timers.keepAliveTimeSeconds };
    if (p.gracefulRestart) spec.gracefulRestart = { enabled: true, restartTimeSeconds: 120 };
    if (p.port !== 179) spec.transport = { peerPort: p.port };
    // cilium v1.18.3 pkg/k8s/apis/cilium.io/client/crds/v2/ciliumbgppeerconfigs.yaml: ebgpMultihop is the TTL (unset = single hop).
    if (p.ebgpMultiHop) spec.ebgpMultihop = 255;
    objects.push({ apiVersion, kind: 'CiliumBGPPeerConfig', metadata: { name: peerConfigName(p), labels }, spec });
  }
  manualSteps.push(...peerSecretSteps(bgp.peers, 'Cilium', plan.cni.bgpSecretsNamespace ?? 'kube-system', 'password'));
  const bfdPeers = bgp.peers.filter((p) => p.timers);
  if (bfdPeers.length) {
    manualSteps.push(`BFD was asked for peer(s) ${bfdPeers.map((p) => p.name).join(', ')}, but Cilium's BGP control plane has no BFD: netprofile sets hold ${bfdPeers[0].timers!.holdTimeSeconds} s / keepalive ${bfdPeers[0].timers!.keepAliveTimeSeconds} s on them instead; configure the same timers (or lower) on the routers, which use the smaller hold time of the two.`);
  }

  const advertisements: Record<string, unknown>[] = [];
  if (bgp.advertise.includes('podCIDRs')) advertisements.push({ advertisementType: 'PodCIDR' });
  const serviceAddresses = [
    ['loadBalancerIPs', 'LoadBalancerIP'], ['clusterIPs', 'ClusterIP'], ['externalIPs', 'ExternalIP'],
  ].filter(([k]) => bgp.advertise.includes(k)).map(([, v]) => v);
  if (serviceAddresses.length) {
    advertisements.push({
      advertisementType: 'Service',
      service: { addresses: serviceAddresses },
      // Cilium's documented way to select every Service: a NotIn on a value no Service carries.
      selector: { matchExpressions: [{ key: 'netprofile.io/no-bgp', operator: 'NotIn', values: ['never-used-value'] }] },
    });
  }
  if (advertisements.length) {
    objects.push({ apiVersion, kind: 'CiliumBGPAdvertisement', metadata: { name: 'bgp-advertisements', labels: { ...labels, [BGP_ADVERTISE_LABEL]: 'bgp' } }, spec: { advertisements } });
  }
  return objects;
}
