#!/usr/bin/env node
// The short-lived commands (render, plan, detect, validate; fn and plugin) as two CommonJS
// bundles with a V8 code cache beside each, in dist/fast/. A command's wall time is mostly
// start-up, and most of what it adds to bare Node is V8 parsing and compiling the bundle's
// functions; Node 20 has no module.enableCompileCache (22+), and ES modules cannot take cached
// data, so bin/start.js compiles these bundles itself with vm.Script and `cachedData` (for
// bin/netprofile and for the kustomize plugin shim).
//
//   dist/fast/cli.cjs     cli/main.ts for render, plan, detect, validate (and --help); the other
//                         commands are stubs here: bin/netprofile sends them to dist/bundle/
//   dist/fast/fn.cjs      kustomize/bundle.ts (runCommand: fn, plugin; runPlugin: the kustomize
//                         plugin shim, through bin/start.js)
//   dist/fast/*.cjs.cache the code cache: one header line (the build line that ends the bundle,
//                         a hash of its text, so a rebuilt bundle never meets an old cache),
//                         then V8's cached data
//
// The caches are written here, at build time, by running each bundle once on an example with
// NETPROFILE_CODE_CACHE_TRAIN=1 (bin/start.js then writes the functions V8 compiled during
// the run); nothing writes them at run time. A cache V8 rejects (another Node or V8 version,
// other V8 flags) only costs the speed-up: the bundle is compiled from source as usual.
import { build } from 'esbuild';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isBuiltin } from 'node:module';
import { spawnSync } from 'node:child_process';
import { vendorRequires } from './vendor.mjs';
import { commonJsBundle } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'fast');

/** Commands bin/netprofile runs from dist/fast/cli.cjs (keep in step with bin/netprofile). */
export const FAST_CLI_COMMANDS = ['render', 'plan', 'detect', 'validate'];

// Modules of the commands that do not run from dist/fast/cli.cjs: the operator (ES-module-only
// @kubernetes/client-node, which a CommonJS bundle could only require()), publish and diff
// (simple-git), demo, and fn/plugin (their own bundle). A stub fails loudly if reached.
const STUBBED = /[\\/](operator[\\/]main|cli[\\/]commands[\\/](publish|diff|demo)|kustomize[\\/](fn|install))\.(js|ts)$/;
const stub = (filter, what) => ({
  name: `netprofile-stub-${what}`,
  setup(b) {
    b.onResolve({ filter: /^\./ }, (a) => {
      const full = resolve(a.resolveDir, a.path);
      return !a.importer.includes('node_modules') && filter.test(full) ? { path: relative(root, full), namespace: `stub-${what}` } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: `stub-${what}` }, (a) => ({
      contents: `export function ${what === 'readme' ? 'renderReadme' : 'run'}() { throw new Error(${JSON.stringify(`netprofile: ${a.path} is not part of this bundle (bin/netprofile routes it elsewhere)`)}); }`,
      loader: 'js',
    }));
  },
});

// import.meta.url of the ES sources is the bundle's own file URL (data is found relative to it:
// dist/fast/../generators/schemas/bundle.json, like dist/cli/../generators/...).
const common = {
  ...commonJsBundle,
  external: ['@kubernetes/client-node', 'prom-client'],
  define: { 'import.meta.url': '__netprofile_url' },
  banner: { js: 'const __netprofile_url = require("node:url").pathToFileURL(__filename).href;' },
  metafile: true,
};

mkdirSync(outdir, { recursive: true });
const results = await Promise.all([
  build({ ...common, entryPoints: [join(root, 'cli', 'main.ts')], outfile: join(outdir, 'cli.cjs'), plugins: [stub(STUBBED, 'command'), vendorRequires] }),
  build({ ...common, entryPoints: [join(root, 'kustomize', 'bundle.ts')], outfile: join(outdir, 'fn.cjs'), plugins: [stub(/[\\/]readme[\\/]readme\.js$/, 'readme'), vendorRequires] }),
]);
// Neither bundle may pull in the heavy libraries (yaml and handlebars come from dist/vendor/
// through require() on first use) nor keep a dynamic import() (vm.Script would need a loader).
for (const r of results) {
  const [file, out] = Object.entries(r.metafile.outputs)[0];
  const heavy = Object.keys(out.inputs).filter((p) => /node_modules[\\/](handlebars|simple-git|yaml|@kubernetes)[\\/]/.test(p));
  const text = r.outputFiles[0].text;
  // What is left outside: Node built-ins and the vendored libraries only (a dynamic import()
  // would need a module loader that vm.Script does not have).
  const dynamic = (out.imports ?? []).filter((i) => i.kind === 'dynamic-import' || !(isBuiltin(i.path) || /^\.\.\/vendor\/[a-z]+\.cjs$/.test(i.path))).map((i) => `${i.kind} ${i.path}`);
  if (heavy.length || dynamic.length) {
    console.error(`bundle-fast: ${file} must not contain ${[...heavy, ...dynamic].join(', ')}`);
    process.exit(1);
  }
  // The build's name, which the cache's header must repeat (bin/netprofile loadFast). Written
  // whole and renamed into place: a command starting meanwhile sees the old or the new bundle.
  const path = r.outputFiles[0].path;
  writeFileSync(`${path}.${process.pid}`, `${text}\n//# netprofile-build ${createHash('sha256').update(text).digest('hex').slice(0, 32)}\n`);
  renameSync(`${path}.${process.pid}`, path);
}

// Train the code caches: one run of each bundle over an example profile (when the examples are
// there: a packed installation ships dist/ with its caches already built).
const example = join(root, 'examples', 'kustomize', 'bare-metal', 'networkprofile.yaml');
if (existsSync(example)) {
  const bin = join(root, 'bin', 'netprofile');
  const env = { ...process.env, NETPROFILE_CODE_CACHE_TRAIN: '1' };
  delete env.NODE_OPTIONS; // V8 rejects a cache made under other flags
  const profile = readFileSync(example, 'utf8');
  const resourceList = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${indent(profile)}functionConfig:\n${indent(profile, '  ', '  ')}`;
  // The kustomize plugin shim runs dist/fast/fn.cjs too (bin/start.js runPlugin); its legacy
  // exec plugin path (a config file argument) is trained through the shim itself.
  const shim = join(root, 'kustomize', 'plugin', 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');
  const runs = [
    { args: ['render', example] },
    { args: ['plan', example] },
    { args: ['validate', '--help'] },
    { args: ['fn'], input: resourceList },
    { entry: shim, args: [example] },
  ];
  for (const { entry = bin, args, input } of runs) {
    const r = spawnSync(process.execPath, [entry, ...args], { cwd: root, env, input: input ?? '', encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) {
      console.error(`bundle-fast: training run \`${relative(root, entry)} ${args.join(' ')}\` failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
      process.exit(1);
    }
  }
  for (const name of ['cli.cjs', 'fn.cjs']) {
    if (!existsSync(join(outdir, `${name}.cache`))) { console.error(`bundle-fast: no code cache was written for ${name}`); process.exit(1); }
  }
}

function indent(yaml, first = '  - ', rest = '    ') {
  return yaml.trimEnd().split('\n').map((l, i) => (i === 0 ? first : rest) + l).join('\n') + '\n';
}
