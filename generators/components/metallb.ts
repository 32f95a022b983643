// MetalLB: its namespace (Pod Security "privileged": the speaker needs host networking), the chart,
// and the CRDs that replaced the old ConfigMap (field notes §2). Field names follow
// shared/schemas/metallb/*.yaml.
import type { Plan } from '../plan/types.js';
import type { ComponentOutput, K8sObject } from './types.js';
import { CHARTS, chartInstall } from './charts.js';
import { netprofileLabels } from './merge.js';
import { peerSecretSteps } from './bgp.js';

const NS = CHARTS.metallb.namespace;
const BFD_PROFILE = 'netprofile-bfd';

export function metallbValues(plan: Plan): Record<string, unknown> {
  // The chart's default FRR-K8s mode serves both layer 2 and BGP (with BFD). The profile has no
  // switch for MetalLB's native BGP mode, so the defaults stand.
  if (plan.loadBalancer.mode === 'bgp' && plan.loadBalancer.speaker === 'external') {
    // metallb v0.16.1 charts/metallb/values.yaml speaker.enabled, frrk8s.enabled; metallb/metallb#160:
    // behind an external speaker MetalLB only allocates, so neither DaemonSet runs.
    return { speaker: { enabled: false }, frrk8s: { enabled: false } };
  }
  return {};
}

export function renderMetalLB(plan: Plan): ComponentOutput {
  const out: ComponentOutput = { charts: [], controllers: [], configs: [], manualSteps: [] };
  if (plan.loadBalancer.implementation !== 'metallb') return out;
  const labels = netprofileLabels(plan.profile);
  const psa = { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged' };
  out.controllers.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { ...labels, ...psa } } });
  out.charts.push(chartInstall('metallb', metallbValues(plan)));

  const pools = plan.loadBalancer.pools;
  for (const pool of pools) {
    const spec: Record<string, unknown> = { addresses: pool.blocks.map((b) => b.text), autoAssign: pool.autoAssign };
    if (pool.serviceSelector) spec.serviceAllocation = { serviceSelectors: [pool.serviceSelector] };
    out.configs.push({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: pool.name, namespace: NS, labels }, spec });
  }
  const poolNames = pools.map((p) => p.name);

  if (plan.loadBalancer.mode === 'l2') {
    const l2 = plan.loadBalancer.l2;
    const spec: Record<string, unknown> = { ipAddressPools: poolNames };
    if (l2?.interfaces.length) spec.interfaces = [...l2.interfaces];
    if (l2?.nodeSelector) spec.nodeSelectors = [l2.nodeSelector];
    out.configs.push({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: NS, labels }, spec });
    if (plan.cluster.kubeProxy === 'ipvs') {
      out.manualSteps.push('kube-proxy runs in IPVS mode: set ipvs.strictARP: true in the kube-system/kube-proxy ConfigMap (config.conf) and restart kube-proxy before MetalLB announces.');
    }
  }

  const bgp = plan.loadBalancer.bgp;
  if (plan.loadBalancer.mode === 'bgp' && bgp && plan.loadBalancer.speaker === 'metallb') {
    const peers: K8sObject[] = bgp.peers.map((p) => {
      const spec: Record<string, unknown> = { myASN: bgp.localASN, peerASN: p.asn, peerAddress: p.address };
      if (p.port !== 179) spec.peerPort = p.port;
      // metallb v0.16.1 api/v1beta2/bgppeer_types.go: enableGracefulRestart (immutable), ebgpMultiHop.
      if (p.gracefulRestart) spec.enableGracefulRestart = true;
      if (p.ebgpMultiHop) spec.ebgpMultiHop = true;
      if (p.bfd) spec.bfdProfile = BFD_PROFILE;
      if (p.passwordSecretRef) {
        // Only a reference lands in Git: MetalLB reads a kubernetes.io/basic-auth Secret in its
        // own namespace, key "password".
        spec.passwordSecret = { name: p.passwordSecretRef.name, namespace: NS };
      }
      return { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: p.name, namespace: NS, labels }, spec };
    });
    out.manualSteps.push(...peerSecretSteps(bgp.peers, 'MetalLB', NS, 'password', 'kubernetes.io/basic-auth'));
    if (bgp.peers.some((p) => p.bfd)) {
      out.configs.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: BFD_PROFILE, namespace: NS, labels }, spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } });
    }
    out.configs.push(...peers);
    if (bgp.advertise.includes('loadBalancerIPs')) {
      out.configs.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'bgp', namespace: NS, labels }, spec: { ipAddressPools: poolNames } });
    }
    const other = bgp.advertise.filter((a) => a !== 'loadBalancerIPs');
    if (other.length) out.manualSteps.push(`MetalLB announces only LoadBalancer addresses; ${other.join(', ')} must reach the routers another way (static routes or another speaker on other routers).`);
  }
  if (plan.loadBalancer.mode === 'bgp' && plan.loadBalancer.speaker === 'external') {
    out.manualSteps.push('MetalLB only allocates here (speaker and frr-k8s are off): the external BGP speaker must advertise the LoadBalancer IPs (kube-router: --advertise-loadbalancer-ip=true).');
  }
  return out;
}
