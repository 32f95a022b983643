// Environment detection (api.md §2): a list of signals, strongest first, each with a name; the
// verdict says which node, field and value decided. Pure: facts in, verdict out.
import { InputError } from '../api/parse.js';
import { platformFor, type PlatformId } from '../platforms/platforms.js';
import { withArticle } from '../text/article.js';

export type EnvironmentType = 'cloud' | 'bare-metal';
/** The provider names detection can report (wider than the profile's enum: linode, oci, ...). */
export type DetectedProvider = 'alibaba' | 'aws' | 'gcp' | 'azure' | 'openstack' | 'hetzner' | 'digitalocean'
  | 'vsphere' | 'equinix-metal' | 'linode' | 'oci' | 'ibm' | 'tencent' | 'huawei' | 'kind' | 'k3s' | 'other';

export interface NodeFacts {
  name: string;
  providerID?: string;
  labels: Record<string, string>;
  taints: { key: string; effect?: string; value?: string }[];
  internalIPs: string[];
  kubeletVersion?: string;
  osImage?: string;
  /** Only the annotations detection reads (a CNI that writes its own, e.g. flannel). */
  annotations?: Record<string, string>;
}

export interface Evidence {
  node: string;
  field: string;
  value: string;
  /** The signal that read it, e.g. providerID, managed-label, taint, region. */
  signal: string;
  /** What it means, in words. */
  meaning: string;
}

export interface NodeVerdict {
  node: string;
  type: EnvironmentType;
  provider: DetectedProvider | null;
  managed: boolean;
  region?: string;
  internalIPs: string[];
  evidence: Evidence[];
}

export interface Detection {
  /** null when the nodes disagree or no node was given. */
  type: EnvironmentType | null;
  provider: DetectedProvider | null;
  managed: boolean | null;
  region: string | null;
  distribution: 'kubeadm' | 'k3s' | 'rke2' | 'talos' | 'managed' | null;
  nodes: number;
  evidence: Evidence[];
  /** Set when the verdict could not be reached: why. */
  problem?: string;
  /** Nodes waiting for a cloud-controller-manager (uninitialized taint). */
  uninitialized: string[];
  /** A kind cluster (kind:// provider IDs): kubeadm inside containers. */
  kind: boolean;
  /** The platform table entry (generators/platforms) these nodes match; null without a verdict. */
  platform: PlatformId | null;
  /** The evidence for the distribution and the platform's own CNI. */
  platformEvidence: Evidence[];
  /** A CNI the platform runs itself, seen on the nodes (labels or annotations it writes). */
  platformCni: { name: string; evidence: Evidence }[];
  /** The distinct kubelet versions the nodes report (status.nodeInfo.kubeletVersion), sorted. */
  kubeletVersions?: string[];
  perNode: NodeVerdict[];
}

interface ProviderIdRule {
  name: string;
  test: RegExp;
  provider: DetectedProvider;
  type: EnvironmentType;
  meaning: string;
}

