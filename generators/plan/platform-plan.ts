// The platform entry a plan follows (generators/platforms/platforms.ts) and what it supplies:
// the defaults of the Cilium `auto` lists, the API server endpoint with kube-proxy replacement,
// the chart values and the manual steps. Pure.
import type { Detection } from '../detect/detect.js';
import { ipamValues, platform, platformFor, type Platform, type PlatformContext } from '../platforms/platforms.js';
import type { PlanPlatform } from './types.js';

type Decide = (field: string, value: unknown, reason: string, rule?: string | null, fact?: string | null) => void;

/** The entry for the resolved distribution and environment; null when the environment is unknown. */
export function resolvePlatform(distribution: string, env: { type: string | null; provider: string | null; managed: boolean | null; class: string | null },
  facts: Detection | undefined, decide: Decide): Platform | null {
  if (env.class === null) {
    decide('platform', null, 'the environment is unknown, so no platform entry applies', 'environment-unknown');
    return null;
  }
  const kind = facts?.kind === true && env.provider === null;
  const chosen = platformFor({ distribution, kind, type: env.type, provider: env.provider, managed: env.managed });
  const entry = platform(chosen.id);
  decide('platform', entry.id, `${entry.name} (${chosen.reason}): datapath ${entry.datapathMode}`, null, `platform ${entry.id}`);
  return entry;
}

/** The entry resolved against the finished Cilium decisions. */
export function planPlatform(entry: Platform, c: PlatformContext, usesCilium: boolean): PlanPlatform {
  return {
    id: entry.id,
    name: entry.name,
    datapathMode: entry.datapathMode,
    // An IPAM mode chosen explicitly needs its chart switch on every platform (eni.enabled, alibabacloud.enabled).
    values: usesCilium ? { ...ipamValues(c.ipam), ...entry.values(c) } : {},
    manualSteps: usesCilium ? entry.manualSteps(c) : [],
    source: entry.source,
  };
}
