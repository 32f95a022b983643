// The NetworkProfile netprofile.io/v1alpha1 resource (api.md §1): the one schema source.
// The TypeScript types, the input validator and the CRD's openAPIV3Schema all come from here.
import { s, type Infer, type Check } from './schema.js';
import { isBlock, isDNSLabel, parseAddressBlock, parseCIDR, parseIP } from './net.js';

export const GROUP = 'netprofile.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'NetworkProfile';

// Patterns for the CRD, so kubectl / the API server refuse what these checks refuse. Each is
// looser than its check (host bits, family mixing and ranges stay with the checks), never stricter.
const IP_RE = '([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*)';
export const PATTERNS = {
  // The length limits are in the patterns (63 and 253), so the checks keep their own messages.
  dnsLabel: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
  subdomain: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$',
  cidr: `^${IP_RE}/[0-9]{1,3}$`,
  ip: `^${IP_RE}$`,
  addressBlock: `^\\s*${IP_RE}\\s*(/[0-9]{1,3}|-\\s*${IP_RE})\\s*$`,
} as const;
const label = { pattern: PATTERNS.dnsLabel };
const subdomain = { pattern: PATTERNS.subdomain };
/** A list of one CIDR per IP family: the CRD says so with CEL (a pattern sees one item). */
const oneCidrPerFamily = [{ rule: "self.size() < 2 || self[0].contains(':') != self[1].contains(':')", message: 'must hold one CIDR per IP family (an IPv4 and an IPv6 one for dual-stack), not two of the same family' }] as const;
/** Refuses an inline secret at the API server; the planner's inline-secret rule says the same. */
const noInline = (field: string, what: string, ref: string) => ({ rule: `!has(self.${field})`, message: `${what}: netprofile takes credentials only as a Secret reference; put it in a Secret and set ${ref}`, fieldPath: `.${field}`, reason: 'FieldValueForbidden' as const });

const cidr: Check = (v: string) => { const r = parseCIDR(v); return isBlock(r) ? undefined : r.error; };
const addressBlock: Check = (v: string) => { const r = parseAddressBlock(v); return isBlock(r) ? undefined : r.error; };
const ipAddress: Check = (v: string) => (parseIP(v) ? undefined : `"${v.slice(0, 60)}" is not an IP address`);
const dnsLabel: Check = (v: string) => (isDNSLabel(v) ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`);
const hostName: Check = (v: string) => (/^[A-Za-z0-9]([-A-Za-z0-9.:\[\]]*[A-Za-z0-9\]])?$/.test(v) && v.length <= 253 ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a host name or IP address`);
const relativePath: Check = (v: string) => {
  if (v.startsWith('/') || /^[A-Za-z]:/.test(v)) return 'must be a relative path inside the repository';
  if (v.split(/[\\/]/).some((seg) => seg === '..')) return 'must not contain ".." (it would leave the repository)';
  if (/[\u0000-\u001f\u007f]/.test(v)) return 'must not contain control characters';
  if (v.split('/').some((seg) => seg === '.git')) return 'must not point into .git';
  return undefined;
};
// A file the user names (factsFrom): any path; where it may lead is the reading edge's business.
const filePath: Check = (v: string) => (v === '' ? 'must not be empty' : /[\u0000-\u001f\u007f]/.test(v) ? 'must not contain control characters' : undefined);
// git check-ref-format's rules for a branch name (the ones publish enforces too).
const branchName: Check = (v: string) => (v === '' || (/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/-]+(?<![./])$/.test(v) && !v.endsWith('.lock')) ? undefined : `"${v.slice(0, 60)}" is not a valid Git branch name`);
const chartVersion: Check = (v: string) => {
  const m = /^1\.(\d+)\.(\d+)$/.exec(v);
  if (!m) return `"${v.slice(0, 40)}" is not a Cilium chart version (e.g. 1.18.3)`;
  const minor = Number(m[1]);
  return minor >= 16 && minor <= 20 ? undefined : `Cilium ${v} is outside the supported 1.16 to 1.20`;
};
const families: Check = (v: string[]) => {
  const seen = new Set<string>();
  for (const c of v) {
    const b = parseCIDR(c);
    if (!isBlock(b)) return undefined; // reported per item
    if (seen.has(b.family)) return `has two ${b.family} CIDRs; give one per IP family`;
    seen.add(b.family);
  }
  return undefined;
};

