// Alibaba Cloud CCM (kubernetes/cloud-provider-alibaba-cloud), from the upstream v2 manifest
// deploy/v2/cloud-controller-manager.yaml (tag v2.14.0), fixed for today's kubeadm:
// - nodeSelector node-role.kubernetes.io/control-plane, never the removed `.../master` label;
// - rbac.authorization.k8s.io/v1 only, no `${image-version}` / `<<cluster_cidr>>` placeholders;
// - no host kubeconfig (/etc/kubernetes/cloud-controller-manager.conf): the binary uses
//   controller-runtime's config loader, which falls back to the ServiceAccount (in-cluster);
// - no AccessKey in the `cloud-config` ConfigMap (the upstream getting-started puts base64 keys
//   there, i.e. in Git): the keys come from the user's Secret as environment variables.
//
// Credentials, as the binary reads them (pkg/provider/alibaba/base/clientMgr.go, GetAuthMode and
// LoadAK): 1. accessKeyID/accessKeySecret (base64) in the cloud-config file; 2. otherwise the
// environment variables ACCESS_KEY_ID / ACCESS_KEY_SECRET (plain text, not base64); 3. otherwise
// the ECS instance RAM role from the metadata service. netprofile uses 2: the Secret the profile
// references feeds the env vars, so Git holds only its name. Without a reference (the planner
// reports that as an error) the env vars are left out and the binary falls back to the RAM role.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput, K8sObject } from '../types.js';
import {
  CCM_NAMESPACE, controlPlanePodSpec, apiServerEnv, ccmLabels, ccmRbac, kubeletStep, secretName, secretNamespaceStep,
  uninitializedStep, wantsCloudRoutes, type ManifestSource, type PolicyRule,
} from './common.js';

const NAME = 'cloud-controller-manager';
const CLUSTER_ROLE = 'system:cloud-controller-manager';
const CONFIG_MAP = 'cloud-config';
const CONFIG_KEY = 'cloud-config.conf';
const CONFIG_DIR = '/etc/kubernetes/config';
/** The metadata service every ECS instance reaches (field notes §3). */
export const ALIBABA_METADATA = 'http://100.100.100.200/latest/meta-data';
/**
 * Keyless mode: without AccessKey env vars the binary asks the metadata service for the instance's
 * RAM role (`ram/security-credentials/`, with the hardened-mode token header) and refreshes its STS
 * token (v2.14.0 pkg/provider/alibaba/base/clientMgr.go GetTokenAuth, base/token.go RamRoleToken,
 * base/metadata.go RoleName). The CCM runs on the control-plane nodes with hostNetwork, so those
 * instances carry the role; the actions are docs/examples/master.policy's (docs/getting-started.md
 * "RAM role Policy").
 */
export function ramRoleStep(plan: Plan): string {
  const region = plan.ccm.region ?? '<region-id>';
  return `No spec.cloud.credentialsSecretRef: the CCM authenticates with the ECS instance RAM role (keyless). Create a RAM role whose trusted entity is the Alibaba Cloud service ECS (ecs.aliyuncs.com), attach a policy with the actions of the upstream docs/examples/master.policy (ecs:Describe* and the route-entry and network-interface actions, slb:Describe* and the load balancer, listener, backend server and VServerGroup actions, vpc:Describe* with vpc:CreateRouteEntry and vpc:DeleteRouteEntry, and its log: actions), and attach the role to every control-plane instance, where the CCM runs: \`aliyun ecs AttachInstanceRamRole --RegionId ${region} --RamRoleName <role> --InstanceIds '["<instance-id>"]'\`. Check on a control-plane node that \`curl -s ${ALIBABA_METADATA}/ram/security-credentials/\` prints the role name. No key is stored in the cluster or in Git.`;
}

/** Secret keys the env vars read. */
export const ALIBABA_SECRET_KEYS = { id: 'access-key-id', secret: 'access-key-secret' } as const;

/** The v2.14.0 manifest's rules, plus EndpointSlices, which the service controller lists. */
const RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'delete', 'patch', 'update'] },
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: [''], resources: ['services/status'], verbs: ['update', 'patch'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] },
  { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'update', 'create'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'update', 'create', 'delete'] },
];

/**
 * The cloud-config.conf JSON, without keys. `clusterID` is the cluster name: the CCM tags the
 * load balancers it creates with it (default "clusterid" for every self-built cluster), so two
 * clusters in one account do not take each other's SLBs for their own. `region` only when known.
 */
export function alibabaCloudConfig(plan: Plan): string {
  const global: Record<string, string> = { clusterID: plan.cluster.name };
  if (plan.ccm.region) global.region = plan.ccm.region;
  return JSON.stringify({ Global: global }, null, 2);
}

