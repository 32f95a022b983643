// Shared by the BGP speakers: one manual step per referenced Secret (several peers often share
// one), naming the namespace and key the speaker reads. Only references ever land in Git.
import type { PlanPeer } from '../plan/types.js';

export function peerSecretSteps(peers: PlanPeer[], speaker: string, namespace: string, requiredKey: string | null, secretType?: string): string[] {
  const bySecret = new Map<string, PlanPeer[]>();
  for (const p of peers) {
    if (!p.passwordSecretRef) continue;
    const list = bySecret.get(p.passwordSecretRef.name) ?? [];
    list.push(p);
    bySecret.set(p.passwordSecretRef.name, list);
  }
  return [...bySecret.entries()].map(([name, list]) => {
    const keys = [...new Set(list.map((p) => p.passwordSecretRef!.key))];
    const key = requiredKey ?? keys.join('", "');
    const wrongKeys = requiredKey ? keys.filter((k) => k !== requiredKey) : [];
    return `Create Secret ${name} in ${namespace}${secretType ? ` (type ${secretType})` : ''} holding the BGP password of peer${list.length > 1 ? 's' : ''} ${list.map((p) => p.name).join(', ')} under the key "${key}"${wrongKeys.length ? ` (${speaker} reads only that key, not "${wrongKeys.join('", "')}")` : ''}.`;
  });
}
