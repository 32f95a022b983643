// The platform table (issue 9): one entry per platform netprofile installs Cilium on, each with
// the signals that detect it, its default datapath (routing, IPAM and the chart values that
// platform needs), what it refuses and the manual steps around it. The model is cilium-cli's
// `--datapath-mode {tunnel|native|aws-eni|gke|azure|aks-byocni}`
// (cilium/cilium-cli vendor/github.com/cilium/cilium/cilium-cli/install/autodetect.go
// detectDatapathMode, install/helm.go getHelmValues @e694be3). The values come from Cilium's
// install guides at the release commits the bundled schemas were read at (v1.16.15 @7513067,
// v1.17.14 @6fc7f97, v1.18.3 @c160168): Documentation/installation/k8s-install-helm.rst and the
// files it includes (requirements-*.rst, alibabacloud-eni.rst, k8s-install-talos-linux.rst),
// k3s.rst, k8s-install-rke.rst, kind.rst. Every key was checked against the chart's templates at
// v1.18.3 (install/kubernetes/cilium/templates/) and the values schemas of 1.16-1.20.
// Pure data and small pure functions: no I/O.

export type PlatformId =
  | 'kubeadm' | 'kind' | 'k3s' | 'rke2' | 'talos'
  | 'eks' | 'gke' | 'aks' | 'ack'
  | 'aws-ec2' | 'gce' | 'azure-vm' | 'alibaba-ecs' | 'openstack' | 'hetzner-cloud' | 'digitalocean';

/** cilium-cli's datapath modes, plus Alibaba Cloud's ENI mode (cilium-cli has no flag for it). */
export type DatapathMode = 'tunnel' | 'native' | 'aws-eni' | 'gke' | 'azure' | 'aks-byocni' | 'alibabacloud-eni';

export type Ipam = 'cluster-pool' | 'kubernetes' | 'eni' | 'azure' | 'alibabacloud' | 'multi-pool';

/** What a platform's values and steps may depend on: the rest of the plan. */
export interface PlatformContext {
  kubeProxyReplacement: boolean;
  routing: 'tunnel' | 'native' | null;
  ipam: Ipam | null;
  bpfMasquerade: boolean;
  /** Nodes in the facts; null without facts. */
  nodes: number | null;
  podCIDRs: string[];
}

/** A datapath choice the platform cannot run: checked over the finished plan. */
export interface Refusal {
  /** Short name of what is refused, e.g. "native routing". */
  what: string;
  when: (c: PlatformContext & { families: string[] }) => boolean;
  /** The profile field the finding points at. */
  path: string;
  message: string;
}

export interface Platform {
  id: PlatformId;
  name: string;
  /** The signals that detect it, strongest first, in words (README and `detect -o text`). */
  signals: string[];
  datapathMode: DatapathMode;
  /** Defaults for the `auto` of spec.cni.cilium.routing and .ipam; null: the generic rules decide. */
  routing: 'tunnel' | 'native' | null;
  ipam: Ipam | null;
  /** Routing the chart itself enforces on this platform (whatever the IPAM); it wins over every other row. */
  forcesRouting?: 'tunnel' | 'native';
  /** API server endpoint Cilium uses with kube-proxy replacement when cluster.apiServer is unset. */
  apiServer?: { host: string; port: number; reason: string };
  /** Chart values this platform needs, beside the ones the plan derives. */
  values: (c: PlatformContext) => Record<string, unknown>;
  refuses: Refusal[];
  /** The platform's own CNI, which must be off before Cilium runs (BYO CNI); null: none ships. */
  ownCni: { name: string; howToDisable: string } | null;
  manualSteps: (c: PlatformContext) => string[];
  /** The upstream files behind the entry. */
  source: string;
}

const V = 'cilium v1.18.3 Documentation/installation';

