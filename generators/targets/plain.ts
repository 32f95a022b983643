// Plain: for a user who installs the charts with Helm themselves. A values file per chart (its
// first line names chart, version and repository, which `validate` reads to find the values
// schema), and a kustomization of the manifests and custom resources. The namespaces come first
// in a folder of their own: a chart's pods are admitted under the namespace's pod-security labels
// (MetalLB's speaker needs privileged), so the labelled namespace must exist before `helm install`.
import type { K8sObject } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, kustomization, toYaml, toDocuments, helmCommand } from './yaml.js';

export const renderPlain: TargetRenderer = (plan, components) => {
  const controllers = new Map<string, K8sObject[]>();
  const configs = new Map<string, K8sObject[]>();
  const stream: K8sObject[] = [];
  const files: Record<string, string> = {};
  const howToApply: string[] = [];
  const namespaces: K8sObject[] = [];
  for (const { component, output } of components) {
    const isNamespace = (o: K8sObject) => o.apiVersion === 'v1' && o.kind === 'Namespace';
    namespaces.push(...output.controllers.filter(isNamespace));
    push(controllers, component, ...output.controllers.filter((o) => !isNamespace(o)));
    push(configs, component, ...output.configs);
    stream.push(...output.controllers.filter((o) => !isNamespace(o)));
    for (const c of output.charts) {
      const file = `controllers/${c.id}.values.yaml`;
      files[file] = `# chart: ${c.chart} ${c.version} ${c.repository.url}\n${toYaml(c.values)}`;
      // --wait: the custom resources applied next need the chart's CRDs and webhooks serving.
      howToApply.push(`\`${helmCommand(c, `${plan.gitops.path}/${file}`)} --wait\``);
    }
  }
  for (const { output } of components) stream.push(...output.configs);
  const folders = layoutFolders(files, controllers, configs);
  if (namespaces.length) {
    files['namespaces/namespaces.yaml'] = toDocuments(namespaces);
    files['namespaces/kustomization.yaml'] = kustomization(['namespaces.yaml']);
    folders.unshift('namespaces');
  }
  files['kustomization.yaml'] = kustomization(folders);
  return {
    objects: [...namespaces, ...stream],
    files,
    howToApply: [
      ...(namespaces.length && howToApply.length ? [`First create the namespaces with their pod-security labels: \`kubectl apply -k ${plan.gitops.path}/namespaces\``] : []),
      ...(howToApply.length ? [`${namespaces.length ? 'Then install' : 'Install'} the charts, in this order, with the values files (CNI first):`] : []),
      ...howToApply,
      `Then apply the manifests and custom resources: \`kubectl apply -k ${plan.gitops.path}\``,
    ],
    manualSteps: [],
  };
};
