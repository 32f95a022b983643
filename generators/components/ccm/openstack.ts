// OpenStack CCM (kubernetes/cloud-provider-openstack) from its chart
// openstack-cloud-controller-manager (charts.md §5e). The chart can render cloud.conf into a
// Secret from values, which would put the OpenStack password in Git: `secret.create: false`
// makes it mount the user's Secret (key `cloud.conf`) instead.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';
import {
  CCM_NAMESPACE, ccmChartInstall, ccmTolerations, controlPlaneSelector, kubeletStep, secretName, secretNamespaceStep, uninitializedStep,
  wantsCloudRoutes, type CcmChart,
} from './common.js';

export const OPENSTACK_SECRET_KEY = 'cloud.conf';

export function renderOpenStackCcm(plan: Plan, chart: CcmChart): ComponentOutput {
  const secret = secretName(plan, 'cloud-config');
  const routesCIDR = wantsCloudRoutes(plan);
  const values = {
    secret: { enabled: true, create: false, name: secret },
    cluster: { name: plan.cluster.name },
    // The route controller needs [Route] router-id and node CIDRs; netprofile leaves it off.
    enabledControllers: ['cloud-node', 'cloud-node-lifecycle', 'service'],
    nodeSelector: controlPlaneSelector(plan),
    tolerations: ccmTolerations(),
  };
  const manualSteps = [
    kubeletStep(plan, 'OpenStack'),
    `Create the Secret with the cloud.conf the CCM reads ([Global] auth-url, region and, preferably, application-credential-id / application-credential-secret; [LoadBalancer] floating-network-id and subnet-id): \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-file=${OPENSTACK_SECRET_KEY}=cloud.conf\`.`,
    ...secretNamespaceStep(plan),
    'Octavia must be available in the project for LoadBalancer Services.',
    ...(routesCIDR ? [`Cilium routes pods natively with Kubernetes IPAM, but the OpenStack CCM route controller is off: add a route for each Node's pod CIDR (inside ${routesCIDR}) to the Neutron router and allowed-address-pairs for it on each node port, or use tunnel routing.`] : []),
    ...uninitializedStep(plan, 'OpenStack'),
  ];
  return { charts: [ccmChartInstall('openstack', chart, values)], controllers: [], configs: [], manualSteps };
}
