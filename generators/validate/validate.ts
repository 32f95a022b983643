// `netprofile validate`: manifests checked offline against the upstream schemas bundled in the
// package (generators/schemas/bundle.json, built by scripts/bundle-schemas.mjs). Pure: file names
// and texts in, problems out; the command line does the reading.
//
// Per document: the apiVersion/kind picks the schema (Cilium's by the Cilium version the same
// tree installs, see ciliumVersionFor); chart values inside a Flux HelmRelease, an Argo CD
// Application, or a plain values file ("# chart: NAME VERSION [REPO]" on the first line) are
// checked against the chart's values schema; a NetworkProfile against netprofile's own schema.
// The bundle is passed in (cli/values.ts loadBundle reads it once): esbuild with target node20
// drops the `with { type: 'json' }` attribute of a JSON import, and Node refuses it without.
import { checkValue, type SchemaProblem, type Severity } from './openapi.js';
import { checkHelmValues, compareMinor, minorOf, valuesSchemaFor, type Bundle, type KindEntry } from './values.js';
import { checkProfile, decodeYamlDocuments } from '../api/parse.js';
import { joinPath } from '../api/schema.js';
import { withArticle } from '../text/article.js';
import type { NetworkProfile } from '../api/profile.js';
import type { Finding } from '../api/findings.js';
import { checkRules, hasRules, type CelEngine, type CelStats } from './cel.js';


export interface Problem {
  file: string;
  /** 1-based index of the YAML document in the file (0 when the problem is about the whole file). */
  document: number;
  /** Field path inside the document, e.g. spec.blocks[0].cidr; "" for the document itself. */
  path: string;
  message: string;
  severity: Severity;
}

export interface InputFile { file: string; text: string }

export interface ValidateOptions {
  /** generators/schemas/bundle.json, parsed. */
  bundle: Bundle;
  /** Cilium version for cilium.io objects, overriding what the files install. */
  ciliumVersion?: string;
  /**
   * The CEL engine (generators/validate/cel.ts loadCelEngine) for `x-kubernetes-validations`.
   * Without one, an object whose schema has rules gets an error: a rule is never passed unseen.
   */
  cel?: CelEngine;
  /** Previous versions of the objects (e.g. what the cluster holds), for CEL transition rules. */
  previous?: InputFile[];
  /** Filled with counts: rules evaluated, transition rules skipped for want of a previous object. */
  stats?: CelStats;
  /**
   * Runs the planner on a NetworkProfile that passed its schema (the CLI reads its facts from
   * spec.environment.factsFrom and calls generators/plan planProfile); its findings are reported.
   */
  plan?: (profile: NetworkProfile, file: string) => Finding[];
}

const CHART_HEADER = /^#\s*chart:\s*(\S+)(?:\s+(\S+))?(?:\s+(\S+))?\s*$/;

interface ParsedFile { file: string; docs: { value: unknown; index: number }[]; header?: { chart: string; version?: string }; problems: Problem[] }

/** Parses every document, keeping the 1-based numbering a person counts in the file. */
export function parseFile(input: InputFile): ParsedFile {
  const out: ParsedFile = { file: input.file, docs: [], problems: [] };
  const fail = (document: number, message: string) => out.problems.push({ file: input.file, document, path: '', message, severity: 'error' });
  const first = input.text.split('\n', 1)[0];
  const h = CHART_HEADER.exec(first);
  if (h) out.header = { chart: h[1], version: h[2] };
  const decoded = decodeYamlDocuments(input.text);
  if (decoded.fileError) { fail(0, decoded.fileError); return out; }
  for (const d of decoded.docs) {
    if (d.error) fail(d.index, d.error);
    else out.docs.push({ value: d.value, index: d.index });
  }
  return out;
}

// ---- chart installs and the Cilium version ---------------------------------------------------

