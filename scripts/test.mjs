#!/usr/bin/env node
// Runs every uvu suite file under dist/test, each in its own process, and ends with the plain
// line CI reads: "N passed, N failed" (N = tests, as uvu counts them).
//
// A file whose process crashes, hangs or exits early (a server its suite needs cannot start, an
// `after` hook throws) fails on its own: the runner says which file and why, and goes on with the
// next one. Tests that never ran because their file stopped early count as failed.
//
// Usage: node scripts/test.mjs [PATTERN...]   (a file runs when its name matches one PATTERN, a
// regular expression as uvu's own pattern argument; none = every *.test.js)
// Environment: TEST_DIR (default dist/test), TEST_JOBS (files at once, default 1),
// TEST_FILE_TIMEOUT (seconds per file, default 900).
import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(root, process.env.TEST_DIR || join('dist', 'test'));
const jobs = Math.max(1, Number(process.env.TEST_JOBS) || 1);
const timeoutMs = Math.max(1, Number(process.env.TEST_FILE_TIMEOUT) || 900) * 1000;
const patterns = process.argv.slice(2).map((p) => new RegExp(`(?:${p})[^/]*\\.test\\.js$`));

if (!existsSync(dir)) {
  console.error(`test: ${dir} does not exist: run npm run build first`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
// Only *.test.js files are suites (helpers and source maps live beside them).
const files = readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()
  .filter((f) => patterns.length === 0 || patterns.some((re) => re.test(f)));
if (files.length === 0) {
  console.error(`test: no suite file in ${dir} matches ${process.argv.slice(2).join(' ') || '*.test.js'}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs one suite file; resolves with its counts and, when it did not finish cleanly, why. */
function runFile(file) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(dir, file)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (c) => { out += c; if (jobs === 1) process.stdout.write(c); });
    child.stderr.on('data', (c) => { err += c; if (jobs === 1) process.stderr.write(c); });
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); } }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (jobs > 1) { process.stdout.write(out); process.stderr.write(err); }
      const plain = strip(out);
      // Each suite prints "(passed / total)" when it ends; the file prints Total/Passed/Skipped.
      let total = 0;
      let passed = 0;
      for (const m of plain.matchAll(/\((\d+) \/ (\d+)\)\n/g)) { passed += Number(m[1]); total += Number(m[2]); }
      const summary = /Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/.exec(plain);
      const skipped = summary ? Number(summary[3]) : 0;
      if (summary) { total = Number(summary[1]); passed = Number(summary[2]); }
      else {
        // No summary: the process stopped early. Count the marks uvu wrote per test ('• ' passed,
        // '✘ ' failed), including those of the suite that was running.
        passed = (plain.match(/• /g) ?? []).length;
        total = passed + (plain.match(/✘ /g) ?? []).length;
      }
      let failed = Math.max(0, total - passed - skipped);
      let problem = '';
      if (timedOut) problem = `did not finish within ${timeoutMs / 1000} s and was killed`;
      else if (signal) problem = `was killed by ${signal}`;
      else if (!summary) problem = `stopped before its tests finished (exit code ${code})`;
      else if (code !== 0 && failed === 0) problem = `exited with code ${code} after its tests`;
      if (problem) {
        const lines = strip(err).split('\n').map((l) => l.trim()).filter(Boolean);
        const why = lines.find((l) => /^[A-Za-z]*Error\b|^Error:/.test(l)) ?? lines.filter((l) => !/^at |^Node\.js v/.test(l)).pop();
        if (why) problem += `: ${why}`;
        // A file that stopped early has tests nobody ran; at least one failure is counted for it.
        failed = Math.max(failed, 1);
      }
      done({ file, total, passed, skipped, failed, problem });
    });
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) results.push(await runFile(files[next++]));
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
results.sort((a, b) => a.file.localeCompare(b.file));

const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const bad = results.filter((r) => r.failed > 0);
console.log(`\nSuite files: ${results.length}`);
for (const r of bad) console.log(`  FAILED ${r.file}: ${r.failed} of ${r.total || '?'} failed${r.problem ? `; the file ${r.problem}` : ''}`);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
