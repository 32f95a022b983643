#!/usr/bin/env node
// Writes operator/deploy/crd.yaml from the schema source (through dist/, so build first).
// Usage: node scripts/gen-crd.mjs [--check]   (--check: exit 1 when the file is out of date)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { crdYAML } = await import(join(root, 'dist/operator/crd.js'));
const file = join(root, 'operator/deploy/crd.yaml');
const text = crdYAML();
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('operator/deploy/crd.yaml is out of date with the schema; run `npm run build && node scripts/gen-crd.mjs`\n');
    process.exit(1);
  }
  process.stdout.write('operator/deploy/crd.yaml is up to date\n');
} else {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