interface ChartInstall { chart: string; version?: string; values: unknown; valuesPath: string; valuesText?: string }

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The chart installs one document makes: Flux HelmRelease, Argo CD Application sources. */
export function chartInstalls(doc: unknown): ChartInstall[] {
  if (!isObj(doc)) return [];
  const api = String(doc.apiVersion ?? '');
  if (doc.kind === 'HelmRelease' && api.startsWith('helm.toolkit.fluxcd.io/')) {
    const chartSpec = doc.spec?.chart?.spec;
    // spec.chartRef points at an OCIRepository/HelmChart whose name we cannot resolve here.
    if (!isObj(chartSpec) || typeof chartSpec.chart !== 'string') return [];
    return [{ chart: chartSpec.chart, version: typeof chartSpec.version === 'string' ? chartSpec.version : undefined, values: doc.spec?.values, valuesPath: 'spec.values' }];
  }
  if (doc.kind === 'Application' && api.startsWith('argoproj.io/')) {
    const sources: [unknown, string][] = [];
    if (isObj(doc.spec?.source)) sources.push([doc.spec.source, 'spec.source']);
    if (Array.isArray(doc.spec?.sources)) doc.spec.sources.forEach((s: unknown, i: number) => sources.push([s, `spec.sources[${i}]`]));
    return sources.flatMap(([s, p]) => {
      if (!isObj(s) || typeof s.chart !== 'string') return [];
      const helm = isObj(s.helm) ? s.helm : {};
      return [{
        chart: s.chart, version: typeof s.targetRevision === 'string' ? s.targetRevision : undefined,
        values: helm.valuesObject, valuesPath: `${p}.helm.valuesObject`,
        valuesText: typeof helm.values === 'string' ? helm.values : undefined,
      }];
    });
  }
  return [];
}

function dirOf(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i < 0 ? '.' : file.slice(0, i);
}
function isUnder(file: string, dir: string): boolean {
  return dir === '.' ? true : file.startsWith(`${dir}/`) || file.startsWith(`${dir}\\`);
}

/**
 * The Cilium version for cilium.io objects in `file`: the Cilium chart installed nearest to it
 * (walking up its directories, the first one under which the inputs install Cilium, at one minor
 * version). A rendered tree holds the HelmRelease in controllers/ and the pools in configs/.
 */
export function ciliumVersionFor(file: string, installs: { file: string; version?: string }[]): string | undefined {
  const known = installs.filter((i) => minorOf(i.version));
  let dir = dirOf(file);
  for (;;) {
    const here = known.filter((i) => isUnder(i.file, dir));
    const minors = [...new Set(here.map((i) => minorOf(i.version)))];
    if (minors.length === 1) return here[0].version;
    if (minors.length > 1) return undefined;
    if (dir === '.' || dir === '' || dir === '/' || !/[/\\]/.test(dir)) {
      if (dir !== '.') { dir = '.'; continue; }
      return undefined;
    }
    dir = dirOf(dir);
  }
}

// ---- documents ------------------------------------------------------------------------------

/** Validates files; problems in input order (file, document, then field). */
export function validateFiles(inputs: InputFile[], options: ValidateOptions): Problem[] {
  const { bundle } = options;
  const parsed = inputs.map(parseFile);
  const installs: { file: string; version?: string }[] = [];
  for (const p of parsed) {
    if (p.header?.chart === 'cilium' || p.header?.chart.endsWith('/cilium')) installs.push({ file: p.file, version: p.header.version });
    for (const d of p.docs) for (const c of chartInstalls(d.value)) if (c.chart === 'cilium' || c.chart.endsWith('/cilium')) installs.push({ file: p.file, version: c.version });
  }
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const previous = indexPrevious(options.previous ?? []);
  const ctx: DocContext = { bundle, cel: options.cel, previous, stats: options.stats ?? { evaluated: 0, transitionSkipped: 0 }, plan: options.plan, file: '' };
  for (const p of parsed) {
    ctx.file = p.file;
    problems.push(...p.problems);
    const cilium = options.ciliumVersion ?? ciliumVersionFor(p.file, installs);
    const base = p.file.split(/[/\\]/).pop() ?? p.file;
    for (const d of p.docs) {
      const add = (path: string, message: string, severity: Severity = 'error') => {
        // "no schema for X" once per document, not once per item of a List.
        if (severity === 'warning') { const k = `${p.file}\0${d.index}\0${message}`; if (seen.has(k)) return; seen.add(k); }
        problems.push({ file: p.file, document: d.index, path, message, severity });
      };
      if (p.header) {
        if (d.index !== 1 || p.docs.length > 1) { add('', `a values file (first line "# chart: ${p.header.chart} ...") holds one document; this is document ${d.index}`); continue; }
        checkValuesAt(bundle, p.header.chart, p.header.version, d.value, '', add);
        continue;
      }
      checkDocument(ctx, d.value, base, cilium, add, '');
    }
  }
  return problems;
}

