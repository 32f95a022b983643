#!/usr/bin/env node
// Start-up of the short commands against bare Node, measured in the same run on the same machine:
// `netprofile render PROFILE`, `netprofile plan PROFILE` and `netprofile fn` (a KRM ResourceList
// on stdin), plus the kustomize plugin shim (the checkout's, and one that `netprofile plugin
// install` wrote into a temporary plugin home) and the Argo CD generate command. Each line is the
// median wall time of RUNS runs and its ratio to the median of `node -e 0`. Variants run
// interleaved (one run of each, again and again) so that noise from other work on the machine
// hits them alike; the first two rounds only warm the file cache.
// Usage: node bench/startup.mjs [RUNS]   (after `npm run build`; default 31 runs per variant)
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, tmpdir } from 'node:os';
import { parse, stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(3, Number(process.argv[2] ?? 31));
const shim = join(root, 'kustomize', 'plugin', 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');
const bin = join(root, 'bin', 'netprofile');
// A typical profile: bare metal, Cilium with L2 announcements.
const appDir = join(root, 'examples', 'kustomize', 'bare-metal');
const profileFile = join(appDir, 'networkprofile.yaml');
const profile = parse(readFileSync(profileFile, 'utf8'));
profile.metadata.annotations = { ...profile.metadata.annotations, 'config.kubernetes.io/local-config': 'true' };
// As kustomize sends it: items and functionConfig written out in full (no anchors or aliases).
const resourceList = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [profile], functionConfig: profile }, { aliasDuplicateObjects: false });

for (const f of ['dist/fast/cli.cjs', 'dist/fast/fn.cjs', 'dist/kustomize/netprofile-fn.mjs']) {
  if (!existsSync(join(root, f))) {
    console.error(`bench: ${f} is missing; run \`npm run build\``);
    process.exit(2);
  }
}

// A plugin home outside any package, as a user's ~/.config/kustomize/plugin.
const home = mkdtempSync(join(tmpdir(), 'netprofile-bench-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));
const install = spawnSync(process.execPath, [bin, 'plugin', 'install', '--home', home], { encoding: 'utf8' });
if (install.status !== 0) { console.error(`bench: netprofile plugin install failed: ${install.stderr}`); process.exit(1); }
const installed = join(home, 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');

const variants = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'netprofile render PROFILE', args: [bin, 'render', profileFile], aim: 1.5 },
  { name: 'netprofile plan PROFILE', args: [bin, 'plan', profileFile], aim: 1.5 },
  { name: 'netprofile fn (ResourceList on stdin)', args: [bin, 'fn'], input: resourceList, aim: 1.5 },
  { name: 'plugin shim, KRM function', args: [shim], input: resourceList, aim: 1.5 },
  { name: 'plugin shim, legacy exec plugin', args: [shim, profileFile], aim: 1.5 },
  { name: 'installed shim, legacy exec plugin', args: [installed, profileFile], aim: 1.5 },
  { name: 'netprofile plugin argocd-generate', args: [bin, 'plugin', 'argocd-generate'], env: { ARGOCD_ENV_NETPROFILE_TARGET: 'flux' } },
];

const times = variants.map(() => []);
for (let i = 0; i < runs + 2; i++) {
  variants.forEach((v, j) => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, v.args, { cwd: appDir, input: v.input ?? '', encoding: 'utf8', env: { ...process.env, ...v.env }, timeout: 60_000 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) { console.error(`bench: ${v.name} failed (exit ${r.status}): ${r.stderr || r.error?.message}`); process.exit(1); }
    if (i >= 2) times[j].push(ms);
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const base = median(times[0]);
console.log(`startup: median of ${runs} interleaved runs each, node ${process.version}, ${cpus().length} cores, cwd ${appDir.slice(root.length + 1)}`);
for (const [j, v] of variants.entries()) {
  const m = median(times[j]);
  const ratio = m / base;
  const aim = v.aim ? `   aim ≤ ${v.aim}× ${ratio <= v.aim ? 'met' : 'NOT met'}` : '';
  console.log(`${v.name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}× node -e 0${aim}`);
}
