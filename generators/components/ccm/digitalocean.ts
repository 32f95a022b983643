// DigitalOcean CCM (digitalocean/digitalocean-cloud-controller-manager). No upstream chart: built
// from releases/digitalocean-cloud-controller-manager/v0.1.68.yml. The API token comes from the
// user's Secret (upstream: `digitalocean`, key `access-token`) into DO_ACCESS_TOKEN.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput, K8sObject } from '../types.js';
import {
  CCM_NAMESPACE, controlPlanePodSpec, apiServerEnv, authenticationReaderBinding, ccmLabels, ccmRbac, kubeletStep,
  secretName, secretNamespaceStep, uninitializedStep, type ManifestSource, type PolicyRule,
} from './common.js';

const NAME = 'digitalocean-cloud-controller-manager';
const SERVICE_ACCOUNT = 'cloud-controller-manager';
const CLUSTER_ROLE = 'system:cloud-controller-manager';
export const DIGITALOCEAN_SECRET_KEY = 'access-token';

/** The v0.1.68 manifest's ClusterRole. */
const RULES: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'watch', 'list', 'create', 'update', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['*'] },
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['list', 'patch', 'update', 'watch'] },
  { apiGroups: [''], resources: ['services/status'], verbs: ['list', 'patch', 'update', 'watch'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] },
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'update', 'watch'] },
  { apiGroups: [''], resources: ['endpoints'], verbs: ['create', 'get', 'list', 'watch', 'update'] },
];

export function renderDigitalOceanCcm(plan: Plan, manifest: ManifestSource): ComponentOutput {
  const labels = ccmLabels(NAME);
  const secret = secretName(plan, 'digitalocean');
  const deployment: K8sObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: NAME, namespace: CCM_NAMESPACE, labels, annotations: { 'netprofile.io/source': manifest.source } },
    spec: {
      // Upstream runs one replica with --leader-elect=false; Recreate keeps a rollout from running
      // two un-elected managers side by side.
      replicas: 1,
      revisionHistoryLimit: 2,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { app: NAME } },
      template: {
        metadata: { labels: { app: NAME } },
        spec: controlPlanePodSpec(plan, SERVICE_ACCOUNT, {
          name: NAME,
          image: manifest.image,
          command: ['/bin/digitalocean-cloud-controller-manager', '--leader-elect=false'],
          resources: { requests: { cpu: '100m', memory: '50Mi' } },
          env: [
            { name: 'DO_ACCESS_TOKEN', valueFrom: { secretKeyRef: { name: secret, key: DIGITALOCEAN_SECRET_KEY } } },
            ...apiServerEnv(plan),
          ],
        }, { dnsPolicy: 'Default' }),
      },
    },
  };
  const manualSteps = [
    kubeletStep(plan, 'DigitalOcean'),
    `Create a DigitalOcean API token with read and write scope and the Secret the CCM reads it from: \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-literal=${DIGITALOCEAN_SECRET_KEY}=<API token>\`.`,
    ...secretNamespaceStep(plan),
    'Name every Node after its Droplet (or its IP) and start each kubelet with `--provider-id=digitalocean://<droplet-id>` (the ID is at http://169.254.169.254/metadata/v1/id); run kube-apiserver with `--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname`.',
    'If the Droplets are not in the region\'s default VPC, add the env var DO_CLUSTER_VPC_ID (the VPC\'s UUID) to the CCM Deployment through a kustomize patch; load balancers otherwise land in the default VPC.',
    ...uninitializedStep(plan, 'DigitalOcean'),
  ];
  return {
    charts: [],
    controllers: [...ccmRbac({ serviceAccount: SERVICE_ACCOUNT, clusterRole: CLUSTER_ROLE, rules: RULES, app: NAME }), authenticationReaderBinding(SERVICE_ACCOUNT, NAME), deployment],
    configs: [],
    manualSteps,
  };
}