const secretKeyRef = s.object({
  name: s.string({ check: dnsLabelOrSubdomain(), ...subdomain, description: 'Name of a Secret in the namespace of the component that reads it (for BGP peers: where the speaker runs).' }),
  key: s.stringDefault('password', { description: 'The key in the Secret that holds the password; Cilium and MetalLB read only "password".' }),
}, ['name'], { description: 'The BGP session password, as a reference to a Secret netprofile never reads or renders.' });

function dnsLabelOrSubdomain(): Check {
  return (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a valid Secret name`);
}

export const clusterSchema = s.section({
  name: s.string({ check: dnsLabel, ...label, description: 'Cluster name, a DNS-1123 label; used in paths and object names.' }),
  podCIDRs: s.array(s.string({ check: cidr, pattern: PATTERNS.cidr }), { minItems: 1, maxItems: 2, check: families, rules: oneCidrPerFamily, description: 'The cluster\'s pod address ranges, one CIDR per IP family (two for dual-stack), e.g. 10.244.0.0/16.' }),
  serviceCIDRs: s.array(s.string({ check: cidr, pattern: PATTERNS.cidr }), { minItems: 1, maxItems: 2, check: families, rules: oneCidrPerFamily, description: 'The ClusterIP Service ranges (kube-apiserver --service-cluster-ip-range), one CIDR per IP family.' }),
  nodeCIDRs: s.arrayDefault(s.string({ check: cidr, pattern: PATTERNS.cidr }), [], { maxItems: 16, description: 'The subnets the nodes\' addresses are in (the underlay); used to check that L2 pools are on a node subnet and to decide eBGP multi-hop. Optional: without it they are estimated from the Node addresses.' }),
  apiServer: s.object({
    host: s.string({ check: hostName, description: 'Host name or IP address of the Kubernetes API server (or its load balancer) as the nodes reach it.' }),
    port: s.integerDefault(6443, { minimum: 1, maximum: 65535, description: 'Port of the Kubernetes API server.' }),
  }, ['host'], { description: 'Where the API server is reached without kube-proxy; required when kubeProxy is none and Cilium replaces kube-proxy.' }),
  kubeProxy: s.enumOf(['none', 'iptables', 'ipvs'], { default: 'none', description: 'none: there is no kube-proxy and Cilium replaces it (kubeProxyReplacement); iptables or ipvs: kube-proxy runs in that mode and stays.' }),
  distribution: s.enumOf(['auto', 'kubeadm', 'k3s', 'rke2', 'talos', 'managed'], { default: 'auto', description: 'The Kubernetes distribution; auto detects it from the Nodes (managed: the provider runs the control plane).' }),
}, ['name', 'podCIDRs', 'serviceCIDRs'], { description: 'The cluster itself: name, address ranges and how its control plane is reached.' });

export const PROVIDERS = ['alibaba', 'aws', 'gcp', 'azure', 'openstack', 'hetzner', 'digitalocean', 'vsphere', 'equinix-metal', 'other'] as const;

export const environmentSchema = s.section({
  type: s.enumOf(['auto', 'cloud', 'bare-metal'], { default: 'auto', description: 'Where the cluster runs; auto detects it from the Nodes (spec.providerID, provider labels).' }),
  provider: s.enumOf(['auto', ...PROVIDERS], { default: 'auto', description: 'The cloud or hosting provider; auto detects it from the Nodes\' spec.providerID.' }),
  managed: s.choice(['auto', true, false], 'auto', { description: 'Whether the provider runs the control plane (EKS, GKE, AKS, ACK); a managed cluster already has its cloud-controller-manager. auto detects it from the node labels.' }),
  region: s.string({ maxLength: 64, description: 'The provider region, e.g. cn-hangzhou; detected from topology.kubernetes.io/region when not given.' }),
  factsFrom: s.string({ check: filePath, maxLength: 4096, description: 'A Node list (kubectl get nodes -o yaml) to detect from when there is no cluster to ask, relative to the profile. The command line reads the file named; the kustomize plugin and KRM function keep it inside the kustomization (kustomize\'s load restriction).' }),
}, [], { description: 'The environment the cluster runs in; every auto is detected from the Nodes (--nodes, factsFrom or the live cluster).' });

export const ciliumSchema = s.section({
  version: s.stringDefault('1.18.3', { check: chartVersion, description: 'The Cilium Helm chart version, 1.16 to 1.20; the API versions of the rendered Cilium objects follow it.' }),
  routing: s.enumOf(['auto', 'tunnel', 'native'], { default: 'auto', description: 'Pod traffic between nodes: tunnel (encapsulated) or native (routed by the network); auto picks native when BGP advertises the pod CIDRs or the cloud routes them, else tunnel.' }),
  tunnelProtocol: s.enumOf(['vxlan', 'geneve'], { default: 'vxlan', description: 'The encapsulation when routing is tunnel.' }),
  ipam: s.enumOf(['auto', 'cluster-pool', 'kubernetes', 'eni', 'azure', 'alibabacloud', 'multi-pool'], { default: 'auto', description: 'How pods get addresses; auto: eni on EKS, kubernetes behind an external BGP speaker or on GKE, else cluster-pool from podCIDRs.' }),
  hubble: s.section({
    relay: s.boolean(true, { description: 'Install Hubble Relay (cluster-wide flow visibility).' }),
    ui: s.boolean(true, { description: 'Install the Hubble UI (needs relay).' }),
  }, [], { description: 'Cilium\'s observability layer.' }),
  values: s.anyDefault({ description: 'Extra Helm values, deep-merged last.' }),
}, [], { description: 'Settings of the Cilium chart netprofile renders.' });

export const poolSchema = s.object({
  name: s.string({ check: dnsLabel, ...label, description: 'The pool\'s name, a DNS-1123 label; the rendered pool objects carry it.' }),
  addresses: s.array(s.string({ check: addressBlock, pattern: PATTERNS.addressBlock }), { minItems: 1, maxItems: 64, description: 'The addresses LoadBalancer Services get: CIDRs (10.0.11.0/24) or first-last ranges (10.0.11.10-10.0.11.254).' }),
  autoAssign: s.boolean(true, { description: 'Hand out addresses from this pool to Services that do not ask for a pool by name.' }),
  serviceSelector: s.any({ description: 'A label selector (matchLabels, matchExpressions): only Services it selects get addresses from this pool.' }),
}, ['name', 'addresses'], { description: 'An address pool for LoadBalancer Services.' });

export const peerSchema = s.object({
  name: s.string({ check: dnsLabel, ...label, description: 'The peer\'s name, a DNS-1123 label.' }),
  address: s.string({ check: ipAddress, pattern: PATTERNS.ip, description: 'The router\'s IP address.' }),
  asn: s.integer({ minimum: 1, maximum: 4294967295, description: 'The router\'s autonomous system number (1 to 4294967295).' }),
  port: s.integerDefault(179, { minimum: 1, maximum: 65535, description: 'The router\'s BGP port.' }),
  bfd: s.boolean(false, { description: 'Bidirectional Forwarding Detection on this session, for failover in well under a second; Cilium\'s BGP control plane has none and gets short BGP timers instead (cilium-bfd-unsupported).' }),
  // metallb v0.16.1 api/v1beta2/bgppeer_types.go: enableGracefulRestart defaults to false and is immutable (self == oldSelf).
  gracefulRestart: s.boolean(false, { description: 'BGP graceful restart for this peer (default false, as upstream; immutable on MetalLB BGPPeers once created).' }),
  // metallb v0.16.1 api/v1beta2/bgppeer_types.go ebgpMultiHop: "Needed for FRR-based modes" when the peer is not directly connected.
  ebgpMultiHop: s.choice(['auto', true, false], 'auto', { description: 'eBGP multi-hop for this peer: auto = multi-hop when the peer address is outside every node subnet (nodeCIDRs, or the Node InternalIPs from the facts).' }),
  passwordSecretRef: secretKeyRef,
  password: s.string({ description: 'Never use: an inline password is rejected (inline-secret); use passwordSecretRef.' }),
}, ['name', 'address', 'asn'], { description: 'A BGP router the cluster peers with.', rules: [noInline('password', 'an inline password is refused', 'passwordSecretRef')] });

export const loadBalancerSchema = s.section({
  implementation: s.enumOf(['auto', 'cilium', 'metallb', 'purelb', 'cloud', 'none'], { default: 'auto', description: 'What gives LoadBalancer Services their addresses: cloud (the provider\'s load balancer through its cloud-controller-manager), cilium, metallb, purelb, or none; auto decides from the environment and mode.' }),
  mode: s.enumOf(['auto', 'l2', 'bgp'], { default: 'auto', description: 'How addresses are announced on bare metal: l2 (ARP/NDP from a node) or bgp (to the peers); auto: bgp when peers are listed, else l2; in a cloud, the provider\'s load balancer.' }),
  pools: s.arrayDefault(poolSchema, [], { maxItems: 64, description: 'Address pools for LoadBalancer Services (not used with the cloud\'s load balancer).' }),
  l2: s.section({
    interfaces: s.arrayDefault(s.string({ maxLength: 15, check: (v: string) => (/^[A-Za-z0-9_.:@-]+$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1)}" is not an interface name`) }), [], { description: 'Network interfaces to announce from, e.g. eth0; empty: every interface the implementation picks.' }),
    nodeSelector: s.any({ description: 'A label selector (matchLabels, matchExpressions) for the nodes that may announce.' }),
  }, [], { description: 'Layer 2 announcement settings (mode l2).' }),
  bgp: s.section({
    speaker: s.enumOf(['auto', 'cilium', 'metallb', 'external'], { default: 'auto', description: 'Who speaks BGP to the peers: cilium (its BGP control plane), metallb, or external (kube-router, bird or another speaker already peers; netprofile then only allocates addresses); auto follows the implementation.' }),
    localASN: s.integer({ minimum: 1, maximum: 4294967295, description: 'The cluster\'s own autonomous system number.' }),
    peers: s.arrayDefault(peerSchema, [], { maxItems: 64, description: 'The BGP routers to peer with.' }),
    advertise: s.arrayDefault(s.enumOf(['loadBalancerIPs', 'podCIDRs', 'clusterIPs', 'externalIPs'], { default: 'loadBalancerIPs' }), ['loadBalancerIPs'], { description: 'What is announced to the peers: loadBalancerIPs, podCIDRs (then pods are routed natively), clusterIPs, externalIPs.' }),
  }, [], { description: 'BGP settings (mode bgp).' }),
}, [], { description: 'How LoadBalancer Services get and announce their addresses.' });

