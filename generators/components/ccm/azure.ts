// Azure CCM (kubernetes-sigs/cloud-provider-azure) from its chart cloud-provider-azure (charts.md
// §5c). Secret mode: the controller reads azure.json from the user's Secret (key `cloud-config`)
// through the API with --enable-dynamic-reloading, instead of the host file
// /etc/kubernetes/azure.json; `cloudConfig: ""` stops the chart from pointing it at that file.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';
import {
  CCM_NAMESPACE, ccmChartInstall, ccmTolerations, controlPlaneSelector, kubeletStep, secretName, secretNamespaceStep, uninitializedStep,
  wantsCloudRoutes, type CcmChart,
} from './common.js';

export const AZURE_SECRET_KEY = 'cloud-config';

export function renderAzureCcm(plan: Plan, chart: CcmChart): ComponentOutput {
  const secret = secretName(plan, 'azure-cloud-provider');
  const routesCIDR = wantsCloudRoutes(plan);
  // Chart 1.36.0 templates/cloud-provider-azure.yaml: from Kubernetes 1.32 the images live in
  // mcr.microsoft.com/oss/v2/kubernetes (the chart switches when .Capabilities.KubeVersion.Minor >= 32
  // and the value is the default). Name it for a 1.32+ line so an offline render agrees.
  const v2 = /^v1\.(\d+)\./.exec(chart.imageTag);
  const repository = v2 && Number(v2[1]) >= 32 ? { imageRepository: 'mcr.microsoft.com/oss/v2/kubernetes' } : {};
  // The chart takes these flags as strings.
  const values = {
    infra: { clusterName: plan.cluster.name },
    cloudControllerManager: {
      ...repository,
      imageTag: chart.imageTag,
      cloudConfig: '',
      cloudConfigSecretName: secret,
      enableDynamicReloading: 'true',
      configureCloudRoutes: routesCIDR ? 'true' : 'false',
      // Node pod CIDRs are Cilium's (cluster-pool) or kube-controller-manager's (kubernetes IPAM).
      allocateNodeCidrs: 'false',
      clusterCIDR: plan.cluster.podCIDRs.join(','),
      nodeSelector: controlPlaneSelector(plan),
      tolerations: ccmTolerations(),
    },
    // cloud-node-manager runs on every node and reads the instance metadata service, not the Secret.
    cloudNodeManager: { enabled: true, ...repository, imageTag: chart.imageTag },
  };
  const manualSteps = [
    kubeletStep(plan, 'Azure'),
    `Create the Secret with the azure.json cloud configuration (tenantId, subscriptionId, resourceGroup, location, vnetName, subnetName, securityGroupName, routeTableName, vmType, loadBalancerSku, and either useManagedIdentityExtension: true or aadClientId/aadClientSecret): \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-file=${AZURE_SECRET_KEY}=azure.json\`; prefer a managed identity so the file holds no client secret.`,
    ...secretNamespaceStep(plan),
    'Give the managed identity (or service principal) Network Contributor on the VNet and load balancer resource group and Virtual Machine Contributor on the VMs or scale sets.',
    ...(routesCIDR ? [`The CCM writes a route for each Node's pod CIDR (inside ${routesCIDR}) into the route table named routeTableName in azure.json; associate that route table with the nodes' subnet.`] : []),
    ...uninitializedStep(plan, 'Azure'),
  ];
  return { charts: [ccmChartInstall('azure', chart, values)], controllers: [], configs: [], manualSteps };
}
