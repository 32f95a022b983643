// `netprofile fn`: the kustomize edges. Two thin entry points over kustomize/pipeline.ts:
//   - KRM function (no argument): a ResourceList (config.kubernetes.io/v1) on stdin whose
//     functionConfig is the NetworkProfile; answers with the rendered items plus the input items
//     and one result per finding; exit 1 on any error result, and then nothing is rendered.
//   - legacy exec plugin (one argument, the config file kustomize wrote): the objects as a YAML
//     stream on stdout, findings on stderr, non-zero exit on an error.
// kustomize runs both with the kustomization directory as the working directory (checked with
// kubectl kustomize v5.5: cwd and KUSTOMIZE_PLUGIN_CONFIG_ROOT are the kustomization root;
// KRM exec functions get runfn's WorkDir = the same root), so factsFrom resolves against it.
import { InputError, parseYamlDocuments } from '../generators/api/parse.js';
import { formatFinding } from '../generators/api/findings.js';
import { KIND } from '../generators/api/profile.js';
import { emitYaml } from '../generators/yaml/emit.js';
import { toDocuments } from '../generators/targets/yaml.js';
import { parseArgs, UsageError } from '../cli/args.js';
import { readInput, MAX_PROFILE_BYTES } from '../cli/io.js';
import { renderProfileValue, type ProfileRender } from './pipeline.js';
import { errorResult, fileOf, findingToResult, readResourceList, resourceListAnswer, resourceRefOf, type KrmResult, type ResourceList } from './krm.js';

/** A ResourceList may carry every resource of a kustomization (transformer use): 32 MiB. */
export const MAX_RESOURCE_LIST_BYTES = 32 << 20;

export const usage = `Usage: netprofile fn [CONFIG]

Runs a NetworkProfile inside kustomize.

Without CONFIG: a KRM function (KRM Functions Specification). Reads a ResourceList
(config.kubernetes.io/v1) on stdin whose functionConfig is the NetworkProfile; writes a
ResourceList with the rendered objects, the input items and one result per finding.
Wire it with the annotation on the profile
  config.kubernetes.io/function: |
    exec:
      path: <path to kustomize/plugin/netprofile.io/v1alpha1/networkprofile/NetworkProfile>
and run \`kustomize build --enable-alpha-plugins --enable-exec DIR\`.

With CONFIG: the legacy exec plugin (what \`kubectl kustomize --enable-alpha-plugins\`
runs): CONFIG is the NetworkProfile file; the objects go to stdout as YAML.

The render target is the annotation netprofile.io/target (flux, argocd, plain), else
spec.gitops.engine. spec.environment.factsFrom is read relative to the working directory
(kustomize runs plugins in the kustomization directory) and may not leave it.

Exit codes: 0 rendered, 1 the profile was rejected (error findings, or nothing to render),
2 usage or I/O error.
`;

export interface Outcome { stdout: string; stderr: string; code: number }

const kustomizeTarget = (engine: 'flux' | 'argocd' | 'plain') => engine;

function emptyRenderMessage(name: string): string {
  return `NetworkProfile ${name} rendered no objects; refusing an empty success (with pruning on it would delete the cluster's network). Check spec.cni.provider and spec.loadBalancer.implementation.`;
}

/**
 * The answer as YAML. The input's items and functionConfig may be one object twice (a YAML alias
 * in the input, or kustomize's generator input): write each occurrence out in full, never as an
 * anchor and alias, which key sorting could put before its anchor.
 */
function resourceListYaml(list: ResourceList): string {
  return emitYaml(list);
}

