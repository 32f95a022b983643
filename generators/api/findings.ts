// A finding is data (rule, severity, path, message), produced by the planner and printed by every
// edge in its own format: text, plan JSON, KRM results, status.findings, Events.

export type Severity = 'error' | 'warning';

/** The stable rule ids of api.md §4, plus netprofile's own. */
export const RULES = {
  'l2-on-cloud': 'L2 announcement asked for, or would be chosen, on a public-cloud VPC',
  'pool-overlap': 'a LoadBalancer pool overlaps another pool, the pod, service or node CIDRs',
  'family-mismatch': 'a pool, peer or CIDR of an IP family the cluster does not run',
  'kube-proxy-replacement-required': 'Cilium L2 announcements (or another feature that needs it) without kubeProxy: none',
  'api-server-required': 'kubeProxy: none without cluster.apiServer',
  'native-routing-cidr': 'native routing with no CIDR to use as ipv4NativeRoutingCIDR',
  'bgp-speaker-conflict': 'two BGP speakers on the same nodes would peer the same router',
  'lb-ownership': 'two implementations would both claim LoadBalancer Services',
  'ccm-on-managed': 'a CCM would be deployed on a managed offering that already runs one',
  'ccm-unsupported-provider': 'self-managed cloud cluster on a provider netprofile has no CCM for',
  'ccm-ipv6-unsupported': "IPv6 or dual-stack load balancing on Alibaba Cloud's CCM",
  'inline-secret': 'a credential or password given inline instead of a Secret reference',
  'cilium-version-feature': 'a feature or Helm value the chosen Cilium version does not have',
  'metallb-strict-arp': 'MetalLB layer2 with kube-proxy in IPVS mode (set strictARP: true)',
  'k3s-servicelb': "k3s with its built-in ServiceLB while another implementation is chosen",
  'underlay-mac-on-cloud': 'macvlan underlay on a public cloud (the VPC drops unknown MACs)',
  'environment-unknown': 'environment is auto and there are no facts to detect from, or the nodes disagree',
  'invalid-field': 'a value that does not parse or a field that does not exist',
  'values-conflict': 'spec.cni.cilium.values overrides a value the planner decided',
  'cilium-bfd-unsupported': "BFD asked for on Cilium's BGP control plane, which has none",
  'chart-version-unknown': 'a chart version that was never released',
  'pool-off-subnet': 'an L2-announced pool outside every node subnet: nobody would answer ARP/NDP for it',
  'bgp-secret-key': 'a BGP passwordSecretRef key the speaker does not read (Cilium and MetalLB read "password")',
  'cilium-ipam-mask': 'no per-node cluster-pool mask the cilium-operator accepts fits the pod CIDR',
  'native-routing-routes': 'native routing across several node subnets with nothing to distribute the pod routes',
  'purelb-auto-assign': 'PureLB: autoAssign cannot be honoured (only the ServiceGroup named default serves un-annotated Services)',
  'ccm-version-skew': "the cloud-controller-manager release does not match the cluster's Kubernetes minor",
} as const;

export type RuleId = keyof typeof RULES;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Field path in the profile, e.g. spec.loadBalancer.pools[1].addresses[0]. */
  path: string;
  /** One sentence: what is wrong and what to do. */
  message: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function formatFinding(f: Finding, file?: string): string {
  return `${file ? `${file}: ` : ''}${f.severity}: ${f.path}: ${f.message} [${f.rule}]`;
}
