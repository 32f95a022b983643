// ccm-version-skew: the cloud-controller-managers are released per Kubernetes minor, and a
// controller manager may be at most one minor older than kube-apiserver and never newer
// (kubernetes/website content/en/releases/version-skew-policy.md). netprofile picks the line for
// the cluster's minor (generators/charts/ccm-images.ts); when it cannot, this warns.
import { finding, type RuleUnit } from './registry.js';

export const ccmVersionSkew: RuleUnit<'ccm-version-skew'> = {
  id: 'ccm-version-skew',
  severity: 'warning',
  summary: 'the cloud-controller-manager release does not match the cluster\'s Kubernetes minor',
  why: 'A CCM is built against one Kubernetes minor; one newer than the API server, or more than one minor older, is outside the version-skew policy and can call APIs the server does not serve or miss fields it needs. The Azure chart even switches image repositories at 1.32.',
  fix: 'Give the plan the Node list (--nodes, factsFrom) so the line matches the cluster; upgrade the cluster when it is older than every supported line, or netprofile when the cluster is newer.',
  source: 'kubernetes/website version-skew-policy.md; cloud-provider-aws and cloud-provider-gcp tags; cloud-provider-azure chart templates/cloud-provider-azure.yaml; hcloud-cloud-controller-manager docs/reference/version-policy.md',
  check: ({ plan }) => {
    const skew = plan.ccm.enabled ? plan.ccm.version?.skew : null;
    return skew ? [finding(ccmVersionSkew, 'spec.cloud.ccm', skew)] : [];
  },
};
