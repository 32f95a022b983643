// PureLB: the chart, a ServiceGroup per pool, and the LBNodeAgent only when PureLB announces
// itself. Field names follow shared/schemas/purelb/docs/crd-reference.md (purelb.io/v2) and the
// k8gobgp CRD in shared/schemas/purelb/gobgp-crds.
import type { Plan, PlanBlock } from '../plan/types.js';
import type { ComponentOutput, K8sObject } from './types.js';
import { CHARTS, chartInstall } from './charts.js';
import { netprofileLabels } from './merge.js';
import { peerSecretSteps } from './bgp.js';
import { purelbGroupName } from '../plan/rules/purelb-auto-assign.js';
import { parseCIDR, isBlock, contains, parseAddressBlock } from '../api/net.js';

const NS = CHARTS.purelb.namespace;
/** A node label nobody sets: the lbnodeagent DaemonSet then schedules no pods (see purelbValues). */
export const LBNODEAGENT_OFF_LABEL = 'netprofile.io/purelb-lbnodeagent';
const DUMMY_INTERFACE = 'kube-lb0';

export function purelbValues(plan: Plan): Record<string, unknown> {
  const lb = plan.loadBalancer;
  // netprofile writes its own ServiceGroups; the chart's sample one would be a second pool.
  const values: Record<string, unknown> = { serviceGroup: { create: false } };
  if (!lb.nodeAgent) {
    // PureLB has no value that turns the lbnodeagent DaemonSet off (charts.md). With an external
    // speaker it must not run (it would add the addresses to kube-lb0 and, with GoBGP, peer the
    // same routers): a nodeSelector on a label no node carries leaves the DaemonSet without pods.
    values.lbnodeagent = { nodeSelector: { [LBNODEAGENT_OFF_LABEL]: 'enabled' } };
    values.gobgp = { enabled: false };
    return values;
  }
  const agent: Record<string, unknown> = { dummyInterface: DUMMY_INTERFACE };
  const ifs = lb.l2?.interfaces ?? [];
  // purelb v0.16.6 build/helm/purelb/templates/lbnodeagent.yaml: localInterface is a regular
  // expression; anchor it for one interface too (eth1 must not match eth10 or eth1.100).
  if (ifs.length) agent.localInterface = `^(${ifs.map(escapeRegex).join('|')})$`;
  values.lbnodeagent = agent;
  // The GoBGP sidecar needs TCP 179 free; only when PureLB itself speaks BGP.
  values.gobgp = { enabled: lb.speaker === 'purelb' };
  return values;
}

