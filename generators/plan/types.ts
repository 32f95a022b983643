// The plan (api.md §3): every `auto` resolved, with the decisions and findings behind it.
// Renderers read only this: it is the contract between the planner and generators/components.
import type { Family } from '../api/net.js';
import type { Finding } from '../api/findings.js';
import type { DatapathMode, PlatformId } from '../platforms/platforms.js';

export type EnvironmentClass = 'public-cloud' | 'openstack' | 'bare-metal';
export type Implementation = 'cilium' | 'metallb' | 'purelb' | 'cloud' | 'none';
export type Speaker = 'cilium' | 'metallb' | 'purelb' | 'external';
export type CcmProvider = 'alibaba' | 'aws' | 'azure' | 'gcp' | 'openstack' | 'hetzner' | 'digitalocean';

export interface Decision {
  /** Plan field, e.g. loadBalancer.implementation. */
  field: string;
  value: unknown;
  /** The rule id behind the choice (api.md §4 or a decision-table row), null when a fact decided. */
  rule: string | null;
  /** The fact behind the choice, null when a rule decided. */
  fact: string | null;
  reason: string;
}

/** One pool entry, in every form a renderer needs. */
export interface PlanBlock {
  family: Family;
  /** Set when the entry is a CIDR. */
  cidr: string | null;
  /** First and last address (also set for CIDRs). */
  start: string;
  stop: string;
  /** The entry as MetalLB writes it: CIDR or first-last. */
  text: string;
  /** The smallest CIDR holding the entry (PureLB's `subnet`). */
  subnet: string;
}

export interface PlanPool {
  name: string;
  blocks: PlanBlock[];
  autoAssign: boolean;
  serviceSelector: Record<string, unknown> | null;
  families: Family[];
}

export interface PlanPeer {
  name: string;
  address: string;
  family: Family;
  asn: number;
  port: number;
  bfd: boolean;
  gracefulRestart: boolean;
  /** Effective eBGP multi-hop (spec ebgpMultiHop, or auto: the peer is outside every node subnet). */
  ebgpMultiHop: boolean;
  passwordSecretRef: { name: string; key: string } | null;
  /** BGP hold/keepalive timers netprofile sets (Cilium with bfd asked: upstream's mitigation); null = speaker defaults. */
  timers: { holdTimeSeconds: number; keepAliveTimeSeconds: number } | null;
}

/** The platform table entry the plan follows (generators/platforms/platforms.ts), resolved for this plan. */
export interface PlanPlatform {
  id: PlatformId;
  name: string;
  datapathMode: DatapathMode;
  /** Chart values the platform needs (merged before spec.cni.cilium.values). */
  values: Record<string, unknown>;
  /** Steps outside Git the platform needs around the CNI. */
  manualSteps: string[];
  source: string;
}

export interface Plan {
  profile: string;
  namespace: string | null;
  cluster: {
    name: string;
    podCIDRs: string[];
    serviceCIDRs: string[];
    nodeCIDRs: string[];
    families: Family[];
    apiServer: { host: string; port: number } | null;
    kubeProxy: 'none' | 'iptables' | 'ipvs';
    distribution: 'kubeadm' | 'k3s' | 'rke2' | 'talos' | 'managed';
  };
  environment: {
    type: 'cloud' | 'bare-metal' | null;
    provider: string | null;
    managed: boolean | null;
    region: string | null;
    class: EnvironmentClass | null;
    /** explicit: all from the profile; detected: all from facts; mixed: some of each; none: unknown. */
    source: 'explicit' | 'detected' | 'mixed' | 'none';
    evidence: readonly string[];
    /** Nodes that carry node.cloudprovider.kubernetes.io/uninitialized. */
    uninitializedNodes: string[];
  };
  cni: {
    provider: 'cilium' | 'none';
    version: string | null;
    /** Minor version number, e.g. 18 for 1.18.3; null without Cilium. */
    minor: number | null;
    routing: 'tunnel' | 'native' | null;
    tunnelProtocol: 'vxlan' | 'geneve' | null;
    ipam: 'cluster-pool' | 'kubernetes' | 'eni' | 'azure' | 'alibabacloud' | 'multi-pool' | null;
    clusterPoolIPv4PodCIDRList: string[];
    clusterPoolIPv6PodCIDRList: string[];
    /** Per-node masks of cluster-pool IPAM (ipam.operator.clusterPoolIPv*MaskSize); null when none is set. */
    clusterPoolIPv4MaskSize: number | null;
    clusterPoolIPv6MaskSize: number | null;
    /** Nodes install each other's pod routes (one L2 segment, nothing else distributes them). */
    autoDirectNodeRoutes: boolean;
    /** Devices Cilium must attach to besides the auto-detected ones (L2 announcement interfaces). */
    devices: string[];
    /** k8sClientRateLimit raised for L2 leases; null leaves the chart's default. */
    k8sClientRateLimit: { qps: number; burst: number } | null;
    /** eBPF masquerading (bpf.masquerade) instead of iptables. */
    bpfMasquerade: boolean;
    /** Namespace the agent reads BGP password Secrets from (bgpControlPlane.secretsNamespace); null without BGP. */
    bgpSecretsNamespace: string | null;
    /** cni.exclusive: false keeps other CNI configs (Multus for the underlay) in /etc/cni/net.d. */
    exclusive: boolean;
    ipv4NativeRoutingCIDR: string | null;
    ipv6NativeRoutingCIDR: string | null;
    kubeProxyReplacement: boolean | null;
    l2announcements: boolean;
    bgpControlPlane: boolean;
    /** Cilium LB-IPAM hands out LoadBalancer addresses (only when Cilium owns Services). */
    lbIPAM: boolean;
    hubble: { relay: boolean; ui: boolean } | null;
    /** spec.cni.cilium.values, merged last by the renderer. */
    extraValues: Record<string, unknown>;
  };
  loadBalancer: {
    implementation: Implementation | null;
    mode: 'l2' | 'bgp' | null;
    speaker: Speaker | null;
    pools: PlanPool[];
    l2: { interfaces: string[]; nodeSelector: Record<string, unknown> | null } | null;
    bgp: { localASN: number | null; peers: PlanPeer[]; advertise: string[] } | null;
    /** PureLB: whether its lbnodeagent announces (false when an external speaker does). */
    nodeAgent: boolean;
  };
  ccm: {
    enabled: boolean;
    provider: CcmProvider | null;
    credentialsSecretRef: { name: string; namespace: string } | null;
    region: string | null;
    /**
     * The CCM release line for the cluster's Kubernetes minor (generators/charts/ccm-images.ts);
     * tag null for providers released on one line; absent when no CCM is rendered.
     */
    version?: { clusterMinor: number | null; tag: string | null; chart: string | null; skew: string | null } | null;
  };
  underlay: {
    enabled: boolean;
    cni: 'ipvlan' | 'macvlan' | null;
    pools: { node: string; interface: string; subnet: string; gateway: string | null; ips: string[]; family: Family }[];
  };
  gitops: {
    engine: 'flux' | 'argocd' | 'plain';
    path: string;
    repo: { url: string; branch: string; secretRef: { name: string } | null } | null;
    commitMessage: string;
  };
  /** Null when the environment is unknown (no entry can be chosen). */
  platform: PlanPlatform | null;
  decisions: Decision[];
  findings: Finding[];
}