type Add = (path: string, message: string, severity?: Severity) => void;

function checkValuesAt(bundle: Bundle, chart: string, version: string | undefined, values: unknown, path: string, add: Add): void {
  const lookup = valuesSchemaFor(bundle, chart, version);
  if (!lookup.entry) {
    if ('note' in lookup && lookup.note) add(path, lookup.note, 'warning');
    return;
  }
  if (values === undefined || values === null) return;
  for (const p of checkHelmValues(bundle, lookup as Extract<typeof lookup, { key: string }>, values, path)) add(p.path, p.message, p.severity);
}

const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

interface DocContext {
  bundle: Bundle;
  cel?: CelEngine;
  previous: Map<string, unknown>;
  stats: CelStats;
  plan?: ValidateOptions['plan'];
  file: string;
}

/** Identity of an object across versions: group, kind, namespace, name. */
function objectKey(doc: Record<string, any>): string | undefined {
  const api = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  const name = doc.metadata?.name;
  if (typeof doc.kind !== 'string' || typeof name !== 'string') return undefined;
  const group = api.includes('/') ? api.slice(0, api.lastIndexOf('/')) : '';
  return `${group}\0${doc.kind}\0${doc.metadata?.namespace ?? ''}\0${name}`;
}

function indexPrevious(inputs: InputFile[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const add = (doc: unknown) => {
    if (!isObj(doc)) return;
    if (Array.isArray(doc.items) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) { doc.items.forEach(add); return; }
    const k = objectKey(doc);
    if (k) out.set(k, doc);
  };
  for (const input of inputs) for (const d of parseFile(input).docs) add(d.value);
  return out;
}

function checkDocument(ctx: DocContext, doc: unknown, baseName: string, ciliumVersion: string | undefined, add: Add, prefix: string): void {
  const { bundle } = ctx;
  if (!isObj(doc)) { add(prefix, `is ${Array.isArray(doc) ? 'a list' : (doc === undefined ? 'nothing' : withArticle(typeof doc))}, not a Kubernetes object (a mapping with apiVersion and kind)`); return; }
  let { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (apiVersion === undefined && kind === undefined && !prefix && KUSTOMIZATION_FILES.has(baseName)) {
    apiVersion = 'kustomize.config.k8s.io/v1beta1'; kind = 'Kustomization';
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    if (apiVersion === undefined && kind === undefined) add(prefix, 'has no apiVersion and kind: not a Kubernetes object, nothing checked (a values file starts with "# chart: NAME VERSION")', 'warning');
    else add(joinPath(prefix, typeof apiVersion !== 'string' || !apiVersion ? 'apiVersion' : 'kind'), 'must be a non-empty string');
    return;
  }
  const key = `${apiVersion}/${kind}`;

  if (key === 'netprofile.io/v1alpha1/NetworkProfile') {
    const checked = checkProfile(doc, baseName);
    const at = (f: Finding) => (f.path ? (prefix ? `${prefix}.${f.path}` : f.path) : prefix);
    for (const f of checked.findings) add(at(f), f.message);
    // The planner's rules: validate refuses what `plan` refuses.
    if (checked.profile && ctx.plan) for (const f of ctx.plan(checked.profile, ctx.file)) add(at(f), `${f.message} [${f.rule}]`, f.severity);
    return;
  }
  if (key === 'v1/List' || (apiVersion === 'v1' && kind.endsWith('List') && Array.isArray((doc as any).items))) {
    const items = (doc as any).items;
    if (!Array.isArray(items)) { add(joinPath(prefix, 'items'), 'must be a list'); return; }
    items.forEach((item: unknown, i: number) => checkDocument(ctx, item, baseName, ciliumVersion, add, joinPath(joinPath(prefix, 'items'), i)));
    return;
  }

  const found = lookupKind(bundle, apiVersion, kind, ciliumVersion);
  if ('problem' in found) { add(joinPath(prefix, 'apiVersion'), found.problem, found.severity); return; }
  const { entry } = found;
  if (found.deprecated) add(joinPath(prefix, 'apiVersion'), found.deprecated, 'warning');

  const meta = (doc as any).metadata;
  if (kind !== 'Kustomization' || apiVersion !== 'kustomize.config.k8s.io/v1beta1') {
    if (!isObj(meta)) add(joinPath(prefix, 'metadata'), 'is required (a mapping with name)');
    else if (meta.name === undefined && meta.generateName === undefined) add(joinPath(joinPath(prefix, 'metadata'), 'name'), 'is required');
    else if (meta.name !== undefined) {
      const problem = nameProblem(apiVersion, meta.name);
      if (problem) add(joinPath(joinPath(prefix, 'metadata'), 'name'), problem);
    }
    if (isObj(meta) && entry.clusterScoped && meta.namespace !== undefined) add(joinPath(joinPath(prefix, 'metadata'), 'namespace'), `is set, but ${kind} is cluster-scoped; remove it`, 'warning');
  }

  const raw: SchemaProblem[] = [];
  checkValue(entry.schema, doc, prefix, { mode: 'crd', root: entry.schema, shared: bundle.shared }, raw);
  const suffix = entry.transcribed ? ' (schema transcribed from the upstream docs)' : '';
  for (const p of raw) {
    // status is written by controllers; a manifest carrying one is not wrong for that.
    if (p.path === joinPath(prefix, 'status') || p.path.startsWith(`${joinPath(prefix, 'status')}.`) || p.path.startsWith(`${joinPath(prefix, 'status')}[`)) continue;
    add(p.path, `${p.message}${suffix}`, p.severity);
  }

  checkCel(ctx, entry, doc as Record<string, unknown>, prefix, add);

  for (const c of chartInstalls(doc)) {
    checkValuesAt(bundle, c.chart, c.version, c.values, prefix ? `${prefix}.${c.valuesPath}` : c.valuesPath, add);
    if (c.valuesText !== undefined) {
      const vp = (prefix ? `${prefix}.` : '') + c.valuesPath.replace(/valuesObject$/, 'values');
      const decoded = decodeYamlDocuments(c.valuesText);
      const first = decoded.docs[0];
      if (decoded.fileError || first?.error) { add(vp, decoded.fileError ?? first!.error!); continue; }
      const parsed = first?.value;
      checkValuesAt(bundle, c.chart, c.version, parsed, vp, add);
    }
  }
}

/** The CEL rules of the kind's schema; status is left out (a subresource the manifest does not write). */
function checkCel(ctx: DocContext, entry: KindEntry, doc: Record<string, unknown>, prefix: string, add: Add): void {
  const celCtx = { shared: ctx.bundle.shared, root: entry.schema };
  if (!hasRules(entry.schema, celCtx)) return;
  if (!ctx.cel) { add(prefix, 'has CEL rules (x-kubernetes-validations) in its schema, but no CEL evaluator was loaded: not checked'); return; }
  const { status: _status, ...body } = doc;
  const key = objectKey(doc);
  const old = key ? ctx.previous.get(key) : undefined;
  let oldBody: unknown;
  if (isObj(old)) { const { status: _s, ...rest } = old; oldBody = rest; }
  const { problems, stats } = checkRules(ctx.cel, entry.schema, body, celCtx, prefix, oldBody);
  ctx.stats.evaluated += stats.evaluated;
  ctx.stats.transitionSkipped += stats.transitionSkipped;
  for (const p of problems) add(p.path, p.message, p.severity);
}

/**
 * Object names: RBAC objects take any path segment (system:cloud-controller-manager is fine);
 * everything else here a DNS-1123 subdomain, as the API server checks.
 */
function nameProblem(apiVersion: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || !name) return 'must be a non-empty string';
  if (apiVersion.startsWith('rbac.authorization.k8s.io/')) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? `must not be "." or ".." or contain "/" or "%", is ${JSON.stringify(name).slice(0, 80)}` : undefined;
  }
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) ? undefined : `must be a DNS-1123 subdomain (lower case letters, digits, "-" and ".", at most 253), not ${JSON.stringify(name).slice(0, 80)}`;
}

