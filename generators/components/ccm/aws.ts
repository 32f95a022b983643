// AWS CCM (kubernetes/cloud-provider-aws) from its chart aws-cloud-controller-manager (charts.md
// §5b). The AWS CCM authenticates with the control-plane nodes' IAM instance profile: nothing in
// the cluster holds a key, so a credentialsSecretRef is not used (and the README says so).
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';
import { ccmChartInstall, ccmTolerations, controlPlaneSelector, kubeletStep, uninitializedStep, type CcmChart } from './common.js';

export function renderAwsCcm(plan: Plan, chart: CcmChart): ComponentOutput {
  const name = plan.cluster.name;
  const values = {
    image: { tag: chart.imageTag },
    // The chart's default args plus the upstream kustomize example's: per-controller
    // ServiceAccounts, and no VPC routes (Cilium routes pods itself or tunnels).
    args: ['--v=2', '--cloud-provider=aws', '--use-service-account-credentials=true', '--configure-cloud-routes=false', `--cluster-name=${name}`],
    // cloud-provider-aws v1.36.0 charts/aws-cloud-controller-manager/templates/daemonset.yaml:
    // hostNetwork only with .Values.hostNetworking; IMDSv2 (hop limit 1) answers only on the host network.
    hostNetworking: true,
    nodeSelector: controlPlaneSelector(plan),
    tolerations: ccmTolerations(),
  };
  const manualSteps = [
    kubeletStep(plan, 'AWS'),
    'Attach an IAM instance profile with the cloud-provider-aws control-plane policy to every control-plane instance and one with the node policy to every worker (docs/prerequisites.md); the AWS CCM reads no keys from the cluster.',
    `Tag every instance, subnet and security group of the cluster with \`kubernetes.io/cluster/${name}=owned\` (or \`shared\`), and tag the subnets for load balancers with \`kubernetes.io/role/elb=1\` (public) or \`kubernetes.io/role/internal-elb=1\` (internal).`,
    'Node names must follow the instance\'s IP-based name (`ip-10-0-0-1.<region>.compute.internal`) or resource-based name (`i-0123456789abcdef0`); do not override the kubelet hostname with anything else.',
    ...(plan.ccm.credentialsSecretRef ? [`spec.cloud.credentialsSecretRef (${plan.ccm.credentialsSecretRef.name}) is not used on AWS: the CCM takes its credentials from the instance profile.`] : []),
    ...uninitializedStep(plan, 'AWS'),
  ];
  return { charts: [ccmChartInstall('aws', chart, values)], controllers: [], configs: [], manualSteps };
}
