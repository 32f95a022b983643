// netprofile plan PROFILE... [--nodes F|-] [-o text|json|yaml]
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { loadProfiles } from '../load.js';
import { outputFlag, outputFormat, formatData, isQuiet, QUIET_FLAG } from '../output.js';
import { planToJSON, planToText, rejectedPlanJSON } from '../../generators/plan/output.js';
import { formatFinding, hasErrors } from '../../generators/api/findings.js';
import { ciliumValuesChecker } from '../values.js';

export const usage = `Usage: netprofile plan PROFILE... [--nodes FILE|-] [-o text|json|yaml] [-q]

Resolves every "auto" of a NetworkProfile and checks the rules. The plan is always
printed, also when a rule fails; the exit code is 1 when any finding is an error.

  PROFILE          files holding NetworkProfiles ("-" for stdin); several may be given
  --nodes FILE     a Node list (kubectl get nodes -o yaml|json) to detect the environment
                   from; "-" reads stdin. Default: each profile's spec.environment.factsFrom
  -o, --output F   text (default), json or yaml: the plan as data (docs/plan.md); with
                   several profiles a list of plans
  -q, --quiet      no finding lines on stderr (the plan still lists them)

Exit codes: 0 planned, 1 a profile was rejected (error findings), 2 usage or I/O error.
`;

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [{ name: 'nodes', value: true }, outputFlag(['text', 'json', 'yaml']), QUIET_FLAG];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat(args, 'text');
  if (!args.positionals.length) throw new UsageError('plan needs at least one PROFILE file');
  const nodes = stringFlag(args, 'nodes');
  if (nodes === '-' && args.positionals.includes('-')) throw new UsageError('the profile and --nodes cannot both be stdin');
  if (args.positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin ("-") can be given once');
  const loaded = loadProfiles(args.positionals, { nodes, planOptions: { checkCiliumValues: ciliumValuesChecker() } });
  const quiet = isQuiet(args);
  const data: Record<string, unknown>[] = [];
  const text: string[] = [];
  let failed = false;
  for (const p of loaded) {
    const findings = p.plan ? p.plan.findings : p.findings;
    if (hasErrors(findings)) failed = true;
    if (format !== 'text') data.push(p.plan ? planToJSON(p.plan) : rejectedPlanJSON(p.name, p.findings));
    else if (p.plan) text.push(planToText(p.plan));
    else text.push(`Profile ${p.name} was rejected (${findings.length} problem${findings.length === 1 ? '' : 's'}, listed on stderr).\n`);
    // The text plan lists its findings; stderr repeats the errors (and a rejected profile's
    // problems, which no plan shows) as FILE: severity: path: message lines.
    if (!quiet && (format === 'text' || !p.plan)) for (const f of findings.filter((x) => x.severity === 'error' || !p.plan)) process.stderr.write(formatFinding(f, p.file) + '\n');
  }
  if (format === 'text') process.stdout.write(text.join('\n'));
  else process.stdout.write(formatData(data.length === 1 ? data[0] : data, format));
  return failed ? 1 : 0;
}
