// The operator's only door to the Kubernetes API, over @kubernetes/client-node 1.4 (2.x needs a
// newer Node than the 20 we support). Everything else in operator/ sees the KubeApi interface.
import * as k8s from './client-node.js';
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash } from 'node:crypto';
import { GROUP, VERSION } from '../generators/api/profile.js';
import { detectionReadsAnnotation } from '../generators/detect/detect.js';
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
  /** A 429's (or 503's) Retry-After, in ms: the queue waits at least this long. */
  retryAfterMs?: number;
  constructor(readonly code: number, readonly reason: string, message: string, retryAfterMs?: number) {
    super(message);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** An API call that did not answer within its deadline (or was aborted on stop). */
export class KubeTimeout extends Error implements CodedError {}

export function toKubeError(e: unknown, what: string): Error {
  const err = e as { code?: number; body?: unknown; statusCode?: number; message?: string; name?: string; headers?: Record<string, string> };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || /aborted|timed? ?out/i.test(String(err?.message ?? '')) && typeof err?.code !== 'number') {
    return new KubeTimeout(`${what}: no answer within the API deadline (the request was aborted)`);
  }
  const code = typeof err?.code === 'number' ? err.code : typeof err?.statusCode === 'number' ? err.statusCode : undefined;
  if (code === undefined) return e instanceof Error ? new Error(`${what}: ${e.message}`) : new Error(`${what}: ${String(e)}`);
  let status: any = err.body;
  if (typeof status === 'string') { try { status = JSON.parse(status); } catch { status = { message: status.slice(0, 200) }; } }
  const reason = typeof status?.reason === 'string' ? status.reason : '';
  const message = typeof status?.message === 'string' ? status.message : (err.message ?? '').split('\n')[0];
  // Retry-After: the header (seconds), else the Status object's details.retryAfterSeconds.
  const header = err.headers?.['retry-after'] ?? err.headers?.['Retry-After'];
  const seconds = header !== undefined && /^\d{1,5}$/.test(String(header)) ? Number(header) : typeof status?.details?.retryAfterSeconds === 'number' ? status.details.retryAfterSeconds : undefined;
  return new KubeError(code, reason, `${what}: ${code}${reason ? ` ${reason}` : ''}: ${message}`, (code === 429 || code === 503) && seconds !== undefined ? Math.min(seconds, 600) * 1000 : undefined);
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

export interface ApiDeadlines {
  /** Every request but a watch (default 30 s). */
  requestMs: number;
  /** A watch: the server's timeoutSeconds is random in [min, 2·min] as client-go's reflector picks it. */
  watchMinSeconds: number;
  /** A watch whose stream has not opened (response headers) after this long is abandoned (default 30 s). */
  watchOpenMs: number;
  /** Items per list page (limit/continue; client-go's pager pages 500). */
  pageSize: number;
  /**
   * Items per page of the Node list (default 50). A busy Node is 10 to 30 kB of JSON (images,
   * managedFields), so a page of 500 is megabytes of response buffers, text and parsed objects at
   * once, and the process keeps that much more memory after the list (bench/operator.mjs: peak
   * RSS of the 1000-Node first status 165 MiB at 250 a page, 142 at 100, 135 at 50). The cache
   * keeps a few hundred bytes per Node; 1000 Nodes are 20 requests.
   */
  nodePageSize: number;
}

export const DEFAULT_DEADLINES: ApiDeadlines = { requestMs: 30_000, watchMinSeconds: 300, watchOpenMs: 30_000, pageSize: 500, nodePageSize: 50 };

/**
 * A client-node middleware that gives each request a deadline: an AbortSignal that fires after
 * `ms`, or when `stop` aborts (the operator stops or loses its Lease).
 */
function deadlineOptions(ms: number, stop?: AbortSignal, after: unknown[] = []): k8s.ConfigurationOptions {
  const reuse = keepAlive();
  // The generated clients chain middleware as their Observable (client-node's rxjs stub), as
  // client-node's own setHeaderOptions does.
  const middleware = {
    pre: (ctx: k8s.RequestContext) => {
      ctx.setAgent(reuse(ctx.getAgent()));
      const t = AbortSignal.timeout(ms);
      ctx.setSignal(stop ? AbortSignal.any([t, stop]) : t);
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (r: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(r)),
  };
  return { middleware: [middleware as any, ...after], middlewareMergeStrategy: 'append' } as k8s.ConfigurationOptions;
}

/**
 * A middleware for the Node list: each page is cut down to what detection reads (nodeForDetection)
 * as soon as its JSON is parsed, before client-node builds its typed V1Node copy of every field.
 * managedFields, images and conditions are most of a busy Node's bytes, and a page holds 500.
 * Error answers pass through untouched (toKubeError reads them).
 */
const trimNodeList = {
  pre: (ctx: k8s.RequestContext) => new k8s.Observable(Promise.resolve(ctx)),
  post: (r: k8s.ResponseContext) => new k8s.Observable((async () => {
    if (r.httpStatusCode < 200 || r.httpStatusCode > 299) return r;
    const list = JSON.parse(await r.body.text());
    if (Array.isArray(list?.items)) list.items = list.items.map(nodeForDetection);
    const text = JSON.stringify(list);
    return new k8s.ResponseContext(r.httpStatusCode, { ...r.headers, 'content-type': 'application/json' }, { text: async () => text, binary: async () => Buffer.from(text) });
  })()),
};

/**
 * client-node 1.4 builds a new http(s).Agent for every request (KubeConfig
 * applySecurityAuthentication), and node-fetch sends "Connection: close" without one: each call
 * would open a new connection (a TLS handshake in a cluster). This keeps one keep-alive agent
 * per set of TLS options and hands it to every request; proxy agents are left alone.
 */
function keepAlive(): (agent: unknown) => any {
  let cached: { key: string; agent: http.Agent } | null = null;
  return (agent) => {
    if (!(agent instanceof http.Agent) || (agent.constructor !== http.Agent && agent.constructor !== https.Agent)) return agent;
    const o = (agent as unknown as { options?: Record<string, unknown> }).options ?? {};
    const key = createHash('sha256').update(JSON.stringify([agent.constructor === https.Agent, o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername])).digest('hex');
    if (cached?.key !== key) {
      cached?.agent.destroy();
      const Ctor = agent.constructor as typeof http.Agent;
      cached = { key, agent: new Ctor({ ...o, keepAlive: true, maxSockets: 32 }) };
    }
    return cached.agent;
  };
}

function watchVia(kc: k8s.KubeConfig, path: string, kind: string, apiVersion: string, d: ApiDeadlines, stop?: AbortSignal, cut: (o: any) => any = (o) => o): ListWatch['watch'] {
  const watch = new k8s.Watch(kc);
  return async (resourceVersion, onEvent, onDone) => {
    // The server ends the watch after timeoutSeconds (random in [min, 2·min], client-go v0.34
    // tools/cache/reflector.go); the informer watches again from the last resourceVersion it saw.
    // Our own deadline sits 30 s past the server's: a server that never ends the stream, or
    // never opens it, cannot hold the informer.
    const timeoutSeconds = Math.round(d.watchMinSeconds * (1 + Math.random()));
    let done = false;
    let ctl: AbortController | null = null;
    const end = (err: CodedError | null) => { if (done) return; done = true; clearTimeout(deadline); clearTimeout(opening); ctl?.abort(); onDone(err); };
    const deadline = setTimeout(() => end(Object.assign(new Error(`watch ${path}: the server did not end the watch within ${timeoutSeconds + 30} s`), { code: undefined })), (timeoutSeconds + 30) * 1000);
    const opening = setTimeout(() => end(new Error(`watch ${path}: no response within the API deadline`)), d.watchOpenMs);
    deadline.unref?.(); opening.unref?.();
    const onStop = () => end(null);
    stop?.addEventListener('abort', onStop, { once: true });
    const started = watch.watch(path, { resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, (type: string, object: any) => {
      if (done) return;
      if (object && typeof object === 'object' && type !== 'ERROR' && !object.kind) { object.kind = kind; object.apiVersion = apiVersion; }
      onEvent({ type: type as WatchEvent['type'], object: type === 'ERROR' ? object : cut(object) });
    }, (err: any) => {
      stop?.removeEventListener('abort', onStop);
      if (!err || err.name === 'AbortError') return end(null);
      const e: CodedError = new Error(`watch ${path}: ${err.message ?? String(err)}`);
      if (typeof err.statusCode === 'number') e.code = err.statusCode;
      end(e);
    });
    started.then((c) => { clearTimeout(opening); ctl = c; if (done) c.abort(); }, (err) => end(Object.assign(new Error(`watch ${path}: ${(err as Error).message}`), { code: (err as { statusCode?: number }).statusCode })));
    return () => { stop?.removeEventListener('abort', onStop); if (!done) { done = true; clearTimeout(deadline); clearTimeout(opening); ctl?.abort(); } };
  };
}

/**
 * A profile without metadata.managedFields: the API server's record of who set which field (an
 * entry per manager, the operator's status writes among them) is read by nothing here, and the
 * cache holds every profile.
 */
function withoutManagedFields<T>(o: T): T {
  const m = (o as { metadata?: Record<string, unknown> } | null)?.metadata;
  if (!m || typeof m !== 'object' || !('managedFields' in m)) return o;
  const { managedFields: _, ...metadata } = m;
  return { ...o, metadata } as T;
}

/** Lists every page (limit/continue), so no single response holds the whole collection. */
async function listAll(page: (cont: string | undefined) => Promise<{ items?: unknown[]; metadata?: { resourceVersion?: string; _continue?: string; continue?: string } }>): Promise<{ items: unknown[]; resourceVersion: string }> {
  const items: unknown[] = [];
  let cont: string | undefined;
  let rv = '';
  for (let i = 0; i < 100_000; i++) {
    const res = await page(cont);
    for (const it of res?.items ?? []) items.push(it);
    // The first page's resourceVersion is the snapshot every later page is served from.
    if (i === 0) rv = String(res?.metadata?.resourceVersion ?? '');
    cont = res?.metadata?._continue ?? res?.metadata?.continue;
    if (!cont) break;
  }
  return { items, resourceVersion: rv };
}

export function kubeApi(kc: k8s.KubeConfig, deadlines: Partial<ApiDeadlines> = {}, stop?: AbortSignal): KubeApi {
  const d: ApiDeadlines = { ...DEFAULT_DEADLINES, ...deadlines };
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  const timed = deadlineOptions(d.requestMs, stop);
  const nodePages = deadlineOptions(d.requestMs, stop, [trimNodeList]);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, timed);
  const limit = d.pageSize;
  const apiVersion = `${GROUP}/${VERSION}`;
  const plain = <T>(o: unknown): T => JSON.parse(JSON.stringify(o)) as T;
  return {
    profiles(namespace) {
      const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
      return {
        async list() {
          try {
            const res = await listAll((_continue) => namespace
              ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, limit, _continue }, timed)
              : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, limit, _continue }, timed));
            const items = (res.items as KubeObject[]).map((i) => withoutManagedFields({ ...i, apiVersion, kind: 'NetworkProfile' }));
            return { items, resourceVersion: res.resourceVersion };
          } catch (e) { throw toKubeError(e, `list ${path}`); }
        },
        watch: watchVia(kc, path, 'NetworkProfile', apiVersion, d, stop, withoutManagedFields),
      };
    },
    nodes() {
      return {
        async list() {
          try {
            // Page by page, each page cut down to what detection reads as it arrives (trimNodeList)
            // and again from the typed V1Node (idempotent): the cache holds nothing else.
            const res = await listAll(async (_continue) => {
              const page = await core.listNode({ limit: d.nodePageSize, _continue }, nodePages);
              return { items: (page.items ?? []).map((i) => nodeForDetection(i as unknown as KubeObject)), metadata: page.metadata };
            });
            return { items: res.items as KubeObject[], resourceVersion: res.resourceVersion };
          } catch (e) { throw toKubeError(e, 'list /api/v1/nodes'); }
        },
        watch: watchVia(kc, '/api/v1/nodes', 'Node', 'v1', d, stop),
      };
    },
    secrets(namespace) {
      const path = `/api/v1/namespaces/${namespace}/secrets`;
      return {
        async list() {
          try {
            const res = await listAll(async (_continue) => {
              const page = await core.listNamespacedSecret({ namespace, limit, _continue }, timed);
              return { items: (page.items ?? []).map((i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: i.metadata?.name ?? '', namespace: i.metadata?.namespace ?? namespace, resourceVersion: i.metadata?.resourceVersion } })), metadata: page.metadata };
            });
            return { items: res.items as KubeObject[], resourceVersion: res.resourceVersion };
          } catch (e) { throw toKubeError(e, `list ${path}`); }
        },
        watch: watchVia(kc, path, 'Secret', 'v1', d, stop),
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
        const s = await core.readNamespacedSecret({ name, namespace }, timed);
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
        return plain<Lease>(await coordination.readNamespacedLease({ name, namespace }, timed));
      } catch (e) {
        const err = toKubeError(e, `read Lease ${namespace}/${name}`);
        if (err instanceof KubeError && err.code === 404) return null;
        throw err;
      }
    },
    async createLease(lease) {
      try {
        return plain<Lease>(await coordination.createNamespacedLease({ namespace: lease.metadata.namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease } as any }, timed));
      } catch (e) { throw toKubeError(e, `create Lease ${lease.metadata.namespace}/${lease.metadata.name}`); }
    },
    async replaceLease(lease) {
      try {
        return plain<Lease>(await coordination.replaceNamespacedLease({ name: lease.metadata.name, namespace: lease.metadata.namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease } as any }, timed));
      } catch (e) { throw toKubeError(e, `update Lease ${lease.metadata.namespace}/${lease.metadata.name}`); }
    },
    async createEvent(event) {
      try {
        await core.createNamespacedEvent({ namespace: event.metadata.namespace, body: { apiVersion: 'v1', kind: 'Event', ...event } as any }, timed);
      } catch (e) { throw toKubeError(e, `create Event in ${event.metadata.namespace}`); }
    },
  };
}

