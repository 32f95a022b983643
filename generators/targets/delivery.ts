// What every GitOps target must get right to deliver the network safely: which components the
// engine must never delete (the CNI: without it no pod, the engine's own controllers included,
// can reach anything; the CCM: without it new Nodes stay tainted uninitialized), and the first
// install of those charts by hand, which Flux or Argo CD adopt afterwards (they cannot run on a
// cluster that has no CNI yet). Flux adopts by upgrading: a release found in Helm storage that no
// HelmRelease manages is ReleaseStatusUnmanaged, answered with an upgrade, not an install
// (helm-controller v1.6.3 internal/reconcile/state.go, atomic_release.go), so the release name and
// storage namespace must be the ones helm used. Pure: the bootstrap script is text built from data, the values
// are serialised with the same emitter as every other file.
import type { ChartInstall } from '../components/types.js';
import type { NamedOutput } from '../components/index.js';
import type { Plan } from '../plan/types.js';
import { toYaml, toDocuments } from './yaml.js';

/** Components whose removal takes the cluster's network (or its Nodes) down. */
export const CRITICAL_COMPONENTS: readonly string[] = ['cilium', 'ccm'];
export const isCritical = (component: string): boolean => CRITICAL_COMPONENTS.includes(component);

/** The CNI's chart, when netprofile installs the CNI. */
export function cniChart(components: NamedOutput[]): ChartInstall | undefined {
  return components.find((c) => c.component === 'cilium')?.output.charts[0];
}

/** Where the tree keeps the values of the first install (beside plan.json, not applied by anyone). */
export const BOOTSTRAP_DIR = '.netprofile/bootstrap';

export interface BootstrapStep {
  component: string;
  chart: ChartInstall;
  /** File name of the values file (in --write DIR, and under BOOTSTRAP_DIR in the tree). */
  valuesFile: string;
  /** The values, exactly what the HelmRelease / Application carries, as YAML. */
  valuesYaml: string;
}

export interface Bootstrap {
  /** Chart installs in order: the CNI first, then the CCM chart. */
  steps: BootstrapStep[];
  /** Manifest CCMs (no chart): the tree file to `kubectl apply -f` after the charts. */
  manifests: { component: string; file: string; yaml: string }[];
  /** Set when kube-proxy is replaced: Cilium reaches the API server here, not through the Service. */
  apiServer: { host: string; port: number } | null;
  /** The CCM's credentials Secret, which must exist before the CCM starts (never rendered). */
  ccmSecret: { name: string; namespace: string } | null;
}

/** The first install of the critical components, or null when netprofile installs none of them. */
export function bootstrapOf(plan: Plan, components: NamedOutput[]): Bootstrap | null {
  const steps: BootstrapStep[] = [];
  const manifests: Bootstrap['manifests'] = [];
  for (const component of CRITICAL_COMPONENTS) {
    const named = components.find((c) => c.component === component);
    if (!named) continue;
    for (const chart of named.output.charts) {
      steps.push({ component, chart, valuesFile: `${chart.id}.values.yaml`, valuesYaml: toYaml(chart.values) });
    }
    if (!named.output.charts.length && named.output.controllers.length) {
      manifests.push({ component, file: `controllers/${component}.yaml`, yaml: toDocuments(named.output.controllers) });
    }
  }
  if (!steps.length && !manifests.length) return null;
  const apiServer = plan.cni.provider === 'cilium' && plan.cni.kubeProxyReplacement && plan.cluster.apiServer ? { ...plan.cluster.apiServer } : null;
  const ccmInstalled = steps.some((st) => st.component === 'ccm') || manifests.some((m) => m.component === 'ccm');
  const ccmSecret = ccmInstalled && plan.ccm.credentialsSecretRef ? { ...plan.ccm.credentialsSecretRef } : null;
  return { steps, manifests, apiServer, ccmSecret };
}

/** POSIX shell single quoting: every value is data, never shell syntax. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `helm upgrade --install` of one step; `values` is the path given to --values, or "-" for
 * stdin (read by `upgrade --install` too since helm/helm#7640, Helm 3.2).
 */
export function bootstrapHelmCommand(c: ChartInstall, values: string): string {
  // --wait: the next step (the GitOps engine's own controllers) needs the CNI running, not just applied.
  return ['helm', 'upgrade', '--install', c.releaseName, c.chart, '--repo', c.repository.url, '--version', c.version,
    '--namespace', c.namespace, '--create-namespace', '--values', values, '--wait', '--timeout', '15m'].map(shellQuote).join(' ');
}

/** A heredoc delimiter that does not occur as a line of the text. */
function delimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let d = 'NETPROFILE_VALUES';
  for (let i = 1; lines.has(d); i++) d = `NETPROFILE_VALUES_${i}`;
  return d;
}

export interface ScriptOptions {
  cluster: string;
  target: string;
  /**
   * 'inline': one self-contained script (values in quoted heredocs), what `netprofile bootstrap`
   * prints; 'files': the script reads the values files next to itself (`--write DIR`).
   */
  mode: 'inline' | 'files';
}

const NEXT_STEP: Record<string, string> = {
  flux: 'then run `flux bootstrap`; Flux adopts these releases from the HelmReleases (same release name, namespace and values).',
  argocd: 'then install Argo CD and its Application for the tree; Argo CD adopts the objects (same chart, version and values).',
  plain: 'then follow the tree\'s README for the other charts and `kubectl apply -k`.',
};

