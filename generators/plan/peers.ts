// Per-peer BGP decisions that do not depend on the implementation. Pure.
import type { Family } from '../api/net.js';
import { inSubnets, nodeSubnets, type NodeSubnets } from './subnets.js';

export { nodeSubnets };

/**
 * Effective eBGP multi-hop. MetalLB's FRR modes open no single-hop eBGP session to an address that
 * is not directly connected (metallb v0.16.1 api/v1beta2/bgppeer_types.go, ebgpMultiHop "Needed
 * for FRR-based modes"); GoBGP and Cilium behave the same for eBGP (TTL 1).
 */
export function peerMultiHop(asked: 'auto' | boolean, ip: { family: Family; value: bigint } | undefined, subnets: NodeSubnets): { value: boolean; reason: string } {
  if (asked !== 'auto') return { value: asked, reason: `ebgpMultiHop: ${asked} set on the peer` };
  if (!ip || subnets.source === 'none') return { value: false, reason: 'no node subnets known (no nodeCIDRs, no facts): single-hop; set spec.cluster.nodeCIDRs or ebgpMultiHop on the peer' };
  const from = subnets.source === 'nodeCIDRs' ? 'spec.cluster.nodeCIDRs' : "the nodes' InternalIPs (a /24 or /64 around each; set spec.cluster.nodeCIDRs to be exact)";
  return inSubnets(subnets, ip.family, ip.value)
    ? { value: false, reason: `the peer is in a node subnet (${from}): directly connected, single-hop` }
    : { value: true, reason: `the peer is outside every node subnet (${from}): not directly connected, so the session needs eBGP multi-hop` };
}
