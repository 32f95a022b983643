// The netprofile command line: dispatch to a command module, loaded on demand so that a fast
// command (fn, plan) never pays for a heavy one (operator imports @kubernetes/client-node).
import { UsageError } from './args.js';
import { InputError } from '../generators/api/parse.js';

interface Command { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }

const COMMANDS: Record<string, Command> = {
  render: { summary: 'render manifests: multi-document YAML on stdout, or a tree per profile with --out', load: () => import('./commands/render.js') },
  plan: { summary: 'resolve every auto, print decisions and findings (text or JSON)', load: () => import('./commands/plan.js') },
  detect: { summary: 'detect the environment from a Node list, with evidence', load: () => import('./commands/detect.js') },
  validate: { summary: 'check manifests against the bundled upstream schemas', load: () => import('./commands/validate.js') },
  publish: { summary: 'render and commit the trees to a Git repository, push when remote', load: () => import('./commands/publish.js') },
  bootstrap: { summary: 'the one-time first install of the CNI (and CCM) on a new cluster, before Flux or Argo CD', load: () => import('./commands/bootstrap.js') },
  diff: { summary: 'show what publish would change, as a unified diff', load: () => import('./commands/diff.js') },
  schema: { summary: 'print the NetworkProfile JSON Schema (for editors: yaml-language-server)', load: () => import('./commands/schema.js') },
  fn: { summary: 'KRM function: ResourceList on stdin, ResourceList on stdout', load: () => import('../kustomize/fn.js') },
  plugin: { summary: 'kustomize exec plugin (plugin install [--home DIR]); Argo CD plugin (plugin argocd-generate / argocd-discover)', load: () => import('../kustomize/install.js') },
  operator: { summary: 'run the in-cluster controller', load: () => import('../operator/main.js') },
  demo: { summary: 'the embedded default job run by `npm start`', load: () => import('./commands/demo.js') },
};

export const usage = `Usage: netprofile COMMAND [ARGS] [--help]

One NetworkProfile in, correct Kubernetes networking manifests out: Cilium, MetalLB,
PureLB, cloud-controller-managers and Spiderpool, for Flux, Argo CD or plain kustomize.

Commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n')}

Exit codes: 0 success, 1 a profile or manifest was rejected, 2 usage, I/O or environment error.
Run \`netprofile COMMAND --help\` for a command's flags.
`;

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  if (name === '--version') { process.stdout.write('netprofile 0.1.0\n'); return 0; }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`netprofile: unknown command "${name.slice(0, 40)}"\n\n${usage}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (e) {
    return reportError(e, name);
  }
}

/** User errors get one line and exit 2; anything else is a bug and keeps its stack. */
export function reportError(e: unknown, command: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`netprofile ${command}: ${e.message}\nRun \`netprofile ${command} --help\` for usage.\n`);
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
  process.stderr.write(`netprofile ${command}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 2;
}
