// Flux: HelmRepository + HelmRelease per chart in controllers/, custom resources in configs/, and
// two Flux Kustomizations at the top so configs are applied only once the controllers (and the
// CRDs they install or create) are ready. The user's own Flux Kustomization points at the tree's
// path (examples/wiring/flux); the top kustomization.yaml holds just those two objects, so the
// controllers and configs are applied once, each by its own Kustomization.
import type { K8sObject, ChartInstall } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, toDocuments, kustomization } from './yaml.js';
import { netprofileLabels } from '../components/merge.js';
import { bootstrapOf, bootstrapFiles, bootstrapReadmeLines, cniChart, isCritical, readmeRepoUrl } from './delivery.js';

/** A manifest of the CNI or the CCM: never pruned by kustomize-controller. */
function protect(o: K8sObject): K8sObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [FLUX_PRUNE]: 'disabled' } } };
}

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

/** kustomize-controller skips objects so marked when it prunes and when its Kustomization is deleted. */
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

export interface HelmReleaseOptions {
  /**
   * The CNI or the CCM: never pruned by a tree change (a renamed cluster, a moved gitops.path, a
   * deleted tree would otherwise make Flux run `helm uninstall cilium`), never uninstalled or
   * rolled back by remediation.
   */
  critical: boolean;
  /** The CNI's HelmRelease name: a release that needs pod networking waits for it. */
  dependsOn?: string;
}

