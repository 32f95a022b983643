#!/usr/bin/env node
// Start-up of the kustomize / Argo CD plugin, against bare Node on the same machine in the same
// run. The plugin runs on every `kustomize build` and every Argo CD refresh, so its wall time is
// mostly process start: this prints the median of each way of running it and its ratio to
// `node -e 0`. Runs are interleaved so that machine noise hits every variant alike.
// Usage: node bench/startup.mjs [RUNS]   (after `npm run build`; default 31 runs per variant)
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 31);
const shim = join(root, 'kustomize', 'plugin', 'netprofile.io', 'v1alpha1', 'networkprofile', 'NetworkProfile');
const bin = join(root, 'bin', 'netprofile');
// A typical profile: bare metal, Cilium with L2 announcements (worked example 2).
const appDir = join(root, 'examples', 'kustomize', 'bare-metal');
const profileFile = join(appDir, 'networkprofile.yaml');
const profile = parse(readFileSync(profileFile, 'utf8'));
profile.metadata.annotations = { ...profile.metadata.annotations, 'config.kubernetes.io/local-config': 'true' };
const resourceList = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [profile], functionConfig: profile });

if (!existsSync(join(root, 'dist', 'kustomize', 'netprofile-fn.mjs'))) {
  console.error('bench: dist/kustomize/netprofile-fn.mjs is missing; run `npm run build && node scripts/bundle-plugin.mjs`');
  process.exit(2);
}

const variants = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'netprofile fn (KRM, via bin/netprofile)', args: [bin, 'fn'], input: resourceList },
  // What bin/netprofile does once it hands fn/plugin to the bundle (the fast path proposed in
  // docs/readme/kustomize.md): the same runCommand, loaded from the one file.
  { name: 'netprofile fn via runCommand of the bundle', args: ['--input-type=module', '-e', `const { runCommand } = await import(${JSON.stringify(new URL('../dist/kustomize/netprofile-fn.mjs', import.meta.url).href)}); process.exitCode = await runCommand('fn', []);`], input: resourceList },
  { name: 'plugin shim, KRM function (bundle)', args: [shim], input: resourceList },
  { name: 'plugin shim, legacy exec plugin (bundle)', args: [shim, profileFile] },
  { name: 'netprofile plugin argocd-generate', args: [bin, 'plugin', 'argocd-generate'], env: { ARGOCD_ENV_NETPROFILE_TARGET: 'flux' } },
];

const times = variants.map(() => []);
for (let i = 0; i < runs + 2; i++) {
  variants.forEach((v, j) => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, v.args, { cwd: appDir, input: v.input ?? '', encoding: 'utf8', env: { ...process.env, ...v.env } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) { console.error(`bench: ${v.name} failed (exit ${r.status}): ${r.stderr}`); process.exit(1); }
    if (i >= 2) times[j].push(ms); // the first two rounds warm the file cache
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const base = median(times[0]);
console.log(`startup, median of ${runs} runs each, node ${process.version}, cwd ${appDir}`);
for (const [j, v] of variants.entries()) {
  const m = median(times[j]);
  console.log(`${v.name.padEnd(44)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x node -e 0`);
}
