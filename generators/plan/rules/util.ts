// Small helpers shared by the rule units and the planner (no imports beyond the parsers: this
// module is on the plan path).
import { isBlock, parseCIDR, type AddressBlock } from '../../api/net.js';
import type { NetworkProfile } from '../../api/profile.js';
import type { CcmProvider, Plan } from '../types.js';

/** Providers netprofile ships a cloud-controller-manager for (generators/components/ccm/). */
export const CCM_PROVIDERS = new Set<CcmProvider>(['alibaba', 'aws', 'azure', 'gcp', 'openstack', 'hetzner', 'digitalocean']);
/**
 * CCMs that read credentials from a Secret. AWS and GCP use the instance identity; Alibaba Cloud
 * falls back to the ECS instance RAM role when no AccessKey is given
 * (cloud-provider-alibaba-cloud v2.14.0 pkg/provider/alibaba/base/clientMgr.go, GetTokenAuth).
 */
export const CCM_NEEDS_SECRET = new Set<CcmProvider>(['azure', 'openstack', 'hetzner', 'digitalocean']);

const PROVIDER_NAMES: Record<string, string> = {
  alibaba: 'Alibaba Cloud', aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure', openstack: 'OpenStack', hetzner: 'Hetzner Cloud',
  digitalocean: 'DigitalOcean', linode: 'Linode', oci: 'Oracle Cloud', ibm: 'IBM Cloud', tencent: 'Tencent Cloud', huawei: 'Huawei Cloud',
};
export function providerName(provider: string | null): string {
  return provider ? PROVIDER_NAMES[provider] ?? provider : 'public-cloud';
}
/** "a" or "an" before a provider name. */
export function article(name: string): string {
  return /^[AEIOU]/.test(name) ? 'an' : 'a';
}

export function getPath(obj: unknown, path: string[]): unknown {
  let cur: any = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** The parsed CIDRs of a list, unparseable ones left out (invalid-field reports those at parse time). */
export function blocks(cidrs: readonly string[]): AddressBlock[] {
  return cidrs.map((c) => parseCIDR(c)).filter(isBlock);
}

/** The profile's pod CIDRs as blocks. */
export function podBlocks(profile: NetworkProfile): AddressBlock[] {
  return blocks(profile.spec.cluster.podCIDRs);
}

/** Implementations netprofile runs itself (they hand out pool addresses and announce them). */
export function isSelfRun(plan: Plan): boolean {
  const i = plan.loadBalancer.implementation;
  return i === 'cilium' || i === 'metallb' || i === 'purelb';
}

export function isCloudClass(plan: Plan): boolean {
  return plan.environment.class === 'public-cloud' || plan.environment.class === 'openstack';
}
