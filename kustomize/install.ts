// `netprofile plugin`: the plugin edges' command group.
//   plugin install [--home DIR] [--force]  installs the kustomize exec plugin shim
//   plugin argocd-generate | argocd-discover  the Argo CD CMP commands (kustomize/argocd.ts)
// The shim is a few lines of JavaScript that run this installation's bin/start.js: the CommonJS
// bundle dist/fast/fn.cjs with its code cache (scripts/bundle-fast.mjs), else the ES-module
// bundle dist/kustomize/netprofile-fn.mjs (scripts/bundle-plugin.mjs), else dist/.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { homedir } from 'node:os';
import { parseArgs, stringFlag, UsageError } from '../cli/args.js';
import { packageRoot } from '../cli/package-root.js';
import { argoDiscover, argoGenerate, usage as argoUsage } from './argocd.js';

/** Where kustomize looks for netprofile.io/v1alpha1 NetworkProfile (group/version/lowercased kind/Kind). */
export const PLUGIN_PATH = ['netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile'] as const;
const SHIM_MARKER = 'installed by `netprofile plugin install`';

export const usage = `Usage: netprofile plugin install [--home DIR] [--force]
       netprofile plugin argocd-generate
       netprofile plugin argocd-discover

install    writes the kustomize exec plugin for kind NetworkProfile to
           DIR/netprofile.io/v1alpha1/networkprofile/NetworkProfile, so that
           \`kubectl kustomize --enable-alpha-plugins\` (and kustomize) run netprofile for a
           NetworkProfile listed under generators:. The same file is a KRM exec function
           (\`kustomize build --enable-alpha-plugins --enable-exec\`).
           DIR: --home, else $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin,
           else ~/.config/kustomize/plugin (kustomize's own search order).
           An existing file that netprofile did not write is kept unless --force.

argocd-generate, argocd-discover: the Argo CD Config Management Plugin commands; see
\`netprofile plugin argocd-generate --help\`.

Exit codes: 0 done, 1 rejected, 2 usage or I/O error.
`;

/** kustomize's plugin home search (api/konfig/plugins.go), for where a user's kustomize will look. */
export function defaultPluginHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUSTOMIZE_PLUGIN_HOME) return env.KUSTOMIZE_PLUGIN_HOME;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'kustomize', 'plugin');
  return join(env.HOME || homedir(), '.config', 'kustomize', 'plugin');
}

/** The repository / package root of this installation (found from this module, bundled or not). */
export function installationRoot(): string {
  return packageRoot();
}

/**
 * The shim text for an installation at `root`. It runs ROOT/bin/start.js (runPlugin): the
 * CommonJS bundle dist/fast/fn.cjs with its V8 code cache, as `netprofile fn` does, so the plugin
 * starts without Node's ES-module loader. A plugin home outside any package runs the file as
 * CommonJS (require); below a package.json with "type": "module" it is an ES module, where
 * only import() exists: then require comes from node:module's createRequire.
 */
export function shimText(root: string): string {
  const start = join(root, 'bin', 'start.js');
  return `#!/usr/bin/env node
// netprofile kustomize plugin for netprofile.io/v1alpha1 NetworkProfile, ${SHIM_MARKER}.
// With one argument (the config file) it is a legacy exec plugin; with none, a KRM function.
// It starts netprofile's CommonJS plugin bundle through bin/start.js (as \`netprofile fn\` does).
const from = ${JSON.stringify(root)};
const start = ${JSON.stringify(start)};
new Promise((ok) => ok(typeof require === 'function' ? require(start) : import('node:module').then((m) => m.createRequire(start)(start))))
  .then((m) => m.runPlugin(process.argv.slice(2)))
  .then((code) => { process.exitCode = code; }, (e) => { process.stderr.write('netprofile plugin: cannot start netprofile from ' + from + ' (reinstall with \`netprofile plugin install\`): ' + (e && e.message) + '\\n'); process.exitCode = 2; });
`;
}


export function installShim(home: string, root: string, force: boolean): { path: string; changed: boolean } {
  const path = join(home, ...PLUGIN_PATH);
  const text = shimText(root);
  if (existsSync(path)) {
    let current = '';
    try { current = readFileSync(path, 'utf8'); } catch { /* unreadable: treat as foreign */ }
    if (current === text) { chmodSync(path, 0o755); return { path, changed: false }; }
    if (!current.includes(SHIM_MARKER) && !force) {
      throw Object.assign(new Error(`${path} exists and was not written by netprofile; move it away or pass --force`), { userError: true, exitCode: 2 });
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  // Write next to it and rename: a kustomize build running now sees the old or the new shim, never half.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, path);
  return { path, changed: true };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') { process.stdout.write(usage); return sub ? 0 : 2; }
  if (sub === 'argocd-generate' || sub === 'argocd-discover') {
    const args = parseArgs(rest, []);
    if (args.help) { process.stdout.write(argoUsage); return 0; }
    if (args.positionals.length) throw new UsageError(`${sub} takes no arguments; it works on the current directory (the Argo CD application's path)`);
    const o = sub === 'argocd-generate' ? argoGenerate(process.cwd(), process.env) : argoDiscover(process.cwd());
    if (o.stderr) process.stderr.write(o.stderr);
    if (o.stdout) process.stdout.write(o.stdout);
    return o.code;
  }
  if (sub !== 'install') throw new UsageError(`unknown plugin subcommand "${sub.slice(0, 40)}"; use install, argocd-generate or argocd-discover`);
  const args = parseArgs(rest, [{ name: 'home', value: true }, { name: 'force' }]);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length) throw new UsageError('install takes no positional arguments');
  const home = resolve(stringFlag(args, 'home') ?? defaultPluginHome());
  const root = installationRoot();
  const { path, changed } = installShim(home, root, args.flags.force === true);
  const fast = join(root, 'dist', 'fast', 'fn.cjs');
  process.stdout.write(`${changed ? 'installed' : 'already installed'}: ${path}\n` +
    (existsSync(fast) ? '' : `note: ${fast} is missing (run \`npm run build\`); the plugin starts slower from the rest of dist/\n`) +
    `use: ${home === resolve(defaultPluginHome()) ? '' : `KUSTOMIZE_PLUGIN_HOME=${home} `}kubectl kustomize --enable-alpha-plugins DIR\n`);
  return 0;
}
