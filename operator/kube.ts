// The operator's only door to the Kubernetes API, over @kubernetes/client-node 1.4 (2.x needs a
// newer Node than the 20 we support). Everything else in operator/ sees the KubeApi interface.
import * as k8s from '@kubernetes/client-node';
import { GROUP, VERSION } from '../generators/api/profile.js';
import type { CodedError, KubeObject, ListWatch, WatchEvent } from './informer.js';

export const PLURAL = 'networkprofiles';

export interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface CoreEvent {
  metadata: { generateName: string; namespace: string };
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string; uid?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  action: string;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export interface KubeApi {
  profiles(namespace: string | null): ListWatch;
  nodes(): ListWatch;
  /** Secrets of one namespace (the watch of referenced Secrets; operator/secrets.ts keeps metadata only). */
  secrets(namespace: string): ListWatch;
  /** JSON merge patch of the status subresource (application/merge-patch+json). */
  patchProfileStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
  /** JSON merge patch of the object's metadata (finalizers), guarded by its resourceVersion. */
  patchProfileMetadata(namespace: string, name: string, metadata: { finalizers: string[]; resourceVersion?: string }): Promise<void>;
  /** The Secret's data, base64-decoded; null when it does not exist. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | null>;
  readLease(namespace: string, name: string): Promise<Lease | null>;
  createLease(lease: Lease): Promise<Lease>;
  replaceLease(lease: Lease): Promise<Lease>;
  createEvent(event: CoreEvent): Promise<void>;
}

/** An API error with the HTTP code and the reason of the Status object the server answered. */
export class KubeError extends Error implements CodedError {
  constructor(readonly code: number, readonly reason: string, message: string) { super(message); }
}

export function toKubeError(e: unknown, what: string): Error {
  const err = e as { code?: number; body?: unknown; statusCode?: number; message?: string };
  const code = typeof err?.code === 'number' ? err.code : typeof err?.statusCode === 'number' ? err.statusCode : undefined;
  if (code === undefined) return e instanceof Error ? new Error(`${what}: ${e.message}`) : new Error(`${what}: ${String(e)}`);
  let status: any = err.body;
  if (typeof status === 'string') { try { status = JSON.parse(status); } catch { status = { message: status.slice(0, 200) }; } }
  const reason = typeof status?.reason === 'string' ? status.reason : '';
  const message = typeof status?.message === 'string' ? status.message : (err.message ?? '').split('\n')[0];
  return new KubeError(code, reason, `${what}: ${code}${reason ? ` ${reason}` : ''}: ${message}`);
}

/** --kubeconfig, else KUBECONFIG, else in-cluster (the ServiceAccount token). */
export function loadKubeConfig(kubeconfig: string | undefined, env: NodeJS.ProcessEnv = process.env): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else if (env.KUBECONFIG) kc.loadFromDefault();
  else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else throw Object.assign(new Error('no cluster to talk to: pass --kubeconfig FILE, set KUBECONFIG, or run in a cluster (KUBERNETES_SERVICE_HOST unset)'), { userError: true, exitCode: 2 });
  if (!kc.getCurrentCluster()) throw Object.assign(new Error(`the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''} has no current cluster: set current-context`), { userError: true, exitCode: 2 });
  return kc;
}

const TIMEOUT_SECONDS = 300;

function watchVia(kc: k8s.KubeConfig, path: string, kind: string, apiVersion: string): ListWatch['watch'] {
  const watch = new k8s.Watch(kc);
  return async (resourceVersion, onEvent, onDone) => {
    // The server ends the watch after timeoutSeconds (with jitter on its side); the informer
    // simply watches again from the last resourceVersion it saw.
    const ctl = await watch.watch(path, { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: TIMEOUT_SECONDS }, (type: string, object: any) => {
      if (object && typeof object === 'object' && type !== 'ERROR' && !object.kind) { object.kind = kind; object.apiVersion = apiVersion; }
      onEvent({ type: type as WatchEvent['type'], object });
    }, (err: any) => {
      if (!err) return onDone(null);
      if (err.name === 'AbortError') return onDone(null);
      const e: CodedError = new Error(`watch ${path}: ${err.message ?? String(err)}`);
      if (typeof err.statusCode === 'number') e.code = err.statusCode;
      onDone(e);
    });
    return () => ctl.abort();
  };
}

export function kubeApi(kc: k8s.KubeConfig): KubeApi {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const apiVersion = `${GROUP}/${VERSION}`;
  const plain = <T>(o: unknown): T => JSON.parse(JSON.stringify(o)) as T;
  return {
    profiles(namespace) {
      const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
      return {
        async list() {
          try {
            const res = namespace
              ? await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
              : await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL });
            const items = ((res?.items ?? []) as KubeObject[]).map((i) => ({ ...i, apiVersion, kind: 'NetworkProfile' }));
            return { items, resourceVersion: String(res?.metadata?.resourceVersion ?? '') };
          } catch (e) { throw toKubeError(e, `list ${path}`); }
        },
        watch: watchVia(kc, path, 'NetworkProfile', apiVersion),
      };
    },
    nodes() {
      return {
        async list() {
          try {
            const res = await core.listNode();
            const items = plain<KubeObject[]>(res.items ?? []).map((i) => ({ ...i, apiVersion: 'v1', kind: 'Node' }));
            return { items, resourceVersion: String(res.metadata?.resourceVersion ?? '') };
          } catch (e) { throw toKubeError(e, 'list /api/v1/nodes'); }
        },
        watch: watchVia(kc, '/api/v1/nodes', 'Node', 'v1'),
      };
    },
    secrets(namespace) {
      const path = `/api/v1/namespaces/${namespace}/secrets`;
      return {
        async list() {
          try {
            const res = await core.listNamespacedSecret({ namespace });
            const items = (res.items ?? []).map((i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: i.metadata?.name ?? '', namespace: i.metadata?.namespace ?? namespace, resourceVersion: i.metadata?.resourceVersion } }));
            return { items, resourceVersion: String(res.metadata?.resourceVersion ?? '') };
          } catch (e) { throw toKubeError(e, `list ${path}`); }
        },
        watch: watchVia(kc, path, 'Secret', 'v1'),
      };
    },
    async patchProfileStatus(namespace, name, status) {
      try {
        await custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } }, mergePatch);
      } catch (e) { throw toKubeError(e, `patch status of ${PLURAL}/${name} in ${namespace}`); }
    },
    async patchProfileMetadata(namespace, name, metadata) {
      try {
        await custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { metadata } }, mergePatch);
      } catch (e) { throw toKubeError(e, `patch ${PLURAL}/${name} in ${namespace}`); }
    },
    async readSecret(namespace, name) {
      try {
        const s = await core.readNamespacedSecret({ name, namespace });
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
        return out;
      } catch (e) {
        const err = toKubeError(e, `read Secret ${namespace}/${name}`);
        if (err instanceof KubeError && err.code === 404) return null;
        throw err;
      }
    },
    async readLease(namespace, name) {
      try {
        return plain<Lease>(await coordination.readNamespacedLease({ name, namespace }));
      } catch (e) {
        const err = toKubeError(e, `read Lease ${namespace}/${name}`);
        if (err instanceof KubeError && err.code === 404) return null;
        throw err;
      }
    },
    async createLease(lease) {
      try {
        return plain<Lease>(await coordination.createNamespacedLease({ namespace: lease.metadata.namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease } as any }));
      } catch (e) { throw toKubeError(e, `create Lease ${lease.metadata.namespace}/${lease.metadata.name}`); }
    },
    async replaceLease(lease) {
      try {
        return plain<Lease>(await coordination.replaceNamespacedLease({ name: lease.metadata.name, namespace: lease.metadata.namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease } as any }));
      } catch (e) { throw toKubeError(e, `update Lease ${lease.metadata.namespace}/${lease.metadata.name}`); }
    },
    async createEvent(event) {
      try {
        await core.createNamespacedEvent({ namespace: event.metadata.namespace, body: { apiVersion: 'v1', kind: 'Event', ...event } as any });
      } catch (e) { throw toKubeError(e, `create Event in ${event.metadata.namespace}`); }
    },
  };
}

/** MicroTime as kube-apiserver parses it (RFC 3339 with exactly six fractional digits). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** metav1.Time: RFC 3339, whole seconds. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
