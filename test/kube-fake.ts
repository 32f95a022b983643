// A strict fake kube-apiserver for the operator tests. Every request the real
// @kubernetes/client-node sends is checked (method, exact path, the query keys allowed for that
// call, Content-Type, the body's shape) and answered the way kube-apiserver answers: objects with
// resourceVersions, real Status objects for errors, watch streams of newline-delimited JSON
// events (ERROR with a 410 Status when the resourceVersion is too old). Anything else is recorded
// in `unexpected`, and each test asserts that list is empty. Served through nock (in-process
// tests) or a real HTTP server (the child-process test).
//
// It is honest about the faults a real cluster has: RBAC (a 403 Forbidden Status, worded as
// kube-apiserver words it, for every request the install's Roles do not grant the ServiceAccount),
// hung and slow responses, BOOKMARK events, watches the server ends after their timeoutSeconds,
// 429 TooManyRequests with Retry-After, paged lists (limit/continue), and a status subresource
// that ignores everything but status while the main resource ignores status.
import nock from 'nock';
import { PassThrough } from 'node:stream';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { root, tempDir } from './helpers.js';
import { Operator } from '../operator/operator.js';
import { kubeApi, loadKubeConfig, type ApiDeadlines } from '../operator/kube.js';
import { memoryLogger } from '../operator/log.js';
import { systemClock, type BackoffOptions } from '../operator/clock.js';
import type { Publisher } from '../operator/publisher.js';
import { batchingPublisher } from '../operator/batch.js';

export interface Recorded { method: string; path: string; query: Record<string, string>; contentType: string | null; body: any }
interface Reply { status: number; body?: unknown; stream?: PassThrough; headers?: Record<string, string>; delayMs?: number; hang?: boolean }
interface Fault { method: string; path: RegExp; code: number; times: number; reason: string; retryAfterSeconds?: number }
interface Stall { method: string; path: RegExp; times: number; delayMs: number | null }
/** One RBAC grant: `group/resource:verb`, in one namespace or (null) in all. */
export interface Grant { namespace: string | null; permission: string }
type Kind = 'networkprofiles' | 'nodes' | 'secrets';

