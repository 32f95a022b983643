// A validator for the subset of OpenAPI v3 / JSON-schema draft-07 that upstream CRDs and Helm
// values schemas use. Pure: schema and value in, problems out.
//
// Two modes, because the two kinds of schema come from different places:
// - `crd`: an object schema with `properties` is closed (the API server prunes or rejects an
//   unknown field), unless `x-kubernetes-preserve-unknown-fields`; `required` is enforced.
// - `helm`: the chart's values.schema.json. Helm ignores a misspelt key without a word, so an
//   object with `properties` is closed here too, with three exceptions where the schema is
//   generated from example defaults rather than written: array items (Cilium's schema lists the
//   default tolerations' keys as the only ones), Kubernetes pass-through fields (nodeSelector,
//   affinity, resources, securityContext, ...: the chart copies them into a pod spec verbatim),
//   and explicit `additionalProperties`. `required` is enforced only inside list items: Helm checks
//   the schema against the user's values merged over the chart's defaults, so a key the user
//   leaves out comes from the defaults, but a list replaces the default list whole. A null value
//   is accepted (it deletes the chart's default).
// CEL rules (`x-kubernetes-validations`) are evaluated separately, by cel.ts.
import { didYouMean, joinPath } from '../api/schema.js';
import { parseCIDR, parseIP, isBlock } from '../api/net.js';

export type JSONSchema = { [key: string]: any };
export type Severity = 'error' | 'warning';

export interface SchemaProblem {
  path: string;
  message: string;
  severity: Severity;
  /** For an unknown field: its name and the known ones (the caller may add cross-version hints). */
  unknown?: { key: string; known: string[] };
}

export interface SchemaContext {
  mode: 'crd' | 'helm';
  /** The root of the schema being checked, for local "#/definitions/..." references. */
  root: JSONSchema;
  /** The bundle's table of shared subtrees, for "#/shared/N" references. */
  shared: JSONSchema[];
}

/** Kubernetes fields a chart copies into a pod or object spec as they are: never closed in helm mode. */
const PASS_THROUGH = new Set([
  'nodeSelector', 'affinity', 'tolerations', 'resources', 'securityContext', 'podSecurityContext', 'annotations', 'labels',
  'podAnnotations', 'podLabels', 'updateStrategy', 'topologySpreadConstraints', 'extraEnv', 'extraArgs', 'extraVolumes',
  'extraVolumeMounts', 'extraConfig', 'extraInitContainers', 'extraContainers', 'dnsConfig', 'hard', 'env', 'commonLabels',
]);

const MAX_DEPTH = 80;

/** Follows `#/shared/N` and local JSON-pointer references (RFC 6901 ~0/~1 unescaped). */
export function resolveRef(schema: JSONSchema | undefined, ctx: Pick<SchemaContext, 'root' | 'shared'>): JSONSchema {
  let s = schema;
  for (let hops = 0; s && typeof s.$ref === 'string' && hops < 16; hops++) {
    const ref: string = s.$ref;
    if (ref.startsWith('#/shared/')) s = ctx.shared[Number(ref.slice(9))];
    else if (ref.startsWith('#/')) {
      let t: any = ctx.root;
      for (const part of ref.slice(2).split('/')) t = t?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      s = t;
    } else return {};
  }
  return s ?? {};
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

const TYPE_WORDS: Record<string, string> = { null: 'null', array: 'a list', object: 'a mapping', string: 'a string', boolean: 'a boolean', integer: 'an integer', number: 'a number' };

function describe(v: unknown): string {
  const t = typeOf(v);
  if (t === 'string') return `the string ${JSON.stringify(String(v).slice(0, 60))}`;
  if (t === 'integer' || t === 'number' || t === 'boolean') return `${TYPE_WORDS[t]} (${String(v)})`;
  return TYPE_WORDS[t];
}

function typeMatches(type: string, v: unknown): boolean {
  const t = typeOf(v);
  return type === t || (type === 'number' && t === 'integer');
}

/** Property names an object schema declares, including those of its allOf branches; null when open. */
function declared(schema: JSONSchema, ctx: SchemaContext, depth = 0): Set<string> | null {
  if (depth > 8) return null;
  const names = new Set<string>(Object.keys(schema.properties ?? {}));
  for (const b of schema.allOf ?? []) {
    const r = resolveRef(b, ctx);
    if (r['x-kubernetes-preserve-unknown-fields'] || r.additionalProperties === true || (r.additionalProperties && typeof r.additionalProperties === 'object')) return null;
    const sub = declared(r, ctx, depth + 1);
    if (sub === null) return null;
    for (const n of sub) names.add(n);
  }
  return names;
}

function propertySchemas(schema: JSONSchema, key: string, ctx: SchemaContext): JSONSchema[] {
  const out: JSONSchema[] = [];
  if (schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)) out.push(schema.properties[key]);
  for (const b of schema.allOf ?? []) {
    const r = resolveRef(b, ctx);
    out.push(...propertySchemas(r, key, ctx));
  }
  return out;
}