/** Chart values that an IPAM mode needs on every platform (chart templates/cilium-operator/_helpers.tpl). */
export function ipamValues(ipam: Ipam | null): Record<string, unknown> {
  // cilium.operator.cloud picks the operator-aws image only with eni.enabled and
  // operator-alibabacloud only with alibabacloud.enabled; the generic operator has no ENI allocator.
  if (ipam === 'eni') return { eni: { enabled: true } };
  // alibabacloud-eni.rst: alibabacloud.enabled, ipam.mode alibabacloud, enableIPv4Masquerade false, routingMode native.
  if (ipam === 'alibabacloud') return { alibabacloud: { enabled: true }, enableIPv4Masquerade: false };
  return {};
}

const KPR_KUBEADM = 'Cilium replaces kube-proxy: create the cluster without it (kubeadm init --skip-phases=addon/kube-proxy), or delete the kube-proxy DaemonSet and its iptables rules once Cilium runs.';
const VXLAN_PORTS = 'Allow UDP 8472 (VXLAN; UDP 6081 for Geneve), TCP 4240 and ICMP echo between all nodes in the security groups / firewall: the overlay and the health checks use them (Cilium system requirements).';
const NO_CNI_TAINT = 'Create the node groups with the taint node.cilium.io/agent-not-ready=true:NoExecute so application pods wait until Cilium manages them.';

/** Talos: SYS_MODULE dropped from the agent's capabilities (Talos forbids loading modules). */
const TALOS_AGENT_CAPS = ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'];

const selfManagedCloud = (id: PlatformId, name: string, provider: string, providerIdForm: string): Platform => ({
  id,
  name,
  // cilium-cli: every cluster it does not recognise gets DatapathTunnel; k8s-install-helm.rst
  // "Generic": Encapsulation, Cluster Pool.
  signals: [`spec.providerID ${providerIdForm} without a managed-offering label`, `or spec.environment.provider: ${provider}, managed: false`],
  datapathMode: 'tunnel',
  routing: 'tunnel',
  ipam: 'cluster-pool',
  values: (c) => ipamValues(c.ipam),
  refuses: [],
  ownCni: null,
  manualSteps: (c) => [
    ...(c.kubeProxyReplacement ? [KPR_KUBEADM] : []),
    ...(c.routing === 'tunnel' ? [VXLAN_PORTS] : []),
  ],
  source: `${V}/k8s-install-helm.rst (Generic); Documentation/operations/system_requirements.rst (firewall rules); cilium-cli install/autodetect.go (default DatapathTunnel)`,
});

