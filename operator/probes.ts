// Instance-metadata probes (--probe-metadata, off by default): extra evidence next to the Nodes,
// never the verdict (a pod's view of one node says nothing about the others). Each probe has a
// short timeout, so a bare-metal cluster, where no metadata service answers, pays at most that.
export interface Probe {
  provider: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Decides from the response whether this is that provider. */
  accept(status: number, headers: Headers, body: string): string | null;
}

export const PROBES: Probe[] = [
  // Alibaba Cloud's metadata service (field note 3: where providerIDs come from).
  { provider: 'alibaba', url: 'http://100.100.100.200/latest/meta-data/region-id', accept: (s, _h, b) => (s === 200 && /^[a-z]{2}-[a-z0-9-]+$/.test(b.trim()) ? b.trim() : null) },
  { provider: 'gcp', url: 'http://metadata.google.internal/computeMetadata/v1/instance/zone', headers: { 'Metadata-Flavor': 'Google' }, accept: (s, h, b) => (s === 200 && h.get('metadata-flavor') === 'Google' ? b.trim().split('/').pop() ?? 'gcp' : null) },
  { provider: 'azure', url: 'http://169.254.169.254/metadata/instance/compute/location?api-version=2021-02-01&format=text', headers: { Metadata: 'true' }, accept: (s, _h, b) => (s === 200 && b.trim() && !b.includes('<') ? b.trim() : null) },
  // IMDSv2 answers a token PUT; IMDSv1-only instances still answer 200 here on most AMIs.
  { provider: 'aws', url: 'http://169.254.169.254/latest/api/token', method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }, accept: (s) => (s === 200 ? 'imdsv2 token issued' : null) },
  { provider: 'openstack', url: 'http://169.254.169.254/openstack/latest/meta_data.json', accept: (s, _h, b) => (s === 200 && b.trim().startsWith('{') && b.includes('"uuid"') ? 'meta_data.json' : null) },
];

export type Fetch = (url: string, init: { method?: string; headers?: Record<string, string>; signal: AbortSignal }) => Promise<{ status: number; headers: Headers; text(): Promise<string> }>;

/** Runs every probe at once, each bounded by timeoutMs; returns evidence strings. */
export async function probeMetadata(fetchFn: Fetch = fetch as unknown as Fetch, timeoutMs = 500): Promise<string[]> {
  const results = await Promise.all(PROBES.map(async (p) => {
    try {
      const res = await fetchFn(p.url, { method: p.method ?? 'GET', headers: p.headers, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.text()).slice(0, 4096);
      const v = p.accept(res.status, res.headers, body);
      return v ? `probe/${p.provider} ${p.url}=${v.replace(/[\u0000-\u001f]/g, ' ').slice(0, 100)}` : null;
    } catch {
      return null;
    }
  }));
  return results.filter((r): r is string => r !== null);
}
