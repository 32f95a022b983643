// How netprofile's short-lived entries start (CommonJS, bin/package.json): bin/netprofile and
// the kustomize plugin shim (kustomize/plugin/.../NetworkProfile in the checkout, the shim that
// `netprofile plugin install` writes, kustomize/install.ts shimText) both come here, so that the
// plugin starts as fast as `netprofile fn`: from the CommonJS bundle dist/fast/fn.cjs with its
// V8 code cache (scripts/bundle-fast.mjs), never through the ES-module loader unless that
// bundle is missing.
'use strict';
const { readFileSync, existsSync, writeFileSync, renameSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');
const { dirname, join } = require('node:path');

const dist = join(__dirname, '..', 'dist');

/**
 * Runs dist/fast/FILE as a CommonJS module compiled with its code cache; undefined when the
 * bundle is missing. The cache's first line names the build it was made for (the bundle's last
 * line, `//# netprofile-build HASH`): V8 itself only checks the source length, its version and
 * flags. With NETPROFILE_CODE_CACHE_TRAIN=1 (scripts/bundle-fast.mjs) the cache is rewritten at
 * exit with every function compiled during the run.
 */
function loadFast(file) {
  const path = join(dist, 'fast', file);
  let source;
  try { source = readFileSync(path, 'utf8'); } catch { return undefined; }
  const mark = source.lastIndexOf('\n//# netprofile-build ');
  const build = mark < 0 ? '' : source.slice(mark + 1).trimEnd();
  let cachedData;
  let state = 'none';
  try {
    const cache = readFileSync(`${path}.cache`);
    const nl = cache.indexOf(10);
    if (build && nl > 0 && cache.toString('latin1', 0, nl) === build) cachedData = cache.subarray(nl + 1);
    else state = 'stale';
  } catch { /* no cache: compile from source */ }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: path, cachedData });
  if (cachedData) state = script.cachedDataRejected ? 'rejected' : 'accepted';
  // NETPROFILE_STARTUP_TRACE=1: which bundle ran and what became of its code cache.
  if (process.env.NETPROFILE_STARTUP_TRACE === '1') process.stderr.write(`netprofile: dist/fast/${file}, code cache ${state}\n`);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  if (process.env.NETPROFILE_CODE_CACHE_TRAIN === '1' && build) {
    process.on('exit', () => {
      const tmp = `${path}.cache.${process.pid}`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(`${build}\n`, 'latin1'), script.createCachedData()]));
      renameSync(tmp, `${path}.cache`);
    });
  }
  return module.exports;
}

/**
 * The kustomize plugin (kustomize/fn.ts runPlugin): one argument, the legacy exec plugin; none,
 * the KRM function. dist/fast/fn.cjs, else the ES-module bundle, else the unbundled dist/.
 * Rejects when this installation has no dist/ at all (the shim reports it, exit 2).
 */
async function runPlugin(argv) {
  const fast = loadFast('fn.cjs');
  if (fast) return fast.runPlugin(argv);
  const bundle = join(dist, 'kustomize', 'netprofile-fn.mjs');
  const main = existsSync(bundle) ? bundle : join(dist, 'kustomize', 'fn.js');
  if (!existsSync(main)) throw new Error(`${dist} is missing; run \`npm ci\` (or \`npm run build\`) there`);
  return (await import(pathToFileURL(main).href)).runPlugin(argv);
}

module.exports = { dist, loadFast, runPlugin };
