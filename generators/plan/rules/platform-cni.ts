// platform-cni (BYO CNI): a platform that ships its own CNI runs it unless the cluster was created
// (or its servers started) a certain way; Cilium installed next to it fights it over pod addresses
// and routes. One finding per platform saying what to do, from the platform table's `ownCni`
// (generators/platforms/platforms.ts, each entry citing Cilium's install guide for it). Where the
// nodes show the platform's CNI still there (AKS-managed dataplane labels, flannel's annotation),
// the finding names the node and field; an AKS-managed CNI cannot be switched to bring-your-own,
// so that one is an error.
import type { Finding } from '../../api/findings.js';
import { platform } from '../../platforms/platforms.js';
import { formatEvidence } from '../../detect/detect.js';
import { finding, type RuleUnit } from './registry.js';

export const platformCni: RuleUnit<'platform-cni'> = {
  id: 'platform-cni',
  severity: 'warning',
  summary: "Cilium over a platform's own CNI: the cluster must be created (or started) without it",
  why: "EKS (VPC CNI), GKE (Dataplane V2), AKS (Azure CNI), ACK (Terway/Flannel), k3s (flannel), RKE2 (Canal or its rke2-cilium), Talos (flannel) and kind (kindnet) run their own CNI unless told not to; Cilium's Helm chart installed beside it competes for pod addresses and routes, and on AKS and GKE the choice is made when the cluster is created.",
  fix: "Do what the finding says for the platform (e.g. az aks create --network-plugin none, k3s --flannel-backend=none --disable-network-policy, RKE2 cni: none, Talos cluster.network.cni.name: none) before Cilium starts; the output README lists the same step.",
  source: 'cilium Documentation/installation/k8s-install-helm.rst (per-platform tabs), requirements-*.rst, k3s.rst, k8s-install-rke.rst, k8s-install-talos-linux.rst, alibabacloud-eni.rst, kind-configure.rst',
  check: ({ plan, facts }) => {
    if (plan.cni.provider !== 'cilium' || !plan.platform) return [];
    const entry = platform(plan.platform.id);
    if (!entry.ownCni) return [];
    const out: Finding[] = [];
    const seen = facts?.platformCni ?? [];
    if (plan.platform.id === 'aks') {
      const managed = seen.find((c) => c.name !== 'flannel');
      if (managed) {
        out.push(finding(platformCni, 'spec.cni.provider', `${formatEvidence(managed.evidence)} shows ${managed.name}, which AKS installs and manages; Cilium's chart installs only on an AKS cluster created with --network-plugin none, so create a new cluster that way (a cluster's network plugin cannot be switched).`, 'error'));
        return out;
      }
    }
    const flannel = seen.find((c) => c.name === 'flannel');
    if (flannel && (plan.platform.id === 'k3s' || plan.platform.id === 'talos' || plan.platform.id === 'ack')) {
      out.push(finding(platformCni, 'spec.cni.provider', `${formatEvidence(flannel.evidence)}: flannel has run on this cluster and would keep routing pods next to Cilium; ${entry.ownCni.howToDisable}${plan.platform.id === 'ack' ? ' (on managed ACK the CCM keeps writing flannel\'s pod-CIDR routes into the VPC, so Cilium\'s guide advises a new cluster)' : ''}.`));
      return out;
    }
    out.push(finding(platformCni, 'spec.cni.provider', `${entry.name} runs ${entry.ownCni.name} unless told not to, and Cilium must be the only CNI: ${entry.ownCni.howToDisable} before Cilium starts.`));
    return out;
  },
};
