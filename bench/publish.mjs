#!/usr/bin/env node
// Publish speed (issue 15.1): publishTrees of a fleet of rendered trees into a file:// bare
// repository ÷ raw `git add -A && git commit && git push` of the same tree, both measured in this
// run on this machine; then the same after one profile changed; and the number of git processes
// each publish starts (counted by a `git` wrapper first on PATH) for 10, 50 and 200 profiles.
// Standalone: `node bench/publish.mjs [PROFILES]` after `npm run build` (default 200 profiles).
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, statSync, rmSync, chmodSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { publishTrees } = await import(pathToFileURL(join(root, 'dist', 'gitops', 'index.js')).href);
const N = Math.max(1, Number(process.argv[2]) || 200);
const RUNS = 3;

const work = mkdtempSync(join(tmpdir(), 'netprofile-bench-publish-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
// git ignores the machine's configuration; identities fixed.
const gitconfig = join(work, 'gitconfig');
writeFileSync(gitconfig, '[init]\n\tdefaultBranch = main\n[user]\n\tname = Bench\n\temail = bench@example.test\n');
Object.assign(process.env, { GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' });
// The git wrapper that counts processes (the subcommand after any -c pairs), used for counts only.
const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
const wrapDir = join(work, 'bin');
const gitLog = join(work, 'git.log');
mkdirSync(wrapDir);
writeFileSync(join(wrapDir, 'git'), ['#!/bin/sh', 'sub=; skip=0',
  'for x in "$@"; do if [ $skip = 1 ]; then skip=0; continue; fi; if [ "$x" = -c ]; then skip=1; continue; fi; sub=$x; break; done',
  `printf '%s\\n' "$sub" >> '${gitLog}'`, `exec '${realGit}' "$@"`, ''].join('\n'));
chmodSync(join(wrapDir, 'git'), 0o755);
const plainPath = process.env.PATH;

// One real rendered flux tree (examples/), copied under N paths; every copy differs in one file.
const example = join(root, 'examples', 'baremetal-cilium-bgp', 'rendered', 'flux');
const baseFiles = {};
(function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p); else baseFiles[relative(example, p)] = readFileSync(p, 'utf8');
  }
})(example);
const fleet = (n, bump = '') => Array.from({ length: n }, (_, i) => ({
  profile: `p${i}`, path: `clusters/c${i}/network`, target: 'flux',
  files: { ...baseFiles, 'kustomization.yaml': `${baseFiles['kustomization.yaml']}# cluster c${i}\n${i === 0 ? bump : ''}` },
}));

const git = (args, cwd) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const ms = (f) => { const t = process.hrtime.bigint(); const r = f(); return r instanceof Promise ? r.then(() => Number(process.hrtime.bigint() - t) / 1e6) : Number(process.hrtime.bigint() - t) / 1e6; };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let seq = 0;
const bare = () => { const p = join(work, `r${seq++}.git`); git(['init', '-q', '--bare', p]); return p; };

function writeTree(dir, trees) {
  for (const t of trees) for (const [rel, content] of Object.entries(t.files)) {
    const f = join(dir, t.path, rel);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, content);
  }
}

/** Raw git: files already on disk in a fresh repository; timed: add -A, commit, push. */
function rawFirst(trees) {
  const repo = bare();
  const wt = join(work, `w${seq++}`);
  git(['init', '-q', wt]);
  git(['remote', 'add', 'origin', `file://${repo}`], wt);
  writeTree(wt, trees);
  const t = ms(() => { git(['add', '-A'], wt); git(['commit', '-q', '-m', 'fleet'], wt); git(['push', '-q', 'origin', 'HEAD:main'], wt); });
  return { t, repo, wt };
}

const files = Object.keys(fleet(1)[0].files).length;
console.log(`publish: ${N} profiles × ${files} files (examples/baremetal-cilium-bgp/rendered/flux) into a file:// bare repository, median of ${RUNS}`);

const rawT = [], oursT = [], raw2T = [], ours2T = [], kept2T = [];
for (let run = 0; run < RUNS; run++) {
  const trees = fleet(N);
  const raw = rawFirst(trees);
  rawT.push(raw.t);
  // Raw second commit: one file changed in the existing working tree.
  writeFileSync(join(raw.wt, 'clusters/c0/network/kustomization.yaml'), fleet(1, 'x: 1\n')[0].files['kustomization.yaml']);
  raw2T.push(ms(() => { git(['add', '-A'], raw.wt); git(['commit', '-q', '-m', 'one'], raw.wt); git(['push', '-q', 'origin', 'HEAD:main'], raw.wt); }));
  const repo = `file://${bare()}`;
  oursT.push(await ms(() => publishTrees({ repo, trees })));
  ours2T.push(await ms(() => publishTrees({ repo, trees: fleet(N, 'x: 1\n') })));
  // The operator keeps its clone between publishes (cacheDir), as raw git keeps its working tree.
  const kept = `file://${bare()}`;
  const cacheDir = join(work, `cache${seq++}`);
  await publishTrees({ repo: kept, trees, cacheDir });
  kept2T.push(await ms(() => publishTrees({ repo: kept, trees: fleet(N, 'x: 1\n'), cacheDir })));
}
const line = (what, ours, raw, aim = '') => {
  const ratio = median(ours) / median(raw);
  console.log(`  ${what.padEnd(44)} ${median(ours).toFixed(0).padStart(6)} ms   raw git ${median(raw).toFixed(0).padStart(6)} ms   ratio ${ratio.toFixed(2)}×${aim ? `   aim ≤ ${aim}× ${ratio <= Number(aim) ? 'met' : 'NOT met'}` : ''}`);
};
line(`first publish of ${N} profiles`, oursT, rawT, '1.5');
line(`second publish, one profile changed`, ours2T, raw2T);
line(`  the same with a kept clone (operator)`, kept2T, raw2T);

// Git processes per publish (the wrapper on PATH sees every git started, also git's own).
process.env.PATH = `${wrapDir}:${plainPath}`;
const counts = {};
for (const n of [10, 50, N]) {
  const repo = `file://${bare()}`;
  const count = async (f) => { writeFileSync(gitLog, ''); await f(); return readFileSync(gitLog, 'utf8').split('\n').filter(Boolean).length; };
  counts[n] = {
    first: await count(() => publishTrees({ repo, trees: fleet(n) })),
    oneChanged: await count(() => publishTrees({ repo, trees: fleet(n, 'x: 1\n') })),
    noop: await count(() => publishTrees({ repo, trees: fleet(n, 'x: 1\n') })),
  };
}
process.env.PATH = plainPath;
console.log('  git processes per publish (first / one changed / nothing changed):');
for (const [n, c] of Object.entries(counts)) console.log(`    ${String(n).padStart(4)} profiles: ${c.first} / ${c.oneChanged} / ${c.noop}`);
