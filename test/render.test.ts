// The renderers, one block per component (as decisions.md's worked examples read): given a
// profile, expect these chart values and these objects, with field names the bundled CRDs know.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { bareMetal, plan, type Raw } from './profiles.js';
import { schemaSources, examples } from './helpers.js';
import { renderObjects, renderTree, renderStream, RenderRefused, TARGETS } from '../generators/render.js';
import { ciliumValues, renderCilium } from '../generators/components/cilium.js';
import { renderMetalLB } from '../generators/components/metallb.js';
import { renderPureLB, purelbValues } from '../generators/components/purelb.js';
import { renderSpiderpool, spiderpoolValues } from '../generators/components/spiderpool.js';
import { CHARTS } from '../generators/components/charts.js';
import { deepMerge } from '../generators/components/merge.js';
import type { K8sObject } from '../generators/components/types.js';
import type { Plan } from '../generators/plan/types.js';
import { loadProfiles } from '../cli/load.js';

const kinds = (objs: K8sObject[]) => objs.map((o) => o.kind);
const one = (objs: K8sObject[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  assert.is(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0] as any;
};

function ciliumL2(version: string): Raw {
  const p = bareMetal();
  p.spec.cni = { provider: 'cilium', cilium: { version } };
  p.spec.cluster.nodeCIDRs = ['172.21.48.0/24'];
  p.spec.loadBalancer = { mode: 'l2', pools: [{ name: 'default', addresses: ['172.21.48.240/28'] }], l2: { interfaces: ['eth0'] } };
  return p;
}

function ciliumBgp(version: string): Raw {
  const p = bareMetal();
  p.spec.cni = { provider: 'cilium', cilium: { version } };
  p.spec.loadBalancer = {
    mode: 'bgp', pools: [{ name: 'public', addresses: ['192.0.2.0/26', '198.51.100.10-198.51.100.20'] }],
    bgp: { localASN: 65010, peers: [
      { name: 'tor-a', address: '10.31.80.1', asn: 65000, bfd: true, passwordSecretRef: { name: 'bgp-auth', key: 'password' } },
      { name: 'tor-b', address: '10.31.80.2', asn: 65000, gracefulRestart: true },
    ], advertise: ['loadBalancerIPs', 'podCIDRs', 'clusterIPs'] },
  };
  return p;
}

function loadExample(name: string): Plan {
  const [l] = loadProfiles([join(examples, name, 'networkprofile.yaml')]);
  assert.ok(l.plan, `examples/${name} plans`);
  return l.plan!;
}

// ---- CRD field names: every key of a rendered custom resource exists in the bundled CRD -------

const CILIUM_CRD_DIR: Record<number, string> = { 16: 'v1.16.15', 17: 'v1.17.14', 18: 'v1.18.3' };

function crdSchemas(dir: string): Map<string, any> {
  const out = new Map<string, any>();
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, n.name);
      if (n.isDirectory()) walk(full);
      else if (n.name.endsWith('.yaml')) {
        for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) {
          const crd = doc.toJS();
          if (crd?.kind !== 'CustomResourceDefinition') continue;
          for (const v of crd.spec.versions) out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** Paths of fields the schema does not declare (where it is closed: has properties, no preserve). */
function unknownFields(value: unknown, schema: any, path: string, out: string[]): string[] {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return out;
  if (Array.isArray(value)) { value.forEach((v, i) => unknownFields(v, schema.items, `${path}[${i}]`, out)); return out; }
  if (value && typeof value === 'object') {
    if (!schema.properties) return out;
    for (const [k, v] of Object.entries(value)) {
      if (path === '' && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
      if (!(k in schema.properties)) out.push(`${path}.${k}`);
      else unknownFields(v, schema.properties[k], `${path}.${k}`, out);
    }
  }
  return out;
}

function assertFieldsKnown(objs: K8sObject[], schemas: Map<string, any>) {
  for (const o of objs) {
    const schema = schemas.get(`${o.apiVersion}/${o.kind}`);
    assert.ok(schema, `a bundled CRD serves ${o.apiVersion} ${o.kind}`);
    const bad = unknownFields(o, schema, '', []);
    assert.equal(bad, [], `${o.kind} ${o.metadata.name}: fields not in the CRD`);
    if (schema.properties?.spec?.required) for (const r of schema.properties.spec.required) assert.ok((o as any).spec?.[r] !== undefined, `${o.kind} spec.${r} is required`);
  }
}

// ---- Cilium -------------------------------------------------------------------------------------

const cilium = suite('render: Cilium');

cilium('worked example 2: L2 values, pool and policy on 1.18', () => {
  const p = plan(ciliumL2('1.18.3'));
  const v = ciliumValues(p) as any;
  assert.is(v.kubeProxyReplacement, true);
  assert.is(v.k8sServiceHost, '10.31.80.0');
  assert.is(v.k8sServicePort, 8443);
  assert.equal(v.l2announcements, { enabled: true });
  assert.not.ok('k8sClientRateLimit' in v, 'a /28 pool needs 4 QPS at the 5 s renew deadline: the chart default (10/20) stays');
  assert.equal(v.ipam.operator.clusterPoolIPv4PodCIDRList, ['10.32.0.0/17']);
  assert.is(v.ipam.operator.clusterPoolIPv4MaskSize, 24);
  assert.is(v.routingMode, 'tunnel');
  assert.is(v.tunnelProtocol, 'vxlan');
  assert.not.ok('externalIPs' in v, 'externalIPs is gone from the 1.18 chart');
  assert.not.ok('defaultLBServiceIPAM' in v, 'Cilium owns Services: LB-IPAM stays on');
  const out = renderCilium(p);
  const pool = one(out.configs, 'CiliumLoadBalancerIPPool');
  assert.is(pool.apiVersion, 'cilium.io/v2');
  assert.equal(pool.spec.blocks, [{ cidr: '172.21.48.240/28' }]);
  const l2 = one(out.configs, 'CiliumL2AnnouncementPolicy');
  assert.is(l2.apiVersion, 'cilium.io/v2alpha1');
  assert.is(l2.spec.loadBalancerIPs, true);
  assert.equal(l2.spec.interfaces, ['^eth0$']);
});

cilium('API versions follow the Cilium minor; externalIPs never rendered (1.16 with KPR: the agent enables them itself): 1.16, 1.17, 1.18', () => {
  for (const [version, pool, ext] of [['1.16.15', 'cilium.io/v2alpha1', false], ['1.17.14', 'cilium.io/v2alpha1', false], ['1.18.3', 'cilium.io/v2', false]] as const) {
    const p = plan(ciliumL2(version));
    const v = ciliumValues(p) as any;
    assert.is('externalIPs' in v, ext, `externalIPs on ${version}`);
    if (ext) assert.equal(v.externalIPs, { enabled: true });
    const out = renderCilium(p);
    assert.is(one(out.configs, 'CiliumLoadBalancerIPPool').apiVersion, pool, version);
    assert.is(one(out.configs, 'CiliumL2AnnouncementPolicy').apiVersion, 'cilium.io/v2alpha1', version);
    const b = renderCilium(plan(ciliumBgp(version)));
    for (const k of ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement']) {
      for (const o of b.configs.filter((x) => x.kind === k)) assert.is(o.apiVersion, pool, `${k} on ${version}`);
    }
  }
});

cilium('field names match the bundled CRDs of each minor', () => {
  for (const [minor, dir] of Object.entries(CILIUM_CRD_DIR)) {
    const schemas = crdSchemas(join(schemaSources, 'cilium', dir, 'crds'));
    const version = `1.${minor}.0`;
    assertFieldsKnown(renderCilium(plan(ciliumL2(version))).configs, schemas);
    assertFieldsKnown(renderCilium(plan(ciliumBgp(version))).configs, schemas);
  }
});

cilium('worked example 5: BGP cluster config, peer configs, advertisements; secrets by reference', () => {
  const p = plan(ciliumBgp('1.18.3'));
  const v = ciliumValues(p) as any;
  assert.equal(v.bgpControlPlane, { enabled: true, secretsNamespace: { create: true, name: 'cilium-bgp-secrets' } });
  assert.is(v.routingMode, 'native');
  assert.is(v.ipv4NativeRoutingCIDR, '10.32.0.0/17');
  assert.not.ok(v.autoDirectNodeRoutes, 'BGP distributes pod routes: no autoDirectNodeRoutes');
  const out = renderCilium(p);
  const cc = one(out.configs, 'CiliumBGPClusterConfig');
  assert.is(cc.spec.bgpInstances[0].localASN, 65010);
  assert.equal(cc.spec.bgpInstances[0].peers.map((x: any) => [x.name, x.peerAddress, x.peerASN, x.peerConfigRef.name]), [['tor-a', '10.31.80.1', 65000, 'peer-tor-a'], ['tor-b', '10.31.80.2', 65000, 'peer-tor-b']]);
  const peers = out.configs.filter((o) => o.kind === 'CiliumBGPPeerConfig') as any[];
  assert.is(peers.length, 2);
  assert.is(peers[0].spec.authSecretRef, 'bgp-auth');
  assert.not.ok('authSecretRef' in peers[1].spec);
  assert.equal(peers[1].spec.gracefulRestart, { enabled: true, restartTimeSeconds: 120 });
  const adv = one(out.configs, 'CiliumBGPAdvertisement');
  const sel = peers[0].spec.families[0].advertisements.matchLabels;
  for (const [k, val] of Object.entries(sel)) assert.is(adv.metadata.labels[k], val, 'the peer families select the advertisement');
  assert.equal(adv.spec.advertisements.map((a: any) => a.advertisementType), ['PodCIDR', 'Service']);
  assert.equal(adv.spec.advertisements[1].service.addresses, ['LoadBalancerIP', 'ClusterIP']);
  const pool = one(out.configs, 'CiliumLoadBalancerIPPool');
  assert.equal(pool.spec.blocks, [{ cidr: '192.0.2.0/26' }, { start: '198.51.100.10', stop: '198.51.100.20' }]);
  assert.ok(out.manualSteps.some((s) => /BFD/.test(s) && /tor-a/.test(s)), 'BFD is not in Cilium OSS: said in the manual steps');
  assert.ok(out.manualSteps.some((s) => /Secret bgp-auth in cilium-bgp-secrets/.test(s)));
});

cilium('worked example 3: external speaker, ipam kubernetes, native routing CIDR, LB-IPAM off', () => {
  const p = loadExample('baremetal-kube-router-purelb');
  const v = ciliumValues(p) as any;
  assert.is(v.ipam.mode, 'kubernetes');
  assert.not.ok(v.ipam.operator, 'no cluster-pool settings with kubernetes IPAM');
  assert.is(v.routingMode, 'native');
  assert.is(v.ipv4NativeRoutingCIDR, '10.32.0.0/17');
  assert.is(v.defaultLBServiceIPAM, 'none');
  assert.not.ok(v.bgpControlPlane, 'no second BGP speaker');
  const out = renderCilium(p);
  assert.equal(out.configs, [], 'PureLB owns Services: no Cilium pool, no policy');
});

cilium('defaultLBServiceIPAM only from 1.17, only when another implementation owns Services', () => {
  const mk = (version: string) => {
    const p = bareMetal();
    p.spec.cni = { provider: 'cilium', cilium: { version } };
    p.spec.loadBalancer = { implementation: 'metallb', mode: 'l2', pools: [{ name: 'default', addresses: ['10.31.80.240/28'] }] };
    return plan(p);
  };
  assert.not.ok('defaultLBServiceIPAM' in ciliumValues(mk('1.16.15')));
  assert.is((ciliumValues(mk('1.17.14')) as any).defaultLBServiceIPAM, 'none');
  assert.is(renderCilium(mk('1.18.3')).configs.length, 0);
});

cilium('spec.cni.cilium.values is deep-merged last', () => {
  const raw = ciliumL2('1.18.3');
  raw.spec.cni.cilium.values = { hubble: { ui: { enabled: false } }, operator: { replicas: 1 }, k8sClientRateLimit: { qps: 42 } };
  const v = ciliumValues(plan(raw)) as any;
  assert.is(v.hubble.ui.enabled, false);
  assert.is(v.hubble.relay.enabled, true, 'siblings of a merged key stay');
  assert.is(v.operator.replicas, 1);
  assert.equal(v.k8sClientRateLimit, { qps: 42 }, 'the user value as given (the plan left the default)');
  assert.is(v.l2announcements.enabled, true);
});

cilium('deepMerge replaces lists and ignores __proto__', () => {
  const merged = deepMerge({ a: [1, 2], b: { c: 1 } }, JSON.parse('{"a":[3],"b":{"d":2},"__proto__":{"polluted":true}}'));
  assert.equal(merged, { a: [3], b: { c: 1, d: 2 } });
  assert.is(({} as any).polluted, undefined);
});

cilium.run();

// ---- MetalLB ------------------------------------------------------------------------------------

const metallb = suite('render: MetalLB');

metallb('worked example 4: namespace labels, IPAddressPool, L2Advertisement', () => {
  const p = loadExample('baremetal-metallb-l2');
  const out = renderMetalLB(p);
  const ns = one(out.controllers, 'Namespace');
  assert.is(ns.metadata.name, 'metallb-system');
  for (const m of ['enforce', 'audit', 'warn']) assert.is(ns.metadata.labels[`pod-security.kubernetes.io/${m}`], 'privileged');
  assert.is(out.charts[0].version, '0.16.1');
  const pool = one(out.configs, 'IPAddressPool');
  assert.equal(pool.spec.addresses, ['10.0.11.10-10.0.11.254']);
  assert.is(pool.spec.autoAssign, true);
  assert.is(pool.metadata.namespace, 'metallb-system');
  const l2 = one(out.configs, 'L2Advertisement');
  assert.equal(l2.spec.ipAddressPools, ['office-lan']);
  assert.ok(out.manualSteps.some((s) => /strictARP/.test(s)), 'IPVS: strictARP step');
  assert.not.ok(kinds(out.configs).includes('BGPPeer'));
});

metallb('BGP: BGPPeer v1beta2 with passwordSecret (never a password), BFDProfile, BGPAdvertisement', () => {
  const raw = ciliumBgp('1.18.3');
  raw.spec.cni = { provider: 'none' };
  raw.spec.cluster.kubeProxy = 'iptables';
  delete raw.spec.cluster.apiServer;
  raw.spec.loadBalancer.implementation = 'metallb';
  raw.spec.loadBalancer.pools[0].serviceSelector = { matchLabels: { tier: 'edge' } };
  const out = renderMetalLB(plan(raw));
  const peers = out.configs.filter((o) => o.kind === 'BGPPeer') as any[];
  assert.is(peers.length, 2);
  for (const p of peers) { assert.is(p.apiVersion, 'metallb.io/v1beta2'); assert.is(p.spec.myASN, 65010); assert.is(p.spec.peerASN, 65000); assert.not.ok('password' in p.spec); }
  assert.equal(peers[0].spec.passwordSecret, { name: 'bgp-auth', namespace: 'metallb-system' });
  assert.is(peers[0].spec.bfdProfile, one(out.configs, 'BFDProfile').metadata.name);
  assert.not.ok('bfdProfile' in peers[1].spec);
  assert.is(peers[1].spec.enableGracefulRestart, true);
  assert.equal(one(out.configs, 'BGPAdvertisement').spec.ipAddressPools, ['public']);
  assert.equal(one(out.configs, 'IPAddressPool').spec.serviceAllocation, { serviceSelectors: [{ matchLabels: { tier: 'edge' } }] });
  assert.ok(out.manualSteps.some((s) => /podCIDRs/.test(s)), 'MetalLB cannot announce pod CIDRs: said');
  assertFieldsKnown(out.configs, crdSchemas(join(schemaSources, 'metallb')));
});

metallb.run();

// ---- PureLB -------------------------------------------------------------------------------------

const purelb = suite('render: PureLB');

purelb('worked example 3: allocator only: ServiceGroup, no LBNodeAgent, agent DaemonSet without nodes', () => {
  const p = loadExample('baremetal-kube-router-purelb');
  const out = renderPureLB(p);
  assert.is(out.charts[0].version, 'v0.16.6');
  assert.is(out.charts[0].repository.url, 'https://purelb.io/charts');
  const sg = one(out.configs, 'ServiceGroup');
  assert.is(sg.apiVersion, 'purelb.io/v2');
  assert.is(sg.metadata.name, 'default', 'the only autoAssign pool is the group PureLB uses for un-annotated Services');
  assert.equal(sg.spec.remote.v4pools, [{ subnet: '10.32.192.0/18', pool: '10.32.192.0/18', aggregation: '/32' }]);
  assert.not.ok(kinds(out.configs).includes('LBNodeAgent'), 'no LBNodeAgent with an external speaker');
  assert.not.ok(kinds(out.configs).includes('BGPConfiguration'), 'no GoBGP with an external speaker');
  const v = purelbValues(p) as any;
  assert.is(v.gobgp.enabled, false);
  assert.ok(Object.keys(v.lbnodeagent.nodeSelector).length === 1, 'lbnodeagent limited to a label no node carries');
  assert.ok(out.manualSteps.some((s) => /lbnodeagent/.test(s)), 'no value disables the DaemonSet: said');
  for (const tree of TARGETS.map((t) => renderTree(p, t))) {
    assert.not.ok(Object.values(tree.files).some((f) => /kind: LBNodeAgent/.test(f)), `no LBNodeAgent in the ${tree.target} tree`);
  }
});

purelb('PureLB announcing itself (L2): local pool in the node subnet, LBNodeAgent', () => {
  const raw = bareMetal();
  raw.spec.cni = { provider: 'none' };
  raw.spec.cluster.kubeProxy = 'iptables';
  raw.spec.loadBalancer = { implementation: 'purelb', mode: 'l2', pools: [{ name: 'lan', addresses: ['10.31.80.200-10.31.80.220'] }], l2: { interfaces: ['eth1'] } };
  const p = plan(raw);
  assert.is(p.loadBalancer.nodeAgent, true);
  const out = renderPureLB(p);
  const sg = one(out.configs, 'ServiceGroup');
  assert.equal(sg.spec.local.v4pools, [{ subnet: '10.31.80.0/24', pool: '10.31.80.200-10.31.80.220', aggregation: 'default' }]);
  assert.not.ok(kinds(out.configs).includes('LBNodeAgent'), 'the chart alone owns LBNodeAgent/default');
  assert.is((purelbValues(p) as any).lbnodeagent.localInterface, '^(eth1)$', 'anchored: eth1 must not match eth10 or eth1.100');
});

purelb.run();

// ---- Spiderpool ---------------------------------------------------------------------------------

const spider = suite('render: Spiderpool');

spider('worked example 7: SpiderMultusConfig per interface, SpiderIPPool per node and interface', () => {
  const p = loadExample('alibaba-underlay-ipvlan');
  const out = renderSpiderpool(p);
  const v = spiderpoolValues(p) as any;
  assert.is(v.ipam.enableStatefulSet, false, 'a fixed IP cannot follow a Pod across NICs in a VPC');
  assert.is(v.plugins.installCNI, true);
  assert.is(out.charts[0].version, CHARTS.spiderpool.version);
  const multus = out.configs.filter((o) => o.kind === 'SpiderMultusConfig') as any[];
  assert.equal(multus.map((m) => [m.metadata.name, m.spec.cniType, m.spec.ipvlan.master]), [['ipvlan-eth0', 'ipvlan', ['eth0']], ['ipvlan-eth1', 'ipvlan', ['eth1']]]);
  const pools = out.configs.filter((o) => o.kind === 'SpiderIPPool') as any[];
  assert.is(pools.length, 4);
  const w1 = pools.find((x) => x.spec.nodeName[0] === 'worker' && x.spec.multusName[0] === 'kube-system/ipvlan-eth1');
  assert.ok(w1, 'pool of worker/eth1');
  assert.equal([w1.spec.subnet, w1.spec.gateway, w1.spec.ips], ['192.168.0.0/24', '192.168.0.253', ['192.168.0.165-192.168.0.169']]);
  assert.ok(multus[1].spec.ipvlan.ippools.ipv4.includes(w1.metadata.name), 'the interface config lists its pools');
  assertFieldsKnown(out.configs, crdSchemas(join(schemaSources, 'spiderpool')));
});

spider.run();

// ---- The tree and the stream ---------------------------------------------------------------

const tree = suite('render: trees and targets');

const exampleNames = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'networkprofile.yaml'))).sort();