const GROUP_PATH = '/apis/netprofile.io/v1alpha1';
const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export function status(code: number, reason: string, message: string, details: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

export class FakeKube {
  readonly host = 'http://kube.test';
  readonly requests: Recorded[] = [];
  readonly unexpected: string[] = [];
  readonly profiles = new Map<string, any>();
  readonly nodes = new Map<string, any>();
  readonly leases = new Map<string, any>();
  readonly secrets = new Map<string, any>();
  readonly events: any[] = [];
  private rv = 100;
  /** Watches from a resourceVersion below this get 410 Gone (etcd compaction). */
  compactedBelow = 0;
  private readonly history: { rv: number; kind: Kind; type: string; object: any }[] = [];
  private readonly watchers = new Set<{ kind: Kind; ns: string | null; stream: PassThrough }>();
  private readonly faults: Fault[] = [];
  private readonly stalls: Stall[] = [];
  private server: Server | null = null;
  /** When set, requests the grants do not cover get 403 Forbidden (see harness: the install's RBAC). */
  grants: Grant[] | null = null;
  /** The user RBAC errors name. */
  user = 'system:serviceaccount:netprofile-system:netprofile-operator';
  /** Milliseconds per second of a watch's timeoutSeconds (1000: real time; tests shorten it). */
  watchSecondMs = 1000;
  /** Items per list page the server returns at most even without a limit (0: no cap). */
  private continues = new Map<string, { kind: Kind; ns: string | null; keys: string[]; rv: string }>();

  // ---- state -------------------------------------------------------------------------------

  private nextRv(): string { return String(++this.rv); }

  addNode(node: any): void { this.put('nodes', node.metadata.name, { apiVersion: 'v1', kind: 'Node', ...node }); }
  removeNode(name: string): void { this.remove('nodes', name); }

  addProfile(profile: any): any {
    const ns = profile.metadata.namespace ?? 'netprofile-system';
    const key = `${ns}/${profile.metadata.name}`;
    const old = this.profiles.get(key);
    const changedSpec = !old || JSON.stringify(old.spec) !== JSON.stringify(profile.spec);
    const obj = structuredClone({
      ...profile,
      metadata: { ...profile.metadata, namespace: ns, uid: old?.metadata.uid ?? `uid-${profile.metadata.name}`, generation: (old?.metadata.generation ?? 0) + (changedSpec ? 1 : 0), creationTimestamp: '2025-01-01T00:00:00Z',
        // A spec update keeps what the server and controllers own.
        ...(old?.metadata.finalizers ? { finalizers: old.metadata.finalizers } : {}), ...(old?.metadata.deletionTimestamp ? { deletionTimestamp: old.metadata.deletionTimestamp } : {}) },
      ...(old?.status ? { status: old.status } : {}),
    });
    this.put('networkprofiles', key, obj);
    return obj;
  }

  /**
   * kubectl delete: with finalizers the object only gets a deletionTimestamp (and, as
   * kube-apiserver's BeforeDelete does, a new generation); without, it goes.
   */
  deleteProfile(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const obj = this.profiles.get(key);
    if (!obj) return;
    if (!obj.metadata.finalizers?.length) { this.remove('networkprofiles', key); return; }
    if (obj.metadata.deletionTimestamp) return;
    const next = structuredClone(obj);
    next.metadata.deletionTimestamp = '2025-01-01T00:01:00Z';
    next.metadata.generation += 1;
    this.put('networkprofiles', key, next);
  }

  addSecret(namespace: string, name: string, data: Record<string, string>): void {
    // Created or rotated: a watch of the namespace's Secrets sees ADDED or MODIFIED.
    this.put('secrets', `${namespace}/${name}`, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
  }

  private store(kind: Kind): Map<string, any> { return kind === 'nodes' ? this.nodes : kind === 'secrets' ? this.secrets : this.profiles; }

  private put(kind: Kind, key: string, obj: any): void {
    const existed = this.store(kind).has(key);
    obj.metadata.resourceVersion = this.nextRv();
    this.store(kind).set(key, obj);
    this.emit(kind, existed ? 'MODIFIED' : 'ADDED', obj);
  }

  private remove(kind: Kind, key: string): void {
    const obj = this.store(kind).get(key);
    if (!obj) return;
    this.store(kind).delete(key);
    obj.metadata.resourceVersion = this.nextRv();
    this.emit(kind, 'DELETED', obj);
  }

  private emit(kind: Kind, type: string, object: any): void {
    const rv = Number(object.metadata.resourceVersion);
    this.history.push({ rv, kind, type, object: structuredClone(object) });
    for (const w of this.watchers) {
      if (w.kind === kind && (w.ns === null || w.ns === object.metadata.namespace)) w.stream.write(JSON.stringify({ type, object }) + '\n');
    }
  }

  /** Ends every open watch of `kind` with an ERROR 410 event, and compacts history up to now. */
  expireWatches(kind: Kind): void {
    this.compactedBelow = this.rv + 1;
    for (const w of [...this.watchers]) {
      if (w.kind !== kind) continue;
      w.stream.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') }) + '\n');
      this.watchers.delete(w);
    }
  }

  /** Closes all open watches (the server's timeoutSeconds ran out). */
  closeWatches(): void { for (const w of this.watchers) w.stream.end(); this.watchers.clear(); }

  openWatches(kind: Kind): number { return [...this.watchers].filter((w) => w.kind === kind).length; }

  /** The next `times` requests matching method and path get a Status with `code`. */
  fail(method: string, path: RegExp, code: number, times = 1, reason = code === 500 ? 'InternalError' : code === 429 ? 'TooManyRequests' : code === 409 ? 'Conflict' : code === 404 ? 'NotFound' : 'BadRequest'): void {
    this.faults.push({ method, path, code, times, reason });
  }

  /** The next `times` matching requests get 429 TooManyRequests with Retry-After (header and details). */
  throttle(method: string, path: RegExp, retryAfterSeconds: number, times = 1): void {
    this.faults.push({ method, path, code: 429, times, reason: 'TooManyRequests', retryAfterSeconds });
  }

  /** The next `times` matching requests are never answered (the connection stays open). */
  hang(method: string, path: RegExp, times = 1): void { this.stalls.push({ method, path, times, delayMs: null }); }

  /** The next `times` matching requests are answered after `delayMs`. */
  slow(method: string, path: RegExp, delayMs: number, times = 1): void { this.stalls.push({ method, path, times, delayMs }); }

  /** Sends a BOOKMARK (the current resourceVersion, no object change) to every open watch of `kind`. */
  bookmark(kind: Kind): void {
    const apiVersion = kind === 'networkprofiles' ? 'netprofile.io/v1alpha1' : 'v1';
    const k = kind === 'nodes' ? 'Node' : kind === 'secrets' ? 'Secret' : 'NetworkProfile';
    for (const w of this.watchers) if (w.kind === kind) w.stream.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: k, apiVersion, metadata: { resourceVersion: String(this.rv) } } }) + '\n');
  }

  /** Bumps the resourceVersion without an event the watch of `kind` sees (another kind changed). */
  touch(): string { return this.nextRv(); }

  /** Requests that change something (everything but GET), optionally without the Lease traffic. */
  writes(options: { leases?: boolean } = {}): Recorded[] {
    return this.requests.filter((r) => r.method !== 'GET' && (options.leases || !r.path.includes('/leases')));
  }

  statusPatches(): Recorded[] { return this.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')); }

  // ---- serving -----------------------------------------------------------------------------

  /** Routes every request to kube.test through `handle` (nock, in-process). */
  mount(): void {
    nock.disableNetConnect();
    // Requests to any other host are refused by disableNetConnect and recorded here.
    nock.emitter.on('no match', this.onNoMatch);
    const self = this;
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      nock(this.host).persist().intercept(() => true, method).query(true).reply(function (uri, body, cb) {
        const headers = this.req.headers as Record<string, string | string[] | undefined>;
        const ct = headers['content-type'];
        const r = self.handle(method, uri, typeof ct === 'string' ? ct : Array.isArray(ct) ? ct[0] : null, typeof body === 'string' ? body : body == null ? '' : JSON.stringify(body));
        const h = { 'content-type': 'application/json', ...r.headers };
        const answer = () => cb(null, r.stream ? [r.status, r.stream, h] : [r.status, r.body === undefined ? '' : JSON.stringify(r.body), h]);
        if (r.hang) return; // never answered
        if (r.delayMs) setTimeout(answer, r.delayMs);
        else answer();
      });
    }
  }

  private readonly onNoMatch = (req: any) => { this.unexpected.push(`no interceptor for ${req?.method ?? ''} ${req?.href ?? req?.path ?? String(req)}`); };

  unmount(): void {
    nock.emitter.removeListener('no match', this.onNoMatch);
    this.closeWatches();
    nock.cleanAll();
    nock.enableNetConnect();
  }

  /** Serves the fake on a real port (for a child process); returns the server URL. */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const r = this.handle(req.method ?? 'GET', req.url ?? '/', (req.headers['content-type'] as string | undefined) ?? null, Buffer.concat(chunks).toString('utf8'));
        if (r.hang) return; // never answered; the client's deadline must end it
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
          if (r.stream) { r.stream.pipe(res); res.on('close', () => r.stream!.end()); } else res.end(r.body === undefined ? '' : JSON.stringify(r.body));
        };
        if (r.delayMs) setTimeout(answer, r.delayMs); else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closeWatches();
    if (this.server) { this.server.closeAllConnections(); await new Promise<void>((r) => this.server!.close(() => r())); }
  }

  private bad(rec: Recorded, why: string): Reply {
    this.unexpected.push(`${rec.method} ${rec.path}${Object.keys(rec.query).length ? `?${new URLSearchParams(rec.query)}` : ''}: ${why}`);
    return { status: 400, body: status(400, 'BadRequest', `fake apiserver: ${why}`) };
  }

  handle(method: string, uri: string, contentType: string | null, rawBody: string): Reply {
    const url = new URL(uri, 'http://kube.test');
    const query = Object.fromEntries(url.searchParams);
    let body: any = undefined;
    if (rawBody) { try { body = JSON.parse(rawBody); } catch { body = rawBody; } }
    const rec: Recorded = { method, path: url.pathname, query, contentType, body };
    this.requests.push(rec);
    const stall = this.stalls.find((f) => f.method === method && f.path.test(url.pathname) && f.times > 0);
    if (stall) {
      stall.times--;
      if (stall.delayMs === null) return { status: 0, hang: true };
      return { ...this.route(rec, method, url, query, body), delayMs: stall.delayMs };
    }
    return this.route(rec, method, url, query, body);
  }

  /** RBAC as kube-apiserver's authorizer answers: the request's verb on its resource, in its namespace. */
  private forbidden(rec: Recorded): Reply | null {
    if (!this.grants) return null;
    const permission = permissionOf(rec);
    const ns = /\/namespaces\/([^/]+)\//.exec(rec.path)?.[1] ?? null;
    if (this.grants.some((g) => g.permission === permission && (g.namespace === null || g.namespace === ns))) return null;
    const [resourcePart, verb] = permission.split(':');
    const slash = resourcePart.indexOf('/');
    const group = resourcePart.slice(0, slash);
    const [resource, sub] = resourcePart.slice(slash + 1).split('/');
    const name = /\/[^/]+\/([^/]+?)(?:\/status)?$/.exec(rec.path) && /\/(?:secrets|leases|networkprofiles)\/([^/]+)/.exec(rec.path)?.[1];
    const what = `${resource}${group ? `.${group}` : ''}${name ? ` "${name}"` : ''}`;
    const message = `${what} is forbidden: User "${this.user}" cannot ${verb} resource "${resource}"${sub ? ` subresource "${sub}"` : ''} in API group "${group}"${ns ? ` in the namespace "${ns}"` : ' at the cluster scope'}`;
    return { status: 403, body: status(403, 'Forbidden', message, { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource }) };
  }

  private route(rec: Recorded, method: string, url: URL, query: Record<string, string>, body: any): Reply {
    const contentType = rec.contentType;
    const denied = this.forbidden(rec);
    if (denied) return denied;
    const fault = this.faults.find((f) => f.method === method && f.path.test(url.pathname) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.retryAfterSeconds !== undefined) {
        return { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds) }, body: status(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', { retryAfterSeconds: fault.retryAfterSeconds }) };
      }
      return { status: fault.code, body: status(fault.code, fault.reason, fault.code === 500 ? 'etcdserver: request timed out' : `injected ${fault.code}`) };
    }
    const p = url.pathname;
    const onlyQuery = (allowed: string[]) => Object.keys(query).filter((k) => !allowed.includes(k));
    let m: RegExpExecArray | null;

    // List and watch: NetworkProfiles (all namespaces or one) and Nodes.
    let secretsNs: RegExpExecArray | null = null;
    if (method === 'GET' && ((m = new RegExp(`^${GROUP_PATH}(?:/namespaces/([a-z0-9-]+))?/networkprofiles$`).exec(p)) || p === '/api/v1/nodes' || (secretsNs = m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/secrets$/.exec(p)))) {
      const kind: Kind = p === '/api/v1/nodes' ? 'nodes' : secretsNs ? 'secrets' : 'networkprofiles';
      const ns = kind === 'nodes' ? null : m?.[1] ?? null;
      if (query.watch === 'true') {
        const extra = onlyQuery(['watch', 'resourceVersion', 'allowWatchBookmarks', 'timeoutSeconds']);
        if (extra.length) return this.bad(rec, `unexpected watch query ${extra.join(', ')}`);
        if (!/^\d+$/.test(query.resourceVersion ?? '')) return this.bad(rec, 'a watch must start from the resourceVersion of a list');
        if (query.allowWatchBookmarks !== 'true') return this.bad(rec, 'watch without allowWatchBookmarks=true');
        const stream = new PassThrough();
        const from = Number(query.resourceVersion);
        if (from < this.compactedBelow) {
          stream.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`) }) + '\n');
          return { status: 200, stream };
        }
        for (const h of this.history) {
          if (h.kind === kind && h.rv > from && (ns === null || h.object.metadata.namespace === ns)) stream.write(JSON.stringify({ type: h.type, object: h.object }) + '\n');
        }
        const w = { kind, ns, stream };
        this.watchers.add(w);
        // kube-apiserver ends a watch when its timeoutSeconds run out: a clean end of the stream.
        const seconds = Number(query.timeoutSeconds ?? 0);
        const timer = seconds > 0 ? setTimeout(() => { this.watchers.delete(w); stream.end(); }, seconds * this.watchSecondMs) : null;
        timer?.unref?.();
        stream.on('close', () => { this.watchers.delete(w); if (timer) clearTimeout(timer); });
        return { status: 200, stream };
      }
      const extra = onlyQuery(['limit', 'continue']);
      if (extra.length) return this.bad(rec, `unexpected list query ${extra.join(', ')}`);
      if (query.limit !== undefined && !/^[1-9]\d*$/.test(query.limit)) return this.bad(rec, `limit "${query.limit}" is not a positive integer`);
      // Paging: the first page fixes the snapshot (its keys and resourceVersion); continue tokens
      // serve the rest of that snapshot (objects as they are now, in this fake).
      let keys: string[];
      let rv: string;
      if (query.continue !== undefined) {
        const c = this.continues.get(query.continue);
        if (!c || c.kind !== kind || c.ns !== ns) return { status: 410, body: status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.') };
        keys = c.keys; rv = c.rv;
        this.continues.delete(query.continue);
      } else {
        keys = [...this.store(kind).entries()].filter(([, o]) => ns === null || o.metadata.namespace === ns).map(([k]) => k);
        rv = String(this.rv);
      }
      const limit = query.limit ? Number(query.limit) : keys.length;
      const page = keys.slice(0, limit);
      const rest = keys.slice(limit);
      const metadata: Record<string, string> = { resourceVersion: rv };
      if (rest.length) {
        const token = Buffer.from(`${kind}/${this.continues.size}/${rest[0]}/${Math.random()}`).toString('base64url');
        this.continues.set(token, { kind, ns, keys: rest, rv });
        metadata.continue = token;
      }
      const items = page.map((k) => this.store(kind).get(k)).filter(Boolean).map((o) => {
        // A list's items carry no kind/apiVersion, as kube-apiserver sends them.
        const { kind: _k, apiVersion: _a, ...rest } = structuredClone(o);
        return rest;
      });
      return { status: 200, body: { apiVersion: kind === 'networkprofiles' ? 'netprofile.io/v1alpha1' : 'v1', kind: kind === 'nodes' ? 'NodeList' : kind === 'secrets' ? 'SecretList' : 'NetworkProfileList', metadata, items } };
    }

    // Status subresource: a JSON merge patch, and only of status.
    if ((m = new RegExp(`^${GROUP_PATH}/namespaces/([a-z0-9-]+)/networkprofiles/([a-z0-9.-]+)/status$`).exec(p))) {
      if (method !== 'PATCH') return this.bad(rec, 'status is only patched');
      if (contentType !== 'application/merge-patch+json') return this.bad(rec, `status patch with Content-Type ${contentType}; a merge patch body needs application/merge-patch+json`);
      if (onlyQuery([]).length) return this.bad(rec, 'unexpected patch query');
      if (!body || typeof body !== 'object' || Array.isArray(body) || !body.status || typeof body.status !== 'object') return this.bad(rec, 'a status merge patch must carry {"status": {...}}');
      // The status subresource ignores everything but status (spec, metadata): kube-apiserver's
      // status strategy resets them from the stored object; the generation never moves.
      const st = body.status;
      if (typeof st.observedGeneration !== 'number' || !Array.isArray(st.conditions)) return this.bad(rec, 'status needs observedGeneration and conditions');
      for (const c of st.conditions) {
        if (!['Detected', 'Planned', 'Published', 'Ready'].includes(c.type) || !['True', 'False', 'Unknown'].includes(c.status) || !/^[A-Z][A-Za-z]*$/.test(c.reason) || typeof c.message !== 'string' || !TIME.test(c.lastTransitionTime)) {
          return this.bad(rec, `condition is not a metav1.Condition: ${JSON.stringify(c)}`);
        }
      }
      const key = `${m[1]}/${m[2]}`;
      const obj = this.profiles.get(key);
      if (!obj) return { status: 404, body: status(404, 'NotFound', `networkprofiles.netprofile.io "${m[2]}" not found`, { name: m[2], group: 'netprofile.io', kind: 'networkprofiles' }) };
      const next = structuredClone(obj);
      next.status = mergePatch(next.status ?? {}, st);
      this.put('networkprofiles', key, next);
      return { status: 200, body: next };
    }

    // The main resource: a merge patch of metadata.finalizers only (what the operator writes),
    // optimistic on metadata.resourceVersion; the last finalizer gone from a deleting object deletes it.
    if ((m = new RegExp(`^${GROUP_PATH}/namespaces/([a-z0-9-]+)/networkprofiles/([a-z0-9.-]+)$`).exec(p)) && method === 'PATCH') {
      if (contentType !== 'application/merge-patch+json') return this.bad(rec, `patch with Content-Type ${contentType}`);
      if (onlyQuery([]).length) return this.bad(rec, 'unexpected patch query');
      const md = body?.metadata;
      // The main resource ignores status (a CRD with the status subresource): only metadata counts.
      if (!body || Object.keys(body).filter((k) => k !== 'status').join() !== 'metadata' || !md || !Array.isArray(md.finalizers) || Object.keys(md).some((k) => k !== 'finalizers' && k !== 'resourceVersion')) return this.bad(rec, `the operator patches only metadata.finalizers: ${JSON.stringify(body).slice(0, 200)}`);
      const key = `${m[1]}/${m[2]}`;
      const obj = this.profiles.get(key);
      if (!obj) return { status: 404, body: status(404, 'NotFound', `networkprofiles.netprofile.io "${m[2]}" not found`, { name: m[2], group: 'netprofile.io', kind: 'networkprofiles' }) };
      if (md.resourceVersion !== undefined && md.resourceVersion !== obj.metadata.resourceVersion) {
        return { status: 409, body: status(409, 'Conflict', `Operation cannot be fulfilled on networkprofiles.netprofile.io "${m[2]}": the object has been modified; please apply your changes to the latest version and try again`, { name: m[2], group: 'netprofile.io', kind: 'networkprofiles' }) };
      }
      if (obj.metadata.deletionTimestamp && md.finalizers.some((f: string) => !(obj.metadata.finalizers ?? []).includes(f))) {
        return { status: 422, body: status(422, 'Invalid', 'Forbidden: no new finalizers can be added if the object is being deleted') };
      }
      const next = structuredClone(obj);
      next.metadata.finalizers = md.finalizers;
      if (!md.finalizers.length) delete next.metadata.finalizers;
      if (next.metadata.deletionTimestamp && !md.finalizers.length) {
        this.profiles.set(key, next);
        this.remove('networkprofiles', key);
        return { status: 200, body: next };
      }
      this.put('networkprofiles', key, next);
      return { status: 200, body: next };
    }

    if ((m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/secrets\/([a-z0-9.-]+)$/.exec(p)) && method === 'GET') {
      const s = this.secrets.get(`${m[1]}/${m[2]}`);
      return s ? { status: 200, body: s } : { status: 404, body: status(404, 'NotFound', `secrets "${m[2]}" not found`, { name: m[2], kind: 'secrets' }) };
    }

    if ((m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([a-z0-9-]+)\/leases(?:\/([a-z0-9.-]+))?$/.exec(p))) {
      const [, ns, name] = m;
      if (method === 'GET' && name) {
        const l = this.leases.get(`${ns}/${name}`);
        return l ? { status: 200, body: l } : { status: 404, body: status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`, { name, group: 'coordination.k8s.io', kind: 'leases' }) };
      }
      if (method === 'POST' || method === 'PUT') {
        if (contentType !== 'application/json') return this.bad(rec, `Lease write with Content-Type ${contentType}`);
        const leaseName = body?.metadata?.name;
        if (body?.kind !== 'Lease' || body?.apiVersion !== 'coordination.k8s.io/v1' || typeof leaseName !== 'string') return this.bad(rec, 'body is not a coordination.k8s.io/v1 Lease');
        const spec = body.spec ?? {};
        if (typeof spec.holderIdentity !== 'string' || typeof spec.leaseDurationSeconds !== 'number' || !MICROTIME.test(spec.renewTime ?? '') || !MICROTIME.test(spec.acquireTime ?? '')) {
          return this.bad(rec, `Lease spec is not what kube-apiserver accepts (MicroTime needs six fractional digits): ${JSON.stringify(spec)}`);
        }
        const key = `${ns}/${leaseName}`;
        const current = this.leases.get(key);
        if (method === 'POST') {
          if (name) return this.bad(rec, 'create goes to the collection');
          if (current) return { status: 409, body: status(409, 'AlreadyExists', `leases.coordination.k8s.io "${leaseName}" already exists`, { name: leaseName, group: 'coordination.k8s.io', kind: 'leases' }) };
        } else {
          if (name !== leaseName) return this.bad(rec, 'PUT path and metadata.name differ');
          if (!current) return { status: 404, body: status(404, 'NotFound', `leases.coordination.k8s.io "${leaseName}" not found`) };
          if (body.metadata.resourceVersion !== current.metadata.resourceVersion) {
            return { status: 409, body: status(409, 'Conflict', `Operation cannot be fulfilled on leases.coordination.k8s.io "${leaseName}": the object has been modified; please apply your changes to the latest version and try again`, { name: leaseName, group: 'coordination.k8s.io', kind: 'leases' }) };
          }
        }
        const stored = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName, namespace: ns, resourceVersion: this.nextRv() }, spec };
        this.leases.set(key, stored);
        return { status: method === 'POST' ? 201 : 200, body: stored };
      }
    }

    if ((m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/events$/.exec(p)) && method === 'POST') {
      if (contentType !== 'application/json') return this.bad(rec, `Event with Content-Type ${contentType}`);
      if (body?.kind !== 'Event' || body?.apiVersion !== 'v1' || !body.involvedObject?.name || !['Normal', 'Warning'].includes(body.type) || !/^[A-Z][A-Za-z]*$/.test(body.reason ?? '') || !TIME.test(body.firstTimestamp ?? '') || !body.metadata?.generateName) {
        return this.bad(rec, `not a core/v1 Event kube-apiserver accepts: ${JSON.stringify(body).slice(0, 300)}`);
      }
      if (body.metadata.namespace !== m[1] || body.involvedObject.namespace !== m[1]) return this.bad(rec, 'Event namespace differs from the path');
      const ev = { ...body, metadata: { ...body.metadata, name: `${body.metadata.generateName}${this.events.length}`, resourceVersion: this.nextRv() } };
      this.events.push(ev);
      return { status: 201, body: ev };
    }

    return this.bad(rec, 'no such route in the fake apiserver');
  }
}