export const PLATFORMS: readonly Platform[] = [
  {
    id: 'eks',
    name: 'Amazon EKS',
    signals: ['label eks.amazonaws.com/nodegroup or eks.amazonaws.com/compute-type', 'kubelet version -eks-'],
    datapathMode: 'aws-eni',
    // requirements-eks.rst: "Direct Routing (ENI), AWS ENI"; k8s-install-helm.rst EKS tab:
    // eni.enabled=true, ipam.mode=eni, routingMode=native.
    routing: 'native',
    ipam: 'eni',
    values: (c) => ipamValues(c.ipam),
    refuses: [
      { what: 'IPv6 with ENI IPAM', when: (c) => c.ipam === 'eni' && c.families.includes('IPv6'), path: 'spec.cluster.podCIDRs',
        message: "Cilium's AWS ENI IPAM is IPv4 only (requirements-eks.rst, Limitations); run the EKS cluster IPv4-only, or set spec.cni.cilium.ipam: cluster-pool with routing: tunnel." },
    ],
    ownCni: { name: 'the Amazon VPC CNI (aws-node DaemonSet)', howToDisable: `kubectl -n kube-system patch daemonset aws-node --type=strategic -p '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}'` },
    manualSteps: (c) => [
      `Keep the Amazon VPC CNI off the nodes before Cilium starts: kubectl -n kube-system patch daemonset aws-node --type=strategic -p '{"spec":{"template":{"spec":{"nodeSelector":{"io.cilium/aws-node-enabled":"true"}}}}}'.`,
      ...(c.ipam === 'eni' ? ['The cilium-operator manages ENIs through the EC2 API: give the node role (or the operator\'s IRSA role, eni.iamRole) the EC2 privileges Cilium lists for ENI IPAM.'] : []),
      ...(c.ipam !== 'eni' ? ['Overlay on EKS: flush the VPC CNI\'s NAT chains on every node (iptables -t nat -F AWS-SNAT-CHAIN-0, AWS-SNAT-CHAIN-1, AWS-CONNMARK-CHAIN-0, AWS-CONNMARK-CHAIN-1); webhooks must be host-networked, as the EKS API server cannot reach the overlay.'] : []),
      NO_CNI_TAINT,
      ...(c.kubeProxyReplacement ? ['Cilium replaces kube-proxy: remove the kube-proxy add-on of the EKS cluster once Cilium runs, and set cluster.apiServer to the EKS API endpoint.'] : []),
    ],
    source: `${V}/k8s-install-helm.rst (EKS tab), requirements-eks.rst; install/kubernetes/cilium/templates/cilium-operator/_helpers.tpl (cilium.operator.cloud)`,
  },
  {
    id: 'gke',
    name: 'Google GKE',
    signals: ['label cloud.google.com/gke-nodepool or cloud.google.com/gke-os-distribution (as cilium-cli k8s/client.go AutodetectFlavor)'],
    datapathMode: 'gke',
    // requirements-gke.rst: "Direct Routing, Kubernetes PodCIDR"; the chart fails unless
    // routingMode is native with gke.enabled (templates/cilium-configmap.yaml).
    routing: 'native',
    ipam: 'kubernetes',
    forcesRouting: 'native',
    // k8s-install-helm.rst GKE tab (and cilium-cli install/helm.go KindGKE): nodeinit with
    // reconfigureKubelet and removeCbrBridge (read by files/nodeinit/startup.bash), the CNI binaries
    // in /home/kubernetes/bin, gke.enabled; ipv4NativeRoutingCIDR = the cluster's pod CIDR.
    values: () => ({
      nodeinit: { enabled: true, reconfigureKubelet: true, removeCbrBridge: true },
      cni: { binPath: '/home/kubernetes/bin' },
      gke: { enabled: true },
    }),
    refuses: [
      { what: 'tunnel routing', when: (c) => c.routing === 'tunnel', path: 'spec.cni.cilium.routing',
        message: "With gke.enabled Cilium's chart refuses any routingMode but native (templates/cilium-configmap.yaml: \"RoutingMode must be set to native when gke.enabled=true\"); set spec.cni.cilium.routing: native or auto." },
    ],
    ownCni: { name: 'GKE Dataplane V2 (GKE\'s own Cilium, anetd)', howToDisable: 'create the cluster without --enable-dataplane-v2' },
    manualSteps: (c) => [
      'Create the GKE cluster without Dataplane V2 (no --enable-dataplane-v2) and with --node-taints node.cilium.io/agent-not-ready=true:NoExecute, so pods wait for Cilium.',
      `ipv4NativeRoutingCIDR is the cluster's pod range: check that spec.cluster.podCIDRs (${c.podCIDRs.join(', ') || 'unset'}) equals gcloud container clusters describe NAME --format 'value(clusterIpv4Cidr)'.`,
    ],
    source: `${V}/k8s-install-helm.rst (GKE tab), requirements-gke.rst; install/kubernetes/cilium/templates/cilium-configmap.yaml (gke.enabled), files/nodeinit/startup.bash; cilium-cli install/helm.go (KindGKE)`,
  },
  {
    id: 'aks',
    name: 'Azure AKS (bring your own CNI)',
    signals: ['label kubernetes.azure.com/cluster', 'label kubernetes.azure.com/ebpf-dataplane: cilium or kubernetes.azure.com/azure-cni-overlay: "true" shows an AKS-managed CNI'],
    datapathMode: 'aks-byocni',
    // requirements-aks.rst: "Encapsulation, Cluster Pool"; k8s-install-helm.rst AKS tab:
    // aksbyocni.enabled=true ("supported only for AKS BYOCNI cluster").
    routing: 'tunnel',
    ipam: 'cluster-pool',
    forcesRouting: 'tunnel',
    values: () => ({ aksbyocni: { enabled: true } }),
    refuses: [
      { what: 'native routing', when: (c) => c.routing === 'native', path: 'spec.cni.cilium.routing',
        message: "With aksbyocni.enabled Cilium's chart refuses any routingMode but tunnel (templates/cilium-configmap.yaml: \"RoutingMode must be set to tunnel when aksbyocni.enabled=true\"); set spec.cni.cilium.routing: tunnel or auto." },
      { what: 'an IPAM other than cluster-pool', when: (c) => c.ipam === 'kubernetes' || c.ipam === 'multi-pool', path: 'spec.cni.cilium.ipam',
        message: 'On an AKS BYOCNI cluster the chart writes ipam: cluster-pool whatever ipam.mode says (templates/cilium-configmap.yaml), so the plan and the agent would disagree; set spec.cni.cilium.ipam: cluster-pool or auto.' },
    ],
    ownCni: { name: "an AKS-managed CNI (Azure CNI, its overlay, or Azure CNI Powered by Cilium)", howToDisable: 'create the cluster with az aks create --network-plugin none' },
    manualSteps: (c) => [
      'The AKS cluster must have been created with az aks create --network-plugin none (bring your own CNI); a cluster with an AKS-managed CNI cannot be switched.',
      `The cluster-pool pod CIDRs (${c.podCIDRs.join(', ') || 'spec.cluster.podCIDRs'}) must not overlap the AKS service CIDR.`,
    ],
    source: `${V}/k8s-install-helm.rst (AKS tab), requirements-aks.rst; install/kubernetes/cilium/templates/cilium-configmap.yaml (aksbyocni.enabled); AKS node labels: Azure/karpenter-provider-azure pkg labels (AKSLabelEBPFDataplane, AKSLabelAzureCNIOverlay)`,
  },
  {
    id: 'ack',
    name: 'Alibaba Cloud ACK',
    signals: ['label node.alibabacloud.com/nodepool-id or alibabacloud.com/nodepool-id'],
    datapathMode: 'alibabacloud-eni',
    // alibabacloud-eni.rst: alibabacloud.enabled=true, ipam.mode=alibabacloud,
    // enableIPv4Masquerade=false, routingMode=native.
    routing: 'native',
    ipam: 'alibabacloud',
    values: (c) => ipamValues(c.ipam),
    refuses: [],
    ownCni: { name: 'the ACK CNI (Terway or Flannel)', howToDisable: 'kubectl -n kube-system delete daemonset of terway, terway-eni, terway-eniip or kube-flannel-ds' },
    manualSteps: (c) => [
      'Delete the ACK CNI before Cilium starts: kubectl -n kube-system delete daemonset <terway | terway-eni | terway-eniip | kube-flannel-ds>, then the CRDs Terway created (ciliumnetworkpolicies.cilium.io, ciliumendpoints.cilium.io, ... and the crd.projectcalico.org ones), as Cilium\'s Alibaba Cloud guide lists them.',
      ...(c.ipam === 'alibabacloud' ? [
        'Create the Secret kube-system/cilium-alibabacloud with ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET of a RAM user allowed the ECS ENI and VPC describe actions Cilium\'s guide lists (the chart reads that Secret by name; netprofile never renders it).',
        'Let the security groups of the pod ENIs (eth1, eth2, ...; derived from the primary ENI) allow egress out of the VPC.',
      ] : []),
    ],
    source: `${V}/alibabacloud-eni.rst; install/kubernetes/cilium/templates/cilium-operator/_helpers.tpl, cilium-operator/deployment.yaml (Secret cilium-alibabacloud)`,
  },
  {
    id: 'k3s',
    name: 'k3s',
    signals: ['kubelet version suffix +k3s', 'label node.kubernetes.io/instance-type: k3s (as cilium-cli AutodetectFlavor)', 'spec.providerID k3s://'],
    datapathMode: 'tunnel',
    // requirements-k3s.rst: "Encapsulation, Cluster Pool"; k8s-install-helm.rst k3s tab: operator.replicas=1.
    routing: 'tunnel',
    ipam: 'cluster-pool',
    // operator.replicas 1 as the k3s tab sets it, where it matters: on one node the chart's
    // second replica (pod anti-affinity) never schedules.
    values: (c) => ({ ...ipamValues(c.ipam), ...(c.nodes === 1 ? { operator: { replicas: 1 } } : {}) }),
    refuses: [],
    ownCni: { name: "k3s's flannel and its network policy controller", howToDisable: "start every k3s server with --flannel-backend=none --disable-network-policy" },
    manualSteps: (c) => [
      `Start every k3s server with --flannel-backend=none --disable-network-policy${c.kubeProxyReplacement ? ' --disable-kube-proxy' : ''} (INSTALL_K3S_EXEC or /etc/rancher/k3s/config.yaml), so flannel does not run next to Cilium${c.kubeProxyReplacement ? ' and Cilium replaces kube-proxy' : ''}.`,
    ],
    source: `${V}/k3s.rst, requirements-k3s.rst, k8s-install-helm.rst (k3s tab)`,
  },
  {
    id: 'rke2',
    name: 'RKE2',
    signals: ['kubelet version suffix +rke2'],
    datapathMode: 'tunnel',
    routing: 'tunnel',
    ipam: 'cluster-pool',
    values: (c) => ipamValues(c.ipam),
    refuses: [],
    ownCni: { name: "RKE2's bundled CNI (Canal by default, or its rke2-cilium chart)", howToDisable: 'set cni: none in /etc/rancher/rke2/config.yaml on every server before the first start' },
    manualSteps: (c) => [
      `Set cni: none${c.kubeProxyReplacement ? ' and disable-kube-proxy: true' : ''} in /etc/rancher/rke2/config.yaml on every server before the first start (RKE2 cannot change its CNI on a running cluster); netprofile installs the upstream Cilium chart, not RKE2's rke2-cilium.`,
    ],
    source: `${V}/k8s-install-rke.rst (RKE2: cni: none and Helm); docs.rke2.io networking/basic_network_options (cni: none, no CNI change on a running cluster)`,
  },
  {
    id: 'talos',
    name: 'Talos Linux',
    signals: ['status.nodeInfo.osImage Talos'],
    datapathMode: 'tunnel',
    // k8s-install-talos-linux.rst: "Kubernetes Host Scope IPAM mode as Talos, by default, assigns
    // PodCIDRs to v1.Node resources"; routing stays the chart default (tunnel).
    routing: 'tunnel',
    ipam: 'kubernetes',
    // KubePrism: the API server on localhost:7445 on every Talos node.
    apiServer: { host: 'localhost', port: 7445, reason: "Talos's KubePrism serves the API server on localhost:7445 on every node" },
    values: (c) => ({
      securityContext: { capabilities: { ciliumAgent: [...TALOS_AGENT_CAPS], cleanCiliumState: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'] } },
      cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
      // Talos ≥ 1.8 forwards kube-dns to host DNS, which eBPF host routing breaks.
      ...(c.bpfMasquerade ? { bpf: { hostLegacyRouting: true } } : {}),
    }),
    refuses: [],
    ownCni: { name: "Talos's default CNI (flannel)", howToDisable: 'cluster.network.cni.name: none in the machine config' },
    manualSteps: (c) => [
      `Generate the Talos machine configs with cluster.network.cni.name: none${c.kubeProxyReplacement ? ' and cluster.proxy.disabled: true' : ''} (talosctl gen config --config-patch), so no other CNI${c.kubeProxyReplacement ? ' and no kube-proxy' : ''} is deployed.`,
    ],
    source: `${V}/k8s-install-talos-linux.rst`,
  },
  {
    id: 'kind',
    name: 'kind',
    signals: ['spec.providerID kind://'],
    datapathMode: 'tunnel',
    // cilium-cli install/helm.go KindKind: ipam.mode kubernetes; kind.rst: --set ipam.mode=kubernetes.
    routing: 'tunnel',
    ipam: 'kubernetes',
    values: () => ({}),
    refuses: [],
    ownCni: { name: "kind's kindnet", howToDisable: 'networking.disableDefaultCNI: true in the kind config' },
    manualSteps: (c) => [
      `Create the kind cluster with networking.disableDefaultCNI: true${c.kubeProxyReplacement ? ' and networking.kubeProxyMode: none' : ''} in its config.`,
    ],
    source: `${V}/kind.rst, kind-configure.rst, kind-config.yaml; cilium-cli install/helm.go (KindKind)`,
  },
  selfManagedCloud('aws-ec2', 'Self-managed on AWS EC2', 'aws', 'aws://'),
  selfManagedCloud('gce', 'Self-managed on Google Compute Engine', 'gcp', 'gce://'),
  selfManagedCloud('azure-vm', 'Self-managed on Azure VMs', 'azure', 'azure://'),
  selfManagedCloud('alibaba-ecs', 'Self-managed on Alibaba Cloud ECS', 'alibaba', 'alicloud:// or <region>.i-<id>'),
  selfManagedCloud('openstack', 'Self-managed on OpenStack', 'openstack', 'openstack://'),
  selfManagedCloud('hetzner-cloud', 'Self-managed on Hetzner Cloud', 'hetzner', 'hcloud://<id>'),
  selfManagedCloud('digitalocean', 'Self-managed on DigitalOcean', 'digitalocean', 'digitalocean://'),
  {
    id: 'kubeadm',
    name: 'kubeadm (bare metal or on-premises VMs)',
    signals: ['no providerID and no cloud label (or vsphere://, hrobot://, hcloud://bm-, equinixmetal://)', 'no distribution suffix in the kubelet version'],
    datapathMode: 'tunnel',
    // k8s-install-helm.rst Generic: Encapsulation, Cluster Pool.
    routing: null,
    ipam: null,
    values: (c) => ipamValues(c.ipam),
    refuses: [],
    ownCni: null,
    manualSteps: (c) => (c.kubeProxyReplacement ? [KPR_KUBEADM] : []),
    source: `${V}/k8s-install-helm.rst (Generic), requirements-generic.rst`,
  },
];

export function platform(id: PlatformId): Platform {
  const p = PLATFORMS.find((x) => x.id === id);
  if (!p) throw new Error(`no platform ${id}`);
  return p;
}

const MANAGED: Record<string, PlatformId> = { aws: 'eks', gcp: 'gke', azure: 'aks', alibaba: 'ack' };
const SELF_MANAGED: Record<string, PlatformId> = {
  aws: 'aws-ec2', gcp: 'gce', azure: 'azure-vm', alibaba: 'alibaba-ecs', openstack: 'openstack', hetzner: 'hetzner-cloud', digitalocean: 'digitalocean',
};

/**
 * Which entry applies, read top to bottom: a managed offering decides first (its provider runs the
 * control plane and the CNI question); then a distribution with its own CNI wiring (k3s, RKE2,
 * Talos, kind); then the self-managed cloud; otherwise generic kubeadm.
 */
export function platformFor(x: { distribution: string | null; kind?: boolean; type: string | null; provider: string | null; managed: boolean | null }): { id: PlatformId; reason: string } {
  if (x.managed && x.provider && MANAGED[x.provider]) return { id: MANAGED[x.provider], reason: `managed ${x.provider} cluster` };
  if (x.distribution === 'k3s' || x.distribution === 'rke2' || x.distribution === 'talos') return { id: x.distribution, reason: `distribution ${x.distribution}` };
  if (x.kind) return { id: 'kind', reason: 'kind:// provider IDs' };
  if (x.type === 'cloud' && x.provider && SELF_MANAGED[x.provider]) return { id: SELF_MANAGED[x.provider], reason: `self-managed cluster on ${x.provider}` };
  return { id: 'kubeadm', reason: x.type === 'cloud' ? `no platform entry for provider ${x.provider ?? '(unknown)'}: generic` : 'bare metal or on-premises: generic' };
}
