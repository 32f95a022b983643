#!/usr/bin/env node
// `npm run bench`: every benchmark, each printing ratios (never thresholds).
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const script of [join(root, 'dist/bench/render.js'), join(root, 'bench/startup.mjs')]) {
  console.log(`\n== ${script.slice(root.length + 1)}`);
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