interface Where {
  /** Closed-object checks apply (false inside helm list items and pass-through fields). */
  closed: boolean;
  /** Inside a list item (helm mode enforces `required` there). */
  inItem: boolean;
  depth: number;
  /** A combinator branch: the parent reports unknown fields (with the union of all branches). */
  branch?: boolean;
}

/** Checks `value` against `schema`, appending to `out`. */
export function checkValue(schema: JSONSchema, value: unknown, path: string, ctx: SchemaContext, out: SchemaProblem[], where: Where = { closed: true, inItem: false, depth: 0 }): void {
  if (where.depth > MAX_DEPTH) return;
  schema = resolveRef(schema, ctx);
  const err = (message: string, severity: Severity = 'error') => out.push({ path, message, severity });
  const helm = ctx.mode === 'helm';

  if (value === null) {
    if (helm || schema.nullable || schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return;
    if (schema.type || schema.properties) err('is null; the API server drops it (remove the key or give a value)', 'warning');
    return;
  }

  // Types. x-kubernetes-int-or-string: an integer or a string.
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeOf(value) !== 'integer') { err(`must be an integer or a string, not ${describe(value)}`); return; }
  } else if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) {
      err(`must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, not ${describe(value)}`);
      return;
    }
  }

  if (schema.enum && !schema.enum.some((e: unknown) => e === value || (typeof e === 'object' && JSON.stringify(e) === JSON.stringify(value)))) {
    const list = schema.enum.map((e: unknown) => JSON.stringify(e)).join(', ');
    const hint = typeof value === 'string' ? didYouMean(value, schema.enum.filter((e: unknown) => typeof e === 'string')) : undefined;
    err(`must be one of ${list.length > 300 ? `${list.slice(0, 300)}...` : list}, not ${describe(value)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) err(`must be ${JSON.stringify(schema.const)}, not ${describe(value)}`);

  if (typeof value === 'string') checkString(schema, value, err);
  if (typeof value === 'number') checkNumber(schema, value, err);

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) err(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, has ${value.length}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) err(`must have at most ${schema.maxItems} items, has ${value.length}`);
    checkListType(schema, value, path, out);
    if (schema.items && typeof schema.items === 'object') {
      const itemWhere: Where = { closed: !helm && where.closed, inItem: true, depth: where.depth + 1 };
      value.forEach((v, i) => checkValue(schema.items, v, joinPath(path, i), ctx, out, itemWhere));
    }
  }

  if (typeOf(value) === 'object') checkObject(schema, value as Record<string, unknown>, path, ctx, out, where);

  // Combinators: the branches never check unknown fields themselves (a structural CRD schema
  // declares every field in the parent's properties; see checkObject's union for allOf).
  const branchWhere: Where = { ...where, branch: true, depth: where.depth + 1 };
  for (const b of schema.allOf ?? []) checkValue(b, value, path, ctx, out, branchWhere);
  if (schema.anyOf) checkAlternatives(schema.anyOf, 'anyOf', value, path, ctx, out, branchWhere);
  if (schema.oneOf) checkAlternatives(schema.oneOf, 'oneOf', value, path, ctx, out, branchWhere);
  if (schema.not) {
    const scratch: SchemaProblem[] = [];
    checkValue(schema.not, value, path, ctx, scratch, branchWhere);
    if (!scratch.some((p) => p.severity === 'error')) err('must not match the excluded form (see the CRD)');
  }
}

function checkString(schema: JSONSchema, value: string, err: (m: string) => void): void {
  const len = [...value].length;
  if (schema.minLength !== undefined && len < schema.minLength) err(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long, is ${len}`);
  if (schema.maxLength !== undefined && len > schema.maxLength) err(`must be at most ${schema.maxLength} characters long, is ${len}`);
  if (typeof schema.pattern === 'string') {
    const re = compile(schema.pattern);
    if (re && !re.test(value)) err(`${JSON.stringify(value.slice(0, 80))} does not match the pattern ${schema.pattern.length > 120 ? `${schema.pattern.slice(0, 120)}...` : schema.pattern}`);
  }
  switch (schema.format) {
    case 'cidr': {
      const b = parseCIDR(value);
      if (!isBlock(b)) err(`${JSON.stringify(value.slice(0, 80))} is not a CIDR (${b.error})`);
      break;
    }
    case 'ipv4': if (parseIP(value)?.family !== 'IPv4') err(`${JSON.stringify(value.slice(0, 80))} is not an IPv4 address`); break;
    case 'ipv6': if (parseIP(value)?.family !== 'IPv6') err(`${JSON.stringify(value.slice(0, 80))} is not an IPv6 address`); break;
    case 'date-time': if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) err(`${JSON.stringify(value.slice(0, 80))} is not an RFC 3339 date-time`); break;
    default: break;
  }
}