export const cloudSchema = s.section({
  ccm: s.enumOf(['auto', 'enabled', 'disabled'], { default: 'auto', description: 'The provider\'s cloud-controller-manager: auto renders it on a self-managed cloud cluster and not on a managed one (the provider runs its own); enabled or disabled force it.' }),
  credentialsSecretRef: s.object({
    name: s.string({ check: dnsLabelOrSubdomain(), ...subdomain, description: 'Name of the Secret holding the provider credentials (created by you, never rendered).' }),
    namespace: s.stringDefault('kube-system', { check: dnsLabel, ...label, description: 'Namespace of that Secret.' }),
  }, ['name'], { description: 'The Secret the cloud-controller-manager reads its provider credentials from.' }),
  credentials: s.any({ description: 'Never use: inline credentials are rejected (inline-secret); use credentialsSecretRef.' }),
}, [], { description: 'The cloud provider integration.', rules: [noInline('credentials', 'inline credentials are refused', 'credentialsSecretRef')] });

export const underlayPoolSchema = s.object({
  node: s.string({ maxLength: 253, check: (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a Node name`), description: 'The Node these addresses belong to.' }),
  interface: s.string({ maxLength: 15, check: (v: string) => (/^[A-Za-z0-9_.-]+$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1)}" is not an interface name`), description: 'The node\'s network interface the pods attach to, e.g. eth1.' }),
  subnet: s.string({ check: cidr, pattern: PATTERNS.cidr, description: 'The subnet of that interface, a CIDR.' }),
  gateway: s.string({ check: ipAddress, pattern: PATTERNS.ip, description: 'The default gateway of the subnet.' }),
  ips: s.array(s.string({ check: addressBlock, pattern: PATTERNS.addressBlock }), { minItems: 1, description: 'The addresses pods on this node and interface may use: IPs, CIDRs or first-last ranges (in a cloud: secondary IPs assigned to the interface).' }),
}, ['node', 'interface', 'subnet', 'ips'], { description: 'Underlay addresses for the pods of one node on one interface.' });

