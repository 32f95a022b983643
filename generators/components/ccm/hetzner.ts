// Hetzner Cloud CCM (hetznercloud/hcloud-cloud-controller-manager) from its chart (charts.md §5f).
// The chart reads the API token from a Secret it does not create (default `hcloud`, key `token`);
// netprofile points its env at the profile's Secret. With a private network (networking.enabled)
// the chart turns on the route controller, which only fits Cilium native routing with Kubernetes
// IPAM, so that is the only case netprofile enables it.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';
import {
  CCM_NAMESPACE, ccmChartInstall, controlPlaneSelector, kubeletStep, secretName, secretNamespaceStep, uninitializedStep, wantsCloudRoutes,
  type CcmChart,
} from './common.js';

export const HETZNER_SECRET_KEYS = { token: 'token', network: 'network' } as const;

export function renderHetznerCcm(plan: Plan, chart: CcmChart): ComponentOutput {
  const secret = secretName(plan, 'hcloud');
  const routesCIDR = wantsCloudRoutes(plan);
  const values: Record<string, unknown> = {
    env: { HCLOUD_TOKEN: { valueFrom: { secretKeyRef: { name: secret, key: HETZNER_SECRET_KEYS.token } } } },
    networking: routesCIDR
      ? { enabled: true, clusterCIDR: routesCIDR, network: { valueFrom: { secretKeyRef: { name: secret, key: HETZNER_SECRET_KEYS.network } } } }
      : { enabled: false },
    // The chart's template already tolerates the uninitialized, control-plane and not-ready taints.
    nodeSelector: controlPlaneSelector(plan),
  };
  const manualSteps = [
    kubeletStep(plan, 'Hetzner Cloud'),
    routesCIDR
      ? `Create a read-write API token in the Hetzner Cloud console and the Secret with it and the private network's name or ID: \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-literal=${HETZNER_SECRET_KEYS.token}=<API token> --from-literal=${HETZNER_SECRET_KEYS.network}=<network name or ID>\`.`
      : `Create a read-write API token in the Hetzner Cloud console and the Secret with it: \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-literal=${HETZNER_SECRET_KEYS.token}=<API token>\`.`,
    ...secretNamespaceStep(plan),
    'Node names must equal the server names in Hetzner Cloud (or set the kubelet `--provider-id=hcloud://<server-id>`), so the CCM can find each server.',
    ...(routesCIDR ? [`The CCM writes a route for each Node's pod CIDR (inside ${routesCIDR}) into the private network; attach every server to that network before it joins.`] : []),
    ...uninitializedStep(plan, 'Hetzner Cloud'),
  ];
  return { charts: [ccmChartInstall('hetzner', chart, values)], controllers: [], configs: [], manualSteps };
}
