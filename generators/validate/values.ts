// Helm values against the chart's values.schema.json (Cilium per minor version, MetalLB), closed
// to unknown keys: Helm ignores a misspelt key without a word (field-notes.md §1: externalIPs left
// Cilium's chart in 1.17, and setting it on 1.18 did nothing). Pure; the bundle is a parameter so
// the planner's hook (cli/values.ts) can load it lazily.
import { checkValue, resolveRef, type JSONSchema, type SchemaContext, type SchemaProblem } from './openapi.js';
import { joinPath } from '../api/schema.js';

export interface KindEntry {
  schema: JSONSchema;
  source: string;
  served?: boolean;
  deprecated?: string;
  transcribed?: boolean;
  light?: boolean;
  clusterScoped?: boolean;
}
export interface CiliumVersionInfo { crds: string; removed?: string[]; deprecated?: Record<string, string>; note?: string }
export interface ValuesEntry { schema: JSONSchema; source: string; chartVersion: string; /** Keys Helm passes to subcharts (global, subchart names): open. */ openKeys?: string[] }
export interface Bundle {
  kinds: Record<string, KindEntry>;
  cilium: Record<string, Record<string, KindEntry>>;
  ciliumVersions: Record<string, CiliumVersionInfo>;
  helmValues: Record<string, ValuesEntry>;
  shared: JSONSchema[];
}

