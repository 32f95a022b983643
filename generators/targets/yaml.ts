// Serialisation shared by the targets: sorted keys, no line folding, one document per object.
import { emitYaml, YAML_OPTIONS } from '../yaml/emit.js';
import type { K8sObject } from '../components/types.js';
import type { ChartInstall } from '../components/types.js';

// No anchors/aliases: a shared sub-object must be written out in full (sorted keys could put an alias
// before its anchor, and readers of GitOps trees expect plain YAML). YAML_OPTIONS lives with the
// emitter (generators/yaml/emit.ts), which writes what the library writes with them.
export { YAML_OPTIONS };

export function toYaml(value: unknown): string {
  return emitYaml(value);
}

export function toDocuments(objects: K8sObject[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

export function kustomization(resources: string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

/**
 * Lays out controllers/ and configs/: one file per component in each, plus each folder's own
 * kustomization.yaml (kustomize needs one per listed folder, and every listed file must hold
 * objects, so empty ones are left out). Returns the folders that hold objects.
 */
export function layoutFolders(files: Record<string, string>, controllers: Map<string, K8sObject[]>, configs: Map<string, K8sObject[]>): string[] {
  const folders: string[] = [];
  for (const [folder, byFile] of [['controllers', controllers], ['configs', configs]] as const) {
    const listed: string[] = [];
    for (const [name, objs] of [...byFile.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!objs.length) continue;
      files[`${folder}/${name}.yaml`] = toDocuments(objs);
      listed.push(`${name}.yaml`);
    }
    if (listed.length) {
      files[`${folder}/kustomization.yaml`] = kustomization(listed);
      folders.push(folder);
    }
  }
  return folders;
}

/** Appends to a map of lists. */
export function push<K, V>(m: Map<K, V[]>, k: K, ...v: V[]): void {
  const list = m.get(k);
  if (list) list.push(...v);
  else m.set(k, [...v]);
}

/** `helm upgrade --install` line for a chart, for READMEs. */
export function helmCommand(c: ChartInstall, valuesFile?: string): string {
  return `helm upgrade --install ${c.releaseName} ${c.chart} --repo ${c.repository.url} --version ${c.version} --namespace ${c.namespace} --create-namespace${valuesFile ? ` -f ${valuesFile}` : ''}`;
}