// Order matters: the more specific forms come first (hcloud://bm- before hcloud://).
const PROVIDER_ID_RULES: ProviderIdRule[] = [
  { name: 'aws', test: /^aws:\/\//, provider: 'aws', type: 'cloud', meaning: 'an AWS EC2 instance' },
  { name: 'gce', test: /^gce:\/\//, provider: 'gcp', type: 'cloud', meaning: 'a Google Compute Engine instance' },
  { name: 'azure', test: /^azure:\/\//, provider: 'azure', type: 'cloud', meaning: 'an Azure virtual machine' },
  { name: 'alicloud', test: /^alicloud:\/\//, provider: 'alibaba', type: 'cloud', meaning: 'an Alibaba Cloud ECS instance' },
  { name: 'alibaba-region-instance', test: /^[a-z]{2,}(-[a-z0-9]+)+\.i-[a-z0-9]+$/, provider: 'alibaba', type: 'cloud', meaning: 'an Alibaba Cloud ECS instance (<region-id>.<instance-id>)' },
  { name: 'openstack', test: /^openstack:\/\//, provider: 'openstack', type: 'cloud', meaning: 'an OpenStack Nova instance' },
  { name: 'vsphere', test: /^vsphere:\/\//, provider: 'vsphere', type: 'bare-metal', meaning: 'a vSphere VM (on-premises virtualisation: L2 works)' },
  { name: 'hcloud-bm', test: /^hcloud:\/\/bm-/, provider: 'hetzner', type: 'bare-metal', meaning: 'a Hetzner dedicated server' },
  { name: 'hrobot', test: /^hrobot:\/\//, provider: 'hetzner', type: 'bare-metal', meaning: 'a Hetzner dedicated (Robot) server' },
  { name: 'hcloud', test: /^hcloud:\/\//, provider: 'hetzner', type: 'cloud', meaning: 'a Hetzner Cloud server' },
  { name: 'digitalocean', test: /^digitalocean:\/\//, provider: 'digitalocean', type: 'cloud', meaning: 'a DigitalOcean droplet' },
  { name: 'linode', test: /^linode:\/\//, provider: 'linode', type: 'cloud', meaning: 'a Linode (Akamai) instance' },
  { name: 'equinixmetal', test: /^(equinixmetal|packet):\/\//, provider: 'equinix-metal', type: 'bare-metal', meaning: 'an Equinix Metal server (bare metal with provider BGP)' },
  { name: 'oci', test: /^oci:\/\//, provider: 'oci', type: 'cloud', meaning: 'an Oracle Cloud instance' },
  { name: 'ibm', test: /^ibm:\/\//, provider: 'ibm', type: 'cloud', meaning: 'an IBM Cloud instance' },
  { name: 'tencent', test: /^(tencentcloud|qcloud):\/\//, provider: 'tencent', type: 'cloud', meaning: 'a Tencent Cloud instance' },
  { name: 'huawei', test: /^huaweicloud:\/\//, provider: 'huawei', type: 'cloud', meaning: 'a Huawei Cloud instance' },
  { name: 'kind', test: /^kind:\/\//, provider: null as unknown as DetectedProvider, type: 'bare-metal', meaning: 'a kind node (local, no cloud)' },
  { name: 'k3s', test: /^k3s:\/\//, provider: null as unknown as DetectedProvider, type: 'bare-metal', meaning: 'a k3s node without a cloud provider' },
  // RKE2's embedded cloud provider sets rke2://<node> (seen on Harvester nodes, harvester/harvester issues).
  { name: 'rke2', test: /^rke2:\/\//, provider: null as unknown as DetectedProvider, type: 'bare-metal', meaning: 'an RKE2 node without a cloud provider' },
];

const MANAGED_LABELS: { label: string; provider: DetectedProvider; offering: string }[] = [
  { label: 'eks.amazonaws.com/nodegroup', provider: 'aws', offering: 'EKS' },
  { label: 'eks.amazonaws.com/compute-type', provider: 'aws', offering: 'EKS' },
  { label: 'cloud.google.com/gke-nodepool', provider: 'gcp', offering: 'GKE' },
  // cilium-cli k8s/client.go AutodetectFlavor reads either GKE label.
  { label: 'cloud.google.com/gke-os-distribution', provider: 'gcp', offering: 'GKE' },
  { label: 'kubernetes.azure.com/cluster', provider: 'azure', offering: 'AKS' },
  { label: 'node.alibabacloud.com/nodepool-id', provider: 'alibaba', offering: 'ACK' },
  { label: 'alibabacloud.com/nodepool-id', provider: 'alibaba', offering: 'ACK' },
];

export const UNINITIALIZED_TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';
/** flannel writes its backend into Node annotations under this prefix (flannel-io/flannel pkg/subnet/kube). */
const FLANNEL_BACKEND = 'flannel.alpha.coreos.com/backend-type';
const READ_ANNOTATIONS = /^flannel\.alpha\.coreos\.com\/backend-type$/;
/** Whether detection reads this Node annotation (a cache of Nodes keeps only those: operator/kube.ts). */
export function detectionReadsAnnotation(key: string): boolean { return READ_ANNOTATIONS.test(key); }
const SAFE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Turns a decoded `kubectl get nodes` document (List or NodeList, or one Node) into facts. */
export function nodeFactsFromList(doc: unknown, file: string): NodeFacts[] {
  const d = doc as any;
  let items: unknown[];
  if (d && typeof d === 'object' && !Array.isArray(d) && d.kind === 'Node') items = [d];
  else if (d && typeof d === 'object' && (d.kind === 'List' || d.kind === 'NodeList') && Array.isArray(d.items)) items = d.items;
  else throw new InputError(file, 'is not a Node list (expected the output of `kubectl get nodes -o yaml`: kind List or NodeList with items)');
  return items.map((item, i) => {
    const n = item as any;
    const where = `items[${i}]`;
    if (!n || typeof n !== 'object' || n.kind !== 'Node') throw new InputError(file, `${where} is not a Node`);
    const name = n.metadata?.name;
    if (typeof name !== 'string' || name.length > 253 || !SAFE_NAME.test(name)) {
      throw new InputError(file, `${where}.metadata.name ${typeof name === 'string' ? `"${JSON.stringify(name).slice(1, -1).slice(0, 60)}"` : ''} is not a valid Node name`);
    }
    const str = (v: unknown, field: string): string | undefined => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' || v.length > 1024 || /[\u0000-\u001f]/.test(v)) throw new InputError(file, `${where}.${field} is not a plain string`);
      return v;
    };
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) labels[k] = str(v, `metadata.labels[${JSON.stringify(k)}]`) ?? '';
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(n.metadata?.annotations ?? {})) {
      if (READ_ANNOTATIONS.test(k)) annotations[k] = str(v, `metadata.annotations[${JSON.stringify(k)}]`) ?? '';
    }
    const taints = Array.isArray(n.spec?.taints) ? n.spec.taints.map((t: any, j: number) => ({ key: str(t?.key, `spec.taints[${j}].key`) ?? '', effect: str(t?.effect, `spec.taints[${j}].effect`), value: str(t?.value, `spec.taints[${j}].value`) })) : [];
    const internalIPs = Array.isArray(n.status?.addresses) ? n.status.addresses.filter((a: any) => a?.type === 'InternalIP').map((a: any, j: number) => str(a.address, `status.addresses[${j}].address`) ?? '') : [];
    return {
      name,
      providerID: str(n.spec?.providerID, 'spec.providerID') || undefined,
      labels,
      taints,
      internalIPs,
      kubeletVersion: str(n.status?.nodeInfo?.kubeletVersion, 'status.nodeInfo.kubeletVersion'),
      osImage: str(n.status?.nodeInfo?.osImage, 'status.nodeInfo.osImage'),
      annotations,
    };
  });
}

/** Classifies one node from its strongest signal down. */
export function detectNode(node: NodeFacts): NodeVerdict {
  const evidence: Evidence[] = [];
  let type: EnvironmentType = 'bare-metal';
  let provider: DetectedProvider | null = null;
  let managed = false;
  let decided = false;

  if (node.providerID) {
    const rule = PROVIDER_ID_RULES.find((r) => r.test.test(node.providerID!));
    if (rule) {
      type = rule.type;
      provider = rule.provider ?? null;
      decided = true;
      evidence.push({ node: node.name, field: 'spec.providerID', value: node.providerID, signal: 'providerID', meaning: rule.meaning });
    } else {
      provider = 'other';
      type = 'cloud';
      decided = true;
      evidence.push({ node: node.name, field: 'spec.providerID', value: node.providerID, signal: 'providerID', meaning: 'a providerID netprofile does not know: some cloud provider' });
    }
  }
  for (const m of MANAGED_LABELS) {
    if (m.label in node.labels) {
      managed = true;
      if (!decided) { type = 'cloud'; provider = m.provider; decided = true; }
      evidence.push({ node: node.name, field: `metadata.labels[${m.label}]`, value: node.labels[m.label], signal: 'managed-label', meaning: `${withArticle(m.offering)} node: the provider runs the control plane and its CCM` });
      break;
    }
  }
  const taint = node.taints.find((t) => t.key === UNINITIALIZED_TAINT);
  if (taint && !decided) {
    // No providerID yet and no cloud label: the kubelet waits for a CCM that has not run. That is a
    // cloud node whose provider nothing names yet, never bare metal.
    type = 'cloud';
    decided = true;
    evidence.push({ node: node.name, field: 'spec.taints', value: UNINITIALIZED_TAINT, signal: 'uninitialized-taint', meaning: 'kubelet runs with --cloud-provider=external and waits for a cloud-controller-manager: a cloud node whose provider no signal names yet (not bare metal)' });
  } else if (taint) {
    evidence.push({ node: node.name, field: 'spec.taints', value: UNINITIALIZED_TAINT, signal: 'uninitialized-taint', meaning: 'kubelet runs with --cloud-provider=external and waits for a cloud-controller-manager' });
  }
  const region = node.labels['topology.kubernetes.io/region'];
  if (region) evidence.push({ node: node.name, field: 'metadata.labels[topology.kubernetes.io/region]', value: region, signal: 'region', meaning: 'supporting evidence only' });
  const instanceType = node.labels['node.kubernetes.io/instance-type'];
  if (instanceType) evidence.push({ node: node.name, field: 'metadata.labels[node.kubernetes.io/instance-type]', value: instanceType, signal: 'instance-type', meaning: 'supporting evidence only' });
  if (!decided) {
    evidence.unshift({ node: node.name, field: 'spec.providerID', value: '', signal: 'no-provider', meaning: 'no providerID and no cloud labels: bare metal or on-premises virtualisation' });
  }
  return { node: node.name, type, provider, managed, region, internalIPs: node.internalIPs, evidence };
}

/** The distribution from kubelet version suffixes and the OS image, with the node that showed it. */
function detectDistribution(nodes: NodeFacts[], managed: boolean | null): { distribution: Detection['distribution']; evidence: Evidence[] } {
  if (nodes.length === 0) return { distribution: null, evidence: [] };
  const ev = (n: NodeFacts, field: string, value: string, meaning: string): Evidence[] => [{ node: n.name, field, value, signal: 'distribution', meaning }];
  if (managed) return { distribution: 'managed', evidence: [] };
  const k3s = nodes.find((n) => (n.kubeletVersion ?? '').includes('+k3s'));
  if (k3s) return { distribution: 'k3s', evidence: ev(k3s, 'status.nodeInfo.kubeletVersion', k3s.kubeletVersion!, 'a k3s kubelet (version suffix +k3s)') };
  // cilium-cli k8s/client.go AutodetectFlavor: k3s sets instance-type "k3s" without a cloud provider.
  const k3sLabel = nodes.find((n) => n.labels['node.kubernetes.io/instance-type'] === 'k3s');
  if (k3sLabel) return { distribution: 'k3s', evidence: ev(k3sLabel, 'metadata.labels[node.kubernetes.io/instance-type]', 'k3s', 'k3s without a cloud provider labels its nodes instance-type k3s') };
  const rke2 = nodes.find((n) => (n.kubeletVersion ?? '').includes('+rke2'));
  if (rke2) return { distribution: 'rke2', evidence: ev(rke2, 'status.nodeInfo.kubeletVersion', rke2.kubeletVersion!, 'an RKE2 kubelet (version suffix +rke2)') };
  const talos = nodes.find((n) => /^talos\b/i.test(n.osImage ?? ''));
  if (talos) return { distribution: 'talos', evidence: ev(talos, 'status.nodeInfo.osImage', talos.osImage!, 'a Talos Linux node') };
  return { distribution: 'kubeadm', evidence: [] };
}

/** A CNI the platform runs itself, where the nodes show it. */
function detectPlatformCni(nodes: NodeFacts[]): Detection['platformCni'] {
  const out: Detection['platformCni'] = [];
  // AKS node labels (Azure/karpenter-provider-azure pkg labels: AKSLabelEBPFDataplane, AKSLabelAzureCNIOverlay).
  const aksCilium = nodes.find((n) => n.labels['kubernetes.azure.com/ebpf-dataplane'] === 'cilium');
  if (aksCilium) out.push({ name: 'Azure CNI Powered by Cilium', evidence: { node: aksCilium.name, field: 'metadata.labels[kubernetes.azure.com/ebpf-dataplane]', value: 'cilium', signal: 'platform-cni', meaning: 'AKS runs its own Cilium on this node' } });
  const aksOverlay = nodes.find((n) => n.labels['kubernetes.azure.com/azure-cni-overlay'] === 'true');
  if (aksOverlay && !aksCilium) out.push({ name: 'Azure CNI Overlay', evidence: { node: aksOverlay.name, field: 'metadata.labels[kubernetes.azure.com/azure-cni-overlay]', value: 'true', signal: 'platform-cni', meaning: 'AKS runs Azure CNI (overlay) on this node' } });
  const flannel = nodes.find((n) => n.annotations?.[FLANNEL_BACKEND]);
  if (flannel) out.push({ name: 'flannel', evidence: { node: flannel.name, field: `metadata.annotations[${FLANNEL_BACKEND}]`, value: flannel.annotations![FLANNEL_BACKEND], signal: 'platform-cni', meaning: 'flannel has run on this node (it writes its backend into the Node)' } });
  return out;
}

/** The cluster's verdict: every node must agree on type, provider and managed. */
export function detectEnvironment(nodes: NodeFacts[]): Detection {
  const perNode = nodes.map(detectNode);
  const uninitialized = nodes.filter((n) => n.taints.some((t) => t.key === UNINITIALIZED_TAINT)).map((n) => n.name);
  const kind = nodes.length > 0 && nodes.every((n) => (n.providerID ?? '').startsWith('kind://'));
  const kubeletVersions = [...new Set(nodes.map((n) => n.kubeletVersion).filter((v): v is string => !!v))].sort();
  const base = { nodes: nodes.length, uninitialized, kubeletVersions, perNode, kind, platformCni: detectPlatformCni(nodes) };
  if (nodes.length === 0) {
    return { ...base, type: null, provider: null, managed: null, region: null, distribution: null, platform: null, platformEvidence: [], evidence: [], problem: 'the Node list is empty' };
  }
  const key = (v: NodeVerdict) => `${v.type}/${v.provider ?? 'none'}/${v.managed ? 'managed' : 'self-managed'}`;
  const groups = new Map<string, NodeVerdict[]>();
  for (const v of perNode) groups.set(key(v), [...(groups.get(key(v)) ?? []), v]);
  // Evidence that decided: the first (strongest) piece per node.
  const deciding = perNode.map((v) => v.evidence[0]);
  if (groups.size > 1) {
    const parts = [...groups.entries()].map(([k, vs]) => `${vs.map((v) => v.node).slice(0, 3).join(', ')}${vs.length > 3 ? ` and ${vs.length - 3} more` : ''} look ${k.replace(/\/none\//, '/no provider/')}`);
    return { ...base, type: null, provider: null, managed: null, region: null, distribution: null, platform: null, platformEvidence: [], evidence: deciding, problem: `the nodes disagree: ${parts.join('; ')}` };
  }
  const first = perNode[0];
  const regions = [...new Set(perNode.map((v) => v.region).filter(Boolean))];
  const support = perNode.flatMap((v) => v.evidence.slice(1)).filter((e) => e.signal === 'managed-label' || e.signal === 'uninitialized-taint' || e.signal === 'region');
  const dist = detectDistribution(nodes, first.managed);
  // A cloud node without a provider (waiting for its CCM) has no platform entry until the profile names the provider.
  const platform = first.type === 'cloud' && first.provider === null ? null
    : platformFor({ distribution: dist.distribution, kind, type: first.type, provider: first.provider, managed: first.managed }).id;
  return {
    ...base,
    type: first.type,
    provider: first.provider,
    managed: first.managed,
    region: regions.length === 1 ? regions[0]! : null,
    distribution: dist.distribution,
    platform,
    platformEvidence: [...dist.evidence, ...base.platformCni.map((c) => c.evidence)],
    evidence: [...deciding, ...support],
  };
}

export function formatEvidence(e: Evidence): string {
  return `node/${e.node} ${e.field}=${e.value || '(unset)'}`;
}

const EVIDENCE_LINES = new WeakMap<Detection, readonly string[]>();

/**
 * The evidence as the plan (plan.json, `netprofile plan`) and the operator's status show it: one
 * line per signal and value, not one per Node, so a Node that joins with the same facts changes
 * no line (and no profile's tree). A line is `node/NAME FIELD=VALUE` for the Node with the least
 * name that shows it, then where it holds: `, on every Node` or `, on some Nodes`. providerIDs
 * differ per Node (instance IDs), so they group by the form they share, which the line names
 * (`, on every Node: an AWS EC2 instance`). No count and no listing order enters a line: the same
 * set of Nodes gives the same lines. `netprofile detect` still lists every Node's evidence.
 * Computed once per Detection (the operator plans every profile against one).
 */
export function evidenceLines(d: Detection): readonly string[] {
  const cached = EVIDENCE_LINES.get(d);
  if (cached) return cached;
  interface Group { rep: Evidence; at: number; nodes: Set<string>; section: number }
  const groups = new Map<string, Group>();
  d.evidence.forEach((e, i) => {
    const key = `${e.signal}\u0000${e.field}\u0000${e.signal === 'providerID' ? e.meaning : e.value}`;
    const g = groups.get(key);
    if (!g) { groups.set(key, { rep: e, at: i, nodes: new Set([e.node]), section: i < d.nodes ? 0 : 1 }); return; }
    g.nodes.add(e.node);
    if (e.node < g.rep.node) { g.rep = e; g.at = i; }
  });
  // The deciding signals (one per Node, detectEnvironment) before the supporting ones; then by
  // the Node named, and one Node's signals in the order detectNode reads them.
  const order = [...groups.values()].sort((a, b) => a.section - b.section || (a.rep.node < b.rep.node ? -1 : a.rep.node > b.rep.node ? 1 : 0) || a.at - b.at);
  const lines = Object.freeze(order.map((g) => `${formatEvidence(g.rep)}, on ${g.nodes.size >= d.nodes ? 'every Node' : 'some Nodes'}${g.rep.signal === 'providerID' ? `: ${g.rep.meaning}` : ''}`));
  EVIDENCE_LINES.set(d, lines);
  return lines;
}