/** group/resource:verb of one request, as the authorizer sees it. */
export function permissionOf(r: Recorded): string {
  const p = r.path;
  const watch = r.query.watch === 'true';
  let m: RegExpExecArray | null;
  if (p === '/api/v1/nodes') return `/nodes:${watch ? 'watch' : 'list'}`;
  if ((m = /^\/apis\/netprofile\.io\/v1alpha1(?:\/namespaces\/[^/]+)?\/networkprofiles(?:\/([^/]+))?(\/status)?$/.exec(p))) {
    if (m[2]) return `netprofile.io/networkprofiles/status:${r.method.toLowerCase()}`;
    if (m[1]) return `netprofile.io/networkprofiles:${({ GET: 'get', PATCH: 'patch', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[r.method]}`;
    return `netprofile.io/networkprofiles:${watch ? 'watch' : 'list'}`;
  }
  if ((m = /^\/api\/v1\/namespaces\/[^/]+\/secrets(\/[^/]+)?$/.exec(p))) return `/secrets:${m[1] ? 'get' : watch ? 'watch' : 'list'}`;
  if ((m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases(\/[^/]+)?$/.exec(p))) return `coordination.k8s.io/leases:${r.method === 'POST' ? 'create' : r.method === 'PUT' ? 'update' : 'get'}`;
  if (/^\/api\/v1\/namespaces\/[^/]+\/events$/.test(p) && r.method === 'POST') return '/events:create';
  return `unknown:${r.method} ${p}`;
}

