// Start-up path (issue 15.2): bin/netprofile runs render, plan, detect, validate from
// dist/fast/cli.cjs and fn/plugin from dist/fast/fn.cjs, compiled with the V8 code cache that
// scripts/bundle-fast.mjs trained at build time; everything else runs from dist/bundle/.
// These tests check which path runs (NETPROFILE_STARTUP_TRACE), that every path prints the same
// bytes, and that a cache is only ever used with the build it was made for. No timings here:
// the speed is measured by `npm run bench`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, examples, cli, tempDir } from './helpers.js';

const TRACE = { NETPROFILE_STARTUP_TRACE: '1' };
const profile = join(examples, 'baremetal-cilium-l2', 'networkprofile.yaml');
const resourceList = (() => {
  const p = readFileSync(join(examples, 'kustomize', 'bare-metal', 'networkprofile.yaml'), 'utf8').trimEnd().split('\n');
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${p.map((l, i) => (i ? '    ' : '  - ') + l).join('\n')}\nfunctionConfig:\n${p.map((l) => '  ' + l).join('\n')}\n`;
})();

/** `run(argv)` of an ES-module entry, in a child process, as bin/netprofile's fallback does. */
function esm(entry: string, call: string, input = ''): { code: number | null; stdout: string; stderr: string } {
  const href = new URL(`file://${join(root, entry)}`).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(href)}); process.exitCode = await ${call};`], { cwd: root, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('render, plan, validate run from dist/fast/cli.cjs and fn from dist/fast/fn.cjs, with the code cache accepted', () => {
  for (const args of [['render', profile], ['plan', profile], ['validate', '--help'], ['--help']]) {
    const r = cli(args, { env: TRACE });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^netprofile: dist\/fast\/cli\.cjs, code cache accepted\n/, args.join(' '));
  }
  const fn = cli(['fn'], { env: TRACE, input: resourceList });
  assert.is(fn.code, 0, fn.stderr);
  assert.match(fn.stderr, /^netprofile: dist\/fast\/fn\.cjs, code cache accepted\n/);
  assert.match(fn.stdout, /kind: CiliumLoadBalancerIPPool/);
  // The operator, publish, diff and demo are not in the fast bundles.
  const publish = cli(['publish', '--help'], { env: TRACE });
  assert.is(publish.code, 0, publish.stderr);
  assert.not.match(publish.stderr, /dist\/fast/);
});

test('the fast bundles print the same bytes as the ES-module bundle and the unbundled code', () => {
  const rejected = join(examples, 'rejected');
  const rejectedProfile = existsSync(rejected) ? join(rejected, spawnSync('ls', [rejected], { encoding: 'utf8' }).stdout.split('\n').find((f) => f.endsWith('.yaml'))!) : profile;
  for (const args of [['render', profile], ['plan', profile], ['plan', '--json', profile], ['render', rejectedProfile], ['plan', rejectedProfile], ['render', '--no-such-flag']]) {
    const fast = cli(args);
    for (const entry of ['dist/bundle/main.mjs', 'dist/cli/main.js']) {
      const other = esm(entry, `m.run(${JSON.stringify(args)})`);
      assert.is(fast.stdout, other.stdout, `${args.join(' ')} stdout vs ${entry}`);
      assert.is(fast.stderr, other.stderr, `${args.join(' ')} stderr vs ${entry}`);
      assert.is(fast.code, other.code, `${args.join(' ')} exit vs ${entry}`);
    }
  }
  const fast = cli(['fn'], { input: resourceList });
  const other = esm('dist/kustomize/netprofile-fn.mjs', "m.runCommand('fn', [])", resourceList);
  assert.is(fast.stdout, other.stdout);
  assert.is(fast.code, other.code);
});

