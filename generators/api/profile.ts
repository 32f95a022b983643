// The NetworkProfile netprofile.io/v1alpha1 resource (api.md §1): the one schema source.
// The TypeScript types, the input validator and the CRD's openAPIV3Schema all come from here.
import { s, type Infer, type Check } from './schema.js';
import { isBlock, isDNSLabel, parseAddressBlock, parseCIDR, parseIP } from './net.js';

export const GROUP = 'netprofile.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'NetworkProfile';

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
  name: s.string({ check: dnsLabelOrSubdomain() }),
  key: s.stringDefault('password'),
}, ['name']);

function dnsLabelOrSubdomain(): Check {
  return (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a valid Secret name`);
}

export const clusterSchema = s.section({
  name: s.string({ check: dnsLabel, description: 'Cluster name, a DNS-1123 label; used in paths and object names.' }),
  podCIDRs: s.array(s.string({ check: cidr }), { minItems: 1, maxItems: 2, check: families }),
  serviceCIDRs: s.array(s.string({ check: cidr }), { minItems: 1, maxItems: 2, check: families }),
  nodeCIDRs: s.arrayDefault(s.string({ check: cidr }), [], { maxItems: 16 }),
  apiServer: s.object({
    host: s.string({ check: hostName }),
    port: s.integerDefault(6443, { minimum: 1, maximum: 65535 }),
  }, ['host']),
  kubeProxy: s.enumOf(['none', 'iptables', 'ipvs'], { default: 'none' }),
  distribution: s.enumOf(['auto', 'kubeadm', 'k3s', 'rke2', 'talos', 'managed'], { default: 'auto' }),
}, ['name', 'podCIDRs', 'serviceCIDRs']);

export const PROVIDERS = ['alibaba', 'aws', 'gcp', 'azure', 'openstack', 'hetzner', 'digitalocean', 'vsphere', 'equinix-metal', 'other'] as const;

export const environmentSchema = s.section({
  type: s.enumOf(['auto', 'cloud', 'bare-metal'], { default: 'auto' }),
  provider: s.enumOf(['auto', ...PROVIDERS], { default: 'auto' }),
  managed: s.choice(['auto', true, false], 'auto'),
  region: s.string({ maxLength: 64 }),
  factsFrom: s.string({ check: relativePath, description: 'A Node list (kubectl get nodes -o yaml) relative to the profile.' }),
});

export const ciliumSchema = s.section({
  version: s.stringDefault('1.18.3', { check: chartVersion }),
  routing: s.enumOf(['auto', 'tunnel', 'native'], { default: 'auto' }),
  tunnelProtocol: s.enumOf(['vxlan', 'geneve'], { default: 'vxlan' }),
  ipam: s.enumOf(['auto', 'cluster-pool', 'kubernetes', 'eni', 'azure', 'alibabacloud', 'multi-pool'], { default: 'auto' }),
  hubble: s.section({ relay: s.boolean(true), ui: s.boolean(true) }),
  values: s.anyDefault({ description: 'Extra Helm values, deep-merged last.' }),
});

export const poolSchema = s.object({
  name: s.string({ check: dnsLabel }),
  addresses: s.array(s.string({ check: addressBlock }), { minItems: 1, maxItems: 64 }),
  autoAssign: s.boolean(true),
  serviceSelector: s.any(),
}, ['name', 'addresses']);

export const peerSchema = s.object({
  name: s.string({ check: dnsLabel }),
  address: s.string({ check: ipAddress }),
  asn: s.integer({ minimum: 1, maximum: 4294967295 }),
  port: s.integerDefault(179, { minimum: 1, maximum: 65535 }),
  bfd: s.boolean(false),
  // metallb v0.16.1 api/v1beta2/bgppeer_types.go: enableGracefulRestart defaults to false and is immutable (self == oldSelf).
  gracefulRestart: s.boolean(false, { description: 'BGP graceful restart for this peer (default false, as upstream; immutable on MetalLB BGPPeers once created).' }),
  // metallb v0.16.1 api/v1beta2/bgppeer_types.go ebgpMultiHop: "Needed for FRR-based modes" when the peer is not directly connected.
  ebgpMultiHop: s.choice(['auto', true, false], 'auto', { description: 'eBGP multi-hop for this peer: auto = multi-hop when the peer address is outside every node subnet (nodeCIDRs, or the Node InternalIPs from the facts).' }),
  passwordSecretRef: secretKeyRef,
  password: s.string({ description: 'Never use: an inline password is rejected (inline-secret); use passwordSecretRef.' }),
}, ['name', 'address', 'asn']);

export const loadBalancerSchema = s.section({
  implementation: s.enumOf(['auto', 'cilium', 'metallb', 'purelb', 'cloud', 'none'], { default: 'auto' }),
  mode: s.enumOf(['auto', 'l2', 'bgp'], { default: 'auto' }),
  pools: s.arrayDefault(poolSchema, [], { maxItems: 64 }),
  l2: s.section({
    interfaces: s.arrayDefault(s.string({ maxLength: 15, check: (v: string) => (/^[A-Za-z0-9_.:@-]+$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1)}" is not an interface name`) }), []),
    nodeSelector: s.any(),
  }),
  bgp: s.section({
    speaker: s.enumOf(['auto', 'cilium', 'metallb', 'external'], { default: 'auto' }),
    localASN: s.integer({ minimum: 1, maximum: 4294967295 }),
    peers: s.arrayDefault(peerSchema, [], { maxItems: 64 }),
    advertise: s.arrayDefault(s.enumOf(['loadBalancerIPs', 'podCIDRs', 'clusterIPs', 'externalIPs'], { default: 'loadBalancerIPs' }), ['loadBalancerIPs']),
  }),
});

