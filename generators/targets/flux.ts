// Flux: HelmRepository + HelmRelease per chart in controllers/, custom resources in configs/, and
// two Flux Kustomizations at the top so configs are applied only once the controllers (and the
// CRDs they install or create) are ready. The user's own Flux Kustomization points at the tree's
// path (examples/wiring/flux); the top kustomization.yaml holds just those two objects, so the
// controllers and configs are applied once, each by its own Kustomization.
import type { K8sObject, ChartInstall } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, toDocuments, kustomization } from './yaml.js';
import { netprofileLabels } from '../components/merge.js';

/** Where Flux objects live; `flux bootstrap` creates this namespace and its GitRepository. */
export const FLUX_NAMESPACE = 'flux-system';
/** The GitRepository that holds the tree: flux bootstrap names it flux-system. */
export const FLUX_SOURCE = 'flux-system';

export function helmRepository(c: ChartInstall, labels: Record<string, string>): K8sObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository',
    metadata: { name: c.repository.name, namespace: FLUX_NAMESPACE, labels },
    spec: { interval: '12h', url: c.repository.url },
  };
}

export function helmRelease(c: ChartInstall, labels: Record<string, string>): K8sObject {
  // CRDs in the chart's crds/ directory are created once and never upgraded by default (install
  // Create, upgrade Skip); CreateReplace keeps them current (charts.md, Flux).
  const crds = c.crds === 'in-crds-dir' ? { crds: 'CreateReplace' } : {};
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease',
    metadata: { name: c.releaseName, namespace: FLUX_NAMESPACE, labels },
    spec: {
      interval: '30m',
      releaseName: c.releaseName,
      targetNamespace: c.namespace,
      storageNamespace: c.namespace,
      chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: 'HelmRepository', name: c.repository.name, namespace: FLUX_NAMESPACE }, interval: '12h' } },
      install: { createNamespace: true, ...crds },
      ...(c.crds === 'in-crds-dir' ? { upgrade: { ...crds } } : {}),
      values: c.values,
    },
  };
}

export const renderFlux: TargetRenderer = (plan, components) => {
  const labels = netprofileLabels(plan.profile);
  const controllers = new Map<string, K8sObject[]>();
  const configs = new Map<string, K8sObject[]>();
  const stream: K8sObject[] = [];
  const repos = new Map<string, K8sObject>();
  for (const { component, output } of components) {
    const objs: K8sObject[] = [...output.controllers];
    for (const c of output.charts) {
      const repo = helmRepository(c, labels);
      if (!repos.has(c.repository.name)) { repos.set(c.repository.name, repo); objs.push(repo); }
      objs.push(helmRelease(c, labels));
    }
    push(controllers, component, ...objs);
    push(configs, component, ...output.configs);
    stream.push(...objs);
  }
  for (const { output } of components) stream.push(...output.configs);

  const files: Record<string, string> = {};
  const folders = layoutFolders(files, controllers, configs);
  const name = (folder: string) => `netprofile-${plan.cluster.name}-${folder}`;
  const fluxKustomizations: K8sObject[] = folders.map((folder) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization',
    metadata: { name: name(folder), namespace: FLUX_NAMESPACE, labels },
    spec: {
      interval: '10m',
      path: `./${plan.gitops.path}/${folder}`,
      prune: true,
      // wait: Ready only when the HelmReleases are, so configs see the CRDs.
      wait: true,
      timeout: '10m',
      sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE, namespace: FLUX_NAMESPACE },
      ...(folder === 'configs' && folders.includes('controllers') ? { dependsOn: [{ name: name('controllers') }] } : {}),
    },
  }));
  if (fluxKustomizations.length) files['flux-kustomizations.yaml'] = toDocuments(fluxKustomizations);
  files['kustomization.yaml'] = kustomization(fluxKustomizations.length ? ['flux-kustomizations.yaml'] : []);
  return {
    objects: stream,
    files,
    howToApply: [
      `Point a Flux Kustomization at ./${plan.gitops.path} (see examples/wiring/flux): it applies flux-kustomizations.yaml, whose ${folders.map(name).join(' and ')} Kustomization(s) apply controllers/ and then configs/.`,
      `The Kustomizations read the GitRepository ${FLUX_NAMESPACE}/${FLUX_SOURCE} (what flux bootstrap creates); if your repository source has another name, point the wiring at it and patch sourceRef.`,
    ],
    manualSteps: [],
  };
};