test('render, plan and fn of everyday profiles load neither the yaml nor the handlebars library', () => {
  const t = tempDir('netprofile-hook-');
  try {
    // Preloaded before bin/netprofile: reports every require() of a vendored library.
    const hook = join(t.path, 'hook.cjs');
    writeFileSync(hook, "const M = require('module'); const r = M.prototype.require; M.prototype.require = function (id) { if (/vendor|^yaml$|^handlebars$/.test(id)) process._rawDebug('loaded ' + id); return r.apply(this, arguments); };\n");
    const run = (args: string[], input = '') => spawnSync(process.execPath, ['-r', hook, join(root, 'bin', 'netprofile'), ...args], { cwd: root, input, encoding: 'utf8', timeout: 30_000 });
    for (const [args, input] of [[['render', profile]], [['plan', profile]], [['render', join(examples, 'alibaba-ccm', 'networkprofile.yaml')]], [['fn'], resourceList]] as [string[], string?][]) {
      const r = run(args, input);
      assert.is(r.status, 0, r.stderr);
      assert.not.match(r.stderr, /loaded/, args.join(' '));
    }
    // The hook does see a library when one is needed: a profile with an anchor is read by it.
    const anchored = join(t.path, 'anchored.yaml');
    writeFileSync(anchored, readFileSync(profile, 'utf8').replace('cluster:', 'cluster: &c'));
    assert.match(run(['plan', anchored]).stderr, /loaded \.\.\/vendor\/yaml\.cjs/);
  } finally { t.cleanup(); }
});

/** A copy of the installation's run-time files, to change them without touching dist/. */
function installationCopy(): { dir: string; cleanup(): void; run(args: string[], env?: Record<string, string>): { code: number | null; stdout: string; stderr: string } } {
  const t = tempDir('netprofile-startup-');
  for (const p of ['bin', 'package.json', 'dist/fast', 'dist/vendor', 'dist/bundle', 'dist/generators/schemas']) {
    mkdirSync(join(t.path, p, '..'), { recursive: true });
    cpSync(join(root, p), join(t.path, p), { recursive: true });
  }
  return {
    dir: t.path,
    cleanup: t.cleanup,
    run: (args, env = {}) => {
      const r = spawnSync(process.execPath, [join(t.path, 'bin', 'netprofile'), ...args], { cwd: t.path, encoding: 'utf8', env: { ...process.env, ...TRACE, ...env }, timeout: 30_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

test('a code cache is used only with the build it was made for', () => {
  const copy = installationCopy();
  try {
    const bundle = join(copy.dir, 'dist', 'fast', 'cli.cjs');
    const text = readFileSync(bundle, 'utf8');
    assert.match(text, /One NetworkProfile in,/);
    const before = copy.run(['--help']);
    assert.match(before.stderr, /code cache accepted/);
    // Same length, other text: V8 checks only the source length, its version and its flags, so
    // it would run the cached code of the old text. The build line tells them apart.
    const changed = text.replace('One NetworkProfile in,', 'One NetworkProfile IN,').replace(/\/\/# netprofile-build [0-9a-f]+/, (m) => m.slice(0, -4) + 'beef');
    assert.is(changed.length, text.length);
    writeFileSync(bundle, changed);
    const after = copy.run(['--help']);
    assert.is(after.code, 0, after.stderr);
    assert.match(after.stderr, /code cache stale/);
    assert.match(after.stdout, /One NetworkProfile IN,/);
  } finally { copy.cleanup(); }
});

test('without caches or without the fast bundle the command still runs; NETPROFILE_CODE_CACHE_TRAIN writes a cache that is then accepted', () => {
  const copy = installationCopy();
  try {
    const expected = cli(['render', profile]).stdout;
    const cache = join(copy.dir, 'dist', 'fast', 'cli.cjs.cache');
    rmSync(cache);
    const none = copy.run(['render', profile]);
    assert.match(none.stderr, /code cache none/);
    assert.is(none.stdout, expected);
    const trained = copy.run(['render', profile], { NETPROFILE_CODE_CACHE_TRAIN: '1' });
    assert.is(trained.stdout, expected);
    assert.ok(existsSync(cache), 'the training run wrote the cache');
    const next = copy.run(['render', profile]);
    assert.match(next.stderr, /code cache accepted/);
    assert.is(next.stdout, expected);
    // A cache V8 refuses (garbage after a matching header) is only a slower start.
    const header = readFileSync(cache).subarray(0, readFileSync(cache).indexOf(10) + 1);
    writeFileSync(cache, Buffer.concat([header, Buffer.from('not a code cache')]));
    const refused = copy.run(['render', profile]);
    assert.match(refused.stderr, /code cache rejected/);
    assert.is(refused.stdout, expected);
    // No fast bundle: the ES-module bundle runs, same bytes.
    rmSync(join(copy.dir, 'dist', 'fast'), { recursive: true });
    const fallback = copy.run(['render', profile]);
    assert.is(fallback.code, 0, fallback.stderr);
    assert.not.match(fallback.stderr, /dist\/fast/);
    assert.is(fallback.stdout, expected);
  } finally { copy.cleanup(); }
});

test.run();
