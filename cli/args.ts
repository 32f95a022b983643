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
  /** The flags the command declared (for messages and completion). */
  specs?: FlagSpec[];
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
      const long = arg.startsWith('--');
      // --name=V, -o=V and -oV (a one-letter flag that takes a value) all carry the value inline.
      let [rawName, inline] = long ? splitOnce(arg.slice(2)) : [arg.slice(1, 2), arg.length > 2 ? arg.slice(2) : undefined];
      if (!long && inline !== undefined && inline.startsWith('=')) inline = inline.slice(1);
      const spec = specs.find((s) => (long ? s.name === rawName : s.short === rawName));
      if (!spec) throw new UsageError(`unknown flag ${arg.slice(0, 40)}${suggestFlag(arg, specs)}`);
      if (!long && inline !== undefined && !spec.value) throw new UsageError(`unknown flag ${arg.slice(0, 40)} (-${spec.short} takes no value)`);
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
  return { flags, positionals, help, specs };
}

function suggestFlag(arg: string, specs: FlagSpec[]): string {
  const name = arg.replace(/^-+/, '').split('=')[0];
  if (name.length < 2) return '';
  const near = specs.map((s) => s.name).find((n) => n.startsWith(name) || nearName(name, n));
  return near ? ` (did you mean --${near}?)` : '';
}

/** One edit apart, or two for longer names: enough for flags. */
function nearName(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
  }
  return d[a.length][b.length] <= (b.length > 6 ? 2 : 1);
}

function splitOnce(s: string): [string, string | undefined] {
  const i = s.indexOf('=');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export function stringFlag(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags[name];
  return typeof v === 'string' ? v : undefined;
}