/** Text for a shell comment line: a line break in it would end the comment and start a command. */
const oneLine = (s: string | number) => String(s).replace(/[\r\n]+/g, ' ');

/** The shell script of the first install. */
export function bootstrapScript(b: Bootstrap, o: ScriptOptions): string {
  const out: string[] = [
    '#!/bin/sh',
    `# First install of the network of cluster ${oneLine(o.cluster)} (rendered by netprofile for the ${oneLine(o.target)} target).`,
    '# Run it once, against the new cluster (kubectl context), BEFORE the GitOps engine is installed:',
    `# ${NEXT_STEP[o.target] ?? NEXT_STEP.plain}`,
    '# Never run it again on a cluster the engine manages: change the profile instead.',
  ];
  if (b.apiServer) out.push(`# kube-proxy is replaced: Cilium reaches the API server at ${oneLine(b.apiServer.host)}:${oneLine(b.apiServer.port)} (k8sServiceHost/k8sServicePort), which must answer from every node.`);
  if (b.ccmSecret) out.push(`# The cloud-controller-manager reads its credentials from Secret ${oneLine(b.ccmSecret.namespace)}/${oneLine(b.ccmSecret.name)}: create it first (netprofile never renders it).`);
  out.push('set -eu');
  if (o.mode === 'files') out.push('here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)');
  for (const s of b.steps) {
    out.push('', oneLine(`# ${s.component}: chart ${s.chart.chart} ${s.chart.version}, release ${s.chart.releaseName} in namespace ${s.chart.namespace}`));
    if (o.mode === 'files') {
      out.push(bootstrapHelmCommand(s.chart, 'VALUES').replace(/VALUES/, `"$here"/${shellQuote(s.valuesFile)}`));
    } else {
      const d = delimiter(s.valuesYaml);
      out.push(`${bootstrapHelmCommand(s.chart, '-')} <<'${d}'`, s.valuesYaml.replace(/\n$/, ''), d);
    }
  }
  for (const m of b.manifests) {
    out.push('', `# ${m.component}: manifests (${m.file} of the tree)`);
    const d = delimiter(m.yaml);
    out.push(`kubectl apply --server-side -f - <<'${d}'`, m.yaml.replace(/\n$/, ''), d);
  }
  return out.join('\n') + '\n';
}

/** README lines (flux and argocd targets): when and how to run the first install. */
export function bootstrapReadmeLines(plan: Plan, b: Bootstrap, target: 'flux' | 'argocd'): string[] {
  const engine = target === 'flux' ? 'Flux' : 'Argo CD';
  const before = target === 'flux' ? 'before `flux bootstrap`' : 'before installing Argo CD';
  const lines = [
    `Step 1, new cluster only: ${engine}'s own controllers cannot run without the CNI, so install it once by hand ${before}: \`netprofile bootstrap <profile file> --target ${target}\` prints the script (\`--write DIR\` writes it with its values files), or run the command(s) below from a checkout of this repository. ${engine} then adopts the release(s): same release name, namespace, chart version and values.`,
    ...b.steps.map((s) => `\`${bootstrapHelmCommand(s.chart, `${plan.gitops.path}/${BOOTSTRAP_DIR}/${s.valuesFile}`)}\``),
    ...b.manifests.map((m) => `\`kubectl apply --server-side -f ${plan.gitops.path}/${m.file}\``),
  ];
  if (b.ccmSecret) lines.push(`(Step 1) Create the Secret ${b.ccmSecret.namespace}/${b.ccmSecret.name} with the cloud credentials before the cloud-controller-manager starts (it is never in Git).`);
  if (b.apiServer) lines.push(`(Step 1) kube-proxy is replaced, so Cilium reaches the API server directly at ${b.apiServer.host}:${b.apiServer.port} (k8sServiceHost/k8sServicePort in the values): it must answer there from every node before anything else works.`);
  return lines;
}

/** The repository URL for a README command, without any user:password part. */
export function readmeRepoUrl(plan: Plan): string {
  const url = plan.gitops.repo?.url;
  return url ? url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1') : '<repository URL>';
}

/** The values files the tree carries for the README's bootstrap commands. */
export function bootstrapFiles(b: Bootstrap | null): Record<string, string> {
  const files: Record<string, string> = {};
  for (const s of b?.steps ?? []) files[`${BOOTSTRAP_DIR}/${s.valuesFile}`] = `# chart: ${s.chart.chart} ${s.chart.version} ${s.chart.repository.url}\n${s.valuesYaml}`;
  return files;
}

export interface RenderedBootstrap {
  profile: string;
  cluster: string;
  target: string;
  bootstrap: Bootstrap;
  /** The script printed by `netprofile bootstrap` (values inline). */
  inline: string;
  /** `--write DIR`: file name → content (bootstrap.sh reads the values files beside it). */
  files: Record<string, string>;
}

/** The first install for a plan that has no error finding (the caller checks), or null when there is nothing to install first. */
export function renderBootstrap(plan: Plan, components: NamedOutput[], target: string): RenderedBootstrap | null {
  const bootstrap = bootstrapOf(plan, components);
  if (!bootstrap) return null;
  const opts = { cluster: plan.cluster.name, target };
  const files: Record<string, string> = { 'bootstrap.sh': bootstrapScript(bootstrap, { ...opts, mode: 'files' }) };
  for (const s of bootstrap.steps) files[s.valuesFile] = s.valuesYaml;
  return { profile: plan.profile, cluster: plan.cluster.name, target, bootstrap, inline: bootstrapScript(bootstrap, { ...opts, mode: 'inline' }), files };
}