export function renderPureLB(plan: Plan): ComponentOutput {
  const out: ComponentOutput = { charts: [], controllers: [], configs: [], manualSteps: [] };
  const lb = plan.loadBalancer;
  if (lb.implementation !== 'purelb') return out;
  const labels = netprofileLabels(plan.profile);
  out.charts.push(chartInstall('purelb', purelbValues(plan)));

  const routed = lb.mode === 'bgp';
  for (const pool of lb.pools) {
    const entry = (b: PlanBlock) => ({
      // L2 (local) pools must sit in the node subnet, which is where ARP reaches (a pool outside is
      // refused by pool-off-subnet, so the fallback is never rendered silently); routed pools are
      // announced as host routes (/32, /128), as the routers expect one route per LoadBalancer IP.
      subnet: routed ? b.subnet : nodeSubnetFor(plan, b) ?? b.subnet,
      pool: b.text,
      aggregation: routed ? (b.family === 'IPv4' ? '/32' : '/128') : 'default',
    });
    const v4 = pool.blocks.filter((b) => b.family === 'IPv4').map(entry);
    const v6 = pool.blocks.filter((b) => b.family === 'IPv6').map(entry);
    const addresses: Record<string, unknown> = {};
    if (v4.length) addresses.v4pools = v4;
    if (v6.length) addresses.v6pools = v6;
    // crd-reference.md: `local` is a pool on the nodes' subnet (announced by ARP/NDP), `remote` a
    // pool on another subnet "for BGP routing" (the lbnodeagent puts it on the dummy interface
    // kube-lb0 for a routing daemon to announce). The field-notes build used a local pool with
    // aggregation /32 and kube-router announcing; the v2 API names that case `remote`.
    const spec = routed ? { remote: addresses } : { local: addresses };
    // purelb v0.16.6 internal/allocator/allocator.go: un-annotated Services use the group "default".
    const group = purelbGroupName(lb.pools, pool.name);
    out.configs.push({ apiVersion: 'purelb.io/v2', kind: 'ServiceGroup', metadata: { name: group, namespace: NS, labels }, spec });
    out.manualSteps.push(`Services take addresses from PureLB pool ${pool.name} with the annotation purelb.io/service-group: ${group}${group === 'default' ? ` (or no annotation: PureLB uses the group named default${pool.name !== 'default' ? `, which is pool ${pool.name} because it alone has autoAssign: true` : ''})` : ''}.`);
    if (pool.serviceSelector) out.manualSteps.push(`PureLB has no service selector: pool ${pool.name}'s serviceSelector is not enforced; annotate only the Services that should use it.`);
  }

  if (lb.nodeAgent) {
    // purelb v0.16.6 build/helm/purelb/templates/lbnodeagent.yaml renders LBNodeAgent "default"
    // from the lbnodeagent values (purelbValues): the chart is its only owner, no copy in configs/.
    if (lb.speaker === 'purelb' && lb.bgp) out.configs.push(purelbBgp(plan, labels, out.manualSteps));
    out.manualSteps.push('PureLB advises the sysctls net.ipv4.conf.all.arp_ignore=1 and net.ipv4.conf.all.arp_announce=2 on every node.');
  } else {
    out.manualSteps.push(`PureLB only allocates here: the external BGP speaker announces the LoadBalancer addresses. PureLB's chart cannot turn off its lbnodeagent DaemonSet, so netprofile gives it a nodeSelector (${LBNODEAGENT_OFF_LABEL}=enabled) that no node carries; do not put that label on a node.`);
    out.manualSteps.push('Make sure the external speaker advertises LoadBalancer IPs (kube-router: --advertise-loadbalancer-ip=true).');
  }
  return out;
}

function nodeSubnetFor(plan: Plan, b: PlanBlock): string | null {
  const block = parseAddressBlock(b.text);
  if (!isBlock(block)) return null;
  for (const c of plan.cluster.nodeCIDRs) {
    const n = parseCIDR(c);
    if (isBlock(n) && contains(n, block)) return n.text;
  }
  return null;
}

function purelbBgp(plan: Plan, labels: Record<string, string>, manualSteps: string[]): K8sObject {
  const bgp = plan.loadBalancer.bgp!;
  const families = plan.cluster.families.map((f) => (f === 'IPv4' ? 'ipv4-unicast' : 'ipv6-unicast'));
  const neighbors = bgp.peers.map((p) => {
    const config: Record<string, unknown> = { neighborAddress: p.address, peerAsn: p.asn, description: p.name };
    if (p.passwordSecretRef) config.authPasswordSecretRef = { name: p.passwordSecretRef.name, key: p.passwordSecretRef.key };
    const n: Record<string, unknown> = { config, afiSafis: families.map((family) => ({ family, enabled: true })) };
    if (p.gracefulRestart) n.gracefulRestart = { enabled: true };
    // purelb v0.16.6 deployments/components/gobgp/gobgp-bgpconfig-crd.yaml neighbors[].ebgpMultihop {enabled (required), multihopTtl}.
    if (p.ebgpMultiHop) n.ebgpMultihop = { enabled: true };
    return n;
  });
  manualSteps.push(...peerSecretSteps(bgp.peers, 'PureLB', NS, null));
  if (bgp.peers.some((p) => p.bfd)) manualSteps.push("BFD was asked for, but netprofile does not configure BFD for PureLB's GoBGP sidecar; configure it on the routers or leave it off.");
  return {
    apiVersion: 'bgp.purelb.io/v1', kind: 'BGPConfiguration', metadata: { name: 'default', namespace: NS, labels },
    spec: {
      global: { asn: bgp.localASN, families },
      // GoBGP announces what the lbnodeagent puts on the dummy interface.
      netlinkImport: { enabled: true, interfaceList: [DUMMY_INTERFACE] },
      neighbors,
    },
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
