#!/usr/bin/env node
// `npm run bench`: every benchmark of bench/, one after the other, each as a child process with
// a deadline, its output printed as it comes. Each prints ratios against baselines it measures in
// the same run (never thresholds):
//   dist/bench/render.js  plan + render in process, ms per profile (bench/render.ts)
//   bench/startup.mjs     render / plan / fn ÷ `node -e 0`
//   bench/*.mjs           every other benchmark there (publish ÷ raw git, operator...)
// A benchmark that is expected but not (yet) there is skipped with a line saying so.
// Usage: node bench/run.mjs [NAME...]   (NAME: render, startup, publish, ...; default all)
// Environment: BENCH_DEADLINE (seconds per benchmark, default 900).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const deadlineMs = Math.max(1, Number(process.env.BENCH_DEADLINE) || 900) * 1000;
const EXPECTED = ['render', 'startup', 'publish', 'operator'];
const present = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').map((f) => f.slice(0, -4));
const names = [...new Set([...EXPECTED, ...present.sort()])];
const wanted = process.argv.slice(2);

const script = (name) => (name === 'render' ? join(root, 'dist', 'bench', 'render.js') : join(root, 'bench', `${name}.mjs`));

function runOne(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script(name)], { cwd: root, stdio: 'inherit' });
    const timer = setTimeout(() => { console.log(`bench ${name}: deadline of ${deadlineMs / 1000} s passed; stopped`); child.kill('SIGTERM'); }, deadlineMs);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve(signal ? `signal ${signal}` : code); });
    child.on('error', (e) => { clearTimeout(timer); resolve(e.message); });
  });
}

console.log(`netprofile benchmarks, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
const failed = [];
for (const name of names) {
  if (wanted.length && !wanted.includes(name)) continue;
  const file = script(name);
  console.log(`\n== ${file.slice(root.length + 1)}`);
  if (!existsSync(file)) {
    console.log(`skipped: ${file.slice(root.length + 1)} does not exist${name === 'render' ? ' (run `npm run build`)' : ''}`);
    continue;
  }
  const result = await runOne(name);
  if (result !== 0) { console.log(`bench ${name}: ended with ${result}`); failed.push(name); }
}
if (failed.length) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
