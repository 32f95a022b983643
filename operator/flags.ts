// The operator's flags, named as controller-runtime names them (--leader-elect,
// --metrics-bind-address, --health-probe-bind-address, ...), Go-style booleans included.
import { parseArgs, stringFlag, UsageError } from '../cli/args.js';
import { parseBindAddress, type BindAddress } from './http.js';

export const usage = `Usage: netprofile operator [flags]

Runs the in-cluster controller: watches NetworkProfiles and Nodes, plans, renders, publishes to
each profile's spec.gitops.repo and writes status and Events.

  --kubeconfig FILE                   kubeconfig to use; else $KUBECONFIG; else in-cluster
  --namespace NS                      watch NetworkProfiles (and their Secrets) in NS (default:
                                      $POD_NAMESPACE, the operator's own namespace)
  --all-namespaces                    watch NetworkProfiles in every namespace (grant Secret access
                                      per namespace: see the README, "Scope and RBAC")
  --leader-elect[=true|false]         elect a leader with a coordination.k8s.io/v1 Lease (default false)
  --leader-election-namespace NS      where the Lease lives (default: $POD_NAMESPACE)
  --leader-election-id NAME           the Lease name (default netprofile-operator)
  --metrics-bind-address ADDR         Prometheus /metrics (default :8080; "0" turns it off)
  --health-probe-bind-address ADDR    /healthz and /readyz (default :8081; "0" turns it off)
  --resync-period DURATION            re-check every profile this often (default 10m; e.g. 30s, 1h)
  --max-concurrent-reconciles N       profiles reconciled at once (default 4); profiles waiting
                                      on one repository do not hold a worker
  --git-cache-dir DIR                 kept Git clones, one per repository and branch (default
                                      $TMPDIR/netprofile-clones, the Pod's /tmp emptyDir)
  --probe-metadata[=true|false]       probe instance-metadata services (short timeouts) for extra
                                      evidence (default false)
  --graceful-shutdown-timeout DURATION  on SIGTERM, how long in-flight reconciles may take
                                      before the process exits anyway (default 9s; keep it under
                                      the Pod's terminationGracePeriodSeconds)
  -v, --verbose                       debug logs

Logs are JSON lines on stderr. SIGTERM stops taking work, aborts in-flight Git work, then releases
the Lease, within the graceful shutdown timeout.
Exit codes: 0 stopped by a signal, 1 leader election lost or shutdown deadline passed (the Lease
is left to expire), 2 usage or environment error.
`;

export interface OperatorFlags {
  kubeconfig?: string;
  namespace: string | null;
  leaderElect: boolean;
  leaderElectionNamespace: string | null;
  leaderElectionId: string;
  metricsAddress: BindAddress | null;
  probeAddress: BindAddress | null;
  resyncMs: number;
  concurrency: number;
  probeMetadata: boolean;
  shutdownMs: number;
  /** Where the kept clones live (batch.ts); null: the default under the temp directory. */
  gitCacheDir: string | null;
  verbose: boolean;
  help: boolean;
}

function gitCacheDir(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!value.trim() || value.includes('\0')) throw new UsageError('--git-cache-dir needs a directory');
  return value;
}

/** Go's time.ParseDuration for the units that make sense here: 500ms, 30s, 10m, 1h30m. */
export function parseDuration(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(text)) throw new UsageError(`--${flag} "${text.slice(0, 40)}" is not a duration (e.g. 30s, 10m, 1h30m)`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(re)) total += Number(m[1]) * unit[m[2]];
  return Math.round(total);
}

