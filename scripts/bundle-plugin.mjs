#!/usr/bin/env node
// Bundles the plugin edges (kustomize/bundle.ts: KRM function, exec plugin, Argo CD CMP) into one
// ES module, dist/netprofile-fn.mjs. Start-up is the plugin's latency: one file parses faster than
// the ~30 modules of dist/, and nothing outside the render path (never @kubernetes/client-node)
// is in it. The kustomize plugin shim prefers this file and falls back to dist/.
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'kustomize', 'bundle.ts')],
  outfile: join(root, 'dist', 'netprofile-fn.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // CommonJS dependencies (yaml's node build) call require() for built-ins; give them one.
  banner: { js: "import { createRequire as __netprofileRequire } from 'node:module'; const require = __netprofileRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((p) => p.includes('@kubernetes/client-node') || p.includes('simple-git') || p.includes('prom-client'));
if (forbidden.length) {
  console.error(`bundle-plugin: the plugin bundle must not contain ${forbidden.join(', ')}`);
  process.exit(1);
}
