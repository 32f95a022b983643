// The one table of chart repositories and versions (charts.md). Every target reads it from here:
// Flux HelmRepository/HelmRelease, Argo CD Application, the plain values files' header line.
import type { ChartInstall } from './types.js';

export interface ChartSource {
  repository: { name: string; url: string };
  chart: string;
  /** Pinned chart version; null when it follows the plan (Cilium follows plan.cni.version). */
  version: string | null;
  namespace: string;
  releaseName: string;
  crds: ChartInstall['crds'];
}

export const CHARTS = {
  // The chart has no crds/ directory: cilium-operator creates its CRDs at start-up.
  cilium: { repository: { name: 'cilium', url: 'https://helm.cilium.io/' }, chart: 'cilium', version: null, namespace: 'kube-system', releaseName: 'cilium', crds: 'created-by-operator' },
  // CRDs come from the chart's crds subchart templates: upgraded like any other resource.
  metallb: { repository: { name: 'metallb', url: 'https://metallb.github.io/metallb' }, chart: 'metallb', version: '0.16.1', namespace: 'metallb-system', releaseName: 'metallb', crds: 'in-templates' },
  // PureLB chart versions carry a "v" prefix; CRDs live in crds/ (Flux needs CreateReplace to upgrade them).
  purelb: { repository: { name: 'purelb', url: 'https://purelb.io/charts' }, chart: 'purelb', version: 'v0.16.6', namespace: 'purelb-system', releaseName: 'purelb', crds: 'in-crds-dir' },
  // CRDs in crds/ (Helm never upgrades them on its own).
  spiderpool: { repository: { name: 'spiderpool', url: 'https://spidernet-io.github.io/spiderpool' }, chart: 'spiderpool', version: '1.2.2', namespace: 'kube-system', releaseName: 'spiderpool', crds: 'in-crds-dir' },
} as const satisfies Record<string, ChartSource>;

export type ChartId = keyof typeof CHARTS;

/** A ChartInstall for one of the table's charts with the given values. */
export function chartInstall(id: ChartId, values: Record<string, unknown>, version?: string): ChartInstall {
  const c: ChartSource = CHARTS[id];
  const v = version ?? c.version;
  if (!v) throw new Error(`chart ${id} needs an explicit version`);
  return { id, repository: { ...c.repository }, chart: c.chart, version: v, namespace: c.namespace, releaseName: c.releaseName, values, crds: c.crds };
}
