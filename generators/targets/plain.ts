// Plain: for a user who installs the charts with Helm themselves. A values file per chart (its
// first line names chart, version and repository, which `validate` reads to find the values
// schema), and a kustomization of the manifests and custom resources.
import type { K8sObject } from '../components/types.js';
import type { TargetRenderer } from './types.js';
import { layoutFolders, push, kustomization, toYaml, helmCommand } from './yaml.js';

export const renderPlain: TargetRenderer = (plan, components) => {
  const controllers = new Map<string, K8sObject[]>();
  const configs = new Map<string, K8sObject[]>();
  const stream: K8sObject[] = [];
  const files: Record<string, string> = {};
  const howToApply: string[] = [];
  for (const { component, output } of components) {
    push(controllers, component, ...output.controllers);
    push(configs, component, ...output.configs);
    stream.push(...output.controllers);
    for (const c of output.charts) {
      const file = `controllers/${c.id}.values.yaml`;
      files[file] = `# chart: ${c.chart} ${c.version} ${c.repository.url}\n${toYaml(c.values)}`;
      howToApply.push(`\`${helmCommand(c, `${plan.gitops.path}/${file}`)}\``);
    }
  }
  for (const { output } of components) stream.push(...output.configs);
  const folders = layoutFolders(files, controllers, configs);
  files['kustomization.yaml'] = kustomization(folders);
  return {
    objects: stream,
    files,
    howToApply: [
      ...(howToApply.length ? ['Install the charts first, with the values files:'] : []),
      ...howToApply,
      `Then apply the manifests and custom resources: \`kubectl apply -k ${plan.gitops.path}\``,
    ],
    manualSteps: [],
  };
};
