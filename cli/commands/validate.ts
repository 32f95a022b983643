// netprofile validate PATH... [--cilium-version V] [-o text|json]
// Thin edge over generators/validate: find and read the files, print one line per problem.
import { readdirSync, statSync, realpathSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { outputFlag, outputFormat, formatData, isQuiet, QUIET_FLAG } from '../output.js';
import { readInput } from '../io.js';
import { InputError } from '../../generators/api/parse.js';
import { validateFiles, formatProblem, type InputFile } from '../../generators/validate/validate.js';
import { loadCelEngine, type CelStats } from '../../generators/validate/cel.js';
import { planProfile } from '../../generators/plan/plan.js';
import type { Finding } from '../../generators/api/findings.js';
import type { NetworkProfile } from '../../generators/api/profile.js';
import { factsFromProfile } from '../load.js';
import { loadBundle, ciliumValuesChecker } from '../values.js';

export const usage = `Usage: netprofile validate PATH... [--cilium-version V] [--previous PATH] [-o text|json|yaml] [-q]

Checks manifests offline against the upstream schemas bundled with netprofile: the CRDs of
Cilium (1.16-1.20), MetalLB, PureLB, Spiderpool, Flux and Argo CD, a light check of the core
kinds (Namespace, ConfigMap, ServiceAccount, RBAC, DaemonSet, Deployment, Service) and
kustomize's Kustomization, and NetworkProfiles. Objects with declared fields are closed: an
unknown field is an error. Chart values in a Flux HelmRelease (spec.values), an Argo CD
Application (spec.source.helm.valuesObject) or a values file whose first line is
"# chart: NAME VERSION [REPO]" are checked against the chart's values.schema.json (Cilium by
minor version, MetalLB): Helm ignores a misspelt key silently, netprofile reports it.
The CRDs' CEL rules (x-kubernetes-validations) are evaluated as the API server does, with
the rule's message and field path. A NetworkProfile is also planned (facts from its
spec.environment.factsFrom): what \`netprofile plan\` rejects, validate rejects.

  PATH                  a file, or a directory searched recursively for *.yaml, *.yml and
                        *.json (skipping .netprofile/ and .git/); "-" reads stdin
  --cilium-version V    the Cilium version for cilium.io objects. Default: the version of
                        the Cilium chart installed in the same tree (nearest directory up)
  --previous PATH       the objects as the cluster holds them now (a file or directory, e.g.
                        kubectl get ... -o yaml): CEL transition rules (oldSelf, e.g.
                        MetalLB's immutable fields) are checked against them. Without it
                        they are skipped, as on a create, and counted in the summary
  -o, --output F        text (default: one line per problem, "FILE: document N: FIELD:
                        message"), json or yaml
  -q, --quiet           no summary line on stderr

Exit codes: 0 no errors (warnings may be printed), 1 problems found, 2 usage or I/O error.
`;

export const MAX_MANIFEST_BYTES = 16 << 20;
const EXTENSIONS = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['.netprofile', '.git', 'node_modules']);

/** Files under the given paths, in a stable order; directories are walked once (symlink loops). */
export function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    try { real = realpathSync(dir); } catch { return; }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch (e) { throw new InputError(dir, `cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
    for (const name of names) {
      const full = join(dir, name);
      let st;
      try { st = statSync(full); } catch { continue; } // a dangling symlink
      if (st.isDirectory()) { if (!SKIP_DIRS.has(name)) walk(full); }
      else if (st.isFile() && EXTENSIONS.test(name)) out.push(full);
    }
  };
  for (const p of paths) {
    if (p === '-') { out.push(p); continue; }
    let st;
    try { st = statSync(p); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(p, code === 'ENOENT' ? 'no such file or directory' : `cannot be read (${code ?? (e as Error).message})`);
    }
    if (st.isDirectory()) {
      const before = out.length;
      walk(p);
      if (out.length === before) throw new InputError(p, 'holds no .yaml, .yml or .json files');
    } else out.push(p);
  }
  return out;
}

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [
    outputFlag(['text', 'json', 'yaml']),
    { name: 'cilium-version', value: true },
    { name: 'previous', value: true },
    QUIET_FLAG,
  ];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat(args, 'text');
  if (!args.positionals.length) throw new UsageError('validate needs at least one PATH (a file or a directory)');
  if (args.positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin ("-") can be given once');
  const ciliumVersion = stringFlag(args, 'cilium-version');
  if (ciliumVersion !== undefined && !/^v?\d+\.\d+(\.\d+)?$/.test(ciliumVersion)) throw new UsageError(`--cilium-version must look like 1.18 or 1.18.3, got "${ciliumVersion.slice(0, 40)}"`);

  const files = collectFiles(args.positionals);
  const inputs: InputFile[] = files.map((f) => ({ file: f === '-' ? '<stdin>' : f, text: readInput(f, MAX_MANIFEST_BYTES, 'manifest') }));
  const previousPath = stringFlag(args, 'previous');
  if (previousPath === '-' && args.positionals.includes('-')) throw new UsageError('the manifests and --previous cannot both be stdin');
  const previous: InputFile[] = previousPath === undefined ? [] : collectFiles([previousPath]).map((f) => ({ file: f === '-' ? '<stdin>' : f, text: readInput(f, MAX_MANIFEST_BYTES, 'manifest') }));
  const stats: CelStats = { evaluated: 0, transitionSkipped: 0 };
  const problems = validateFiles(inputs, { bundle: loadBundle(), ciliumVersion, cel: await loadCelEngine(), previous, stats, plan: planFindings });
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (format !== 'text') {
    process.stdout.write(formatData({ files: inputs.length, errors, warnings, celRules: stats, problems }, format));
  } else {
    for (const p of problems) process.stdout.write(formatProblem(p) + '\n');
    const skipped = stats.transitionSkipped ? `; ${stats.transitionSkipped} CEL transition rule${stats.transitionSkipped === 1 ? '' : 's'} not evaluated (they compare with the stored object: pass --previous)` : '';
    if (!isQuiet(args)) process.stderr.write(`netprofile validate: ${inputs.length} file${inputs.length === 1 ? '' : 's'} checked, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${stats.evaluated} CEL rule evaluation${stats.evaluated === 1 ? '' : 's'}${skipped}\n`);
  }
  return errors ? 1 : 0;
}

/** The planner's findings for a profile, with the facts its spec.environment.factsFrom names. */
function planFindings(profile: NetworkProfile, file: string): Finding[] {
  let facts;
  try {
    facts = factsFromProfile(profile, file === '<stdin>' ? process.cwd() : dirname(resolve(file)), file)?.facts;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return [{ rule: 'invalid-field', severity: 'error', path: 'spec.environment.factsFrom', message: e.message }];
  }
  return planProfile(profile, { facts, checkCiliumValues: ciliumValuesChecker() }).findings;
}
