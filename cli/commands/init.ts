// netprofile init --nodes FILE [--name NAME] [--out FILE]: a starting NetworkProfile from what a
// Node list shows (cluster name where a label carries it, the pod CIDRs the nodes were given, the
// detected environment, a control-plane address), with comments on what to check and fill in.
// The document is built as data and serialised by the yaml library (comments attached to nodes),
// so the output is valid YAML that `netprofile plan` accepts as it stands.
import { existsSync, writeFileSync, renameSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { readInput, MAX_NODES_BYTES } from '../io.js';
import { isQuiet, QUIET_FLAG } from '../output.js';
import { parseYamlDocuments, InputError } from '../../generators/api/parse.js';
import { detectEnvironment, nodeFactsFromList, type Detection } from '../../generators/detect/detect.js';
import { parseCIDR, isBlock, formatIP, isDNSLabel, type AddressBlock, type Family } from '../../generators/api/net.js';
import { API_VERSION, KIND, PROVIDERS } from '../../generators/api/profile.js';
import { yamlLib } from '../../generators/yaml/lib.js';

export const usage = `Usage: netprofile init --nodes FILE|- [--name NAME] [--out FILE [--force]] [-q]

Writes a starting NetworkProfile from a Node list (kubectl get nodes -o yaml > nodes.yaml):
the environment as detected (type, provider, managed, region, distribution), the pod CIDRs
the nodes were given (spec.podCIDRs), an API server address from a control-plane node, and
comments on every value a Node list cannot show (the service CIDR, pools, the Git repository).
The result plans as it is: run \`netprofile plan\` on it, then fill in what the comments say.

  --nodes FILE     the Node list; "-" reads stdin
  --name NAME      the cluster's name (default: a cluster-name label of the nodes, else "my-cluster")
  --out FILE       write the profile there instead of stdout (factsFrom then points at the
                   Node list relative to it); an existing file is kept unless --force
  -q, --quiet      no line about the file written

Exit codes: 0 written, 1 the nodes disagree about the environment, 2 usage or I/O error.
`;

// Labels that carry the cluster's name on managed node groups (eksctl; Alibaba ACK).
const CLUSTER_NAME_LABELS = ['alpha.eksctl.io/cluster-name', 'eks.amazonaws.com/cluster-name', 'ack.aliyun.com'];

// Defaults of the distributions, for what Nodes do not show (the comments say to check them):
// kubeadm serviceSubnet 10.96.0.0/12 (kubeadm ClusterConfiguration networking.serviceSubnet,
// kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4); k3s and RKE2 --cluster-cidr
// 10.42.0.0/16 and --service-cidr 10.43.0.0/16 (docs.k3s.io/cli/server, docs.rke2.io server flags);
// EKS picks 10.100.0.0/16 or 172.20.0.0/16 (EKS API KubernetesNetworkConfigRequest.serviceIpv4Cidr).
function defaultCIDRs(d: Detection): { pod: string; service: string; source: string } {
  if (d.distribution === 'k3s' || d.distribution === 'rke2') return { pod: '10.42.0.0/16', service: '10.43.0.0/16', source: `${d.distribution}'s defaults (--cluster-cidr, --service-cidr)` };
  if (d.provider === 'aws' && d.managed) return { pod: '10.0.0.0/16', service: '10.100.0.0/16', source: 'placeholders: on EKS pods take VPC addresses (put the VPC CIDR) and the service CIDR is 10.100.0.0/16 or 172.20.0.0/16 unless set (aws eks describe-cluster shows it)' };
  return { pod: '10.244.0.0/16', service: '10.96.0.0/12', source: 'placeholders: 10.96.0.0/12 is kubeadm\'s default serviceSubnet; the pod CIDR is the --pod-network-cidr (kubeadm) or --cluster-cidr (kube-controller-manager) the cluster was made with' };
}

/** The smallest CIDR holding every block of one family. */
export function coveringCIDR(blocks: AddressBlock[]): string {
  const family: Family = blocks[0].family;
  const width = family === 'IPv4' ? 32 : 128;
  let lo = blocks[0].first, hi = blocks[0].last;
  for (const b of blocks) { if (b.first < lo) lo = b.first; if (b.last > hi) hi = b.last; }
  let prefix = width;
  while (prefix > 0) {
    const size = 1n << BigInt(width - prefix);
    const base = (lo / size) * size;
    if (base + size - 1n >= hi) return `${formatIP(family, base)}/${prefix}`;
    prefix--;
  }
  return `${formatIP(family, 0n)}/0`;
}

interface RawNode { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { podCIDR?: string; podCIDRs?: string[] }; status?: { addresses?: { type?: string; address?: string }[] } }

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [{ name: 'nodes', value: true }, { name: 'name', value: true }, { name: 'out', value: true }, { name: 'force' }, QUIET_FLAG];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length) throw new UsageError(`init takes no positional arguments (got ${args.positionals[0].slice(0, 40)}); use --nodes FILE`);
  const nodesFile = stringFlag(args, 'nodes');
  if (!nodesFile) throw new UsageError('init needs --nodes FILE (kubectl get nodes -o yaml > nodes.yaml), or --nodes - for stdin');
  const name = stringFlag(args, 'name');
  if (name !== undefined && !isDNSLabel(name)) throw new UsageError(`--name "${name.slice(0, 63)}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`);
  const out = stringFlag(args, 'out');
  if (out && existsSync(out) && args.flags.force !== true) throw new UsageError(`${out} exists; choose another --out or add --force to replace it`);

  const label = nodesFile === '-' ? '<stdin>' : nodesFile;
  const docs = parseYamlDocuments(readInput(nodesFile, MAX_NODES_BYTES, 'Node list'), label);
  if (docs.length !== 1) throw new InputError(label, docs.length ? `holds ${docs.length} documents; a Node list is one List or NodeList` : 'is empty');
  const facts = nodeFactsFromList(docs[0], label);
  const d = detectEnvironment(facts);
  if (d.problem) {
    process.stderr.write(`netprofile init: ${label}: cannot detect the environment: ${d.problem}. Set spec.environment yourself (netprofile detect --nodes ${nodesFile} shows the evidence).\n`);
    return 1;
  }
  const raw = ((docs[0] as { kind?: string }).kind === 'Node' ? [docs[0]] : (docs[0] as { items: unknown[] }).items) as RawNode[];

  const text = buildProfile(d, raw, { name, nodesFile, out });
  if (!out) { process.stdout.write(text); return 0; }
  const tmp = `${out}.netprofile-tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  if (!isQuiet(args)) process.stdout.write(`netprofile init: wrote ${out}; next: netprofile plan ${out}\n`);
  return 0;
}

function buildProfile(d: Detection, nodes: RawNode[], o: { name?: string; nodesFile: string; out?: string }): string {
  const Y = yamlLib();
  const comments = new Map<string, string>();
  const note = (path: string, text: string) => comments.set(path, text);

  // Cluster name: --name, else a label managed node groups carry, else a placeholder.
  let clusterName = o.name;
  if (!clusterName) {
    for (const n of nodes) for (const l of CLUSTER_NAME_LABELS) {
      const v = n.metadata?.labels?.[l];
      if (!clusterName && v && isDNSLabel(v.toLowerCase())) clusterName = v.toLowerCase();
    }
    if (clusterName) note('spec.cluster.name', ' from the nodes\' cluster-name label');
    else { clusterName = 'my-cluster'; note('spec.cluster.name', ' FILL IN: the cluster\'s name (a DNS-1123 label); it names the Git path'); }
  }

  // Pod CIDRs: the smallest range per family that holds every node's spec.podCIDRs.
  const byFamily = new Map<Family, AddressBlock[]>();
  for (const n of nodes) for (const c of [...(n.spec?.podCIDRs ?? []), ...(n.spec?.podCIDR ? [n.spec.podCIDR] : [])]) {
    const b = typeof c === 'string' ? parseCIDR(c) : { error: 'not a string' };
    if (isBlock(b)) byFamily.set(b.family, [...(byFamily.get(b.family) ?? []), b]);
  }
  const defaults = defaultCIDRs(d);
  const podCIDRs = [...byFamily.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, blocks]) => coveringCIDR(blocks));
  if (podCIDRs.length) note('spec.cluster.podCIDRs', ` the smallest range holding the nodes' spec.podCIDRs; the cluster's range may be wider (kube-controller-manager --cluster-cidr): widen it to that`);
  else { podCIDRs.push(defaults.pod); note('spec.cluster.podCIDRs', ` CHECK: the nodes show no spec.podCIDRs; ${defaults.source}`); }
  note('spec.cluster.serviceCIDRs', ` CHECK: Nodes do not show the service range (kube-apiserver --service-cluster-ip-range); ${defaults.service} is ${defaults.source.startsWith('placeholders') ? 'a placeholder' : `${d.distribution}'s default --service-cidr`}`);

  // The API server: a control-plane node's InternalIP, when the list has one.
  const controlPlane = nodes.find((n) => n.metadata?.labels && ('node-role.kubernetes.io/control-plane' in n.metadata.labels || 'node-role.kubernetes.io/master' in n.metadata.labels));
  const apiHost = controlPlane?.status?.addresses?.find((a) => a?.type === 'InternalIP' && typeof a.address === 'string')?.address;
  // One service CIDR per family the pods use; no distribution has a default IPv6 service range,
  // so the IPv6 one is a placeholder from the ULA range (fd00::/8, RFC 4193).
  const serviceCIDRs = podCIDRs.map((c) => (c.includes(':') ? 'fd00:10:96::/112' : defaults.service));
  const cluster: Record<string, unknown> = { name: clusterName, podCIDRs, serviceCIDRs };
  if (apiHost) {
    cluster.apiServer = { host: apiHost, port: 6443 };
    cluster.kubeProxy = 'none';
    note('spec.cluster.apiServer', ` the InternalIP of control-plane node ${controlPlane!.metadata!.name}; put the API server's load-balanced address here if it has one`);
    note('spec.cluster.kubeProxy', ' none: Cilium replaces kube-proxy (then it needs apiServer); iptables or ipvs keeps kube-proxy');
  } else {
    cluster.kubeProxy = 'iptables';
    note('spec.cluster.kubeProxy', ' the list shows no control-plane node (a managed cluster runs kube-proxy); to let Cilium replace it set none and cluster.apiServer.host');
  }
  if (d.distribution) cluster.distribution = d.distribution;

  const provider = d.provider && (PROVIDERS as readonly string[]).includes(d.provider) ? d.provider : d.type === 'cloud' ? 'other' : undefined;
  const environment: Record<string, unknown> = { type: d.type };
  if (provider) environment.provider = provider;
  environment.managed = d.managed ?? false;
  if (d.region) environment.region = d.region;
  const evidence = d.evidence.slice(0, 3).map((e) => `${e.node} ${e.field}=${e.value}`).join('; ');
  note('spec.environment', ` detected from ${d.nodes} node${d.nodes === 1 ? '' : 's'} (${evidence}${d.evidence.length > 3 ? '; ...' : ''}); netprofile detect --nodes ${o.nodesFile} shows all evidence`);
  if (o.out && o.nodesFile !== '-') {
    const rel = relative(dirname(resolve(o.out)), resolve(o.nodesFile)) || basename(o.nodesFile);
    environment.factsFrom = rel;
    note('spec.environment.factsFrom', ' the Node list plan and render detect from (or pass --nodes)');
  }

  const spec: Record<string, unknown> = { cluster, environment };
  if (d.type === 'cloud') {
    spec.loadBalancer = { implementation: 'auto', mode: 'auto' };
    note('spec.loadBalancer', d.managed ? ' the provider\'s load balancer serves LoadBalancer Services' : ' the provider\'s load balancer, through its cloud-controller-manager');
    if (!d.managed) {
      spec.cloud = { ccm: 'auto', credentialsSecretRef: { name: `${provider ?? 'cloud'}-ccm-credentials`, namespace: 'kube-system' } };
      note('spec.cloud.credentialsSecretRef', ' CREATE this Secret with the provider credentials the cloud-controller-manager reads (netprofile never renders it)');
    }
  } else {
    // No address a Node list shows is free for LoadBalancer Services: no pool is guessed, so
    // load balancing starts off and the comment says what to add.
    spec.loadBalancer = { implementation: 'none', mode: 'auto', pools: [] };
    note('spec.loadBalancer', ' FILL IN for LoadBalancer Services: set implementation: auto and add pools of free\n addresses on the node subnet, e.g.\n   pools:\n     - name: default\n       addresses: [192.0.2.240/28]\n (layer 2), or mode: bgp with bgp.localASN and bgp.peers');
  }
  spec.gitops = { engine: 'flux' };
  note('spec.gitops', ' flux | argocd | plain; add repo: {url, branch} for netprofile publish and the operator');

  const value = { apiVersion: API_VERSION, kind: KIND, metadata: { name: clusterName }, spec };
  const doc = new Y.Document(value);
  for (const [path, text] of comments) {
    const node = doc.getIn(path.split('.'), true) as { commentBefore?: string } | undefined;
    const pair = findPair(doc, path.split('.'));
    if (pair) (pair.key as { commentBefore?: string }).commentBefore = text;
    else if (node) node.commentBefore = text;
  }
  doc.commentBefore = [
    ` NetworkProfile written by netprofile init from ${o.nodesFile === '-' ? 'a Node list on stdin' : o.nodesFile}.`,
    ' Fill in what the comments marked FILL IN / CHECK / CREATE say, then: netprofile plan <this file>.',
    ' Every field: kubectl explain networkprofile.spec (with the CRD installed); for completion in an',
    ' editor, save the schema next to this file: netprofile schema > networkprofile.schema.json',
  ].join('\n');
  return `# yaml-language-server: $schema=./networkprofile.schema.json\n${doc.toString({ lineWidth: 0 })}`;
}

/** The key/value pair at a path, so that a comment sits above the key (not after the colon). */
function findPair(doc: { contents: unknown }, path: string[]): { key: unknown } | undefined {
  let node = doc.contents as { items?: { key: { value?: unknown }; value: unknown }[] } | undefined;
  let pair: { key: unknown; value: unknown } | undefined;
  for (const seg of path) {
    pair = node?.items?.find((p) => (p.key as { value?: unknown })?.value === seg);
    if (!pair) return undefined;
    node = pair.value as typeof node;
  }
  return pair;
}
