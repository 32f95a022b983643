// The profile's Git credentials Secret (spec.gitops.repo.secretRef), read from the profile's own
// namespace at publish time. The install grants Secret access through the ClusterRole
// netprofile-operator-secrets, bound per namespace with a RoleBinding (the operator's namespace
// out of the box): a 403 is not a publish failure but missing RBAC, reported as
// CredentialsUnavailable with the command that grants it.
import { KubeError, type KubeApi } from './kube.js';
import { CredentialsError, credentialsFromSecret, type GitCredentials } from './publisher.js';
import { Informer, type KubeObject, type ListWatch } from './informer.js';
import type { BackoffOptions, Clock } from './clock.js';
import type { Logger } from './log.js';

/** Who the operator runs as, for the RoleBinding a 403 asks for. */
export interface ServiceAccountRef { namespace: string; name: string }

export const SECRETS_CLUSTER_ROLE = 'netprofile-operator-secrets';

export function grantCommand(namespace: string, sa: ServiceAccountRef): string {
  return `kubectl create rolebinding ${SECRETS_CLUSTER_ROLE} --namespace ${namespace} --clusterrole=${SECRETS_CLUSTER_ROLE} --serviceaccount=${sa.namespace}:${sa.name}`;
}

export async function readCredentials(api: KubeApi, namespace: string, secretName: string | undefined, repoUrl: string, sa: ServiceAccountRef): Promise<GitCredentials> {
  if (!secretName) return {};
  let data: Record<string, string> | null;
  try {
    data = await api.readSecret(namespace, secretName);
  } catch (e) {
    if (e instanceof KubeError && e.code === 403) {
      // A stable message (no server text): the condition must not change between attempts.
      throw new CredentialsError(`the operator may not get Secret ${namespace}/${secretName} (spec.gitops.repo.secretRef): its ServiceAccount ${sa.namespace}/${sa.name} has no "get" on secrets in namespace ${namespace}; grant it with: ${grantCommand(namespace, sa)}`);
    }
    throw e;
  }
  if (!data) throw new CredentialsError(`Secret ${namespace}/${secretName} (spec.gitops.repo.secretRef) does not exist; create it with the Git credentials (identity + known_hosts for ssh, username/password or token for https)`);
  return credentialsFromSecret(data, repoUrl, secretName);
}

// ---- watching the referenced Secrets ------------------------------------------------------------
// One list+watch per namespace that has profiles with a secretRef (the operator's namespace in the
// default scope; each granted namespace under --all-namespaces). The cache keeps each Secret's
// name, namespace and resourceVersion only, never its data (that is read with get at publish
// time); a created, rotated or deleted Secret re-queues the profiles that reference it at once.

/** The ListWatch with every object cut down to the metadata the watch needs. */
export function metadataOnly(lw: ListWatch): ListWatch {
  const strip = (o: any): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: o?.metadata?.name, namespace: o?.metadata?.namespace, resourceVersion: o?.metadata?.resourceVersion } });
  return {
    async list() { const r = await lw.list(); return { items: r.items.map(strip), resourceVersion: r.resourceVersion }; },
    watch: (rv, onEvent, onDone) => lw.watch(rv, (e) => onEvent(e.type === 'ERROR' ? e : { type: e.type, object: strip(e.object) }), onDone),
  };
}

export function secretRefOf(profile: KubeObject): string | null {
  const name = (profile.spec as { gitops?: { repo?: { secretRef?: { name?: unknown } } } } | undefined)?.gitops?.repo?.secretRef?.name;
  return typeof name === 'string' && name ? name : null;
}

export interface SecretWatchOptions {
  api: KubeApi;
  profiles(): KubeObject[];
  enqueue(key: string): void;
  backoff: BackoffOptions;
  clock: Clock;
  log: Logger;
}

export class SecretWatch {
  readonly informers = new Map<string, Informer>();
  private stopped = false;

  constructor(private readonly o: SecretWatchOptions) {}

  /** Profiles with a secretRef, per namespace (kept up to date by track()). */
  private readonly referencing = new Map<string, Set<string>>();

  /**
   * One profile event: starts the namespace's watch when its first profile with a secretRef
   * appears, stops it when the last goes. Constant work per event, so a first sync of N
   * profiles does not cost N² (refresh() recounts everything).
   */
  track(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const ns = obj.metadata.namespace ?? 'default';
    const has = type !== 'DELETED' && secretRefOf(obj) !== null;
    const set = this.referencing.get(ns) ?? new Set<string>();
    const before = set.size;
    if (has) set.add(obj.metadata.name); else set.delete(obj.metadata.name);
    if (set.size) this.referencing.set(ns, set); else this.referencing.delete(ns);
    if ((before === 0) !== (set.size === 0)) this.refresh();
  }

  /** Starts a watch for each namespace that now has a secretRef, stops those that have none. */
  refresh(): void {
    if (this.stopped) return;
    const wanted = new Set(this.o.profiles().filter((p) => secretRefOf(p)).map((p) => p.metadata.namespace ?? 'default'));
    for (const ns of wanted) {
      if (this.informers.has(ns)) continue;
      const inf = new Informer(metadataOnly(this.o.api.secrets(ns)), {
        onChange: (type, obj, old) => {
          if (type === 'MODIFIED' && old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
          for (const p of this.o.profiles()) {
            if ((p.metadata.namespace ?? 'default') === ns && secretRefOf(p) === obj.metadata.name) this.o.enqueue(`${ns}/${p.metadata.name}`);
          }
        },
      }, { name: `secrets/${ns}`, resyncMs: 0, backoff: this.o.backoff, clock: this.o.clock, log: this.o.log });
      this.informers.set(ns, inf);
      inf.start();
    }
    for (const [ns, inf] of this.informers) if (!wanted.has(ns)) { this.informers.delete(ns); void inf.stop(); }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    this.informers.clear();
  }
}