/**
 * A Node cut down to what detection reads (generators/detect/detect.ts nodeFactsFromList): name,
 * labels, the annotations detection reads (flannel's backend), providerID, taints, InternalIP
 * addresses, kubelet version and OS image. managedFields, status.images, conditions and the rest
 * never reach the cache (client-go's informer transform). Reads a watch event's plain JSON and
 * client-node's typed V1Node alike (the typed model keeps the JSON field names).
 */
export function nodeForDetection(n: KubeObject): KubeObject {
  const o = n as any;
  const spec: Record<string, unknown> = {};
  if (o.spec?.providerID !== undefined) spec.providerID = o.spec.providerID;
  if (Array.isArray(o.spec?.taints)) spec.taints = o.spec.taints.map((t: any) => ({ key: t?.key, ...(t?.effect !== undefined ? { effect: t.effect } : {}), ...(t?.value !== undefined ? { value: t.value } : {}) }));
  const status: Record<string, unknown> = {};
  if (Array.isArray(o.status?.addresses)) status.addresses = o.status.addresses.filter((a: any) => a?.type === 'InternalIP').map((a: any) => ({ type: 'InternalIP', address: a.address }));
  const info = o.status?.nodeInfo;
  if (info && typeof info === 'object') status.nodeInfo = { ...(info.kubeletVersion !== undefined ? { kubeletVersion: info.kubeletVersion } : {}), ...(info.osImage !== undefined ? { osImage: info.osImage } : {}) };
  const m = o.metadata;
  let annotations: Record<string, unknown> | undefined;
  if (m?.annotations && typeof m.annotations === 'object') {
    for (const [k, v] of Object.entries(m.annotations)) if (detectionReadsAnnotation(k)) (annotations ??= {})[k] = v;
  }
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: m?.name, ...(m?.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}), ...(m?.labels ? { labels: m.labels } : {}), ...(annotations ? { annotations } : {}) },
    spec, status,
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
