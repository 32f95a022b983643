// A fresh clone in an empty folder is all a user has: no test, script or document may read outside
// the repository, and the test runner runs every suite file even when one of them cannot.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync, cpSync, symlinkSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root, tempDir } from './helpers.js';

// ---------------------------------------------------------------------------------------------
const scan = suite('nothing reads outside the repository');

/** Folders and files whose content runs or tells a user what to run. */
const SCANNED = ['test', 'scripts', 'bench', '.ci', 'bin', 'cli', 'gitops', 'operator', 'kustomize', 'examples', 'docs', 'README.md', 'package.json'];
const TEXT = /\.(ts|mjs|js|cjs|json|ya?ml|md|sh|dot|txt)$|^(run|netprofile|Dockerfile)$/;
/**
 * The sibling folder the developers' design notes live in. Spelled from parts so that this guard
 * itself names no path outside the repository.
 */
const SIBLING = ['sh', 'ared'].join('');
/** What a path outside the repository looks like in this project's history. */
const OUTSIDE: [RegExp, string][] = [
  [new RegExp(`\\.\\./${SIBLING}\\b`), `'../${SIBLING}' (a sibling folder a fresh clone does not have)`],
  [new RegExp(`/work/(${SIBLING}|main|wt)\\b`), 'an absolute path on the developers\' machine'],
  [new RegExp(`['"]${SIBLING}['"]\\s*,\\s*['"](fixtures|schemas|design)['"]`), `join(..., '${SIBLING}', ...) (a sibling folder)`],
  [/\broot\s*,\s*['"]\.\.['"]/, "join(root, '..') (the folder above the repository)"],
];

function walk(path: string, out: string[]): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return out;
  if (st.isFile()) { out.push(path); return out; }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name === '.git') continue;
    walk(join(path, name), out);
  }
  return out;
}

