// IP address arithmetic for pools, CIDRs and ranges (IPv4 and IPv6), on bigints.

export type Family = 'IPv4' | 'IPv6';

export interface AddressBlock {
  family: Family;
  first: bigint;
  last: bigint;
  /** The text as the user wrote it, normalised. */
  text: string;
  /** Set when the block is a CIDR. */
  prefix?: number;
}

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

export function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  if (groups.length !== 8 || (halves.length === 2 && left.length + right.length > 7)) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

export function parseIP(text: string): { family: Family; value: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 'IPv4', value: v4 };
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  if (v6 !== undefined) return { family: 'IPv6', value: v6 };
  return undefined;
}

const bits = (f: Family) => (f === 'IPv4' ? 32 : 128);

export function formatIP(family: Family, value: bigint): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** Parses `a.b.c.d/n` strictly: the address must be the network address (no host bits). */
export function parseCIDR(text: string): AddressBlock | { error: string } {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return { error: `"${text.slice(0, 60)}" is not a CIDR (expected address/prefix, e.g. 10.32.0.0/17)` };
  const ip = parseIP(m[1]);
  if (!ip) return { error: `"${m[1].slice(0, 60)}" is not an IP address` };
  const prefix = Number(m[2]);
  const width = bits(ip.family);
  if (prefix > width) return { error: `prefix /${prefix} is longer than ${width} bits` };
  const hostBits = BigInt(width - prefix);
  const mask = (1n << hostBits) - 1n;
  if ((ip.value & mask) !== 0n) {
    const net = formatIP(ip.family, ip.value & ~mask);
    return { error: `${text} has host bits set; the network is ${net}/${prefix}` };
  }
  return { family: ip.family, first: ip.value, last: ip.value | mask, text: `${formatIP(ip.family, ip.value)}/${prefix}`, prefix };
}

/** Parses a pool entry: a CIDR or a `first-last` range of one family. */
export function parseAddressBlock(text: string): AddressBlock | { error: string } {
  if (text.includes('/')) return parseCIDR(text.trim());
  const parts = text.split('-').map((p) => p.trim());
  if (parts.length !== 2) return { error: `"${text.slice(0, 60)}" is neither a CIDR nor a first-last range` };
  const a = parseIP(parts[0]);
  const b = parseIP(parts[1]);
  if (!a || !b) return { error: `"${text.slice(0, 60)}" is not a range of two IP addresses` };
  if (a.family !== b.family) return { error: `range ${text} mixes IPv4 and IPv6` };
  if (a.value > b.value) return { error: `range ${text} ends before it starts` };
  return { family: a.family, first: a.value, last: b.value, text: `${formatIP(a.family, a.value)}-${formatIP(b.family, b.value)}` };
}

export function isBlock(v: AddressBlock | { error: string }): v is AddressBlock {
  return !('error' in v);
}

export function overlaps(a: AddressBlock, b: AddressBlock): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function contains(outer: AddressBlock, inner: AddressBlock): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

export function containsIP(block: AddressBlock, family: Family, ip: bigint): boolean {
  return block.family === family && block.first <= ip && ip <= block.last;
}

export function firstIP(b: AddressBlock): string { return formatIP(b.family, b.first); }
export function lastIP(b: AddressBlock): string { return formatIP(b.family, b.last); }

/** DNS-1123 label: lower-case alphanumerics and '-', at most 63, starting and ending alphanumeric. */
export function isDNSLabel(v: string): boolean {
  return v.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v);
}

/** DNS-1123 subdomain (object names such as Node names). */
export function isDNSSubdomain(v: string): boolean {
  return v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v);
}
