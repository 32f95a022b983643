// The plan as printed: the JSON of api.md §3 (every field present, null where it does not apply)
// and the same for a person.
import type { Finding } from '../api/findings.js';
import type { Plan } from './types.js';

/** The JSON object of `netprofile plan -o json`. Key order is fixed (deterministic output). */
export function planToJSON(plan: Plan): Record<string, unknown> {
  return {
    profile: plan.profile,
    namespace: plan.namespace,
    cluster: plan.cluster,
    platform: plan.platform ? { id: plan.platform.id, name: plan.platform.name, datapathMode: plan.platform.datapathMode, source: plan.platform.source } : null,
    environment: {
      type: plan.environment.type,
      provider: plan.environment.provider,
      managed: plan.environment.managed,
      region: plan.environment.region,
      class: plan.environment.class,
      source: plan.environment.source,
      evidence: plan.environment.evidence,
    },
    cni: {
      provider: plan.cni.provider,
      version: plan.cni.version,
      routing: plan.cni.routing,
      tunnelProtocol: plan.cni.tunnelProtocol,
      ipam: plan.cni.ipam,
      kubeProxyReplacement: plan.cni.kubeProxyReplacement,
      ipv4NativeRoutingCIDR: plan.cni.ipv4NativeRoutingCIDR,
      ipv6NativeRoutingCIDR: plan.cni.ipv6NativeRoutingCIDR,
      l2announcements: plan.cni.l2announcements,
      bgpControlPlane: plan.cni.bgpControlPlane,
      lbIPAM: plan.cni.lbIPAM,
      hubble: plan.cni.hubble,
    },
    loadBalancer: {
      implementation: plan.loadBalancer.implementation,
      mode: plan.loadBalancer.mode,
      speaker: plan.loadBalancer.speaker,
      pools: plan.loadBalancer.pools.map((p) => ({ name: p.name, addresses: p.blocks.map((b) => b.text), autoAssign: p.autoAssign, families: p.families })),
      l2: plan.loadBalancer.l2,
      bgp: plan.loadBalancer.bgp,
    },
    ccm: { enabled: plan.ccm.enabled, provider: plan.ccm.provider, credentialsSecretRef: plan.ccm.credentialsSecretRef },
    underlay: plan.underlay.enabled ? plan.underlay : { enabled: false, cni: null, pools: [] },
    gitops: { engine: plan.gitops.engine, path: plan.gitops.path, repo: plan.gitops.repo },
    decisions: plan.decisions,
    findings: plan.findings,
  };
}

/** The plan JSON of a profile that did not validate: the same keys, null values, its findings. */
export function rejectedPlanJSON(profile: string, findings: Finding[]): Record<string, unknown> {
  return {
    profile,
    namespace: null,
    cluster: null,
    platform: null,
    environment: { type: null, provider: null, managed: null, region: null, class: null, source: 'none', evidence: [] },
    cni: { provider: null, version: null, routing: null, tunnelProtocol: null, ipam: null, kubeProxyReplacement: null, ipv4NativeRoutingCIDR: null, ipv6NativeRoutingCIDR: null, l2announcements: null, bgpControlPlane: null, lbIPAM: null, hubble: null },
    loadBalancer: { implementation: null, mode: null, speaker: null, pools: [], l2: null, bgp: null },
    ccm: { enabled: null, provider: null, credentialsSecretRef: null },
    underlay: { enabled: null, cni: null, pools: [] },
    gitops: null,
    decisions: [],
    findings,
  };
}

const onOff = (b: boolean | null) => (b ? 'on' : 'off');

/** One line per fact, for a person. */
export function planToText(plan: Plan): string {
  const lines: string[] = [];
  const e = plan.environment;
  lines.push(`Profile ${plan.profile} (cluster ${plan.cluster.name}, ${plan.cluster.distribution}, ${plan.cluster.families.join('/')})`);
  lines.push(`Environment: ${e.type ?? 'unknown'}${e.provider ? ` / ${e.provider}` : ''}${e.managed === null ? '' : e.managed ? ', managed' : ', self-managed'}${e.region ? `, ${e.region}` : ''} (${e.source})`);
  for (const ev of e.evidence.slice(0, 8)) lines.push(`  evidence: ${ev}`);
  if (e.evidence.length > 8) lines.push(`  … and ${e.evidence.length - 8} more`);
  lines.push(`Platform: ${plan.platform ? `${plan.platform.name} (${plan.platform.id}), datapath ${plan.platform.datapathMode}` : 'unknown'}`);
  const c = plan.cni;
  if (c.provider === 'cilium') {
    lines.push(`CNI: cilium ${c.version}, routing ${c.routing}${c.tunnelProtocol ? ` (${c.tunnelProtocol})` : ''}${c.ipv4NativeRoutingCIDR ? ` ipv4NativeRoutingCIDR ${c.ipv4NativeRoutingCIDR}` : ''}, ipam ${c.ipam}, kube-proxy replacement ${onOff(c.kubeProxyReplacement)}, L2 announcements ${onOff(c.l2announcements)}, BGP control plane ${onOff(c.bgpControlPlane)}`);
  } else lines.push('CNI: left alone (cni.provider: none)');
  const lb = plan.loadBalancer;
  lines.push(`Load balancing: ${lb.implementation ?? 'none chosen'}${lb.mode ? `, ${lb.mode}` : ''}${lb.speaker ? `, speaker ${lb.speaker}` : ''}`);
  for (const p of lb.pools) lines.push(`  pool ${p.name}: ${p.blocks.map((b) => b.text).join(', ')}${p.autoAssign ? '' : ' (no auto-assign)'}`);
  for (const p of lb.bgp?.peers ?? []) lines.push(`  peer ${p.name}: ${p.address} AS ${p.asn}${lb.bgp?.localASN ? ` from AS ${lb.bgp.localASN}` : ''}${p.bfd ? ', BFD' : ''}`);
  lines.push(`CCM: ${plan.ccm.enabled ? plan.ccm.provider : 'none'}`);
  lines.push(`Underlay: ${plan.underlay.enabled ? `${plan.underlay.cni}, ${plan.underlay.pools.length} pool(s)` : 'off'}`);
  lines.push(`GitOps: ${plan.gitops.engine} at ${plan.gitops.path}`);
  if (plan.decisions.length) {
    lines.push('Decisions:');
    for (const d of plan.decisions) lines.push(`  - ${d.field} = ${JSON.stringify(d.value)}: ${d.reason}${d.rule ? ` [${d.rule}]` : ''}`);
  }
  lines.push(plan.findings.length ? 'Findings:' : 'Findings: none');
  for (const f of plan.findings) lines.push(`  - ${f.severity} ${f.rule} at ${f.path}: ${f.message}`);
  return lines.join('\n') + '\n';
}