const BOOLEANS = ['leader-elect', 'probe-metadata', 'all-namespaces'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseOperatorFlags(argv: string[], env: NodeJS.ProcessEnv): OperatorFlags {
  // Go flags accept --flag, --flag=true and --flag=false for booleans.
  const normalised: string[] = [];
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (m && BOOLEANS.includes(m[1])) {
      if (!['true', 'false', '1', '0'].includes(m[2])) throw new UsageError(`--${m[1]} takes true or false, got "${m[2].slice(0, 20)}"`);
      if (m[2] === 'true' || m[2] === '1') normalised.push(`--${m[1]}`);
      continue;
    }
    normalised.push(a);
  }
  const args = parseArgs(normalised, [
    { name: 'kubeconfig', value: true }, { name: 'namespace', value: true }, { name: 'all-namespaces' },
    { name: 'leader-elect' }, { name: 'leader-election-namespace', value: true }, { name: 'leader-election-id', value: true },
    { name: 'metrics-bind-address', value: true }, { name: 'health-probe-bind-address', value: true },
    { name: 'resync-period', value: true }, { name: 'max-concurrent-reconciles', value: true },
    { name: 'probe-metadata' }, { name: 'graceful-shutdown-timeout', value: true }, { name: 'git-cache-dir', value: true }, { name: 'verbose', short: 'v' },
  ]);
  if (args.positionals.length) throw new UsageError(`operator takes no arguments, got "${args.positionals[0].slice(0, 40)}"`);
  // Scope: one namespace (the operator's own by default, where the install grants Secret access),
  // or every namespace on request.
  const allNamespaces = args.flags['all-namespaces'] === true;
  if (allNamespaces && stringFlag(args, 'namespace') !== undefined) throw new UsageError('--namespace and --all-namespaces exclude each other');
  const namespace = allNamespaces ? null : stringFlag(args, 'namespace') ?? env.POD_NAMESPACE ?? null;
  if (!allNamespaces && namespace === null && !args.help) throw new UsageError('say which namespace to watch: --namespace NS (default $POD_NAMESPACE, unset here) or --all-namespaces');
  if (namespace !== null && !DNS_LABEL.test(namespace)) throw new UsageError(`--namespace "${namespace.slice(0, 63)}" is not a namespace name`);
  const leaderElect = args.flags['leader-elect'] === true;
  const leaderElectionNamespace = stringFlag(args, 'leader-election-namespace') ?? env.POD_NAMESPACE ?? null;
  if (leaderElect && !leaderElectionNamespace && !args.help) throw new UsageError('--leader-elect needs --leader-election-namespace (or POD_NAMESPACE, set from the Downward API in the Deployment)');
  if (leaderElectionNamespace !== null && !DNS_LABEL.test(leaderElectionNamespace)) throw new UsageError(`--leader-election-namespace "${leaderElectionNamespace.slice(0, 63)}" is not a namespace name`);
  const leaderElectionId = stringFlag(args, 'leader-election-id') ?? 'netprofile-operator';
  if (!DNS_LABEL.test(leaderElectionId)) throw new UsageError(`--leader-election-id "${leaderElectionId.slice(0, 63)}" is not a valid Lease name`);
  const bind = (flag: string, def: string) => {
    try { return parseBindAddress(stringFlag(args, flag) ?? def, flag); } catch (e) { throw new UsageError((e as Error).message); }
  };
  const resyncMs = parseDuration(stringFlag(args, 'resync-period') ?? '10m', 'resync-period');
  if (resyncMs < 1000) throw new UsageError('--resync-period must be at least 1s');
  const conc = stringFlag(args, 'max-concurrent-reconciles') ?? '4';
  if (!/^\d{1,3}$/.test(conc) || Number(conc) < 1) throw new UsageError(`--max-concurrent-reconciles must be a whole number from 1 to 999, got "${conc.slice(0, 20)}"`);
  return {
    kubeconfig: stringFlag(args, 'kubeconfig'),
    namespace,
    leaderElect,
    leaderElectionNamespace,
    leaderElectionId,
    metricsAddress: bind('metrics-bind-address', ':8080'),
    probeAddress: bind('health-probe-bind-address', ':8081'),
    resyncMs,
    concurrency: Number(conc),
    probeMetadata: args.flags['probe-metadata'] === true,
    shutdownMs: parseDuration(stringFlag(args, 'graceful-shutdown-timeout') ?? '9s', 'graceful-shutdown-timeout'),
    gitCacheDir: gitCacheDir(stringFlag(args, 'git-cache-dir')),
    verbose: args.flags.verbose === true,
    help: args.help,
  };
}
