// The node subnets the load-balancer decisions read: spec.cluster.nodeCIDRs when given, otherwise
// the subnets around the Nodes' InternalIPs from the facts (a /24 per IPv4 address, a /64 per IPv6
// address: a Node object carries no prefix length). Pure.
import { parseCIDR, isBlock, containsIP, contains, parseAddressBlock, type AddressBlock, type Family } from '../api/net.js';
import type { Detection } from '../detect/detect.js';
import { factSubnets } from './node-addresses.js';

export interface NodeSubnets {
  blocks: AddressBlock[];
  /** Where the subnets come from, for the decision reason. */
  source: 'nodeCIDRs' | 'facts' | 'none';
}

export function nodeSubnets(nodeCIDRs: readonly string[], facts: Detection | undefined): NodeSubnets {
  const given = nodeCIDRs.map((c) => parseCIDR(c)).filter(isBlock);
  if (given.length) return { blocks: given, source: 'nodeCIDRs' };
  // Parsed once per Detection, not once per profile (node-addresses.ts).
  const around = facts ? factSubnets(facts) : [];
  return around.length ? { blocks: [...around], source: 'facts' } : { blocks: [], source: 'none' };
}

/** Whether an address (IP) lies in one of the subnets. */
export function inSubnets(subnets: NodeSubnets, family: Family, ip: bigint): boolean {
  return subnets.blocks.some((b) => containsIP(b, family, ip));
}

/** Whether an address block (pool entry) lies wholly in one of the subnets. */
export function blockInSubnets(subnets: NodeSubnets, text: string): boolean {
  const b = parseAddressBlock(text);
  if (!isBlock(b)) return true;
  return subnets.blocks.some((s) => contains(s, b));
}
