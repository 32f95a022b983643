// Argo CD: an Application per chart (Helm source) and the custom resources, ordered by sync waves:
// namespaces first, then the chart Applications and other controller manifests, then the custom
// resources, which also skip the dry run while their CRD does not exist yet.
import type { K8sObject, ChartInstall } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, kustomization } from './yaml.js';
import { netprofileLabels } from '../components/merge.js';

export const ARGOCD_NAMESPACE = 'argocd';
export const WAVE = { namespaces: '-2', controllers: '-1', configs: '1' } as const;
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

function annotate(o: K8sObject, annotations: Record<string, string>): K8sObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), ...annotations } } };
}

export function application(cluster: string, c: ChartInstall, labels: Record<string, string>): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    // No resources-finalizer: deleting this Application must not cascade into deleting the
    // cluster's CNI or load balancer.
    metadata: { name: `${cluster}-${c.id}`, namespace: ARGOCD_NAMESPACE, labels, annotations: { [SYNC_WAVE]: WAVE.controllers } },
    spec: {
      project: 'default',
      source: { repoURL: c.repository.url, chart: c.chart, targetRevision: c.version, helm: { releaseName: c.releaseName, valuesObject: c.values } },
      destination: { server: 'https://kubernetes.default.svc', namespace: c.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // Server-side apply: large CRDs exceed the 262144-byte last-applied annotation.
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
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
    const objs: K8sObject[] = output.controllers.map((o) => annotate(o, { [SYNC_WAVE]: o.kind === 'Namespace' ? WAVE.namespaces : WAVE.controllers }));
    for (const c of output.charts) objs.push(application(plan.cluster.name, c, labels));
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
  return {
    objects: stream,
    files,
    howToApply: [
      `Point an Argo CD Application at ${plan.gitops.path} (see examples/wiring/argocd/application.yaml); it creates the chart Applications in namespace ${ARGOCD_NAMESPACE} (wave ${WAVE.controllers}) and then the custom resources (wave ${WAVE.configs}).`,
    ],
    manualSteps: hasApps
      ? ['Argo CD (since 1.8) does not wait for a child Application to be healthy before the next sync wave unless argocd-cm restores its health check (resource.customizations.health.argoproj.io_Application); add it so the custom resources wait for the charts.']
      : [],
  };
};