/** The KRM function on the text of a ResourceList. Builds the whole answer before any is written. */
export function krmFunction(text: string, root: string): Outcome {
  let input: ResourceList;
  try {
    const docs = parseYamlDocuments(text, '<stdin>');
    if (docs.length !== 1) throw new InputError('<stdin>', docs.length ? `holds ${docs.length} documents; a KRM function reads one ResourceList` : 'is empty; a KRM function reads one ResourceList');
    input = readResourceList(docs[0], '<stdin>');
  } catch (e) {
    if (e instanceof InputError) return { stdout: '', stderr: `netprofile fn: ${e.message}\n`, code: 2 };
    throw e;
  }
  const fc = input.functionConfig as { kind?: unknown } | undefined;
  const ref = resourceRefOf(fc);
  const file = fileOf(fc);
  const answer = (rendered: unknown[], results: KrmResult[], code: number, stderr = ''): Outcome =>
    ({ stdout: resourceListYaml(resourceListAnswer(input.apiVersion, rendered, input, results)), stderr, code });

  if (!fc || fc.kind !== KIND) {
    const msg = `functionConfig must be a ${KIND} (got ${fc ? `kind ${JSON.stringify(fc.kind ?? null).slice(0, 60)}` : 'none'}); put the profile in the kustomization's generators: list.`;
    return answer([], [errorResult(msg, ref, 'functionConfig')], 1, `netprofile fn: ${msg}\n`);
  }
  const label = file?.path ?? `functionConfig ${KIND}/${ref?.name || '?'}`;
  let r: ProfileRender;
  try {
    r = renderProfileValue(fc, { file: label, root, defaultTarget: kustomizeTarget });
  } catch (e) {
    if (e instanceof InputError) return answer([], [errorResult(e.message, ref, 'spec.environment.factsFrom', file)], 2, `netprofile fn: ${e.message}\n`);
    throw e;
  }
  const results = r.findings.map((f) => findingToResult(f, ref, file));
  const errors = r.findings.filter((f) => f.severity === 'error');
  const stderr = r.findings.map((f) => formatFinding(f, label) + '\n').join('');
  if (errors.length) return answer([], results, 1, stderr);
  if (r.objects.length === 0) {
    const msg = emptyRenderMessage(r.name);
    return answer([], [...results, errorResult(msg, ref, undefined, file)], 1, stderr + `netprofile fn: ${msg}\n`);
  }
  results.push({ message: `rendered ${r.objects.length} objects for target ${r.target}`, severity: 'info', ...(ref ? { resourceRef: ref } : {}), ...(file ? { file } : {}) });
  return answer(r.objects, results, 0, stderr);
}

/** The legacy exec plugin on the config file kustomize wrote (its first argument). */
export function execPlugin(configPath: string, root: string): Outcome {
  let value: unknown;
  let r: ProfileRender;
  let label = configPath;
  try {
    const docs = parseYamlDocuments(readInput(configPath, MAX_PROFILE_BYTES, 'profile'), configPath);
    if (docs.length !== 1) throw new InputError(configPath, `holds ${docs.length} documents; a kustomize generator config is one ${KIND}`);
    value = docs[0];
    if ((value as { kind?: unknown })?.kind !== KIND) throw new InputError(configPath, `is not a ${KIND}; this plugin is registered for netprofile.io/v1alpha1 ${KIND}`);
    // kustomize writes the config to a temporary file; name the profile and the kustomization instead.
    const ref = resourceRefOf(value);
    label = `${KIND} ${ref?.name || '?'} (kustomization ${root})`;
    r = renderProfileValue(value, { file: label, root, defaultTarget: kustomizeTarget });
  } catch (e) {
    if (e instanceof InputError) return { stdout: '', stderr: `netprofile: ${e.message}\n`, code: 2 };
    throw e;
  }
  const stderr = r.findings.map((f) => formatFinding(f, label) + '\n').join('');
  if (r.findings.some((f) => f.severity === 'error')) return { stdout: '', stderr, code: 1 };
  if (r.objects.length === 0) return { stdout: '', stderr: stderr + `netprofile: ${emptyRenderMessage(r.name)}\n`, code: 1 };
  return { stdout: toDocuments(r.objects), stderr, code: 0 };
}

/** kustomize passes the kustomization root; fall back to the working directory it also sets. */
export function pluginRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUSTOMIZE_PLUGIN_CONFIG_ROOT || process.cwd();
}

function emit(o: Outcome): number {
  if (o.stderr) process.stderr.write(o.stderr);
  if (o.stdout) process.stdout.write(o.stdout);
  return o.code;
}

/** What the plugin shim calls: argv as kustomize gives it (config file, or nothing for KRM). */
export async function runPlugin(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0) return emit(krmFunction(readInput('-', MAX_RESOURCE_LIST_BYTES, 'ResourceList'), process.cwd()));
    return emit(execPlugin(argv[0], pluginRoot()));
  } catch (e) {
    if (e instanceof InputError) { process.stderr.write(`netprofile fn: ${e.message}\n`); return 2; }
    process.stderr.write(`netprofile fn: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length > 1) throw new UsageError('fn takes at most one CONFIG file (none: a ResourceList on stdin)');
  return runPlugin(args.positionals);
}
