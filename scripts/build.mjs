#!/usr/bin/env node
// Transpiles every TypeScript source to dist/ (one file per source, same layout) with esbuild.
// Type checking is `npm run typecheck` (tsc); esbuild only strips types, which keeps `npm ci` fast.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirs = ['generators', 'gitops', 'cli', 'operator', 'kustomize', 'test', 'bench'];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const entryPoints = sourceDirs.flatMap((d) => walk(join(root, d), []));
const outdir = join(root, 'dist');
// dist/ is not wiped: several builds may run at once (tests of different areas); esbuild overwrites.
if (process.env.CLEAN_DIST) rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  outbase: root,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Keep `with { type: 'json' }` on JSON imports: Node 20 refuses a JSON import without it.
  supported: { 'import-attributes': true },
  // generators/yaml/lib.ts calls require() only where one exists (a bundle); createRequire otherwise.
  logOverride: { 'unsupported-require-call': 'silent' },
});
// JSON data that the generators load at run time (bundled schemas) travels with the code.
for (const d of sourceDirs) {
  for (const file of walkJson(join(root, d), [])) {
    const dest = join(outdir, relative(root, file));
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(file, dest);
  }
}
function walkJson(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walkJson(full, out);
    // A package.json below a source folder only sets the module type there (kustomize/plugin/).
    else if (name.endsWith('.json') && name !== 'package.json') out.push(full);
  }
  return out;
}
// The plugin edges (fn, exec plugin, Argo CD generate) as one bundled file: start-up is their latency.
await import('./bundle-plugin.mjs');
await import('./bundle-cli.mjs');
// render, plan, detect, validate, fn, plugin: CommonJS bundles with a V8 code cache (bin/netprofile).
await import('./bundle-fast.mjs');