type Lookup = { entry: KindEntry; deprecated?: string } | { problem: string; severity: Severity };

const CILIUM_GROUP = 'cilium.io';

/** The schema for apiVersion/kind; for cilium.io, from the set of the given Cilium version. */
export function lookupKind(bundle: Bundle, apiVersion: string, kind: string, ciliumVersion?: string): Lookup {
  const key = `${apiVersion}/${kind}`;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  if (group === CILIUM_GROUP) {
    const minors = Object.keys(bundle.ciliumVersions).sort(compareMinor);
    const minor = minorOf(ciliumVersion);
    if (minor) {
      const info = bundle.ciliumVersions[minor];
      if (!info) return { problem: `no Cilium ${minor} CRDs are bundled (bundled: ${minors.join(', ')}); ${key} not checked`, severity: 'warning' };
      const set = bundle.cilium[info.crds];
      const entry = info.removed?.includes(key) ? undefined : set[key];
      if (!entry || entry.served === false) {
        const others = Object.keys(set).filter((k) => k.endsWith(`/${kind}`) && !info.removed?.includes(k)).map((k) => k.slice(0, -kind.length - 1));
        const newer = minors.filter((m) => { const i = bundle.ciliumVersions[m]; return !i.removed?.includes(key) && bundle.cilium[i.crds][key]; });
        if (!others.length && !newer.length) return { problem: `no schema for ${apiVersion} ${kind} in any bundled Cilium version; not checked`, severity: 'warning' };
        const served = others.length ? `Cilium ${minor} serves ${kind} as ${others.join(' and ')}` : `Cilium ${minor} has no ${kind}`;
        const has = newer.length ? `; ${apiVersion} ${kind} is in Cilium ${newer.join(', ')}` : '';
        return { problem: `${apiVersion} ${kind} is not served by Cilium ${minor}: ${served}${has}. Use the API version of the Cilium you run.`, severity: 'error' };
      }
      const deprecated = info.deprecated?.[key] ?? entry.deprecated;
      return { entry, deprecated: deprecated ? `${deprecated} (Cilium ${minor})` : undefined };
    }
    // No Cilium install among the inputs: the newest bundled version that serves it.
    for (const m of [...minors].reverse()) {
      const info = bundle.ciliumVersions[m];
      const entry = info.removed?.includes(key) ? undefined : bundle.cilium[info.crds][key];
      if (entry && entry.served !== false) return { entry };
    }
    return { problem: `no schema for ${apiVersion} ${kind} in any bundled Cilium version (${minors.join(', ')}); not checked`, severity: 'warning' };
  }
  const entry = bundle.kinds[key];
  if (entry && entry.served !== false) return { entry, deprecated: entry.deprecated };
  const sameKind = Object.keys(bundle.kinds).filter((k) => k.endsWith(`/${kind}`) && k.startsWith(`${group ? `${group}/` : ''}`) && (group !== '' || !k.slice(0, -kind.length - 1).includes('/')));
  if (sameKind.length) {
    const served = sameKind.filter((k) => bundle.kinds[k].served !== false).map((k) => k.slice(0, -kind.length - 1));
    return { problem: `${apiVersion} ${kind} is not served by the bundled CRDs (${bundle.kinds[sameKind[0]].source.split(' ')[0]}); use ${served.join(' or ')}`, severity: 'error' };
  }
  return { problem: `no schema for ${apiVersion} ${kind}; not checked`, severity: 'warning' };
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.document ? `document ${p.document}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
