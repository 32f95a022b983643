#!/usr/bin/env node
// Bundles the plugin edges (kustomize/bundle.ts: KRM function, exec plugin, Argo CD CMP) into one
// ES module, dist/kustomize/netprofile-fn.mjs. Start-up is the plugin's latency: one file parses faster than
// the ~30 modules of dist/, and nothing outside the render path (never @kubernetes/client-node)
// is in it. The kustomize plugin shim prefers this file and falls back to dist/.
// It sits in dist/kustomize/ so that data files found relative to the module
// (cli/values.ts: new URL('../generators/schemas/bundle.json', import.meta.url)) resolve to
// dist/generators/..., as they do for the unbundled dist/cli/values.js.
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVendor, vendorRequires } from './vendor.mjs';
import { nodeBundle } from './esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The plugin edges render objects (renderObjects), never the output tree's README.md, whose
// module pulls in handlebars (~90 KB parsed at every start, about 6 ms). Swap it for a stub that
// fails loudly if a future render path ever reaches it (test/kustomize covers every target).
const withoutReadme = {
  name: 'netprofile-without-readme',
  setup(b) {
    b.onResolve({ filter: /[\\/]readme[\\/]readme\.js$/ }, (a) => ({ path: a.path, namespace: 'netprofile-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'netprofile-stub' }, () => ({
      contents: 'export function renderReadme() { throw new Error("netprofile: the output README is not part of the plugin bundle; use `netprofile render --out`"); }',
      loader: 'js',
    }));
  },
};
await buildVendor();
const result = await build({
  entryPoints: [join(root, 'kustomize', 'bundle.ts')],
  outfile: join(root, 'dist', 'kustomize', 'netprofile-fn.mjs'),
  ...nodeBundle,
  format: 'esm',
  // CommonJS dependencies (yaml's node build) call require() for built-ins; give them one.
  banner: { js: "import { createRequire as __netprofileRequire } from 'node:module'; const require = __netprofileRequire(import.meta.url);" },
  metafile: true,
  plugins: [withoutReadme, vendorRequires],
});
const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((p) => p.includes('@kubernetes/client-node') || p.includes('simple-git') || p.includes('prom-client') || p.includes('handlebars') || p.includes('@bufbuild'));
if (forbidden.length) {
  console.error(`bundle-plugin: the plugin bundle must not contain ${forbidden.join(', ')}`);
  process.exit(1);
}