export function renderAlibabaCcm(plan: Plan, manifest: ManifestSource): ComponentOutput {
  const labels = ccmLabels(NAME);
  const ref = plan.ccm.credentialsSecretRef;
  const routesCIDR = wantsCloudRoutes(plan);
  // --configure-cloud-routes defaults to true and then the binary refuses to start without
  // --cluster-cidr (controller_config.go Validate); routes only when the plan needs them.
  const args = [
    '/cloud-controller-manager',
    `--cloud-config=${CONFIG_DIR}/${CONFIG_KEY}`,
    `--cluster-name=${plan.cluster.name}`,
    '--metrics-bind-addr=0',
    ...(routesCIDR ? ['--configure-cloud-routes=true', `--cluster-cidr=${routesCIDR}`] : ['--configure-cloud-routes=false']),
  ];
  const env: Record<string, unknown>[] = [
    ...(ref ? [
      { name: 'ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: ref.name, key: ALIBABA_SECRET_KEYS.id } } },
      { name: 'ACCESS_KEY_SECRET', valueFrom: { secretKeyRef: { name: ref.name, key: ALIBABA_SECRET_KEYS.secret } } },
    ] : []),
    ...apiServerEnv(plan),
  ];
  const configMap: K8sObject = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP, namespace: CCM_NAMESPACE, labels },
    data: { [CONFIG_KEY]: alibabaCloudConfig(plan) },
  };
  const daemonSet: K8sObject = {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: NAME, namespace: CCM_NAMESPACE, labels: { ...labels, tier: 'control-plane' }, annotations: { 'netprofile.io/source': manifest.source } },
    spec: {
      selector: { matchLabels: { app: NAME, tier: 'control-plane' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: NAME, tier: 'control-plane' } },
        spec: controlPlanePodSpec(plan, NAME, {
          name: NAME,
          image: manifest.image,
          imagePullPolicy: 'IfNotPresent',
          command: args,
          ...(env.length ? { env } : {}),
          livenessProbe: {
            httpGet: { host: '127.0.0.1', path: '/healthz', port: 10258, scheme: 'HTTP' },
            initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8,
          },
          resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1200 },
          volumeMounts: [{ name: CONFIG_MAP, mountPath: CONFIG_DIR, readOnly: true }],
        }, { volumes: [{ name: CONFIG_MAP, configMap: { name: CONFIG_MAP, items: [{ key: CONFIG_KEY, path: CONFIG_KEY }] } }] }),
      },
    },
  };

  const secret = secretName(plan, 'alibaba-ccm-credentials');
  const manualSteps = [
    kubeletStep(plan, 'Alibaba Cloud'),
    `Give every Node its Alibaba Cloud providerID \`<region-id>.<instance-id>\`, read on that instance from the metadata service: \`META=${ALIBABA_METADATA}; ID=$(curl -s $META/region-id).$(curl -s $META/instance-id)\`, then start the kubelet with \`--provider-id=$ID\` (upstream also sets \`--hostname-override=$ID\`) or, while spec.providerID is still empty (it cannot be changed once set), run \`kubectl patch node <node> -p '{"spec":{"providerID":"'$ID'"}}'\`; without it the CCM cannot match the Node to its ECS instance and leaves it uninitialised.`,
    ref
      ? `Create a RAM user with the SLB, VPC and ECS permissions of the upstream master.policy, then the Secret the CCM reads its AccessKey from (plain values; kubectl does the base64): \`kubectl -n ${CCM_NAMESPACE} create secret generic ${secret} --from-literal=${ALIBABA_SECRET_KEYS.id}=<AccessKey ID> --from-literal=${ALIBABA_SECRET_KEYS.secret}=<AccessKey secret>\`; never put the keys in the cloud-config ConfigMap or in Git.`
      : ramRoleStep(plan),
    ...secretNamespaceStep(plan),
    ...uninitializedStep(plan, 'Alibaba Cloud'),
    `Alibaba Cloud's CCM creates IPv4 load balancers only (IPv6 backends fail with ServerGroupNotSupportIpv6); annotate a Service with \`service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: "http:80"\` for a layer-7 listener, and set \`externalTrafficPolicy: Local\` to keep the client source IP.`,
  ];
  if (routesCIDR) {
    manualSteps.push(`The CCM writes a route for each Node's pod CIDR (inside ${routesCIDR}) into the VPC route table (Cilium native routing with Kubernetes IPAM); the RAM user or role also needs VPC route-entry permissions, and \`routeTableIDs\` in the cloud-config when the VPC has more than one route table.`);
  }
  return {
    charts: [],
    controllers: [...ccmRbac({ serviceAccount: NAME, clusterRole: CLUSTER_ROLE, rules: RULES, app: NAME }), configMap, daemonSet],
    configs: [],
    manualSteps,
  };
}
