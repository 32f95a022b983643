// A small, strict argument parser: unknown flags are usage errors (exit 2), never ignored.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Long name without dashes, e.g. "nodes". */
  name: string;
  short?: string;
  /** Takes a value (`--nodes F` or `--nodes=F`); otherwise a boolean switch. */
  value?: boolean;
  /** May be given several times; values collect into a list. */
  repeat?: boolean;
  choices?: readonly string[];
}

export interface ParsedArgs {
  flags: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

export function parseArgs(argv: string[], specs: FlagSpec[]): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (arg.startsWith('-') && arg !== '-') {
      const [rawName, inline] = arg.startsWith('--') ? splitOnce(arg.slice(2)) : [arg.slice(1), undefined];
      const spec = specs.find((s) => (arg.startsWith('--') ? s.name === rawName : s.short === rawName));
      if (!spec) throw new UsageError(`unknown flag ${arg.slice(0, 40)}`);
      let value: string | boolean = true;
      if (spec.value) {
        if (inline !== undefined) value = inline;
        else if (i + 1 < argv.length) value = argv[++i];
        else throw new UsageError(`--${spec.name} needs a value`);
        if (spec.choices && !spec.choices.includes(value)) throw new UsageError(`--${spec.name} must be one of ${spec.choices.join(', ')}, got "${String(value).slice(0, 40)}"`);
      } else if (inline !== undefined) {
        throw new UsageError(`--${spec.name} takes no value`);
      }
      if (spec.repeat) flags[spec.name] = [...((flags[spec.name] as string[]) ?? []), value as string];
      else if (flags[spec.name] !== undefined) throw new UsageError(`--${spec.name} is given twice`);
      else flags[spec.name] = value;
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals, help };
}

function splitOnce(s: string): [string, string | undefined] {
  const i = s.indexOf('=');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export function stringFlag(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags[name];
  return typeof v === 'string' ? v : undefined;
}