function checkNumber(schema: JSONSchema, value: number, err: (m: string) => void): void {
  if (schema.minimum !== undefined && (value < schema.minimum || (schema.exclusiveMinimum === true && value === schema.minimum))) err(`must be at least ${schema.minimum}${schema.exclusiveMinimum === true ? ' (exclusive)' : ''}, is ${value}`);
  if (schema.maximum !== undefined && (value > schema.maximum || (schema.exclusiveMaximum === true && value === schema.maximum))) err(`must be at most ${schema.maximum}${schema.exclusiveMaximum === true ? ' (exclusive)' : ''}, is ${value}`);
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) err(`must be greater than ${schema.exclusiveMinimum}, is ${value}`);
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) err(`must be less than ${schema.exclusiveMaximum}, is ${value}`);
  if (schema.format === 'int32' && (value < -2147483648 || value > 2147483647)) err(`must fit in 32 bits, is ${value}`);
}

const patternCache = new Map<string, RegExp | null>();
/** Go RE2 patterns are nearly all valid JavaScript; one that is not is skipped, not guessed at. */
function compile(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try { re = new RegExp(pattern, 'u'); } catch { try { re = new RegExp(pattern); } catch { re = null; } }
    patternCache.set(pattern, re);
  }
  return re;
}

function checkListType(schema: JSONSchema, value: unknown[], path: string, out: SchemaProblem[]): void {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') {
    const seen = new Set<string>();
    value.forEach((v, i) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) out.push({ path: joinPath(path, i), message: `repeats ${describe(v)}; this list is a set`, severity: 'error' });
      seen.add(k);
    });
  } else if (type === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])) {
    const keys: string[] = schema['x-kubernetes-list-map-keys'];
    const seen = new Map<string, number>();
    value.forEach((v, i) => {
      if (!v || typeof v !== 'object') return;
      const k = JSON.stringify(keys.map((n) => (v as Record<string, unknown>)[n] ?? null));
      const first = seen.get(k);
      if (first !== undefined) out.push({ path: joinPath(path, i), message: `has the same ${keys.join('/')} as item ${first}; each item's ${keys.join('/')} must be unique`, severity: 'error' });
      else seen.set(k, i);
    });
  }
}

