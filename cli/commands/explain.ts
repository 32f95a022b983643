// netprofile explain RULE [-o text|json|yaml]: why a rule exists, what to do, and its source.
import { parseArgs, UsageError } from '../args.js';
import { outputFlag, outputFormat, formatData } from '../output.js';
import { RULE_UNITS, ruleUnit } from '../../generators/plan/rules/index.js';
import { didYouMean } from '../../generators/api/schema.js';

export const usage = `Usage: netprofile explain RULE [-o text|json|yaml]

Prints one rule of \`netprofile rules\`: its severity, what it is about, why it exists (what
breaks on a real cluster), the fix, and the upstream page or field report behind it.
RULE is the id in brackets at the end of a finding, e.g. [l2-on-cloud].

Exit codes: 0 explained, 2 unknown rule or usage error.
`;

export const flags = [outputFlag(['text', 'json', 'yaml'])];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'explain takes one RULE' : 'explain needs a RULE (netprofile rules lists them)');
  // Accept the id as a finding prints it: "[l2-on-cloud]".
  const asked = args.positionals[0].replace(/^\[(.*)\]$/, '$1');
  const unit = ruleUnit(asked);
  if (!unit) {
    const ids = RULE_UNITS.map((u) => u.id);
    const near = didYouMean(asked.toLowerCase(), ids) ?? (asked.length >= 3 ? ids.find((id) => id.includes(asked.toLowerCase())) : undefined);
    throw new UsageError(`unknown rule "${asked.slice(0, 60)}"${near ? ` (did you mean ${near}?)` : ''}; netprofile rules lists them`);
  }
  const output = outputFormat(args, 'text');
  const data = { id: unit.id, severity: unit.severity, summary: unit.summary, why: unit.why, fix: unit.fix, source: unit.source };
  if (output !== 'text') process.stdout.write(formatData(data, output));
  else {
    process.stdout.write([`${unit.id} (${unit.severity}): ${unit.summary}`, '', `Why: ${unit.why}`, '', `Fix: ${unit.fix}`, '', `Source: ${unit.source}`].join('\n') + '\n');
  }
  return 0;
}
