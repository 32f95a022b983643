// Argo CD: an Application per chart (Helm source) and the custom resources, ordered by sync waves:
// namespaces first, then the chart Applications and other controller manifests, then the custom
// resources, which also skip the dry run while their CRD does not exist yet.
import type { K8sObject, ChartInstall } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, kustomization } from './yaml.js';
import { netprofileLabels } from '../components/merge.js';
import { bootstrapOf, bootstrapFiles, bootstrapReadmeLines, isCritical, readmeRepoUrl } from './delivery.js';

export const ARGOCD_NAMESPACE = 'argocd';
export const WAVE = { namespaces: '-2', controllers: '-1', configs: '1' } as const;
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

function annotate(o: K8sObject, annotations: Record<string, string>): K8sObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), ...annotations } } };
}

/**
 * Hubble's certificates, which the Cilium chart generates anew on every render with
 * hubble.tls.auto.method helm (its default): ignored as Cilium's
 * Documentation/configuration/argocd-issues.rst recommends (identical at v1.16.15, v1.17.14 and
 * v1.18.3), and kept out of the sync as well (RespectIgnoreDifferences, argo-cd
 * docs/user-guide/sync-options.md v3.5.1), else self-heal rotates them in a loop. Later Cilium docs
 * (cilium main @82f2c2e) offer the chart value nonIdempotentAnnotations instead, which no chart
 * netprofile renders has (absent from the 1.16.19-1.20.0 values schemas).
 */
export const HUBBLE_IGNORE_DIFFERENCES = [
  { group: '', kind: 'ConfigMap', name: 'hubble-ca-cert', jsonPointers: ['/data/ca.crt'] },
  { group: '', kind: 'Secret', name: 'hubble-relay-client-certs', jsonPointers: ['/data/ca.crt', '/data/tls.crt', '/data/tls.key'] },
  { group: '', kind: 'Secret', name: 'hubble-server-certs', jsonPointers: ['/data/ca.crt', '/data/tls.crt', '/data/tls.key'] },
];

/** Whether the Cilium chart generates Hubble certificates in its templates for these values. */
export function hubbleHelmCerts(values: Record<string, unknown>): boolean {
  const hubble = (values.hubble ?? {}) as { enabled?: unknown; tls?: { enabled?: unknown; auto?: { enabled?: unknown; method?: unknown } } };
  // Chart defaults (install/kubernetes/cilium/values.yaml): hubble.enabled, tls.enabled,
  // tls.auto.enabled true, tls.auto.method helm.
  return hubble.enabled !== false && hubble.tls?.enabled !== false && hubble.tls?.auto?.enabled !== false && (hubble.tls?.auto?.method ?? 'helm') === 'helm';
}

/**
 * Automated sync does not retry a failed sync of the same commit (argo-cd
 * docs/user-guide/auto_sync.md "Automated Sync Semantics", v3.5.1): custom resources that raced
 * their CRDs would stay unapplied until the next commit. Retry with backoff ("Automatic Retry
 * with a limit"), about 40 minutes in all, long enough for the CNI to come up on a new cluster.
 */
export const SYNC_RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** Kept by the parent Application when the tree drops or renames it, and when the parent is deleted (sync-options.md "No Prune Resources", "No Resource Deletion"). */
export const KEEP = 'Prune=false,Delete=false';

export function application(cluster: string, c: ChartInstall, labels: Record<string, string>, o: { critical: boolean } = { critical: false }): K8sObject {
  const hubble = c.id === 'cilium' && hubbleHelmCerts(c.values);
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    // No resources-finalizer: deleting this Application must not cascade into deleting the
    // cluster's CNI or load balancer.
    metadata: {
      name: `${cluster}-${c.id}`, namespace: ARGOCD_NAMESPACE, labels,
      annotations: { [SYNC_WAVE]: WAVE.controllers, ...(o.critical ? { [SYNC_OPTIONS]: KEEP } : {}) },
    },
    spec: {
      project: 'default',
      source: { repoURL: c.repository.url, chart: c.chart, targetRevision: c.version, helm: { releaseName: c.releaseName, valuesObject: c.values } },
      destination: { server: 'https://kubernetes.default.svc', namespace: c.namespace },
      ...(hubble ? { ignoreDifferences: HUBBLE_IGNORE_DIFFERENCES.map((d) => ({ ...d, jsonPointers: [...d.jsonPointers] })) } : {}),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // Server-side apply: large CRDs exceed the 262144-byte last-applied annotation.
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true', ...(hubble ? ['RespectIgnoreDifferences=true'] : [])],
        retry: { ...SYNC_RETRY, backoff: { ...SYNC_RETRY.backoff } },
      },
    },
  };
}

