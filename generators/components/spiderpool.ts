// Spiderpool, when the profile puts pods on the node network (underlay): the chart, a
// SpiderMultusConfig per interface and a SpiderIPPool per node and interface, because each VM NIC
// carries only the secondary IPs the cloud assigned to it (field notes §3). Field names follow
// shared/schemas/spiderpool/*.yaml (spiderpool.spidernet.io/v2beta1).
import type { Plan } from '../plan/types.js';
import type { ComponentOutput, K8sObject } from './types.js';
import { CHARTS, chartInstall } from './charts.js';
import { netprofileLabels } from './merge.js';

const NS = CHARTS.spiderpool.namespace;
const API = 'spiderpool.spidernet.io/v2beta1';

/** DNS-1123 name from parts (node names may hold dots, interfaces upper case). */
function dnsName(...parts: string[]): string {
  const s = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return s.slice(0, 63).replace(/-$/, '');
}

export function multusConfigName(plan: Plan, iface: string): string {
  return dnsName(plan.underlay.cni ?? 'ipvlan', iface);
}

export function ippoolName(node: string, iface: string, family: string): string {
  return dnsName(node, iface, family === 'IPv6' ? 'v6' : 'v4');
}

function interfaces(plan: Plan): string[] {
  return [...new Set(plan.underlay.pools.map((p) => p.interface))].sort();
}

export function spiderpoolValues(plan: Plan): Record<string, unknown> {
  const onCloud = plan.environment.class === 'public-cloud' || plan.environment.class === 'openstack';
  const families = new Set(plan.underlay.pools.map((p) => p.family));
  const values: Record<string, unknown> = {
    ipam: {
      // A fixed IP cannot follow a StatefulSet Pod to another node in a cloud: each NIC holds
      // only its own secondary IPs.
      enableStatefulSet: !onCloud,
      enableIPv4: families.has('IPv4'),
      enableIPv6: families.has('IPv6'),
    },
    // Installs the ipvlan/macvlan binaries on every node.
    plugins: { installCNI: true },
  };
  // Without a CNI of netprofile's (cni.provider none) the underlay is the pods' primary network:
  // Multus' default network is the first interface's config. With Cilium as the CNI, Multus
  // keeps deriving the default network from /etc/cni/net.d and the underlay is a second NIC.
  if (plan.cni.provider === 'none') {
    const first = interfaces(plan)[0];
    if (first) values.multus = { multusCNI: { defaultCniCRName: multusConfigName(plan, first) } };
  } else {
    // Cilium stays the pods' first interface: the coordinator in overlay mode tunes the routes of
    // the extra underlay NIC, as Spiderpool's guide installs it beside Cilium (which itself runs
    // with cni.exclusive: false) — spidernet-io/spiderpool v1.2.2 docs/usage/install/overlay/get-started-cilium.md,
    // charts/spiderpool/values.yaml coordinator.mode ["auto","underlay","overlay","disabled"].
    values.coordinator = { mode: 'overlay' };
  }
  return values;
}

export function renderSpiderpool(plan: Plan): ComponentOutput {
  const out: ComponentOutput = { charts: [], controllers: [], configs: [], manualSteps: [] };
  if (!plan.underlay.enabled || !plan.underlay.cni) return out;
  const labels = netprofileLabels(plan.profile);
  const cni = plan.underlay.cni;
  out.charts.push(chartInstall('spiderpool', spiderpoolValues(plan)));

  const pools: K8sObject[] = plan.underlay.pools.map((p) => {
    const spec: Record<string, unknown> = {
      ipVersion: p.family === 'IPv6' ? 6 : 4,
      subnet: p.subnet,
      ips: [...p.ips],
      nodeName: [p.node],
      multusName: [`${NS}/${multusConfigName(plan, p.interface)}`],
    };
    if (p.gateway) spec.gateway = p.gateway;
    return { apiVersion: API, kind: 'SpiderIPPool', metadata: { name: ippoolName(p.node, p.interface, p.family), labels }, spec };
  });

  for (const iface of interfaces(plan)) {
    const mine = plan.underlay.pools.filter((p) => p.interface === iface);
    // Spiderpool picks, among the default pools, the one whose nodeName matches the Pod's node.
    const ippools: Record<string, string[]> = {};
    const v4 = mine.filter((p) => p.family === 'IPv4').map((p) => ippoolName(p.node, p.interface, p.family));
    const v6 = mine.filter((p) => p.family === 'IPv6').map((p) => ippoolName(p.node, p.interface, p.family));
    if (v4.length) ippools.ipv4 = v4;
    if (v6.length) ippools.ipv6 = v6;
    out.configs.push({
      apiVersion: API, kind: 'SpiderMultusConfig', metadata: { name: multusConfigName(plan, iface), namespace: NS, labels },
      spec: { cniType: cni, [cni]: { master: [iface], ippools } },
    });
  }
  out.configs.push(...pools);

  if (plan.environment.class === 'public-cloud') {
    out.manualSteps.push(`Assign each node's underlay addresses as secondary private IPs of that NIC in the cloud console or API (the VPC delivers only addresses it assigned): ${plan.underlay.pools.map((p) => `${p.node}/${p.interface}: ${p.ips.join(', ')}`).join('; ')}.`);
  }
  const second = interfaces(plan).slice(plan.cni.provider === 'none' ? 1 : 0);
  if (second.length) out.manualSteps.push(`Pods attach to ${second.map((i) => multusConfigName(plan, i)).join(', ')} as an extra interface with the annotation k8s.v1.cni.cncf.io/networks: ${NS}/<name>.`);
  return out;
}
