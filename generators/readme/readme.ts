// The output tree's README.md: the plan in words. Handlebars renders TEXT only here (Markdown);
// every Kubernetes object is built as data elsewhere. The template is compiled once per process.
import { handlebars } from '../text/handlebars.js';
import type { Plan } from '../plan/types.js';

export const README_TEMPLATE = `# Network of cluster {{cluster}}

Rendered by netprofile from NetworkProfile \`{{profile}}\` for the \`{{target}}\` target.
Do not edit these files by hand: change the profile and render again.

## Summary

{{#each summary}}
- {{this}}
{{/each}}

## How to apply

{{#each howToApply}}
- {{this}}
{{/each}}

## Files

{{#each files}}
- \`{{this}}\`
{{/each}}

## Decisions

{{#if decisions.length}}
{{#each decisions}}
- **{{field}}** = \`{{value}}\`: {{reason}}{{#if rule}} (rule \`{{rule}}\`){{/if}}{{#if fact}} (fact: {{fact}}){{/if}}
{{/each}}
{{else}}
Every value was given explicitly in the profile.
{{/if}}

## Findings

{{#if findings.length}}
{{#each findings}}
- {{severity}} \`{{rule}}\` at \`{{path}}\`: {{message}}
{{/each}}
{{else}}
None.
{{/if}}

## Manual steps

{{#if steps.length}}
{{#each steps}}
### {{component}}

{{#each items}}
- [ ] {{this}}
{{/each}}

{{/each}}
{{else}}
None: everything is in the manifests.
{{/if}}
`;

// noEscape: the output is Markdown, not HTML. Compiled on first use (handlebars loads lazily).
let compiled: ((context: unknown) => string) | undefined;
const template = (context: unknown): string => (compiled ??= handlebars().compile(README_TEMPLATE, { noEscape: true, strict: true }))(context);

export interface ReadmeInput {
  plan: Plan;
  target: string;
  howToApply: string[];
  files: string[];
  manualSteps: { component: string; items: string[] }[];
}

/** One line per Markdown list item: newlines in user-supplied text must not break the list. */
const line = (s: string) => (s.includes('\n') ? s.replace(/\s*\n\s*/g, ' ') : s);

export function renderReadme(input: ReadmeInput): string {
  const p = input.plan;
  const e = p.environment;
  const c = p.cni;
  const lb = p.loadBalancer;
  const summary = [
    `Environment: ${e.type ?? 'unknown'}${e.provider ? ` / ${e.provider}` : ''}${e.managed === null ? '' : e.managed ? ', managed' : ', self-managed'}${e.region ? `, ${e.region}` : ''} (${e.source})`,
    c.provider === 'cilium'
      ? `CNI: Cilium ${c.version}, ${c.routing} routing${c.tunnelProtocol ? ` (${c.tunnelProtocol})` : ''}${c.ipv4NativeRoutingCIDR ? `, native routing CIDR ${c.ipv4NativeRoutingCIDR}` : ''}, IPAM ${c.ipam}, kube-proxy replacement ${c.kubeProxyReplacement ? 'on' : 'off'}`
      : 'CNI: not managed by netprofile (cni.provider: none)',
    `Load balancing: ${lb.implementation ?? 'none'}${lb.mode ? `, ${lb.mode}` : ''}${lb.speaker ? `, BGP speaker ${lb.speaker}` : ''}`,
    ...lb.pools.map((pool) => `Pool ${pool.name}: ${pool.blocks.map((b) => b.text).join(', ')}${pool.autoAssign ? '' : ' (not auto-assigned)'}`),
    ...(lb.bgp?.peers ?? []).map((peer) => `BGP peer ${peer.name}: ${peer.address} AS ${peer.asn}${lb.bgp?.localASN ? ` from AS ${lb.bgp.localASN}` : ''}`),
    `Cloud controller manager: ${p.ccm.enabled ? p.ccm.provider : 'none'}`,
    `Underlay: ${p.underlay.enabled ? `${p.underlay.cni}, ${p.underlay.pools.length} pool(s) (Spiderpool)` : 'off'}`,
  ];
  return template({
    cluster: p.cluster.name,
    profile: p.profile,
    target: input.target,
    summary: summary.map(line),
    howToApply: input.howToApply.map(line),
    files: input.files,
    decisions: p.decisions.map((d) => ({ field: d.field, value: JSON.stringify(d.value), reason: line(d.reason), rule: d.rule, fact: d.fact ? line(d.fact) : null })),
    findings: p.findings.map((f) => ({ ...f, message: line(f.message) })),
    steps: input.manualSteps.filter((s) => s.items.length).map((s) => ({ component: s.component, items: s.items.map(line) })),
  });
}