let installGrants: Grant[] | null = null;

/**
 * What the install (operator/deploy, through `kubectl kustomize`) grants the operator's
 * ServiceAccount: each rule of each Role or ClusterRole bound to it, in the RoleBinding's
 * namespace or (ClusterRoleBinding) everywhere.
 */
export function grantsOfInstall(): Grant[] {
  if (installGrants) return installGrants;
  const out = execFileSync('kubectl', ['kustomize', join(root, 'operator', 'deploy')], { encoding: 'utf8' });
  const objects = parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
  const sa = objects.find((o: any) => o.kind === 'ServiceAccount');
  const grants: Grant[] = [];
  for (const b of objects.filter((o: any) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.subjects?.some((x: any) => x.kind === 'ServiceAccount' && x.name === sa.metadata.name && x.namespace === sa.metadata.namespace))) {
    const role = objects.find((o: any) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name);
    if (!role) continue;
    const namespace = b.kind === 'RoleBinding' ? b.metadata.namespace : null;
    for (const rule of role.rules ?? []) for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) grants.push({ namespace, permission: `${g}/${res}:${v}` });
  }
  installGrants = grants;
  return grants;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Polls `check` until it returns true (or a value), failing with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function kubeconfigFor(server: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }], users: [{ name: 'fake', user: { token: 'test-token' } }], contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }], 'current-context': 'fake' });
}