export function helmRelease(c: ChartInstall, labels: Record<string, string>, o: HelmReleaseOptions = { critical: false }): K8sObject {
  // CRDs in the chart's crds/ directory are created once and never upgraded by default (install
  // Create, upgrade Skip); CreateReplace keeps them current (charts.md, Flux).
  const crds = c.crds === 'in-crds-dir' ? { crds: 'CreateReplace' } : {};
  // Failure handling, from helm-controller docs/spec/v2/helmreleases.md "Recommended settings" and
  // "Install/Upgrade strategy" (v1.6.3): RetryOnFailure retries an upgrade every retryInterval
  // without any remediation, which is the only safe choice for the CNI and the CCM (an uninstall
  // or rollback remediation cuts every pod off). The other controllers are stateless and can be
  // remediated: RemediateOnFailure with retries, rollback to the last good release on upgrade.
  // driftDetection is not enabled: it needs per-chart ignore rules for fields the controllers
  // write themselves (webhook CA bundles), which netprofile does not maintain.
  const retry = { strategy: { name: 'RetryOnFailure', retryInterval: '5m' } };
  const install = o.critical ? retry : { strategy: { name: 'RemediateOnFailure' }, remediation: { retries: 3 } };
  const upgrade = o.critical ? retry : { strategy: { name: 'RemediateOnFailure' }, remediation: { retries: 3, strategy: 'rollback', remediateLastFailure: true } };
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease',
    metadata: {
      name: c.releaseName, namespace: FLUX_NAMESPACE, labels,
      // kustomize-controller docs/spec/v1/kustomizations.md "Prune" (v1.9.4); honoured by
      // deleteObjects on prune and on finalize (internal/controller/kustomization_controller.go).
      ...(o.critical ? { annotations: { [FLUX_PRUNE]: 'disabled' } } : {}),
    },
    spec: {
      interval: '30m',
      releaseName: c.releaseName,
      targetNamespace: c.namespace,
      storageNamespace: c.namespace,
      chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: 'HelmRepository', name: c.repository.name, namespace: FLUX_NAMESPACE }, interval: '12h' } },
      ...(o.dependsOn ? { dependsOn: [{ name: o.dependsOn, namespace: FLUX_NAMESPACE }] } : {}),
      // The default 5m (helmreleases.md "Timeout") is short for a DaemonSet that rolls over every
      // node of a fresh cluster while images are pulled.
      timeout: '15m',
      install: { createNamespace: true, ...crds, ...install },
      upgrade: { ...crds, ...upgrade },
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
  const cni = cniChart(components);
  for (const { component, output } of components) {
    const critical = isCritical(component);
    const objs: K8sObject[] = output.controllers.map((o) => (critical ? protect(o) : o));
    for (const c of output.charts) {
      const repo = helmRepository(c, labels);
      if (!repos.has(c.repository.name)) { repos.set(c.repository.name, repo); objs.push(repo); }
      // Everything but the CNI and the CCM needs pod networking; the CCM runs on the host network
      // and must not wait for the CNI it precedes (it initialises the Nodes the CNI runs on).
      const dependsOn = cni && !critical ? cni.releaseName : undefined;
      objs.push(helmRelease(c, labels, { critical, dependsOn }));
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
      // Deleting this Kustomization (a renamed cluster gives it a new name) leaves its objects in
      // place instead of uninstalling the charts (kustomizations.md "Deletion policy"); objects
      // taken out of the tree are still pruned while it lives.
      deletionPolicy: 'Orphan',
      // wait: Ready only when the HelmReleases are, so configs see the CRDs.
      wait: true,
      // Longer than a HelmRelease's own timeout (15m), so the controllers Kustomization does not give
      // up on a chart that is still installing.
      timeout: folder === 'controllers' ? '20m' : '10m',
      sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE, namespace: FLUX_NAMESPACE },
      ...(folder === 'configs' && folders.includes('controllers') ? { dependsOn: [{ name: name('controllers') }] } : {}),
    },
  }));
  if (fluxKustomizations.length) files['flux-kustomizations.yaml'] = toDocuments(fluxKustomizations);
  files['kustomization.yaml'] = kustomization(fluxKustomizations.length ? ['flux-kustomizations.yaml'] : []);
  const bootstrap = bootstrapOf(plan, components);
  Object.assign(files, bootstrapFiles(bootstrap));
  const parent = plan.gitops.path.split('/').slice(0, -1).join('/');
  return {
    objects: stream,
    files,
    howToApply: [
      ...(bootstrap ? bootstrapReadmeLines(plan, bootstrap, 'flux') : []),
      `${bootstrap ? 'Step 2' : 'Step 1'}: commit this tree at ${plan.gitops.path} on the branch Flux will watch (\`netprofile publish\` does it).`,
      // fluxcd/pkg kustomize/kustomize_generator.go (scanManifests): a folder without a
      // kustomization.yaml gets one generated that lists every sub-folder holding one.
      `${bootstrap ? 'Step 3' : 'Step 2'}: \`flux bootstrap git --url=${readmeRepoUrl(plan)} --branch=${plan.gitops.repo?.branch ?? '<branch>'} --path=${parent || '<a folder above this tree>'}\`. Wiring: nothing to add when that path is a folder above this tree: Flux's flux-system Kustomization already applies ${plan.gitops.path}, since kustomize-controller includes every sub-folder that holds a kustomization.yaml (unless you keep your own kustomization.yaml in that folder: then list the tree's folder in it). Do not add a Kustomization for the same path: two Kustomizations would own the same objects.`,
      `Only when the tree lies outside the bootstrap path: add one Flux Kustomization for ./${plan.gitops.path} (examples/wiring/flux/network.yaml) and commit it under the bootstrap path.`,
      `Then Flux converges by itself: the tree's flux-kustomizations.yaml creates the Flux Kustomization(s) ${folders.map(name).join(' and ')}, which apply ${folders.map((f) => `${f}/`).join(' and then ')} (\`flux get kustomizations\`, \`flux get helmreleases -A\` show them Ready); they read the GitRepository ${FLUX_NAMESPACE}/${FLUX_SOURCE} (what flux bootstrap creates); if your repository source has another name, patch their sourceRef.`,
      ...(components.some((c) => isCritical(c.component)) ? ["The CNI and CCM objects carry kustomize.toolkit.fluxcd.io/prune: disabled and the tree's Kustomizations have deletionPolicy: Orphan, so renaming the cluster, moving spec.gitops.path or deleting the tree never uninstalls the network; to remove it on purpose, delete those HelmReleases by hand."] : []),
    ],
    manualSteps: [],
  };
};
