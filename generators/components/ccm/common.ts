// What every cloud-controller-manager generator shares: where it runs, which taints it must
// tolerate, its RBAC objects, and the manual steps that do not depend on the provider.
// Pure: plan in, plain objects and sentences out.
import type { Plan } from '../../plan/types.js';
import type { ChartInstall, K8sObject } from '../types.js';

/** Every CCM runs in kube-system: the upstream manifests and charts hard-code it (Azure) or default to it. */
export const CCM_NAMESPACE = 'kube-system';

export const UNINITIALIZED_TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';
export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/** Labels on everything netprofile renders for a CCM, so `kubectl get -l` finds it. */
export function ccmLabels(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app, 'app.kubernetes.io/component': 'cloud-controller-manager', 'app.kubernetes.io/managed-by': 'netprofile' };
}

/**
 * The control-plane node selector. kubeadm and Talos label control-plane nodes with the empty
 * string, k3s and RKE2 with "true"; the old `node-role.kubernetes.io/master` label is gone since
 * Kubernetes 1.24/1.25, so it is never used (the upstream Alibaba manifest still selects it).
 */
export function controlPlaneSelector(plan: Plan): Record<string, string> {
  const value = plan.cluster.distribution === 'k3s' || plan.cluster.distribution === 'rke2' ? 'true' : '';
  return { [CONTROL_PLANE_LABEL]: value };
}

/**
 * A CCM must start on nodes that are not initialised yet (kubelet --cloud-provider=external taints
 * them until a CCM runs), on control-plane nodes, and before the CNI makes the node Ready.
 */
export function ccmTolerations(): Record<string, unknown>[] {
  return [
    { key: UNINITIALIZED_TAINT, operator: 'Exists', effect: 'NoSchedule' },
    { key: CONTROL_PLANE_LABEL, operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'CriticalAddonsOnly', operator: 'Exists' },
  ];
}

/**
 * The pod spec of a CCM installed from manifests (no chart): one container on the control-plane
 * nodes, host network (it must run before the CNI), critical priority, the CCM tolerations.
 * `extra` carries what differs per provider (volumes, dnsPolicy).
 */
export function controlPlanePodSpec(plan: Plan, serviceAccountName: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceAccountName,
    priorityClassName: 'system-cluster-critical',
    hostNetwork: true,
    nodeSelector: controlPlaneSelector(plan),
    tolerations: ccmTolerations(),
    containers: [container],
    ...extra,
  };
}

export type PolicyRule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** ServiceAccount + ClusterRole + ClusterRoleBinding, rbac.authorization.k8s.io/v1 only. */
export function ccmRbac(opts: { serviceAccount: string; clusterRole: string; rules: PolicyRule[]; app: string }): K8sObject[] {
  const labels = ccmLabels(opts.app);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: opts.serviceAccount, namespace: CCM_NAMESPACE, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: opts.clusterRole, labels }, rules: opts.rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: opts.clusterRole, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: opts.clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: opts.serviceAccount, namespace: CCM_NAMESPACE }],
    },
  ];
}

/**
 * CCMs built on k8s.io/cloud-provider delegate authentication to the API server and read the
 * `extension-apiserver-authentication` ConfigMap in kube-system through this built-in Role.
 */
export function authenticationReaderBinding(serviceAccount: string, app: string): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: `${serviceAccount}:apiserver-authentication-reader`, namespace: CCM_NAMESPACE, labels: ccmLabels(app) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: CCM_NAMESPACE }],
  };
}

/**
 * With hostNetwork the CCM reaches the API server through the kubernetes Service's ClusterIP,
 * which only works once kube-proxy or Cilium's kube-proxy replacement is running. When the profile
 * names the API server, point in-cluster config straight at it (as Cilium's k8sServiceHost does),
 * so the CCM does not wait on the datapath.
 */
export function apiServerEnv(plan: Plan): Record<string, unknown>[] {
  const api = plan.cluster.apiServer;
  if (!api) return [];
  return [
    { name: 'KUBERNETES_SERVICE_HOST', value: api.host },
    { name: 'KUBERNETES_SERVICE_PORT', value: String(api.port) },
  ];
}

/** The IPv4 pod CIDR, which the CCMs' route controllers and --cluster-cidr take. */
export function ipv4PodCIDR(plan: Plan): string | null {
  return plan.cluster.podCIDRs.find((c) => !c.includes(':')) ?? null;
}

/**
 * Whether the CCM should program the cloud's route table with each Node's spec.podCIDR.
 * Only when Cilium routes natively with Kubernetes IPAM (pod CIDRs come from Node.spec.podCIDR
 * and no BGP speaker or cloud IPAM routes them) and there is an IPv4 pod CIDR. With tunnelling,
 * cluster-pool IPAM (Cilium's own CIDRs, which the CCM does not know) or eni/azure/alibabacloud
 * IPAM (VPC addresses), cloud routes would be wrong or useless.
 */