// ---- the operator harness: a fake apiserver, a bare Git remote, operators in-process -----------

const NS = 'netprofile-system';

export function bareMetalNode(name: string, ip: string): any {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { addresses: [{ type: 'InternalIP', address: ip }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Ubuntu 24.04.1 LTS' }, conditions: [{ type: 'Ready', status: 'True' }] } };
}
export function awsNode(name: string): any {
  return { metadata: { name, labels: { 'topology.kubernetes.io/region': 'us-east-1' } }, spec: { providerID: 'aws:///us-east-1a/i-0123456789abcdef0' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.17' }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Amazon Linux 2023' } } };
}

export function l2Profile(name: string, repoUrl: string, overrides: { pool?: string; mode?: string } = {}): any {
  return {
    apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile',
    metadata: { name, namespace: NS },
    spec: {
      cluster: { name, podCIDRs: ['10.42.0.0/16'], serviceCIDRs: ['10.43.0.0/16'], nodeCIDRs: ['172.21.48.0/24'], apiServer: { host: '172.21.48.10', port: 6443 }, kubeProxy: 'none', distribution: 'kubeadm' },
      environment: { type: 'auto' },
      cni: { provider: 'cilium', cilium: { version: '1.18.3' } },
      loadBalancer: { mode: overrides.mode ?? 'l2', pools: [{ name: 'default', addresses: [overrides.pool ?? '172.21.48.240/28'] }] },
      gitops: { engine: 'flux', path: `clusters/${name}/network`, repo: { url: repoUrl, branch: 'main' } },
    },
  };
}

/**
 * What the tests of the real `netprofile operator` process start from: a fake on a real port
 * with the Node cp-1 and the profile `lab` on a new bare repository, a kubeconfig for it, and
 * the operator's arguments (kubeconfig, a kept-clone directory inside the temp dir, leader
 * election). The caller spawns the process (directly or under tini) and cleans up.
 */
export async function operatorProcessSetup(prefix: string): Promise<{ dir: ReturnType<typeof tempDir>; fake: FakeKube; remote: string; kubeconfig: string; args: string[] }> {
  const dir = tempDir(prefix);
  const fake = new FakeKube();
  const remote = join(dir.path, 'fleet.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const server = await fake.listen();
  const kubeconfig = join(dir.path, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
  fake.addProfile(l2Profile('lab', `file://${remote}`));
  return { dir, fake, remote, kubeconfig, args: ['operator', '--kubeconfig', kubeconfig, '--git-cache-dir', join(dir.path, 'clones'), '--leader-elect'] };
}

export interface Harness {
  fake: FakeKube;
  remote: string;
  url: string;
  dir: { path: string; cleanup(): void };
  kubeconfig: string;
  operators: Operator[];
  commits(): string[];
  start(o?: StartOptions): Promise<Operator>;
  /** One bare-metal node cp-1 and the L2 profile `lab`, an operator started, the first publish done (Ready=True). */
  startPublished(o?: StartOptions): Promise<Operator>;
  done(): Promise<void>;
}

type StartOptions = Partial<{ identity: string; leaderElect: boolean; resyncMs: number; publisher: Publisher; namespace: string | null; deadlines: Partial<ApiDeadlines>; concurrency: number; queueBackoff: BackoffOptions; wedgedAfterMs: number; onLostLeadership: (reason: string) => void; lease: Partial<{ leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }> }>;

export async function harness(): Promise<Harness> {
  const dir = tempDir('netprofile-operator-');
  const remote = join(dir.path, 'fleet.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const fake = new FakeKube();
  // RBAC as the install grants it: a request the Roles do not cover is a 403, as in a cluster.
  fake.grants = grantsOfInstall();
  fake.mount();
  const kubeconfig = join(dir.path, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(fake.host));
  const operators: Operator[] = [];
  // The operator's own publisher (operator/main.ts): batched per repository, kept clones. Each
  // replica gets its own, as each operator process has its own.
  let replicas = 0;
  const h: Harness = {
    fake, remote, url: `file://${remote}`, dir, kubeconfig, operators,
    commits() {
      try { return execFileSync('git', ['--git-dir', remote, 'log', '--format=%H %s', 'main'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').filter(Boolean); } catch { return []; }
    },
    async start(o = {}) {
      const op = new Operator({
        api: kubeApi(loadKubeConfig(kubeconfig, {}), o.deadlines ?? { requestMs: 5_000 }),
        namespace: o.namespace === undefined ? null : o.namespace,
        leaderElection: o.leaderElect ? { namespace: NS, name: 'netprofile-operator', leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 100, ...o.lease } : null,
        identity: o.identity ?? 'op-1',
        resyncMs: o.resyncMs ?? 0,
        concurrency: o.concurrency ?? 2,
        queueBackoff: o.queueBackoff ?? { baseMs: 20, maxMs: 300, jitter: 0.2 },
        ...(o.wedgedAfterMs ? { wedgedAfterMs: o.wedgedAfterMs } : {}),
        ...(o.onLostLeadership ? { onLostLeadership: o.onLostLeadership } : {}),
        watchBackoff: { baseMs: 20, maxMs: 300, jitter: 0.5 },
        publisher: o.publisher ?? batchingPublisher({ cacheRoot: join(dir.path, `clones-${++replicas}`) }),
        clock: systemClock,
        log: memoryLogger(),
      });
      operators.push(op);
      await op.start();
      return op;
    },
    async startPublished(o = {}) {
      fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
      fake.addProfile(l2Profile('lab', h.url));
      const op = await h.start(o);
      await waitFor(() => readyOf(fake.profiles.get(`${NS}/lab`))?.status === 'True', 'first publish');
      return op;
    },
    async done() {
      await Promise.all(operators.map((op) => op.stop(2000)));
      fake.unmount();
      dir.cleanup();
    },
  };
  return h;
}

export function readyOf(obj: any): any { return obj?.status?.conditions?.find((c: any) => c.type === 'Ready'); }