export const underlaySchema = s.section({
  enabled: s.boolean(false, { description: 'Render Spiderpool so that selected pods sit directly on the node network.' }),
  cni: s.enumOf(['ipvlan', 'macvlan'], { default: 'ipvlan', description: 'The secondary CNI: ipvlan (shares the node\'s MAC address; works in cloud VPCs) or macvlan (a MAC per pod; bare metal only).' }),
  pools: s.arrayDefault(underlayPoolSchema, [], { maxItems: 1024, description: 'Address pools per node and interface.' }),
}, [], { description: 'Pods with addresses on the node network (Spiderpool), next to the Cilium overlay.' });

export const gitopsSchema = s.section({
  engine: s.enumOf(['flux', 'argocd', 'plain'], { default: 'flux', description: 'The shape of the rendered tree: flux (HelmReleases and Flux Kustomizations), argocd (Applications with sync waves) or plain (Helm values files and a kustomization).' }),
  path: s.string({ check: relativePath, maxLength: 200, description: 'Where the rendered tree lands; default clusters/<cluster.name>/network.' }),
  repo: s.object({
    url: s.string({ maxLength: 2048, description: 'The Git repository: ssh://, user@host:path, https:// or file://; never with credentials in it.' }),
    branch: s.stringDefault('main', { maxLength: 200, description: 'The branch the tree is committed to.' }),
    secretRef: s.object({ name: s.string({ check: dnsLabelOrSubdomain(), ...subdomain, description: 'Name of the Secret, in the profile\'s namespace.' }) }, ['name'], { description: 'A Secret with the Git credentials the operator uses (an ssh key with known_hosts, or a token).' }),
  }, ['url'], { description: 'Where publish and the operator commit the rendered tree.' }),
  commitMessage: s.stringDefault('netprofile({{cluster}}): {{summary}}', { maxLength: 4096, description: 'The commit message, a handlebars text template with cluster, profile, summary and changes.' }),
  // Operator only (the command line has --review-branch).
  reviewBranch: s.string({ check: branchName, maxLength: 200, description: 'Commit to this branch (made from repo.branch) instead of repo.branch, for review through a pull request; empty commits straight to repo.branch.' }),
  deletionPolicy: s.enumOf(['orphan', 'prune'], { default: 'orphan', description: 'What the operator does with the published tree when the profile is deleted or its gitops.path, repo.url or repo.branch changes: orphan leaves it in Git, prune removes it in a commit (the profile keeps the netprofile.io/gitops finalizer until then).' }),
}, [], { description: 'How the rendered tree is shaped and where in Git it goes.' });