export function wantsCloudRoutes(plan: Plan): string | null {
  if (plan.cni.provider !== 'cilium' || plan.cni.routing !== 'native' || plan.cni.ipam !== 'kubernetes') return null;
  if (plan.loadBalancer.bgp?.advertise.includes('podCIDRs')) return null;
  return ipv4PodCIDR(plan);
}

/** The kubelet prerequisite, worded for the cluster's distribution. */
export function kubeletStep(plan: Plan, providerName: string): string {
  const how: Record<Plan['cluster']['distribution'], string> = {
    kubeadm: 'with kubeadm put `cloud-provider: external` in `nodeRegistration.kubeletExtraArgs` of the InitConfiguration and JoinConfiguration (kubeadm.k8s.io/v1beta4 writes it as `- {name: cloud-provider, value: external}`), or on running nodes add `--cloud-provider=external` to KUBELET_EXTRA_ARGS in /etc/default/kubelet (or /etc/sysconfig/kubelet), then restart the kubelet',
    k3s: 'with k3s start every server with `--disable-cloud-controller --kubelet-arg=cloud-provider=external` and every agent with `--kubelet-arg=cloud-provider=external`',
    rke2: 'with RKE2 set `cloud-provider-name: external` in /etc/rancher/rke2/config.yaml on every node (and `disable-cloud-controller: true` on servers)',
    talos: 'with Talos set `cluster.externalCloudProvider.enabled: true` in the machine configuration',
    managed: 'in the node bootstrap configuration',
  };
  return `Run every kubelet with \`--cloud-provider=external\` so the ${providerName} cloud-controller-manager initialises the Nodes: ${how[plan.cluster.distribution]}; kube-apiserver and kube-controller-manager must not set any other \`--cloud-provider\`.`;
}

/** Names the nodes that still wait for a CCM, when the facts list any. */
export function uninitializedStep(plan: Plan, providerName: string): string[] {
  const nodes = plan.environment.uninitializedNodes;
  if (nodes.length === 0) return [];
  const list = nodes.length > 10 ? `${nodes.slice(0, 10).join(', ')} and ${nodes.length - 10} more` : nodes.join(', ');
  return [`Node${nodes.length > 1 ? 's' : ''} ${list} carr${nodes.length > 1 ? 'y' : 'ies'} the taint \`${UNINITIALIZED_TAINT}\`: ordinary Pods will not schedule there until the ${providerName} cloud-controller-manager (which tolerates the taint) is running and has initialised ${nodes.length > 1 ? 'them' : 'it'}; apply the CCM first and watch the taint disappear with \`kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints[*].key\`.`];
}

/**
 * Pods read Secrets only in their own namespace, and every CCM runs in kube-system: a reference
 * to another namespace cannot work, so say so instead of silently rendering a broken reference.
 */
export function secretNamespaceStep(plan: Plan): string[] {
  const ref = plan.ccm.credentialsSecretRef;
  if (!ref || ref.namespace === CCM_NAMESPACE) return [];
  return [`spec.cloud.credentialsSecretRef.namespace is ${ref.namespace}, but the cloud-controller-manager runs in ${CCM_NAMESPACE} and can only read Secrets there: create the Secret ${ref.name} in ${CCM_NAMESPACE} (or set the namespace to ${CCM_NAMESPACE} in the profile).`];
}

/** The name the generators reference: the profile's Secret, or the provider's conventional one. */
export function secretName(plan: Plan, conventional: string): string {
  return plan.ccm.credentialsSecretRef?.name ?? conventional;
}

/** A chart source, as charts.md §5 records it (stored upstream snapshots, not a live registry). */
export interface CcmChart {
  repository: { name: string; url: string };
  chart: string;
  version: string;
  /** The image tag the chart version runs, set explicitly where the chart cannot pick it offline. */
  imageTag: string;
}

/** The ChartInstall of a CCM chart; its id is `ccm-<provider>`, its release the chart name. */
export function ccmChartInstall(provider: string, chart: CcmChart, values: Record<string, unknown>): ChartInstall {
  return {
    id: `ccm-${provider}`,
    repository: { name: chart.repository.name, url: chart.repository.url },
    chart: chart.chart,
    version: chart.version,
    namespace: CCM_NAMESPACE,
    releaseName: chart.chart,
    values,
    crds: 'none',
  };
}

/** An upstream manifest a CCM without a chart is built from. */
export interface ManifestSource {
  image: string;
  /** Where the manifest shape comes from (annotated on the workload and named in the README). */
  source: string;
}
