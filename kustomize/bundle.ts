// Entry of the one-file plugin bundle (dist/kustomize/netprofile-fn.mjs, scripts/bundle-plugin.mjs):
// only the plugin edges, so a kustomize build or an Argo CD refresh loads one file, not the ~40
// modules of dist/. The kustomize plugin shim calls runPlugin; bin/netprofile may hand the `fn`
// and `plugin` commands to runCommand (same behaviour as through cli/main.ts, faster start).
import { UsageError } from '../cli/args.js';
import { InputError } from '../generators/api/parse.js';
import { run as runFn } from './fn.js';
import { run as runPluginGroup } from './install.js';

export { runPlugin } from './fn.js';
export { argoGenerate, argoDiscover } from './argocd.js';

/** `netprofile fn ...` / `netprofile plugin ...`, with cli/main.ts's error reporting. */
export async function runCommand(name: 'fn' | 'plugin', argv: string[]): Promise<number> {
  try {
    return await (name === 'fn' ? runFn(argv) : runPluginGroup(argv));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`netprofile ${name}: ${e.message}\nRun \`netprofile ${name} --help\` for usage.\n`);
      return 2;
    }
    if (e instanceof InputError || (e as { userError?: boolean })?.userError) {
      process.stderr.write(`netprofile ${name}: ${(e as Error).message}\n`);
      const code = (e as { exitCode?: number }).exitCode;
      return typeof code === 'number' ? code : 2;
    }
    process.stderr.write(`netprofile ${name}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}
