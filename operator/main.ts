// netprofile operator: the process entry point (flags, kubeconfig, servers, signals) around the
// Operator. Loaded only by cli/main.ts's lazy import, so no other command pays for client-node.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { systemClock } from './clock.js';
import { parseOperatorFlags, usage } from './flags.js';
import { boundPort, listen, metricsHandler, probeHandler } from './http.js';
import { kubeApi, loadKubeConfig } from './kube.js';
import { jsonLogger } from './log.js';
import { createMetrics } from './metrics.js';
import { Operator } from './operator.js';
import { probeMetadata } from './probes.js';
import { batchingPublisher } from './batch.js';


export async function run(argv: string[]): Promise<number> {
  const stopped = new AbortController();
  let exitCode = 0;
  const flags = parseOperatorFlags(argv, process.env);
  if (flags.help) { process.stdout.write(usage); return 0; }
  const log = jsonLogger(undefined, {}, undefined, flags.verbose);
  let kc: ReturnType<typeof loadKubeConfig>;
  try { kc = loadKubeConfig(flags.kubeconfig); } catch (e) {
    // A missing or unreadable kubeconfig is the user's to fix: one line, no stack trace.
    if ((e as { userError?: boolean }).userError) throw e;
    throw Object.assign(new Error(`cannot load the kubeconfig ${flags.kubeconfig ?? process.env.KUBECONFIG ?? ''}: ${String((e as Error).message).split('\n')[0]}`), { userError: true, exitCode: 2 });
  }
  const identity = `${process.env.POD_NAME || hostname()}_${randomUUID()}`;
  const metrics = createMetrics(true);
  const operator = new Operator({
    api: kubeApi(kc),
    namespace: flags.namespace,
    leaderElection: flags.leaderElect ? { namespace: flags.leaderElectionNamespace!, name: flags.leaderElectionId, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } : null,
    identity,
    resyncMs: flags.resyncMs,
    concurrency: flags.concurrency,
    queueBackoff: { baseMs: 1_000, maxMs: 300_000, jitter: 0.2 },
    watchBackoff: { baseMs: 800, maxMs: 30_000, jitter: 0.5 },
    // One lane per repository and branch: one commit for every profile waiting on it, the clone
    // kept between publishes, drift repaired on resync (operator/batch.ts).
    publisher: batchingPublisher(flags.gitCacheDir ? { cacheRoot: flags.gitCacheDir } : {}),
    clock: systemClock,
    log,
    metrics,
    probe: flags.probeMetadata ? () => probeMetadata() : undefined,
    serviceAccount: process.env.POD_NAMESPACE && process.env.SERVICE_ACCOUNT_NAME ? { namespace: process.env.POD_NAMESPACE, name: process.env.SERVICE_ACCOUNT_NAME } : undefined,
    // Lost the Lease while running: stop and exit 1 (controller-runtime's manager returns
    // "leader election lost", pkg/manager/internal.go v0.22.5); the Pod restarts and campaigns.
    onLostLeadership: () => { exitCode = 1; stopped.abort(); },
  });

  const servers: Server[] = [];
  const onSignal = (signal: string) => {
    if (stopped.signal.aborted) return;
    log.info('stopping', { signal });
    stopped.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  try {
    if (flags.probeAddress) servers.push(await listen(flags.probeAddress, probeHandler({ healthz: () => operator.healthz(), readyz: () => operator.readyz(), registry: metrics.registry })));
    if (flags.metricsAddress) servers.push(await listen(flags.metricsAddress, metricsHandler(metrics.registry)));
  } catch (e) {
    for (const s of servers) s.close();
    throw Object.assign(new Error(`cannot listen: ${(e as Error).message}`), { userError: true, exitCode: 2 });
  }
  log.info('starting', {
    identity, namespace: flags.namespace ?? '(all)', leaderElect: flags.leaderElect, resyncPeriodMs: flags.resyncMs,
    probePort: servers[0] && flags.probeAddress ? boundPort(servers[0]) : null,
    metricsPort: flags.metricsAddress ? boundPort(servers[servers.length - 1]) : null,
  });
  const starting = operator.start();
  await new Promise<void>((resolve) => stopped.signal.addEventListener('abort', () => resolve(), { once: true }));
  // The hard deadline: whatever still hangs (a Lease release, an informer), the process ends,
  // non-zero, a second after the graceful shutdown timeout.
  setTimeout(() => { log.error('did not stop in time; exiting', { gracefulShutdownTimeoutMs: flags.shutdownMs }); process.exit(1); }, flags.shutdownMs + 1_000).unref();
  const clean = await operator.stop(Math.max(100, flags.shutdownMs - 2_000));
  if (!clean) exitCode = 1;
  await starting.catch(() => {});
  await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
  log.info('stopped');
  // client-node's keep-alive sockets (and an aborted watch the server has not hung up yet) would
  // keep the event loop alive; the work is done and the Lease released, so end the process.
  setTimeout(() => process.exit(exitCode), 100).unref();
  return exitCode;
}