tree('every worked example renders for every target', () => {
  assert.ok(exampleNames.length >= 7, 'the seven worked examples');
  for (const name of exampleNames) {
    const p = loadExample(name);
    for (const target of TARGETS) {
      const t = renderTree(p, target);
      for (const f of ['kustomization.yaml', 'README.md', '.netprofile/plan.json']) assert.ok(t.files[f], `${name}/${target}: ${f}`);
      assert.equal(JSON.parse(t.files['.netprofile/plan.json']).profile, p.profile);
      assert.equal(Object.keys(t.files), [...Object.keys(t.files)].sort(), 'sorted file order');
      for (const [f, content] of Object.entries(t.files)) if (f.endsWith('.yaml')) for (const d of parseAllDocuments(content)) assert.is(d.errors.length, 0, `${name}/${target}/${f} parses`);
    }
  }
});

tree('determinism: the same plan renders the same bytes, a fresh plan too', () => {
  for (const name of exampleNames) {
    for (const target of TARGETS) {
      const a = renderTree(loadExample(name), target);
      const b = renderTree(loadExample(name), target);
      assert.equal(a, b, `${name}/${target}`);
      assert.not.match(Object.values(a.files).join('\n'), /\b20\d\d-\d\d-\d\dT\d\d:/, 'no timestamps');
    }
  }
});

