// Golden trees: examples/<name>/rendered/<target>/ (written by scripts/render-examples.mjs) equal
// what the renderer produces today, file for file and byte for byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { examples } from './helpers.js';
import { loadProfiles } from '../cli/load.js';
import { renderTree, TARGETS } from '../generators/render.js';
import { ciliumValuesChecker } from '../cli/values.js';

function listFiles(dir: string, base = dir, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listFiles(full, base, out);
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out.sort();
}

const names = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'networkprofile.yaml'))).sort();

for (const name of names) {
  test(`golden trees of examples/${name}`, () => {
    const [loaded] = loadProfiles([join(examples, name, 'networkprofile.yaml')], { planOptions: { checkCiliumValues: ciliumValuesChecker() } });
    assert.ok(loaded.plan, 'plans');
    for (const target of TARGETS) {
      const dir = join(examples, name, 'rendered', target);
      const tree = renderTree(loaded.plan!, target);
      assert.equal(listFiles(dir), Object.keys(tree.files), `${name}/${target}: the same files (run node scripts/render-examples.mjs after a deliberate change)`);
      for (const [f, content] of Object.entries(tree.files)) assert.fixture(readFileSync(join(dir, f), 'utf8'), content, `${name}/${target}/${f}`);
    }
  });
}

test.run();