/** Every line of the scanned files that names a path outside the repository. */
function outsideReads(base: string): string[] {
  const hits: string[] = [];
  for (const top of SCANNED) {
    for (const file of walk(join(base, top), [])) {
      const name = file.split('/').pop()!;
      if (!TEXT.test(name)) continue;
      const rel = relative(base, file);
      // This file spells the patterns out.
      if (rel === 'test/self-contained.test.ts') continue;
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const [re, what] of OUTSIDE) if (re.test(line)) hits.push(`${rel}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
      });
    }
  }
  return hits;
}

scan('no test, script, example or document names the sibling folder, /work/… or the folder above the repository', () => {
  const hits = outsideReads(root);
  assert.equal(hits, [], `copy what you need into the repository (test/fixtures/, schemas/) and read it from there:\n${hits.join('\n')}`);
});

scan('the scan finds such a path (it can fail)', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.path, 'test'));
    writeFileSync(join(t.path, 'test', 'x.test.ts'), `const f = join(root, '..', '${SIBLING}', 'fixtures', 'nodes');\nconst g = '../${SIBLING}/schemas/x.yaml';\n`);
    assert.equal(outsideReads(t.path).length, 3);
  } finally { t.cleanup(); }
});

scan('the schema sources, the Node fixtures and their provenance are in the repository', () => {
  const sources = readFileSync(join(root, 'schemas', 'SOURCES.md'), 'utf8');
  // Every upstream file the bundle script names has its provenance line and is present.
  const script = readFileSync(join(root, 'scripts', 'bundle-schemas.mjs'), 'utf8');
  const named = [...script.matchAll(/'((?:metallb|spiderpool|flux|argocd|purelb)\/[^']+\.ya?ml)'/g)].map((m) => m[1]);
  assert.ok(named.length >= 15, 'the bundle script names its CRD files');
  for (const f of named) {
    assert.ok(existsSync(join(root, 'schemas', f)), `schemas/${f} is missing`);
    assert.ok(sources.includes(`- ${f} |`), `schemas/SOURCES.md has no provenance line for ${f}`);
  }
  const nodes = readdirSync(join(root, 'test', 'fixtures', 'nodes'));
  for (const f of ['aws-eks.yaml', 'gke.yaml', 'alibaba-ecs-kubeadm.yaml', 'baremetal-kubeadm.yaml', 'k3s-homelab.yaml']) assert.ok(nodes.includes(f), f);
  const readme = readFileSync(join(root, 'test', 'fixtures', 'README.md'), 'utf8');
  for (const f of nodes) assert.ok(readme.includes(f), `test/fixtures/README.md does not describe nodes/${f}`);
});

scan('a copy of the repository with nothing beside it builds its schema bundle and runs a suite', () => {
  const t = tempDir('netprofile-alone-');
  try {
    // <tmp>/alone/netprofile: the folder above holds nothing else, so no sibling folder can resolve.
    const copy = join(t.path, 'alone', 'netprofile');
    mkdirSync(copy, { recursive: true });
    for (const name of readdirSync(root)) {
      if (name === 'node_modules' || name === 'dist' || name === '.git' || name.startsWith('.tmp')) continue;
      cpSync(join(root, name), join(copy, name), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const bundle = spawnSync(process.execPath, ['scripts/bundle-schemas.mjs', '--out', join(t.path, 'bundle')], { cwd: copy, encoding: 'utf8' });
    assert.is(bundle.status, 0, bundle.stderr);
    assert.ok(readFileSync(join(t.path, 'bundle', 'bundle.json'), 'utf8') === readFileSync(join(root, 'generators', 'schemas', 'bundle.json'), 'utf8'),
      'the bundle made from the copy differs from the committed one');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy, encoding: 'utf8' });
    assert.is(build.status, 0, build.stderr);
    const run = spawnSync(process.execPath, ['scripts/test.mjs', 'detect'], { cwd: copy, encoding: 'utf8', timeout: 300_000 });
    assert.is(run.status, 0, run.stdout.slice(-2000) + run.stderr.slice(-2000));
    assert.match(run.stdout, /\n[1-9]\d* passed, 0 failed\n/);
  } finally { t.cleanup(); }
});

scan.run();

// ---------------------------------------------------------------------------------------------
const runner = suite('scripts/test.mjs runs every suite file and counts tests');

runner('a crashing after hook and a failing before hook fail their own file only; the closing line counts tests', () => {
  const t = tempDir('netprofile-runner-');
  try {
    const dir = join(t.path, 'suites');
    mkdirSync(dir);
    const helper = join(root, 'dist', 'test', 'gitserver.js');
    writeFileSync(join(dir, 'a-passes.test.js'), "import { suite } from 'uvu';\nconst s = suite('passes'); s('one', () => {}); s('two', () => {}); s.run();\n");
    // The defect of the ssh suite without sshd: before() throws, after() reads the missing server.
    writeFileSync(join(dir, 'b-crashes.test.js'), "import { suite } from 'uvu';\nconst s = suite('crashes'); let server; s.before(() => { throw new Error('sshd is missing'); }); s.after(() => server.close()); s('x', () => {}); s.run();\n");
    writeFileSync(join(dir, 'c-before-fails.test.js'), "import { suite } from 'uvu';\nconst s = suite('before fails'); s.before(() => { throw new Error('no port'); }); s('x', () => {}); s('y', () => {}); s.run();\n");
    // The fix used by the suites with servers: suiteServer() fails each test of that suite alone.
    writeFileSync(join(dir, 'd-server.test.js'), `import { suite } from 'uvu';\nimport { suiteServer } from ${JSON.stringify(helper)};\n` +
      "const s = suite('server down'); const get = suiteServer(s, 'the test sshd', async () => { throw new Error('/nonexistent/sshd is missing'); });\n" +
      "s('uses it', () => { get(); }); s('uses it too', () => { get(); }); s.run();\n" +
      "const o = suite('other suite in the same file'); o('runs', () => {}); o.run();\n");
    writeFileSync(join(dir, 'e-passes.test.js'), "import { suite } from 'uvu';\nconst s = suite('after the others'); s('three', () => {}); s.run();\n");
    writeFileSync(join(t.path, 'package.json'), '{"type":"module"}\n');
    symlinkSync(join(root, 'node_modules'), join(t.path, 'node_modules'));
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, TEST_DIR: dir }, timeout: 60_000 });
    assert.is(r.status, 1);
    // a: 2, d: 1 (other suite), e: 1 passed; b: 1 (crash), c: 2 not run, d: 2 failed with the reason.
    assert.match(r.stdout, /\n4 passed, 5 failed\n$/);
    assert.match(r.stdout, /FAILED b-crashes\.test\.js: .*stopped before its tests finished.*Cannot read properties of undefined \(reading 'close'\)/);
    assert.match(r.stdout, /FAILED c-before-fails\.test\.js: 2 of 2 failed/);
    assert.match(r.stdout, /FAILED d-server\.test\.js: 2 of 3 failed/);
    assert.match(r.stdout, /the test sshd could not start, so this suite cannot run: \/nonexistent\/sshd is missing/);
    assert.not.match(r.stdout, /FAILED (a-passes|e-passes)/);
    assert.match(r.stdout, /after the others/, 'the file after the crash did not run');
  } finally { t.cleanup(); }
});

runner.run();