tree('no Secret and no key material in any output', () => {
  for (const name of exampleNames) {
    const p = loadExample(name);
    for (const target of TARGETS) {
      const all = Object.values(renderTree(p, target).files).join('\n') + renderStream([p], target);
      assert.not.match(all, /^kind: Secret$/m, `${name}/${target}`);
      assert.not.match(all, /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bLTAI[0-9A-Za-z]{12,20}\b/, `${name}/${target}`);
      assert.not.match(all, /^\s*(password|accessKeySecret|token):\s*\S/m, `${name}/${target}: no inline password`);
    }
  }
});

tree('flux: HelmRelease v2 with chart.spec, CreateReplace only for charts with crds/, configs depend on controllers', () => {
  const p = loadExample('baremetal-kube-router-purelb');
  const t = renderTree(p, 'flux');
  const docs = (f: string) => parseAllDocuments(t.files[f]).map((d) => d.toJS());
  const [ciliumRepo, cilium] = docs('controllers/cilium.yaml');
  assert.equal([ciliumRepo.apiVersion, ciliumRepo.kind, ciliumRepo.spec.url], ['source.toolkit.fluxcd.io/v1', 'HelmRepository', 'https://helm.cilium.io/']);
  assert.is(cilium.apiVersion, 'helm.toolkit.fluxcd.io/v2');
  assert.equal(cilium.spec.chart.spec, { chart: 'cilium', version: '1.18.3', sourceRef: { kind: 'HelmRepository', name: 'cilium', namespace: 'flux-system' }, interval: '12h' });
  assert.is(cilium.spec.install.crds, undefined, "Cilium's operator creates its CRDs");
  const purelbRelease = docs('controllers/purelb.yaml')[1];
  assert.is(purelbRelease.spec.install.crds, 'CreateReplace');
  assert.is(purelbRelease.spec.upgrade.crds, 'CreateReplace');
  assert.is(purelbRelease.spec.chart.spec.version, 'v0.16.6');
  const [ctrl, cfg] = docs('flux-kustomizations.yaml');
  assert.is(ctrl.apiVersion, 'kustomize.toolkit.fluxcd.io/v1');
  assert.is(ctrl.spec.path, `./${p.gitops.path}/controllers`);
  assert.is(cfg.spec.path, `./${p.gitops.path}/configs`);
  assert.equal(cfg.spec.dependsOn, [{ name: ctrl.metadata.name }]);
  assert.equal(parse(t.files['kustomization.yaml']).resources, ['flux-kustomizations.yaml']);
});

