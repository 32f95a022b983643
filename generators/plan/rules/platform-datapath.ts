// platform-datapath: a routing or IPAM choice the platform cannot run. The refusals live in the
// platform table (generators/platforms/platforms.ts `refuses`, each citing the chart template or
// install guide that refuses it); cloud IPAM modes also need their own cloud: ENI IPAM only on AWS
// (the operator-aws image, chart templates/cilium-operator/_helpers.tpl), Alibaba ENI only on
// Alibaba Cloud, and Azure IPAM only as AKS's own "Azure CNI Powered by Cilium" (k8s-install-helm.rst
// AKS tab: Helm installs support only BYOCNI clusters).
import type { Finding } from '../../api/findings.js';
import { platform } from '../../platforms/platforms.js';
import { finding, type RuleUnit } from './registry.js';

const CLOUD_IPAM: Record<string, { provider: string; name: string }> = {
  eni: { provider: 'aws', name: 'AWS ENI IPAM' },
  alibabacloud: { provider: 'alibaba', name: 'Alibaba Cloud ENI IPAM' },
};

export const platformDatapath: RuleUnit<'platform-datapath'> = {
  id: 'platform-datapath',
  severity: 'error',
  summary: 'a routing or IPAM mode the platform cannot run (GKE tunnel, AKS native, ENI IPv6, cloud IPAM off its cloud)',
  why: "Cilium's chart refuses some combinations outright (routingMode tunnel with gke.enabled, native with aksbyocni.enabled), others install and never give a pod an address (ENI IPAM outside AWS or with IPv6, Azure IPAM from Helm).",
  fix: 'Set spec.cni.cilium.routing and .ipam to auto (the platform default) or to the value the finding names.',
  source: 'cilium install/kubernetes/cilium/templates/cilium-configmap.yaml, templates/cilium-operator/_helpers.tpl; Documentation/installation/requirements-eks.rst, requirements-aks.rst, k8s-install-helm.rst',
  check: ({ plan }) => {
    const c = plan.cni;
    if (c.provider !== 'cilium' || !plan.platform) return [];
    const out: Finding[] = [];
    const entry = platform(plan.platform.id);
    const ctx = {
      kubeProxyReplacement: c.kubeProxyReplacement === true, routing: c.routing, ipam: c.ipam, bpfMasquerade: c.bpfMasquerade,
      nodes: null, podCIDRs: plan.cluster.podCIDRs, families: plan.cluster.families,
    };
    for (const r of entry.refuses) if (r.when(ctx)) out.push(finding(platformDatapath, r.path, r.message));
    const cloudIpam = c.ipam ? CLOUD_IPAM[c.ipam] : undefined;
    if (cloudIpam && plan.environment.provider !== cloudIpam.provider) {
      out.push(finding(platformDatapath, 'spec.cni.cilium.ipam', `${cloudIpam.name} allocates addresses through ${cloudIpam.provider === 'aws' ? 'the EC2' : 'the Alibaba Cloud ECS'} API, which ${entry.name} does not have, so no pod would get an address; set spec.cni.cilium.ipam: auto.`));
    }
    if (c.ipam === 'azure') {
      out.push(finding(platformDatapath, 'spec.cni.cilium.ipam', "Cilium's Azure IPAM is what AKS installs itself as \"Azure CNI Powered by Cilium\"; a Helm install is supported only on an AKS cluster created with --network-plugin none, with cluster-pool IPAM, so set spec.cni.cilium.ipam: auto."));
    }
    return out;
  },
};
