// GCP CCM (kubernetes/cloud-provider-gcp). There is no upstream chart; the upstream package
// deploy/packages/default/manifest.yaml ships `args: []`, "to be replaced by tooling", and a
// hostPath cloud.config. netprofile fills the args from the plan and drops the hostPath: without a
// cloud config the provider reads project and network from the metadata server. It authenticates
// as the instance's service account; only when the profile references a Secret is a key file
// mounted (GOOGLE_APPLICATION_CREDENTIALS), the one other way the provider reads credentials.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput, K8sObject } from '../types.js';
import {
  CCM_NAMESPACE, controlPlanePodSpec, apiServerEnv, authenticationReaderBinding, ccmLabels, ccmRbac, kubeletStep,
  secretNamespaceStep, uninitializedStep, wantsCloudRoutes, type ManifestSource, type PolicyRule,
} from './common.js';

const NAME = 'cloud-controller-manager';
const CLUSTER_ROLE = 'system:cloud-controller-manager';
export const GCP_SECRET_KEY = 'key.json';
const KEY_DIR = '/etc/gcp';

/** The upstream package's ClusterRole system:cloud-controller-manager. */
const RULES: PolicyRule[] = [
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'list', 'watch', 'update'] },
  { apiGroups: [''], resources: ['endpoints', 'serviceaccounts'], verbs: ['create', 'get', 'update'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: [''], resources: ['services/status'], verbs: ['update', 'patch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete', 'get', 'update'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['*'], resources: ['*'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
];

export function renderGcpCcm(plan: Plan, manifest: ManifestSource): ComponentOutput {
  const labels = ccmLabels(NAME);
  const ref = plan.ccm.credentialsSecretRef;
  const routesCIDR = wantsCloudRoutes(plan);
  const controllers = ['cloud-node', 'cloud-node-lifecycle', 'service', ...(routesCIDR ? ['route'] : [])];
  const args = [
    '--cloud-provider=gce',
    '--v=2',
    '--leader-elect=true',
    '--use-service-account-credentials=true',
    `--cluster-name=${plan.cluster.name}`,
    `--controllers=${controllers.join(',')}`,
    // Node pod CIDRs are Cilium's or kube-controller-manager's, never the CCM's.
    '--allocate-node-cidrs=false',
    ...(routesCIDR ? ['--configure-cloud-routes=true', `--cluster-cidr=${routesCIDR}`] : ['--configure-cloud-routes=false']),
  ];
  const env = [
    ...apiServerEnv(plan),
    ...(ref ? [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `${KEY_DIR}/${GCP_SECRET_KEY}` }] : []),
  ];
  const daemonSet: K8sObject = {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: NAME, namespace: CCM_NAMESPACE, labels, annotations: { 'netprofile.io/source': manifest.source } },
    spec: {
      selector: { matchLabels: { component: NAME } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { component: NAME, tier: 'control-plane' } },
        spec: controlPlanePodSpec(plan, NAME, {
          name: NAME,
          image: manifest.image,
          imagePullPolicy: 'IfNotPresent',
          args,
          ...(env.length ? { env } : {}),
          livenessProbe: {
            httpGet: { host: '127.0.0.1', path: '/healthz', port: 10258, scheme: 'HTTPS' },
            initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 3,
          },
          resources: { requests: { cpu: '200m' } },
          ...(ref ? { volumeMounts: [{ name: 'gcp-credentials', mountPath: KEY_DIR, readOnly: true }] } : {}),
        }, ref ? { volumes: [{ name: 'gcp-credentials', secret: { secretName: ref.name, items: [{ key: GCP_SECRET_KEY, path: GCP_SECRET_KEY }] } }] } : {}),
      },
    },
  };
  const manualSteps = [
    kubeletStep(plan, 'GCP'),
    ref
      ? `Create the Secret with a service-account key that has roles/compute.loadBalancerAdmin and roles/compute.instanceAdmin.v1 (or a narrower custom role): \`kubectl -n ${CCM_NAMESPACE} create secret generic ${ref.name} --from-file=${GCP_SECRET_KEY}=<key file>\`; without a Secret reference the CCM would use the instances' own service account, which avoids a long-lived key.`
      : 'Give the control-plane instances a service account with roles/compute.loadBalancerAdmin and roles/compute.instanceAdmin.v1 (or a narrower custom role) and the cloud-platform scope; the CCM reads its credentials from the metadata server, not from a Secret.',
    ...secretNamespaceStep(plan),
    `The CCM reads the project and network from the metadata server; give every instance the same network tag (firewall rules for load balancers target the nodes' tags) and name Nodes after their instances (or set the kubelet \`--provider-id=gce://<project>/<zone>/<instance>\`).`,
    ...(routesCIDR ? [`The CCM creates a VPC route for each Node's pod CIDR (inside ${routesCIDR}); turn on IP forwarding (canIpForward) on every instance.`] : []),
    ...uninitializedStep(plan, 'GCP'),
  ];
  return {
    charts: [],
    controllers: [...ccmRbac({ serviceAccount: NAME, clusterRole: CLUSTER_ROLE, rules: RULES, app: NAME }), authenticationReaderBinding(NAME, NAME), daemonSet],
    configs: [],
    manualSteps,
  };
}