function checkObject(schema: JSONSchema, value: Record<string, unknown>, path: string, ctx: SchemaContext, out: SchemaProblem[], where: Where): void {
  const helm = ctx.mode === 'helm';
  if (schema.required && (!helm || where.inItem)) {
    for (const r of schema.required as string[]) {
      if (value[r] === undefined) out.push({ path: joinPath(path, r), message: 'is required', severity: 'error' });
    }
  }
  const preserve = !!schema['x-kubernetes-preserve-unknown-fields'];
  const additional = schema.additionalProperties;
  const names = declared(schema, ctx);
  const closedHere = !where.branch && names !== null && (names.size > 0 || additional === false) && !preserve && (additional === undefined || additional === false) && (where.closed || additional === false);
  for (const [key, v] of Object.entries(value)) {
    const childPath = joinPath(path, key);
    const schemas = propertySchemas(schema, key, ctx);
    const passThrough = helm && PASS_THROUGH.has(key);
    const childWhere: Where = { closed: where.closed && !passThrough, inItem: where.inItem, depth: where.depth + 1 };
    if (where.branch && !(schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key))) continue;
    if (schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)) {
      checkValue(schema.properties[key], v, childPath, ctx, out, childWhere);
      continue;
    }
    if (schemas.length) continue; // declared in an allOf branch: checked there
    if (additional && typeof additional === 'object') { checkValue(additional, v, childPath, ctx, out, childWhere); continue; }
    if (closedHere) {
      const known = [...(names ?? [])].sort();
      const hint = didYouMean(key, known);
      out.push({ path: childPath, message: `unknown field${hint ? ` (did you mean ${hint}?)` : ''}`, severity: 'error', unknown: { key, known } });
    }
  }
}

function checkAlternatives(branches: JSONSchema[], kind: 'anyOf' | 'oneOf', value: unknown, path: string, ctx: SchemaContext, out: SchemaProblem[], where: Where): void {
  const results = branches.map((b) => { const p: SchemaProblem[] = []; checkValue(b, value, path, ctx, p, where); return p; });
  const passing = results.filter((r) => !r.some((p) => p.severity === 'error')).length;
  const resolved = branches.map((b) => resolveRef(b, ctx));
  // oneOf [{required: [a]}, {required: [b]}, ...] is how a CRD says "exactly one of a, b".
  const onlyRequired = resolved.every((b) => Array.isArray(b.required) && Object.keys(b).every((k) => k === 'required'));
  if (onlyRequired && value && typeof value === 'object' && !Array.isArray(value)) {
    const names = [...new Set(resolved.flatMap((b) => b.required as string[]))];
    const set = names.filter((n) => (value as Record<string, unknown>)[n] !== undefined);
    if (kind === 'oneOf' && passing !== 1) out.push({ path, message: `must set exactly one of ${names.join(', ')}${set.length ? `, sets ${set.join(' and ')}` : ', sets none'}`, severity: 'error' });
    else if (kind === 'anyOf' && passing === 0) out.push({ path, message: `must set at least one of ${names.join(', ')}`, severity: 'error' });
    return;
  }
  if (passing === 0) {
    // Report the branch whose type fits the value (its errors are the useful ones), else the types.
    const fitting = resolved.map((b, i) => ({ b, i })).filter(({ b }) => !b.type || (Array.isArray(b.type) ? b.type : [b.type]).some((t: string) => typeMatches(t, value)));
    if (fitting.length === 1) { out.push(...results[fitting[0].i]); return; }
    const types = [...new Set(resolved.flatMap((b) => (Array.isArray(b.type) ? b.type : b.type ? [b.type] : [])))];
    out.push({ path, message: types.length ? `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')} in one of the allowed forms, not ${describe(value)}` : `matches none of the allowed forms: ${results.flat().filter((p) => p.severity === 'error').slice(0, 2).map((p) => `${p.path || '(root)'} ${p.message}`).join('; ')}`, severity: 'error' });
    return;
  }
  if (kind === 'oneOf' && passing > 1) out.push({ path, message: `matches more than one of the allowed forms (${passing}); exactly one must match`, severity: 'error' });
}