export const renderArgoCD: TargetRenderer = (plan, components) => {
  const labels = netprofileLabels(plan.profile);
  const controllers = new Map<string, K8sObject[]>();
  const configs = new Map<string, K8sObject[]>();
  const stream: K8sObject[] = [];
  for (const { component, output } of components) {
    const critical = isCritical(component);
    const objs: K8sObject[] = output.controllers.map((o) => annotate(o, { [SYNC_WAVE]: o.kind === 'Namespace' ? WAVE.namespaces : WAVE.controllers, ...(critical ? { [SYNC_OPTIONS]: KEEP } : {}) }));
    for (const c of output.charts) objs.push(application(plan.cluster.name, c, labels, { critical }));
    push(controllers, component, ...objs);
    stream.push(...objs);
  }
  for (const { component, output } of components) {
    const objs = output.configs.map((o) => annotate(o, { [SYNC_WAVE]: WAVE.configs, [SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' }));
    push(configs, component, ...objs);
    stream.push(...objs);
  }
  // Namespaces first in the stream too.
  stream.sort((a, b) => Number(a.metadata.annotations?.[SYNC_WAVE] ?? 0) - Number(b.metadata.annotations?.[SYNC_WAVE] ?? 0));
  const files: Record<string, string> = {};
  const folders = layoutFolders(files, controllers, configs);
  files['kustomization.yaml'] = kustomization(folders);
  const hasApps = components.some((c) => c.output.charts.length);
  const bootstrap = bootstrapOf(plan, components);
  Object.assign(files, bootstrapFiles(bootstrap));
  const cilium = components.find((c) => c.component === 'cilium')?.output.charts[0];
  const manualSteps: string[] = [];
  if (hasApps) manualSteps.push('Argo CD (since 1.8) does not wait for a child Application to be healthy before the next sync wave unless argocd-cm restores its health check (resource.customizations.health.argoproj.io_Application); add it so the custom resources wait for the charts.');
  if (cilium && hubbleHelmCerts(cilium.values)) {
    manualSteps.push(`Argo CD keeps the Hubble certificates of the first sync (the ${plan.cluster.name}-cilium Application ignores their changes, as Cilium's Argo CD troubleshooting page recommends): they are not renewed and expire after hubble.tls.auto.certValidityDuration days (chart default); before then delete the hubble-server-certs and hubble-relay-client-certs Secrets and the hubble-ca-cert ConfigMap in kube-system and sync, or set hubble.tls.auto.method: cronJob in spec.cni.cilium.values.`);
  }
  return {
    objects: stream,
    files,
    howToApply: [
      ...(bootstrap ? bootstrapReadmeLines(plan, bootstrap, 'argocd') : []),
      `${bootstrap ? 'Step 2' : 'Step 1'}: commit this tree at ${plan.gitops.path} (\`netprofile publish\` does it), install Argo CD in namespace ${ARGOCD_NAMESPACE}${hasApps ? ' with the Application health check of the manual steps below' : ''}.`,
      `${bootstrap ? 'Step 3' : 'Step 2'}: apply one Argo CD Application for ${readmeRepoUrl(plan)}, path ${plan.gitops.path} (examples/wiring/argocd/application.yaml, with syncPolicy.retry: automated sync never retries a failed sync of the same commit); it creates the chart Applications in namespace ${ARGOCD_NAMESPACE} (wave ${WAVE.controllers}) and then the custom resources (wave ${WAVE.configs}), and Argo CD converges by itself.`,
      ...(components.some((c) => isCritical(c.component)) ? [`The CNI and CCM Applications and manifests carry argocd.argoproj.io/sync-options: ${KEEP} and no resources finalizer, so renaming the cluster, moving spec.gitops.path or deleting the tree or the parent Application never deletes the network; to remove it on purpose, delete them by hand.`] : []),
    ],
    manualSteps,
  };
};
