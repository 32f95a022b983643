// The Nodes' InternalIPs as the planner and the rules read them (node subnets, pools that hold a
// node's address), parsed once per Detection. The operator plans every profile of a cluster
// against one shared Detection (operator/operator.ts sharedDetection), so without this each of
// N profiles would parse the addresses of all M Nodes again: N x M parses for one change of the
// Nodes. Keyed on the Detection object (a WeakMap): a new detection is parsed afresh and an old
// one is collected together with its entry. Pure.
import { type AddressBlock, type Family, isBlock, parseCIDR, parseIP } from '../api/net.js';
import type { Detection } from '../detect/detect.js';

export interface NodeAddress { node: string; family: Family; value: bigint; text: string }

interface Parsed {
  /** Every InternalIP that parses, in the Nodes' order. */
  addresses: NodeAddress[];
  /** Indexes into `addresses`, sorted by family, then value (for range look-ups). */
  sorted: number[];
  /** A /24 (IPv4) or /64 (IPv6) around each address, one per distinct subnet, in the Nodes' order. */
  subnets: AddressBlock[];
}

const CACHE = new WeakMap<Detection, Parsed>();

function parsed(facts: Detection): Parsed {
  const hit = CACHE.get(facts);
  if (hit) return hit;
  const addresses: NodeAddress[] = [];
  const seen = new Map<string, AddressBlock>();
  for (const v of facts.perNode) {
    for (const text of v.internalIPs ?? []) {
      const ip = parseIP(text);
      if (ip) addresses.push({ node: v.node, family: ip.family, value: ip.value, text });
      // A Node object carries no prefix length: the subnet around the address is a guess, /24 or
      // /64 (set spec.cluster.nodeCIDRs to be exact). Only addresses the CIDR parser accepts.
      const fam: Family = text.includes(':') ? 'IPv6' : 'IPv4';
      const width = fam === 'IPv4' ? 32 : 128;
      const prefix = fam === 'IPv4' ? 24 : 64;
      const block = parseCIDR(`${text}/${width}`);
      if (!isBlock(block)) continue;
      const mask = (1n << BigInt(width - prefix)) - 1n;
      const first = block.first & ~mask;
      const key = `${fam}:${first}`;
      if (!seen.has(key)) seen.set(key, { family: fam, first, last: first | mask, text: `${text} /${prefix}`, prefix });
    }
  }
  const sorted = addresses.map((_, i) => i).sort((a, b) => {
    const x = addresses[a], y = addresses[b];
    if (x.family !== y.family) return x.family < y.family ? -1 : 1;
    return x.value < y.value ? -1 : x.value > y.value ? 1 : a - b;
  });
  const out = { addresses, sorted, subnets: [...seen.values()] };
  CACHE.set(facts, out);
  return out;
}

/** The Nodes' InternalIPs, parsed (unparseable ones left out), in the Nodes' order. */
export function nodeAddresses(facts: Detection): readonly NodeAddress[] {
  return parsed(facts).addresses;
}

/** The node addresses inside a block, in the Nodes' order: a binary search, not a scan of every Node. */
export function nodeAddressesIn(facts: Detection, block: AddressBlock): NodeAddress[] {
  const { addresses, sorted } = parsed(facts);
  const before = (i: number) => {
    const a = addresses[i];
    return a.family !== block.family ? a.family < block.family : a.value < block.first;
  };
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (before(sorted[mid])) lo = mid + 1; else hi = mid; }
  const hits: number[] = [];
  for (let k = lo; k < sorted.length; k++) {
    const a = addresses[sorted[k]];
    if (a.family !== block.family || a.value > block.last) break;
    hits.push(sorted[k]);
  }
  return hits.sort((a, b) => a - b).map((i) => addresses[i]);
}

/** The subnets around the Nodes' InternalIPs (generators/plan/subnets.ts nodeSubnets without nodeCIDRs). */
export function factSubnets(facts: Detection): readonly AddressBlock[] {
  return parsed(facts).subnets;
}