export const cloudSchema = s.section({
  ccm: s.enumOf(['auto', 'enabled', 'disabled'], { default: 'auto' }),
  credentialsSecretRef: s.object({
    name: s.string({ check: dnsLabelOrSubdomain() }),
    namespace: s.stringDefault('kube-system', { check: dnsLabel }),
  }, ['name']),
  credentials: s.any({ description: 'Never use: inline credentials are rejected (inline-secret); use credentialsSecretRef.' }),
});

export const underlayPoolSchema = s.object({
  node: s.string({ maxLength: 253, check: (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a Node name`) }),
  interface: s.string({ maxLength: 15, check: (v: string) => (/^[A-Za-z0-9_.-]+$/.test(v) ? undefined : `"${JSON.stringify(v).slice(1, -1)}" is not an interface name`) }),
  subnet: s.string({ check: cidr }),
  gateway: s.string({ check: ipAddress }),
  ips: s.array(s.string({ check: addressBlock }), { minItems: 1 }),
}, ['node', 'interface', 'subnet', 'ips']);

export const underlaySchema = s.section({
  enabled: s.boolean(false),
  cni: s.enumOf(['ipvlan', 'macvlan'], { default: 'ipvlan' }),
  pools: s.arrayDefault(underlayPoolSchema, [], { maxItems: 1024 }),
});

export const gitopsSchema = s.section({
  engine: s.enumOf(['flux', 'argocd', 'plain'], { default: 'flux' }),
  path: s.string({ check: relativePath, maxLength: 200, description: 'Where the rendered tree lands; default clusters/<cluster.name>/network.' }),
  repo: s.object({
    url: s.string({ maxLength: 2048 }),
    branch: s.stringDefault('main', { maxLength: 200 }),
    secretRef: s.object({ name: s.string({ check: dnsLabelOrSubdomain() }) }, ['name']),
  }, ['url']),
  commitMessage: s.stringDefault('netprofile({{cluster}}): {{summary}}', { maxLength: 4096 }),
  // Operator only (the command line has --review-branch).
  reviewBranch: s.string({ check: branchName, maxLength: 200, description: 'Commit to this branch (made from repo.branch) instead of repo.branch, for review through a pull request; empty commits straight to repo.branch.' }),
  deletionPolicy: s.enumOf(['orphan', 'prune'], { default: 'orphan', description: 'What the operator does with the published tree when the profile is deleted or its gitops.path, repo.url or repo.branch changes: orphan leaves it in Git, prune removes it in a commit (the profile keeps the netprofile.io/gitops finalizer until then).' }),
});

export const specSchema = s.section({
  cluster: clusterSchema,
  environment: environmentSchema,
  cni: s.section({
    provider: s.enumOf(['cilium', 'none'], { default: 'cilium' }),
    cilium: ciliumSchema,
  }),
  loadBalancer: loadBalancerSchema,
  cloud: cloudSchema,
  underlay: underlaySchema,
  gitops: gitopsSchema,
}, ['cluster']);

export const metadataSchema = s.object({
  name: s.string({ check: (v: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? undefined : `"${JSON.stringify(v).slice(1, -1).slice(0, 70)}" is not a valid object name`) }),
  namespace: s.string({ check: dnsLabel }),
  labels: s.any(),
  annotations: s.any(),
  uid: s.string(),
  resourceVersion: s.string(),
  generation: s.integer(),
  creationTimestamp: s.string(),
  managedFields: s.array(s.any()),
  finalizers: s.array(s.string()),
}, ['name']);

/** The whole resource as a file holds it; `status` is accepted and ignored (the operator writes it). */
export const networkProfileSchema = s.object({
  apiVersion: s.string({ check: (v: string) => (v === API_VERSION ? undefined : `must be ${API_VERSION}`) }),
  kind: s.string({ check: (v: string) => (v === KIND ? undefined : `must be ${KIND}`) }),
  metadata: metadataSchema,
  spec: specSchema,
  status: s.any(),
}, ['apiVersion', 'kind', 'metadata', 'spec']);

export type NetworkProfile = Infer<typeof networkProfileSchema>;
export type ProfileSpec = Infer<typeof specSchema>;
export type Pool = Infer<typeof poolSchema>;
export type Peer = Infer<typeof peerSchema>;
export type UnderlayPool = Infer<typeof underlayPoolSchema>;
export type Provider = (typeof PROVIDERS)[number];