/** "1.18.3", "v1.18", "~1.18.0", ">=1.18.0 <1.19.0" → "1.18"; undefined when there is no x.y. */
export function minorOf(version: unknown): string | undefined {
  if (typeof version !== 'string' && typeof version !== 'number') return undefined;
  const m = /(\d+)\.(\d+)/.exec(String(version));
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

export function ciliumMinors(bundle: Bundle): string[] {
  return Object.keys(bundle.helmValues).filter((k) => k.startsWith('cilium/')).map((k) => k.slice(7)).sort(compareMinor);
}

export function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

export type ValuesLookup =
  | { entry: ValuesEntry; key: string; label: string }
  | { entry?: undefined; note?: string };

/** The values schema for a chart and version, or a note saying why there is none. */
export function valuesSchemaFor(bundle: Bundle, chart: string, version: unknown): ValuesLookup {
  const name = chart.split('/').pop() ?? chart;
  if (name === 'cilium') {
    const minor = minorOf(version);
    const minors = ciliumMinors(bundle);
    if (!minor) return { note: `no Cilium chart version given; values not checked (bundled: ${minors.join(', ')})` };
    const key = `cilium/${minor}`;
    const entry = bundle.helmValues[key];
    if (!entry) return { note: `no values schema bundled for Cilium ${minor} (bundled: ${minors.join(', ')}); values not checked` };
    return { entry, key, label: `Cilium ${minor}'s chart` };
  }
  if (name === 'metallb') {
    const entry = bundle.helmValues.metallb;
    const minor = minorOf(version);
    if (minor && minor !== minorOf(entry.chartVersion)) return { note: `the bundled MetalLB values schema is for chart ${entry.chartVersion}, not ${String(version)}; values not checked` };
    return { entry, key: 'metallb', label: `MetalLB ${entry.chartVersion}'s chart` };
  }
  return {};
}

function context(bundle: Bundle, entry: ValuesEntry): SchemaContext {
  return { mode: 'helm', root: entry.schema, shared: bundle.shared };
}

/** Splits a path made by joinPath ("a.b[0].\"x.y\"") back into its segments. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') { i++; continue; }
    if (c === '[') { const j = path.indexOf(']', i); out.push(Number(path.slice(i + 1, j))); i = j + 1; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      out.push(JSON.parse(path.slice(i, j + 1)));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

/** Whether a values schema accepts a key at `segments` (declared, or under an open object). */
export function knowsPath(bundle: Bundle, entry: ValuesEntry, segments: (string | number)[]): boolean {
  const ctx = context(bundle, entry);
  let s: JSONSchema = entry.schema;
  for (const seg of segments) {
    s = resolveRef(s, ctx);
    if (typeof seg === 'number') { if (!s.items) return true; s = s.items; continue; }
    const candidates = [s, ...(s.allOf ?? []).map((b: JSONSchema) => resolveRef(b, ctx))];
    const hit = candidates.find((c) => c.properties && Object.prototype.hasOwnProperty.call(c.properties, seg));
    if (hit) { s = hit.properties[seg]; continue; }
    if (typeof s.additionalProperties === 'object') { s = s.additionalProperties; continue; }
    return !candidates.some((c) => c.properties);
  }
  return true;
}

export interface ValuesProblem extends SchemaProblem {}

/**
 * Checks user values against the chart's schema. `base` prefixes every path (e.g.
 * "spec.values"). Unknown Cilium keys say which other bundled versions have them.
 */
/**
 * Keys Cilium's chart templates read without declaring them in values.yaml (so its values schema
 * lacks them): not unknown. nodeinit.reconfigureKubelet and nodeinit.removeCbrBridge are read by
 * files/nodeinit/startup.bash and prestop.bash at v1.16.15, v1.17.14, v1.18.3 and on main, and
 * Cilium's GKE install guide sets both (Documentation/installation/k8s-install-helm.rst, GKE tab).
 */
export const CILIUM_UNDECLARED_KEYS: readonly string[] = ['nodeinit.reconfigureKubelet', 'nodeinit.removeCbrBridge'];

export function checkHelmValues(bundle: Bundle, lookup: Extract<ValuesLookup, { key: string }>, values: unknown, base: string): ValuesProblem[] {
  const raw: SchemaProblem[] = [];
  checkValue(lookup.entry.schema, values, '', context(bundle, lookup.entry), raw);
  const undeclared = lookup.key.startsWith('cilium/') ? CILIUM_UNDECLARED_KEYS : [];
  return raw.filter((p) => !(p.unknown && undeclared.includes(p.path))).map((p) => {
    const path = p.path ? (base ? `${base}.${p.path}` : p.path) : base;
    if (!p.unknown) return { ...p, path, message: `${p.message} (${lookup.label} values schema)` };
    const knownIn = lookup.key.startsWith('cilium/') ? otherCiliumVersionsKnowing(bundle, lookup.key.slice(7), splitPath(p.path)) : [];
    const hint = /\(did you mean ([^?]+)\?\)/.exec(p.message)?.[1];
    const message = `${lookup.label} has no value ${p.path}${knownIn.length ? ` (it exists in ${knownIn.join(', ')})` : ''}${hint ? ` (did you mean ${prefixOf(p.path)}${hint}?)` : ''}; Helm ignores it silently, so ${knownIn.length ? 'remove it or pick a version that has it' : 'fix or remove it'}`;
    return { ...p, path, message };
  });
}

function prefixOf(path: string): string {
  const segs = splitPath(path);
  segs.pop();
  return segs.reduce<string>((acc, s) => joinPath(acc, s), '') + (segs.length ? '.' : '');
}

export function otherCiliumVersionsKnowing(bundle: Bundle, minor: string, segments: (string | number)[]): string[] {
  return ciliumMinors(bundle).filter((m) => m !== minor && knowsPath(bundle, bundle.helmValues[`cilium/${m}`], segments));
}

/** The planner hook's answer: value paths Cilium `version`'s chart does not know. */
export function unknownCiliumValues(bundle: Bundle, version: string, values: Record<string, unknown>): { path: string; knownIn: string[]; suggestion?: string }[] {
  const lookup = valuesSchemaFor(bundle, 'cilium', version);
  if (!('key' in lookup) || !lookup.entry) return [];
  const raw: SchemaProblem[] = [];
  checkValue(lookup.entry.schema, values, '', context(bundle, lookup.entry), raw);
  const minor = lookup.key.slice(7);
  return raw.filter((p) => p.unknown && !CILIUM_UNDECLARED_KEYS.includes(p.path)).map((p) => {
    const hint = /\(did you mean ([^?]+)\?\)/.exec(p.message)?.[1];
    const out: { path: string; knownIn: string[]; suggestion?: string } = { path: p.path, knownIn: otherCiliumVersionsKnowing(bundle, minor, splitPath(p.path)) };
    if (hint) out.suggestion = `${prefixOf(p.path)}${hint}`;
    return out;
  });
}
