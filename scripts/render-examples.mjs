#!/usr/bin/env node
// Renders every worked example for every target into examples/<name>/rendered/<target>/ (the
// golden trees test/render-examples.test.ts compares against). Run after `npm run build`:
//   node scripts/render-examples.mjs          write the trees
//   node scripts/render-examples.mjs --check  exit 1 when a checked-in tree differs
import { readdirSync, existsSync, readFileSync, writeFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadProfiles } = await import(join(root, 'dist/cli/load.js'));
const { renderTree, TARGETS } = await import(join(root, 'dist/generators/render.js'));
const { ciliumValuesChecker } = await import(join(root, 'dist/cli/values.js'));

const check = process.argv.includes('--check');
const examplesDir = join(root, 'examples');

/** Every example directory with a networkprofile.yaml (examples/rejected holds rejected ones). */
export function exampleNames() {
  return readdirSync(examplesDir).filter((n) => existsSync(join(examplesDir, n, 'networkprofile.yaml'))).sort();
}

function listFiles(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listFiles(full, base, out);
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out.sort();
}

let differences = 0;
for (const name of exampleNames()) {
  const [loaded] = loadProfiles([join(examplesDir, name, 'networkprofile.yaml')], { planOptions: { checkCiliumValues: ciliumValuesChecker() } });
  if (!loaded?.plan) throw new Error(`examples/${name}: the profile did not plan`);
  for (const target of TARGETS) {
    const tree = renderTree(loaded.plan, target);
    const dir = join(examplesDir, name, 'rendered', target);
    if (check) {
      const have = listFiles(dir);
      const want = Object.keys(tree.files);
      for (const f of new Set([...have, ...want])) {
        const a = have.includes(f) ? readFileSync(join(dir, f), 'utf8') : null;
        if (a !== (tree.files[f] ?? null)) { differences++; console.log(`differs: examples/${name}/rendered/${target}/${f}`); }
      }
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    for (const [file, content] of Object.entries(tree.files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    console.log(`examples/${name}/rendered/${target}: ${Object.keys(tree.files).length} files`);
  }
}
if (check) {
  console.log(differences ? `${differences} file(s) differ; run node scripts/render-examples.mjs` : 'all rendered examples are current');
  process.exit(differences ? 1 : 0);
}
