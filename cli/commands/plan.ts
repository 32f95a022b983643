// netprofile plan PROFILE [--nodes F|-] [-o text|json]
import { parseArgs, stringFlag, UsageError } from '../args.js';
import { loadProfiles } from '../load.js';
import { planToJSON, planToText, rejectedPlanJSON } from '../../generators/plan/output.js';
import { formatFinding, hasErrors } from '../../generators/api/findings.js';
import { ciliumValuesChecker } from '../values.js';

export const usage = `Usage: netprofile plan PROFILE [--nodes FILE|-] [-o text|json]

Resolves every "auto" of a NetworkProfile and checks the rules. The plan is always
printed, also when a rule fails; the exit code is 1 when any finding is an error.

  PROFILE          a file holding one NetworkProfile ("-" for stdin)
  --nodes FILE     a Node list (kubectl get nodes -o yaml|json) to detect the environment
                   from; "-" reads stdin. Default: the profile's spec.environment.factsFrom
  -o, --output F   text (default) or json (the plan of api.md §3)

Exit codes: 0 planned, 1 the profile was rejected (error findings), 2 usage or I/O error.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [{ name: 'nodes', value: true }, { name: 'output', short: 'o', value: true, choices: ['text', 'json'] }]);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length !== 1) throw new UsageError('plan takes exactly one PROFILE file');
  const nodes = stringFlag(args, 'nodes');
  if (nodes === '-' && args.positionals[0] === '-') throw new UsageError('the profile and --nodes cannot both be stdin');
  const loaded = loadProfiles(args.positionals, { nodes, planOptions: { checkCiliumValues: ciliumValuesChecker() } });
  if (loaded.length !== 1) throw new UsageError(`${args.positionals[0]} holds ${loaded.length} NetworkProfiles; plan takes one (render takes many)`);
  const [p] = loaded;
  const json = stringFlag(args, 'output') === 'json';
  const findings = p.plan ? p.plan.findings : p.findings;
  if (json) {
    process.stdout.write(JSON.stringify(p.plan ? planToJSON(p.plan) : rejectedPlanJSON(p.name, p.findings), null, 2) + '\n');
  } else if (p.plan) {
    process.stdout.write(planToText(p.plan));
  } else {
    process.stdout.write(`Profile ${p.name} was rejected (${findings.length} problem${findings.length === 1 ? '' : 's'}, listed on stderr).\n`);
  }
  if (!json || !p.plan) for (const f of findings.filter((x) => x.severity === 'error' || !p.plan)) process.stderr.write(formatFinding(f, p.file) + '\n');
  return hasErrors(findings) ? 1 : 0;
}
