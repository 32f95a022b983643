// The netprofile command line: dispatch to a command module, loaded on demand so that a fast
// command (fn, plan) never pays for a heavy one (operator imports @kubernetes/client-node).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, parseArgs, type FlagSpec } from './args.js';
import { InputError } from '../generators/api/parse.js';
import { outputFlag, outputFormat, formatData } from './output.js';
import { packageRoot } from './package-root.js';

export interface Command { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number>; usage?: string; flags?: FlagSpec[] }> }

export const COMMANDS: Record<string, Command> = {
  render: { summary: 'render manifests: multi-document YAML on stdout, or a tree per profile with --out', load: () => import('./commands/render.js') },
  plan: { summary: 'resolve every auto, print decisions and findings (text or JSON)', load: () => import('./commands/plan.js') },
  detect: { summary: 'detect the environment from a Node list, with evidence', load: () => import('./commands/detect.js') },
  rules: { summary: 'list every rule the planner checks: id, severity, one line', load: () => import('./commands/rules.js') },
  explain: { summary: 'explain one rule: why it exists, the fix and its source', load: () => import('./commands/explain.js') },
  validate: { summary: 'check manifests against the bundled upstream schemas', load: () => import('./commands/validate.js') },
  publish: { summary: 'render and commit the trees to a Git repository, push when remote', load: () => import('./commands/publish.js') },
  bootstrap: { summary: 'the one-time first install of the CNI (and CCM) on a new cluster, before Flux or Argo CD', load: () => import('./commands/bootstrap.js') },
  diff: { summary: 'show what publish would change, as a unified diff', load: () => import('./commands/diff.js') },
  schema: { summary: 'print the NetworkProfile JSON Schema (for editors: yaml-language-server)', load: () => import('./commands/schema.js') },
  fn: { summary: 'KRM function: ResourceList on stdin, ResourceList on stdout', load: () => import('../kustomize/fn.js') },
  plugin: { summary: 'kustomize exec plugin (plugin install [--home DIR]); Argo CD plugin (plugin argocd-generate / argocd-discover)', load: () => import('../kustomize/install.js') },
  operator: { summary: 'run the in-cluster controller', load: () => import('../operator/main.js') },
  init: { summary: 'write a starting NetworkProfile from a Node list (netprofile init --nodes nodes.yaml)', load: () => import('./commands/init.js') },
  completion: { summary: 'print a shell completion script (bash, zsh or fish)', load: () => import('./commands/completion.js') },
  demo: { summary: 'the embedded default job run by `npm start`', load: () => import('./commands/demo.js') },
};

export const usage = `Usage: netprofile COMMAND [ARGS] [FLAGS]

One NetworkProfile in, correct Kubernetes networking manifests out: Cilium, MetalLB,
PureLB, cloud-controller-managers and Spiderpool, for Flux, Argo CD or plain kustomize.

Commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n')}
  help       show a command's help: netprofile help plan
  version    print netprofile's version

Flags every command shares:
  -h, --help       show the command's help
  -o, --output F   the output format (text, json or yaml, as the command's help lists); a folder
                   to write into is --out DIR
  -q, --quiet      print only the requested output and errors (no progress, success lines or
                   warnings)
      --version    print netprofile's version

Exit codes: 0 success, 1 a profile or manifest was rejected, 2 usage, I/O or environment error.
Run \`netprofile help COMMAND\` (or \`netprofile COMMAND --help\`) for a command's flags.
`;

/** The names `completion` offers and `help` accepts. */
export const COMMAND_NAMES = [...Object.keys(COMMANDS), 'help', 'version'];

export function commandSummaries(): [string, string][] {
  return [...Object.entries(COMMANDS).map(([n, c]): [string, string] => [n, c.summary]), ['help', "show a command's help"], ['version', "print netprofile's version"]];
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    if (!rest.length) { process.stdout.write(usage); return 0; }
    if (!COMMANDS[rest[0]] && rest[0] !== 'version') return unknownCommand(rest[0]);
    return run([rest[0], '--help']);
  }
  if (name === '--version' || name === 'version') return printVersion(rest);
  const command = COMMANDS[name];
  if (!command) return unknownCommand(name);
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (e) {
    return reportError(e, name);
  }
}

function unknownCommand(name: string): number {
  const shown = JSON.stringify(name.slice(0, 40)).slice(1, -1);
  const near = suggestCommand(name);
  process.stderr.write(`netprofile: unknown command "${shown}"${near ? `; did you mean \`netprofile ${near}\`?` : ''}\nRun \`netprofile --help\` for the commands.\n`);
  return 2;
}

/** The command a mistyped name most likely meant: a prefix, or a few edits away. */
export function suggestCommand(name: string): string | undefined {
  const n = name.toLowerCase();
  if (n.length >= 2) { const byPrefix = COMMAND_NAMES.filter((c) => c.startsWith(n)); if (byPrefix.length === 1) return byPrefix[0]; }
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of COMMAND_NAMES) {
    const d = editDistance(n, c);
    if (d <= Math.max(1, Math.floor(c.length / 3)) && d < bestD) { best = c; bestD = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
  }
  return d[a.length][b.length];
}

async function printVersion(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv, [outputFlag(['text', 'json', 'yaml'])]);
    if (args.help) { process.stdout.write('Usage: netprofile version [-o text|json|yaml]\n\nPrints the version of netprofile (and of Node.js with -o json|yaml).\n'); return 0; }
    if (args.positionals.length) throw new UsageError('version takes no arguments');
    const format = outputFormat(args, 'text');
    const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    if (format === 'text') process.stdout.write(`netprofile ${version}\n`);
    else process.stdout.write(formatData({ netprofile: version, node: process.versions.node, apiVersion: 'netprofile.io/v1alpha1' }, format));
    return 0;
  } catch (e) {
    return reportError(e, 'version');
  }
}

/** A Node.js file-system error (ENOENT, EACCES, ...) about a path the user gave. */
function fileError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code) || typeof err.syscall !== 'string') return undefined;
  const what: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'a part of the path is not a directory', ELOOP: 'too many symlinks', EPERM: 'operation not permitted' };
  return `${err.path ? `${err.path}: ` : ''}${what[err.code] ?? `cannot ${err.syscall} (${err.code})`}`;
}

/** User errors get one line and exit 2; anything else is a bug and keeps its stack. */
export function reportError(e: unknown, command: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`netprofile ${command}: ${e.message}\nRun \`netprofile help ${command}\` for usage.\n`);
    return 2;
  }
  if (e instanceof InputError) {
    process.stderr.write(`netprofile ${command}: ${e.message}\n`);
    return 2;
  }
  if ((e as { userError?: boolean })?.userError) {
    process.stderr.write(`netprofile ${command}: ${(e as Error).message}\n`);
    return typeof (e as { exitCode?: number }).exitCode === 'number' ? (e as { exitCode: number }).exitCode : 2;
  }
  const file = fileError(e);
  if (file) {
    process.stderr.write(`netprofile ${command}: ${file}\n`);
    return 2;
  }
  process.stderr.write(`netprofile ${command}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 2;
}