export const specSchema = s.section({
  cluster: clusterSchema,
  environment: environmentSchema,
  cni: s.section({
    provider: s.enumOf(['cilium', 'none'], { default: 'cilium', description: 'cilium: netprofile renders Cilium; none: leave the CNI alone and manage only load balancing.' }),
    cilium: ciliumSchema,
  }, [], { description: 'The cluster\'s CNI.' }),
  loadBalancer: loadBalancerSchema,
  cloud: cloudSchema,
  underlay: underlaySchema,
  gitops: gitopsSchema,
}, ['cluster'], { description: 'What the cluster\'s network should be; every auto is decided by the planner and shown by netprofile plan.' });

export const metadataSchema = s.object({
  name: s.string({ check: (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a valid object name`), description: 'The profile\'s name (lower-case letters, digits, "-" and ".").' }),
  namespace: s.string({ check: dnsLabel, description: 'The namespace the profile lives in (for the operator).' }),
  labels: s.any({ description: 'Kubernetes labels.' }),
  annotations: s.any({ description: 'Kubernetes annotations.' }),
  uid: s.string({ description: 'Set by the API server.' }),
  resourceVersion: s.string({ description: 'Set by the API server.' }),
  generation: s.integer({ description: 'Set by the API server.' }),
  creationTimestamp: s.string({ description: 'Set by the API server.' }),
  managedFields: s.array(s.any(), { description: 'Set by the API server.' }),
  finalizers: s.array(s.string(), { description: 'Set by the operator (netprofile.io/gitops under deletionPolicy prune).' }),
}, ['name'], { description: 'Standard Kubernetes object metadata; name is required.' });

/** The whole resource as a file holds it; `status` is accepted and ignored (the operator writes it). */
export const networkProfileSchema = s.object({
  apiVersion: s.string({ check: (v: string) => (v === API_VERSION ? undefined : `must be ${API_VERSION}`), description: `Always ${API_VERSION}.` }),
  kind: s.string({ check: (v: string) => (v === KIND ? undefined : `must be ${KIND}`), description: `Always ${KIND}.` }),
  metadata: metadataSchema,
  spec: specSchema,
  status: s.any({ description: 'Written by the operator; ignored in a file.' }),
}, ['apiVersion', 'kind', 'metadata', 'spec'], { description: 'NetworkProfile describes one cluster\'s network; netprofile plans, renders and publishes its manifests.' });

export type NetworkProfile = Infer<typeof networkProfileSchema>;
export type ProfileSpec = Infer<typeof specSchema>;
export type Pool = Infer<typeof poolSchema>;
export type Peer = Infer<typeof peerSchema>;
export type UnderlayPool = Infer<typeof underlayPoolSchema>;
export type Provider = (typeof PROVIDERS)[number];
