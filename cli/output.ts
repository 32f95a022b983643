// The flags every command shares, kubectl style: -o/--output is always the output FORMAT
// (text, json, yaml), never a folder (that is --out DIR); -q/--quiet keeps stdout and stderr to
// the requested output and the errors.
import { UsageError, stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import { emitYaml } from '../generators/yaml/emit.js';

export type Format = 'text' | 'json' | 'yaml';

/** -o/--output with the formats a command prints; checked by outputFormat (for a better message). */
export function outputFlag(formats: readonly Format[]): FlagSpec & { formats: readonly Format[] } {
  return { name: 'output', short: 'o', value: true, formats };
}

export const QUIET_FLAG: FlagSpec = { name: 'quiet', short: 'q' };

/** The -o value, or `fallback`; anything else is a usage error that points a folder at --out. */
export function outputFormat<F extends Format>(args: ParsedArgs, fallback: F, formats?: readonly Format[]): F {
  const value = stringFlag(args, 'output');
  if (value === undefined) return fallback;
  const allowed = formats ?? (args.specs?.find((s) => s.name === 'output') as { formats?: readonly Format[] } | undefined)?.formats ?? ['text', 'json', 'yaml'];
  if ((allowed as readonly string[]).includes(value)) return value as F;
  const folder = /[\\/.~]/.test(value) || !/^[a-z]+$/.test(value);
  throw new UsageError(`-o/--output is the output format, one of ${allowed.join(', ')}; got "${value.slice(0, 60)}"${folder ? `. To write files into a folder use --out ${value.slice(0, 60)}` : ''}`);
}

export function isQuiet(args: ParsedArgs): boolean {
  return args.flags.quiet === true;
}

/** A value as -o json (two-space JSON) or -o yaml (the project's deterministic YAML). */
export function formatData(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(value, null, 2) + '\n' : emitYaml(value);
}
