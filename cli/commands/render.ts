// netprofile render PROFILE... [--nodes F] [--target flux|argocd|plain] [--out DIR] [-o yaml|json]
// Thin edge: load and plan (cli/load.ts), render in memory (generators/render.ts), then print or
// write. Nothing is written unless every profile renders.
import { mkdirSync, readdirSync, rmSync, writeFileSync, renameSync, lstatSync, rmdirSync, realpathSync } from 'node:fs';
import { join, dirname, resolve, relative, isAbsolute, sep } from 'node:path';
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { loadProfiles } from '../load.js';
import { formatFinding, hasErrors } from '../../generators/api/findings.js';
import { renderStream, renderObjects, renderTree, TARGETS, type Target, type RenderedTree } from '../../generators/render.js';
import { outputFlag, outputFormat, formatData, isQuiet, QUIET_FLAG } from '../output.js';
import type { Plan } from '../../generators/plan/types.js';
import { ciliumValuesChecker } from '../values.js';

export const usage = `Usage: netprofile render PROFILE... [--nodes FILE|-] [--target flux|argocd|plain]
                        [--out DIR] [-o yaml|json] [-q] [--check]

Renders the manifests of one or more NetworkProfiles: Cilium, MetalLB, PureLB, the cloud's
cloud-controller-manager and Spiderpool, installed the way the target expects.

  PROFILE          a file holding NetworkProfiles ("-" for stdin); several files may be given
  --nodes FILE     a Node list (kubectl get nodes -o yaml|json) to detect the environment from;
                   "-" reads stdin. Default: each profile's spec.environment.factsFrom
  --target T       flux (HelmRelease + Flux Kustomizations), argocd (Applications + sync waves)
                   or plain (Helm values files + kustomization). Default: spec.gitops.engine
  --out DIR        write one tree per profile under DIR/<spec.gitops.path> (kustomization.yaml,
                   README.md, controllers/, configs/, .netprofile/plan.json) instead of printing
                   multi-document YAML on stdout. Files of an earlier render that are no longer
                   produced are removed, only inside that profile's path. One line per tree
                   written goes to stdout.
  -o, --output F   yaml (default: multi-document YAML) or json (a v1 List of the objects). With
                   --out: what was written, as json or yaml, instead of the lines
  -q, --quiet      no warnings and no lines about the trees written; errors still print
  --check          self-check: validate what was rendered, before printing or writing it,
                   as \`netprofile validate\` does (upstream schemas and the CRDs' CEL rules);
                   any error and nothing is printed or written (exit 1). Costs the CEL
                   evaluator's load time, so it is not the default

Nothing is printed or written when any profile is rejected: its findings go to stderr and the
exit code is 1.

Exit codes: 0 rendered, 1 a profile was rejected (error findings), 2 usage or I/O error.
`;

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [
    { name: 'nodes', value: true },
    { name: 'target', short: 't', value: true, choices: TARGETS },
    { name: 'out', value: true },
    outputFlag(['yaml', 'json']),
    QUIET_FLAG,
    { name: 'check' },
  ];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat<'yaml' | 'json'>(args, 'yaml', ['yaml', 'json']);
  const quiet = isQuiet(args);
  if (args.positionals.length === 0) throw new UsageError('render needs at least one PROFILE file');
  const nodes = stringFlag(args, 'nodes');
  if (nodes === '-' && args.positionals.includes('-')) throw new UsageError('the profiles and --nodes cannot both be stdin');
  if (args.positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin ("-") can be given once');
  const target = stringFlag(args, 'target') as Target | undefined;
  const out = stringFlag(args, 'out');

  const loaded = loadProfiles(args.positionals, { nodes, planOptions: { checkCiliumValues: ciliumValuesChecker() } });
  // Every profile's findings first; any error rejects the whole run (nothing written).
  let rejected = false;
  const plans: Plan[] = [];
  for (const p of loaded) {
    const findings = p.plan ? p.plan.findings : p.findings;
    for (const f of findings) if (!quiet || f.severity === 'error' || !p.plan) process.stderr.write(formatFinding(f, p.file) + '\n');
    if (!p.plan || hasErrors(findings)) { rejected = true; continue; }
    plans.push(p.plan);
  }
  if (rejected) {
    process.stderr.write(`netprofile render: ${loaded.filter((p) => !p.plan || hasErrors(p.plan.findings)).map((p) => p.name).join(', ')} rejected; nothing was ${out ? 'written' : 'printed'}.\n`);
    return 1;
  }

  if (!out) {
    if (args.flags.check && !(await selfCheck([{ file: '<rendered>', text: renderStream(plans, target) }]))) return 1;
    if (format === 'json') process.stdout.write(formatData({ apiVersion: 'v1', kind: 'List', items: plans.flatMap((p) => renderObjects(p, target ?? p.gitops.engine)) }, 'json'));
    else process.stdout.write(renderStream(plans, target));
    return 0;
  }

  // Render everything in memory first; only then touch the disk.
  const trees = plans.map((p) => renderTree(p, target ?? p.gitops.engine));
  if (args.flags.check && !(await selfCheck((await import('../self-check.js')).manifestFiles(trees)))) return 1;
  const seen = new Map<string, string>();
  for (const t of trees) {
    checkTreePath(t.path, t.profile);
    const other = seen.get(t.path);
    if (other) throw new UsageError(`profiles ${other} and ${t.profile} both render to ${t.path}; give them different spec.gitops.path values`);
    for (const [p, prof] of seen) {
      if (p.startsWith(`${t.path}/`) || t.path.startsWith(`${p}/`)) throw new UsageError(`profiles ${prof} and ${t.profile} render to nested paths ${p} and ${t.path}; give them separate spec.gitops.path values`);
    }
    seen.set(t.path, t.profile);
  }
  for (const t of trees) writeTree(out, t);
  if (args.flags.output !== undefined) {
    process.stdout.write(formatData({ trees: trees.map((t) => ({ profile: t.profile, path: join(out, t.path), target: t.target, files: Object.keys(t.files) })) }, format));
  } else if (!quiet) {
    for (const t of trees) process.stdout.write(`netprofile render: ${t.profile} → ${join(out, t.path)} (${Object.keys(t.files).length} files, target ${t.target})\n`);
  }
  return 0;
}

