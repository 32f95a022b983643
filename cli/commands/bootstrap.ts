// netprofile bootstrap PROFILE [--nodes F] [--target T] [--write DIR]
// The one-time first install of the CNI (and the CCM) on a new cluster, before Flux or Argo CD
// can run there: the same release, namespace, chart version and values as the GitOps objects of
// `render`, so the engine adopts the release afterwards. Thin edge: load and plan (cli/load.ts),
// build the script (generators/targets/delivery.ts), print or write.
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, stringFlag, UsageError } from '../args.js';
import { loadProfiles } from '../load.js';
import { formatFinding, hasErrors } from '../../generators/api/findings.js';
import { renderComponents } from '../../generators/components/index.js';
import { renderBootstrap } from '../../generators/targets/delivery.js';
import { TARGETS, type Target } from '../../generators/render.js';
import { ciliumValuesChecker } from '../values.js';

export const usage = `Usage: netprofile bootstrap PROFILE [--nodes FILE|-] [--target flux|argocd|plain] [--write DIR]

Prints the one-time first install of the network of a new cluster: \`helm upgrade --install\`
of the CNI (Cilium), then of the cloud-controller-manager when the profile has one, with the
same release name, namespace, chart repository, version and values as the HelmRelease (flux)
or Application (argocd) that \`render\` and \`publish\` produce. Flux's and Argo CD's own
controllers cannot run on a cluster without a CNI; run this once, before \`flux bootstrap\`
or before installing Argo CD, and the engine adopts the release afterwards. With
kubeProxy: none the values carry k8sServiceHost/k8sServicePort: that address must answer
from every node.

  PROFILE          a file holding one NetworkProfile ("-" for stdin)
  --nodes FILE     a Node list to detect the environment from ("-" reads stdin).
                   Default: the profile's spec.environment.factsFrom
  --target T       flux, argocd or plain (default: spec.gitops.engine); must be the target
                   the tree is rendered for
  --write DIR      write DIR/bootstrap.sh and one values file per chart beside it instead of
                   printing; DIR is created when missing, files are replaced whole (written
                   to a temporary name and renamed), nothing is written outside DIR

Without --write the script goes to stdout, the values inline (quoted heredocs, nothing in
them is expanded by the shell): \`netprofile bootstrap profile.yaml | sh\`.

Exit codes: 0 printed or written (also when there is nothing to install first: the
message says so), 1 the profile was rejected (error findings), 2 usage or I/O error.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'nodes', value: true },
    { name: 'target', short: 't', value: true, choices: TARGETS },
    { name: 'write', value: true },
  ]);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length !== 1) throw new UsageError('bootstrap takes exactly one PROFILE file');
  const nodes = stringFlag(args, 'nodes');
  if (nodes === '-' && args.positionals[0] === '-') throw new UsageError('the profile and --nodes cannot both be stdin');
  const write = stringFlag(args, 'write');
  if (write === '') throw new UsageError('--write needs a directory');
  const loaded = loadProfiles(args.positionals, { nodes, planOptions: { checkCiliumValues: ciliumValuesChecker() } });
  if (loaded.length !== 1) throw new UsageError(`${args.positionals[0]} holds ${loaded.length} NetworkProfiles; bootstrap takes one cluster's profile`);
  const [p] = loaded;
  const findings = p.plan ? p.plan.findings : p.findings;
  for (const f of findings) process.stderr.write(formatFinding(f, p.file) + '\n');
  if (!p.plan || hasErrors(findings)) {
    process.stderr.write(`netprofile bootstrap: ${p.name} rejected; nothing was ${write ? 'written' : 'printed'}.\n`);
    return 1;
  }
  const plan = p.plan;
  const target = (stringFlag(args, 'target') as Target | undefined) ?? plan.gitops.engine;
  const rendered = renderBootstrap(plan, renderComponents(plan), target);
  if (!rendered) {
    process.stderr.write(`netprofile bootstrap: ${p.name} installs no CNI and no cloud-controller-manager (spec.cni.provider none, no cloud CCM); nothing to install before the GitOps engine.\n`);
    return 0;
  }
  if (!write) {
    process.stdout.write(rendered.inline);
    return 0;
  }
  const dir = resolve(write);
  writeFilesAtomically(dir, rendered.files);
  chmodSync(join(dir, 'bootstrap.sh'), 0o755);
  process.stdout.write(`Wrote ${Object.keys(rendered.files).map((f) => join(dir, f)).join(', ')}\nRun once against the new cluster: sh ${join(dir, 'bootstrap.sh')}\n`);
  return 0;
}

const ioError = (message: string) => Object.assign(new Error(message), { userError: true, exitCode: 2 });

/**
 * Writes every file to a fresh temporary name in DIR (O_EXCL: never through a planted symlink),
 * then renames them over the targets; on any failure the temporaries are removed and the old
 * files stay. File names are netprofile's own (bootstrap.sh, <chart id>.values.yaml): no path
 * from the input reaches the file system.
 */
function writeFilesAtomically(dir: string, files: Record<string, string>): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(`--write ${dir}: cannot create the directory (${(e as Error).message})`);
  }
  if (!lstatSync(dir).isDirectory()) throw ioError(`--write ${dir} is not a directory (a symlink or a file); give a directory`);
  for (const name of Object.keys(files)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`internal: bootstrap file name ${JSON.stringify(name)}`);
    let st;
    try { st = lstatSync(join(dir, name)); } catch { continue; }
    if (!st.isFile()) throw ioError(`--write ${dir}: ${name} exists and is not a regular file; move it away`);
  }
  const temps: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.netprofile-${process.pid}`);
      const fd = openSync(tmp, 'wx', name.endsWith('.sh') ? 0o755 : 0o644);
      temps.push([tmp, join(dir, name)]);
      try { writeSync(fd, content); } finally { closeSync(fd); }
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw ioError(`--write ${dir}: ${(e as Error).message}; nothing was written`);
  }
  for (const [tmp, final] of temps) renameSync(tmp, final);
}
