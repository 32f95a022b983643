// Pure helpers behind the Cilium datapath decisions of the planner: per-node pool masks, whether
// nodes can route each other's pod CIDRs themselves, the client rate limit for L2 leases, eBPF
// masquerading. Each returns the value and the reason the plan records.
import type { AddressBlock } from '../api/net.js';
import { withArticle } from '../text/article.js';

/**
 * cilium-operator's cluster-pool allocator refuses an IPv6 per-node mask more than 16 bits longer
 * than the pod CIDR (cilium pkg/ipam/cidrset/cidr_set.go: clusterSubnetMaxDiff = 16, checked for
 * IPv6 only; ErrCIDRSetSubNetTooBig stops the operator). IPv4 has no such limit, but the mask must
 * lie inside the CIDR. Chart defaults: 24 (IPv4), 120 (IPv6) (install/kubernetes/cilium/values.yaml).
 */
export const CLUSTER_SUBNET_MAX_DIFF = 16;

export function clusterPoolMask(block: AddressBlock): { mask: number | null; reason: string } {
  const prefix = block.prefix ?? (block.family === 'IPv4' ? 32 : 128);
  if (block.family === 'IPv4') {
    if (prefix <= 24) return { mask: 24, reason: `IPv4 pod CIDR /${prefix}: /24 per node (the chart's default; ${2 ** (24 - prefix)} nodes of 254 pods)` };
    return { mask: null, reason: `IPv4 pod CIDR /${prefix} is smaller than one node's /24` };
  }
  if (prefix > 120) return { mask: null, reason: `IPv6 pod CIDR /${prefix} is smaller than one node's /120` };
  const mask = Math.min(120, prefix + CLUSTER_SUBNET_MAX_DIFF);
  return { mask, reason: `IPv6 pod CIDR /${prefix}: /${mask} per node (${mask === 120 ? "the chart's default /120" : `at most ${CLUSTER_SUBNET_MAX_DIFF} bits longer than the CIDR, the operator's limit`}; ${2 ** (mask - prefix)} nodes)` };
}

/** Why an effective mask (the plan's or the user's value) breaks the operator, or null when it works. */
export function maskProblem(block: AddressBlock, mask: number): string | null {
  const prefix = block.prefix ?? (block.family === 'IPv4' ? 32 : 128);
  const width = block.family === 'IPv4' ? 32 : 128;
  if (!Number.isInteger(mask) || mask > width) return `/${mask} is not ${withArticle(block.family)} mask`;
  if (mask < prefix) return `/${mask} is larger than the pod CIDR /${prefix} itself`;
  if (block.family === 'IPv6' && mask - prefix > CLUSTER_SUBNET_MAX_DIFF) return `/${mask} is ${mask - prefix} bits longer than the pod CIDR /${prefix}; cilium-operator accepts at most ${CLUSTER_SUBNET_MAX_DIFF} (pkg/ipam/cidrset clusterSubnetMaxDiff) and fails at start`;
  return null;
}

/**
 * Node subnets per family from spec.cluster.nodeCIDRs. autoDirectNodeRoutes installs a direct
 * route to each node's pod CIDR via that node's address, which only works when "all nodes share a
 * single L2 network"; otherwise "an additional system component such as a BGP daemon must be run
 * to distribute the routes" (cilium Documentation/network/concepts/routing.rst, native routing).
 */
export function nodeSegments(nodeCIDRs: AddressBlock[]): { IPv4: number; IPv6: number } {
  return { IPv4: nodeCIDRs.filter((b) => b.family === 'IPv4').length, IPv6: nodeCIDRs.filter((b) => b.family === 'IPv6').length };
}

/**
 * Client rate limit for L2 announcement leases (cilium Documentation/network/l2-announcements.rst,
 * "Sizing client rate limit": QPS = #services × 1 / leaseRenewDeadline, burst "slightly higher").
 * netprofile sizes for one Service per pool address at the default renew deadline (5 s), capped at
 * 100 QPS, burst twice the base. Set only when it raises the chart's default: 10 QPS / 20 burst
 * from 1.17; 1.16's default is 5/10 on Kubernetes up to 1.26 (10/20 from 1.27), so there the
 * lower default counts (install/kubernetes/cilium/values.yaml k8sClientRateLimit, per version).
 */
export function l2RateLimit(addresses: bigint, minor: number): { limit: { qps: number; burst: number } | null; reason: string } {
  const renewDeadlineSeconds = 5n;
  const wanted = (addresses + renewDeadlineSeconds - 1n) / renewDeadlineSeconds;
  const qps = Number(wanted > 100n ? 100n : wanted);
  const defaultQps = minor <= 16 ? 5 : 10;
  if (qps <= defaultQps) return { limit: null, reason: `${addresses} pool address(es) need ${qps} QPS at the 5 s renew deadline, within the chart's default ${defaultQps} QPS: left at the default` };
  return { limit: { qps, burst: qps * 2 }, reason: `${addresses} pool address(es) / 5 s renew deadline = ${qps} QPS (above the chart's default ${defaultQps}), burst twice that` };
}