tree('argocd: Application per chart with a Helm source; sync waves; custom resources skip the dry run', () => {
  const p = loadExample('baremetal-cilium-l2');
  const objs = renderObjects(p, 'argocd');
  const app = one(objs, 'Application');
  assert.is(app.apiVersion, 'argoproj.io/v1alpha1');
  assert.equal([app.spec.source.repoURL, app.spec.source.chart, app.spec.source.targetRevision, app.spec.source.helm.releaseName], ['https://helm.cilium.io/', 'cilium', '1.18.3', 'cilium']);
  assert.equal(app.spec.source.helm.valuesObject, ciliumValues(p));
  const wave = (o: any) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
  for (const o of objs.filter((x) => x.kind.startsWith('Cilium')) as any[]) {
    assert.is(o.metadata.annotations['argocd.argoproj.io/sync-options'], 'SkipDryRunOnMissingResource=true');
    assert.ok(wave(o) > wave(app), `${o.kind} after the chart`);
  }
});

tree('plain: values file per chart with the chart line; kustomization of the resources', () => {
  const p = loadExample('baremetal-cilium-l2');
  const t = renderTree(p, 'plain');
  const values = t.files['controllers/cilium.values.yaml'];
  assert.ok(values.startsWith('# chart: cilium 1.18.3 https://helm.cilium.io/\n'));
  assert.equal(parse(values), ciliumValues(p));
  assert.equal(parse(t.files['kustomization.yaml']).resources, ['configs']);
  assert.equal(parse(t.files['configs/kustomization.yaml']).resources, ['cilium.yaml']);
});

tree('README: decisions with reasons, findings, manual steps of every component', () => {
  const p = loadExample('baremetal-metallb-l2');
  const readme = renderTree(p, 'argocd').files['README.md'];
  for (const d of p.decisions) assert.ok(readme.includes(`**${d.field}**`), d.field);
  assert.match(readme, /metallb-strict-arp/);
  assert.match(readme, /### MetalLB\n\n- \[ \] kube-proxy runs in IPVS mode/);
  assert.match(readme, /### Argo CD/);
});

tree('a plan with error findings renders nothing', () => {
  const raw = ciliumL2('1.18.3');
  raw.spec.cluster.kubeProxy = 'iptables';
  raw.spec.loadBalancer.implementation = 'cilium';
  const p = plan(raw);
  assert.ok(p.findings.some((f) => f.severity === 'error'));
  assert.throws(() => renderObjects(p), (e: unknown) => e instanceof RenderRefused);
  assert.throws(() => renderTree(p, 'plain'), (e: unknown) => e instanceof RenderRefused);
});

tree.run();
