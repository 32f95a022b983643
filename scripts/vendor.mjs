// The `yaml` and `handlebars` libraries as one-file CommonJS bundles in dist/vendor/, which the
// command and plugin bundles require() only on first use (generators/yaml/lib.ts,
// generators/text/handlebars.ts). Kept out of the bundles' chunks, their ~225 KB of source is
// not read or parsed by V8 at every start — most commands never call either library (the YAML
// emitter and reader in generators/yaml/ handle everyday data). A static `import ... from 'yaml'`
// (publish, operator) still bundles the library into that command's own chunk.
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { commonJsBundle, nodeBundle } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VENDORED = ['yaml', 'handlebars'];
// The CEL engine (validate, render --check) likewise: one file for @bufbuild/cel and its
// extensions, which share the library's core (generators/validate/cel.ts reads __netprofileExt).
const CEL = { name: 'cel', contents: "module.exports = Object.assign({}, require('@bufbuild/cel'), { __netprofileExt: require('@bufbuild/cel/ext') });", packages: ['@bufbuild/cel', '@bufbuild/cel/ext'] };
export const vendorDir = join(root, 'dist', 'vendor');
// The operator's Kubernetes client as one ES module: operator/client-node.ts names the parts of
// @kubernetes/client-node it uses, and esbuild keeps only those (and what they reach). The
// package's own entry builds every generated API group (about 75 MiB of a process at start).
// keepNames: the client's dependencies read constructor names (node-fetch's isAbortSignal).
const CLIENT_NODE = { entry: join(root, 'operator', 'client-node.ts'), out: join(vendorDir, 'client-node.mjs') };

/**
 * Builds dist/vendor/NAME.cjs for each vendored library. Each file is written whole and renamed
 * into place (and left alone when unchanged): commands of a parallel test run may be reading it.
 */
export async function buildVendor() {
  mkdirSync(vendorDir, { recursive: true });
  const entries = [...VENDORED.map((name) => ({ name, contents: `module.exports = require(${JSON.stringify(name)});` })), CEL];
  const clientNode = build({
    entryPoints: [CLIENT_NODE.entry],
    outfile: CLIENT_NODE.out,
    ...nodeBundle,
    format: 'esm',
    write: false,
    keepNames: true,
    // CommonJS dependencies (node-fetch, ws, form-data) call require() for built-ins.
    banner: { js: "import { createRequire as __netprofileRequire } from 'node:module'; const require = __netprofileRequire(import.meta.url);" },
  });
  const results = await Promise.all([...entries.map(({ name, contents }) => build({
    // `module.exports = require(...)` of the package entry: one file, the library's own exports.
    stdin: { contents, resolveDir: root, sourcefile: `vendor-${name}.cjs`, loader: 'js' },
    outfile: join(vendorDir, `${name}.cjs`),
    ...commonJsBundle,
  })), clientNode]);
  for (const r of results) {
    const { path, text } = r.outputFiles[0];
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(`${path}.${process.pid}`, text);
    renameSync(`${path}.${process.pid}`, path);
  }
}

/**
 * esbuild plugin (the command bundle): operator/kube.ts's import of ./client-node.js becomes an
 * import of ../vendor/client-node.mjs, resolved at run time beside the bundle (dist/bundle/).
 */
export const vendorClientNode = {
  name: 'netprofile-vendor-client-node',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-node\.js$/ }, (a) =>
      /[\\/]operator[\\/]kube\.ts$/.test(a.importer) ? { path: '../vendor/client-node.mjs', external: true } : undefined);
  },
};

/**
 * esbuild plugin: a require() of a vendored library becomes a require() of ../vendor/NAME.cjs,
 * resolved at run time beside the bundle (dist/bundle/ and dist/kustomize/ are both one level
 * below dist/). Static imports are left to esbuild.
 */
export const vendorRequires = {
  name: 'netprofile-vendor-requires',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${VENDORED.join('|')})$`) }, (a) =>
      a.kind === 'require-call' ? { path: `../vendor/${a.path}.cjs`, external: true } : undefined);
    b.onResolve({ filter: /^@bufbuild\/cel(\/ext)?$/ }, (a) =>
      a.kind === 'require-call' ? { path: `../vendor/${CEL.name}.cjs`, external: true } : undefined);
  },
};
