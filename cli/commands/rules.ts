// netprofile rules [-o text|json|yaml]: every rule of the registry, one line each.
import { parseArgs, UsageError } from '../args.js';
import { outputFlag, outputFormat, formatData } from '../output.js';
import { RULE_UNITS } from '../../generators/plan/rules/index.js';

export const usage = `Usage: netprofile rules [-o text|json|yaml]

Lists every rule the planner checks, one line each: the rule id (as findings carry it),
its usual severity (error stops render and publish; warning is reported) and what it is about.
Run \`netprofile explain RULE\` for why a rule exists, what to do about it and its source.

Exit codes: 0 listed, 2 usage error.
`;

export const flags = [outputFlag(['text', 'json', 'yaml'])];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length) throw new UsageError(`rules takes no positional arguments (got ${args.positionals[0].slice(0, 40)}); run netprofile explain ${args.positionals[0].slice(0, 40)} for one rule`);
  const output = outputFormat(args, 'text');
  const rows = RULE_UNITS.map((u) => ({ id: u.id, severity: u.severity, summary: u.summary }));
  if (output !== 'text') process.stdout.write(formatData(rows, output));
  else {
    const width = Math.max(...rows.map((r) => r.id.length));
    process.stdout.write(rows.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n') + '\n');
  }
  return 0;
}
