// inline-secret: the profile and everything rendered from it land in Git, so a credential given
// inline leaks. Credentials are given only by Secret reference (field note 3: the Alibaba CCM's
// AccessKey; BGP passwords through passwordSecretRef).
import type { Finding } from '../../api/findings.js';
import { finding, type RuleUnit } from './registry.js';

/** Keys in free-form values that carry credentials: never inline. */
const SECRET_KEY = /(password|passwd|secret|token|accesskey|access_key|privatekey|private_key|apikey|api_key)$/i;

export function secretLikeKeys(obj: unknown, base: string, depth = 0): string[] {
  if (!obj || typeof obj !== 'object' || depth > 32) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = `${base}.${k}`;
    if (typeof v === 'string' && v.length > 0 && SECRET_KEY.test(k) && !/secretname$|name$|ref$|file$|path$/i.test(k)) out.push(path);
    else if (typeof v === 'string' && /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bLTAI[0-9A-Za-z]{12,20}\b/.test(v)) out.push(path);
    else if (v && typeof v === 'object') out.push(...secretLikeKeys(v, path, depth + 1));
  }
  return out;
}

export const inlineSecret: RuleUnit<'inline-secret'> = {
  id: 'inline-secret',
  severity: 'error',
  summary: 'a credential or password given inline instead of a Secret reference',
  why: 'The profile and the tree rendered from it are committed to Git; a password, access key or private key written inline is readable by everyone with access to the repository, forever.',
  fix: 'Create a Secret and reference it: passwordSecretRef for BGP peers, spec.cloud.credentialsSecretRef for the CCM, the chart\'s secret-name value for Helm values.',
  source: 'field note 3 (CCM AccessKey kept out of Git)',
  check({ profile }) {
    const spec = profile.spec;
    const out: Finding[] = [];
    spec.loadBalancer.bgp.peers.forEach((p, i) => {
      if (p.password !== undefined) out.push(finding(inlineSecret, `spec.loadBalancer.bgp.peers[${i}].password`, `The BGP password of peer ${p.name} is written inline and would land in Git; put it in a Secret and reference it with passwordSecretRef: {name, key}.`));
    });
    if (spec.cloud.credentials !== undefined) {
      out.push(finding(inlineSecret, 'spec.cloud.credentials', 'Cloud credentials are written inline and would land in Git; create a Secret and reference it with spec.cloud.credentialsSecretRef.'));
    }
    for (const path of secretLikeKeys(spec.cni.cilium.values, 'spec.cni.cilium.values')) {
      out.push(finding(inlineSecret, path, `${path} looks like a credential written inline; Helm values land in Git, so reference a Secret instead (for example the chart's secret-name value).`));
    }
    return out;
  },
};
