#!/usr/bin/env node
// Bundles the command line (cli/main.ts and every command it loads on demand) into
// dist/bundle/: one entry module plus one chunk per lazily loaded command, so `netprofile plan`
// parses a few files instead of the ~60 modules of dist/ and never the ones of other commands.
// The operator's dependencies are imported only by the operator's chunk: prom-client from
// node_modules, @kubernetes/client-node through dist/vendor/client-node.mjs (only the parts the
// operator uses, scripts/vendor.mjs). bin/netprofile prefers dist/bundle/main.mjs and falls
// back to dist/cli/main.js. Data found relative to a module (the schema bundle:
// new URL('../generators/schemas/bundle.json', import.meta.url)) resolves from dist/bundle/ as
// from dist/cli/; the installation root is found by cli/package-root.ts.
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { buildVendor, vendorClientNode, vendorRequires } from './vendor.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await buildVendor();
const result = await build({
  entryPoints: { main: join(root, 'cli', 'main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: !process.env.NETPROFILE_BUNDLE_DEBUG,
  legalComments: 'none',
  chunkNames: '[name]-[hash]',
  external: ['@kubernetes/client-node', 'prom-client'],
  // CommonJS dependencies (yaml's node build, handlebars) call require() for built-ins.
  banner: { js: "import { createRequire as __netprofileRequire } from 'node:module'; const require = __netprofileRequire(import.meta.url);" },
  supported: { 'import-attributes': true },
  plugins: [vendorClientNode, vendorRequires],
  metafile: true,
  logLevel: 'warning',
});
// The entry chunk is what every command parses first: it must not hold a command's heavy
// dependencies (they belong to the chunks of the commands that use them).
const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('cli/main.ts'));
const heavy = Object.keys(entry?.[1].inputs ?? {}).filter((p) => /node_modules[\\/](handlebars|simple-git|yaml|@bufbuild)[\\/]/.test(p));
if (!entry || heavy.length) {
  console.error(`bundle-cli: the entry chunk must not contain ${heavy.join(', ') || '(entry not found)'}`);
  process.exit(1);
}