function checkTreePath(path: string, profile: string): void {
  const parts = path.split('/');
  if (isAbsolute(path) || path === '' || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw Object.assign(new Error(`profile ${profile}: spec.gitops.path "${path}" must be a relative path inside the output directory (no "..", no leading "/")`), { userError: true, exitCode: 1 });
  }
}

/**
 * Writes a tree under out/<path>: every file is written to a temporary name and renamed over the
 * old one, then files of an earlier render that are no longer produced are removed (inside the
 * tree's path only), and empty directories with them.
 */
function writeTree(out: string, tree: RenderedTree): void {
  const base = resolve(out, tree.path);
  mkdirSync(base, { recursive: true });
  // The tree must not lead outside DIR through a symlink.
  const realOut = realpathSync(resolve(out));
  const realBase = realpathSync(base);
  const rel = relative(realOut, realBase);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw Object.assign(new Error(`${base} resolves to ${realBase}, outside ${realOut}; refusing to write there`), { userError: true, exitCode: 2 });
  }
  for (const [file, content] of Object.entries(tree.files)) {
    const target = join(base, file);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.netprofile-tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, target);
  }
  const keep = new Set(Object.keys(tree.files).map((f) => join(base, f)));
  removeStale(base, keep);
}

function removeStale(dir: string, keep: Set<string>): boolean {
  let empty = true;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = lstatSync(full);
    if (st.isDirectory()) {
      if (removeStale(full, keep)) rmdirSync(full);
      else empty = false;
    } else if (!keep.has(full)) {
      rmSync(full, { force: true });
    } else {
      empty = false;
    }
  }
  return empty;
}

/** --check: the rendered files through validate's checks (cli/self-check.ts, loaded only here). */
async function selfCheck(files: { file: string; text: string }[]): Promise<boolean> {
  const { checkRendered } = await import('../self-check.js');
  const { formatProblem } = await import('../../generators/validate/validate.js');
  const errors = (await checkRendered(files)).filter((p) => p.severity === 'error');
  for (const p of errors) process.stderr.write(`${formatProblem(p)}\n`);
  if (errors.length) process.stderr.write(`netprofile render: the self-check found ${errors.length} error${errors.length === 1 ? '' : 's'} in what was rendered (the API server would refuse it); nothing was printed or written. Please report this as a netprofile bug.\n`);
  return errors.length === 0;
}
