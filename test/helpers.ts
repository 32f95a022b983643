// Shared test helpers: paths, running the real CLI, temporary directories.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Node lists (kubectl get nodes -o yaml) shaped like each platform's; see test/fixtures/README.md. */
export const fixtures = join(root, 'test', 'fixtures', 'nodes');
/** Verbatim upstream CRDs and values schemas the bundle is made from; see schemas/SOURCES.md. */
export const schemaSources = join(root, 'schemas');
export const examples = join(root, 'examples');
export const bin = join(root, 'bin', 'netprofile');

export interface CliResult { code: number; stdout: string; stderr: string; ms: number }

/** Runs `netprofile ARGS` as a user would, in a child process. */
export function cli(args: string[], options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): CliResult {
  const started = Date.now();
  const opts: SpawnSyncOptions = {
    cwd: options.cwd ?? root,
    input: options.input,
    env: { ...process.env, ...options.env },
    timeout: options.timeout ?? 30_000,
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  };
  const r = spawnSync(process.execPath, [bin, ...args], opts);
  return { code: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), ms: Date.now() - started };
}

export function tempDir(prefix = 'netprofile-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
