// netprofile detect --nodes F [-o text|json|yaml]
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { readFacts } from '../load.js';
import { outputFlag, outputFormat, formatData, QUIET_FLAG } from '../output.js';
import { formatEvidence } from '../../generators/detect/detect.js';

export const usage = `Usage: netprofile detect --nodes FILE|- [-o text|json|yaml]

Reads a Node list (kubectl get nodes -o yaml|json; a List or a NodeList) and prints the
environment verdict with the evidence that decided it: which node, which field, which value.

  --nodes FILE     the Node list; "-" reads stdin (kubectl get nodes -o yaml | netprofile detect --nodes -)
  -o, --output F   text (default), json or yaml

Exit codes: 0 detected, 1 the nodes disagree, the list is empty, or they wait for a
cloud-controller-manager without naming the provider, 2 usage or I/O error.
`;

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [{ name: 'nodes', value: true }, outputFlag(['text', 'json', 'yaml']), QUIET_FLAG];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat(args, 'text');
  if (args.positionals.length) throw new UsageError(`detect takes no positional arguments (got ${args.positionals[0].slice(0, 40)}); use --nodes FILE`);
  const nodes = stringFlag(args, 'nodes');
  if (!nodes) throw new UsageError('detect needs --nodes FILE (or - for stdin)');
  const d = readFacts(nodes);
  // Nodes that wait for a CCM and name no provider: cloud, but which one only the profile can say.
  const providerUnknown = !d.problem && d.type === 'cloud' && d.provider === null;
  const verdict = {
    type: d.type, provider: d.provider, managed: d.managed, region: d.region, distribution: d.distribution,
    platform: d.platform, platformCni: d.platformCni.map((c) => c.name),
    nodes: d.nodes, problem: d.problem ?? (providerUnknown ? PROVIDER_UNKNOWN : null), uninitializedNodes: d.uninitialized, evidence: d.evidence,
    platformEvidence: d.platformEvidence,
  };
  if (format !== 'text') process.stdout.write(formatData(verdict, format));
  else {
    const lines = [d.problem ? `Environment: unknown (${d.problem})`
      : providerUnknown ? `Environment: cloud, provider unknown (${PROVIDER_UNKNOWN}), distribution ${d.distribution}`
        : `Environment: ${d.type}${d.provider ? ` / ${d.provider}` : ''}, ${d.managed ? 'managed' : 'self-managed'}${d.region ? `, region ${d.region}` : ''}, distribution ${d.distribution}, platform ${d.platform}`, `Nodes: ${d.nodes}`];
    for (const c of d.platformCni) lines.push(`Platform CNI: ${c.name} (${formatEvidence(c.evidence)})`);
    if (d.uninitialized.length) lines.push(`Waiting for a cloud-controller-manager: ${d.uninitialized.join(', ')}`);
    lines.push('Evidence:');
    for (const e of [...d.evidence, ...d.platformEvidence]) lines.push(`  ${formatEvidence(e)}  (${e.signal}: ${e.meaning})`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return d.problem || providerUnknown ? 1 : 0;
}

const PROVIDER_UNKNOWN = 'the nodes carry node.cloudprovider.kubernetes.io/uninitialized and no providerID: they wait for a cloud-controller-manager, so this is a cloud, not bare metal; set spec.environment.provider in the profile';
