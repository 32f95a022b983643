// Builders for test profiles: a minimal valid profile per environment, changed per test.
import { checkProfile } from '../generators/api/parse.js';
import { planProfile, type PlanOptions } from '../generators/plan/plan.js';
import type { Plan } from '../generators/plan/types.js';
import type { Finding } from '../generators/api/findings.js';
import { detectEnvironment, nodeFactsFromList } from '../generators/detect/detect.js';

export type Raw = Record<string, any>;

/** Bare metal, Cilium without kube-proxy, one pool: plans clean. */
export function bareMetal(): Raw {
  return {
    apiVersion: 'netprofile.io/v1alpha1',
    kind: 'NetworkProfile',
    metadata: { name: 'test' },
    spec: {
      cluster: { name: 'test', podCIDRs: ['10.32.0.0/17'], serviceCIDRs: ['10.32.128.0/18'], nodeCIDRs: ['10.31.80.0/24'], apiServer: { host: '10.31.80.0', port: 8443 }, kubeProxy: 'none' },
      environment: { type: 'bare-metal' },
      loadBalancer: { pools: [{ name: 'default', addresses: ['10.32.192.0/18'] }] },
    },
  };
}

/** A self-managed cloud cluster with an explicit environment. */
export function cloud(provider: string, managed = false): Raw {
  const p = bareMetal();
  p.spec.environment = { type: 'cloud', provider, managed };
  p.spec.loadBalancer = {};
  p.spec.cloud = { credentialsSecretRef: { name: 'ccm-credentials' } };
  return p;
}

/** Validates and plans; throws when the schema rejects the profile. */
export function plan(raw: Raw, options: PlanOptions = {}): Plan {
  const parsed = checkProfile(raw, 'test.yaml');
  if (!parsed.profile) throw new Error(`profile rejected: ${parsed.findings.map((f) => f.message).join('; ')}`);
  return planProfile(parsed.profile, options);
}

/** Schema findings, or the plan's findings when the schema accepts the profile. */
export function findingsOf(raw: Raw, options: PlanOptions = {}): Finding[] {
  const parsed = checkProfile(raw, 'test.yaml');
  if (!parsed.profile) return parsed.findings;
  return planProfile(parsed.profile, options).findings;
}

export function factsOf(nodes: Raw[]) {
  return detectEnvironment(nodeFactsFromList({ apiVersion: 'v1', kind: 'List', items: nodes }, 'nodes.yaml'));
}

export function node(name: string, providerID?: string, labels: Record<string, string> = {}, extra: Raw = {}): Raw {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: providerID ? { providerID, ...extra.spec } : { ...extra.spec }, status: extra.status ?? {} };
}
