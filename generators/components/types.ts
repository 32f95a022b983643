// What a component generator returns: chart installs (turned into HelmRelease / Application /
// values files by the target), plain manifests that go with the controllers, custom resources
// that must wait for their CRDs, and the steps a person still has to do.

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface ChartInstall {
  /** Component id, also the file stem: cilium, metallb, purelb, spiderpool, ccm-aws, ... */
  id: string;
  repository: { name: string; url: string };
  chart: string;
  version: string;
  namespace: string;
  releaseName: string;
  values: Record<string, unknown>;
  /** How the chart's crds/ directory is handled on upgrade (Flux install/upgrade.crds). */
  crds: 'none' | 'in-crds-dir' | 'in-templates' | 'created-by-operator';
}

export interface ComponentOutput {
  charts: ChartInstall[];
  /** Manifests applied with the controllers (namespaces, CCM DaemonSets and RBAC, ConfigMaps). */
  controllers: K8sObject[];
  /** Custom resources applied after the controllers' CRDs exist (pools, policies, peers). */
  configs: K8sObject[];
  /** What a person must still do by hand, one sentence each. */
  manualSteps: string[];
}
