// CEL validation rules (`x-kubernetes-validations`) of a CRD schema, evaluated the way
// kube-apiserver does before it stores an object:
// - the structural defaults of the schema are applied first (a rule sees `default`ed fields);
// - each rule runs with `self` bound to the value at the schema node that carries it, and only
//   when that value is present (and not null);
// - integers are CEL `int`, `type: number` is `double`, objects are maps, lists are lists;
// - false -> the rule's `messageExpression` (when it evaluates to a non-empty string), else its
//   `message`, else "failed rule: RULE", at the path of the node plus the rule's `fieldPath`, with
//   its `reason`; an evaluation error (e.g. "no such key") rejects the object too;
// - a transition rule (one that reads `oldSelf`) needs the object as stored: it is evaluated only
//   when the previous version of the object is given and the value correlates with one in it
//   (object fields by name, `x-kubernetes-list-type: map` items by their keys, `set` items by
//   value; atomic lists do not correlate), as on an update; otherwise it is counted as not
//   evaluated (on a create the API server skips it too); a rule with `optionalOldSelf` needs CEL
//   optional values, which the evaluator lacks: reported as not evaluated, an error.
// - a rule that calls a function the evaluator does not have is an error, never a pass.
// Source: kubernetes/apiextensions-apiserver pkg/apis/apiextensions/types_jsonschema.go
// (ValidationRule: message, "failed rule: {Rule}" when unset, messageExpression, fieldPath as a
// relative JSON path with ['name'] for special names, reason; "Transition rules by default are
// applied only on UPDATE requests and are skipped if an old value could not be found";
// optionalOldSelf makes oldSelf a CEL optional).
//
// The CEL engine is @bufbuild/cel (a few hundred ms to load): loadCelEngine() loads it, called
// only by `validate` and `render --check`, never on the plan/render/fn start-up path.
import { createRequire } from 'node:module';
import { joinPath } from '../api/schema.js';
import { resolveRef, type JSONSchema, type Severity } from './openapi.js';

export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

export interface CelProblem {
  path: string;
  message: string;
  severity: Severity;
  rule: string;
  reason?: string;
}

export interface CelStats {
  evaluated: number;
  /** Transition rules skipped for want of a previous object (or a correlating value in it). */
  transitionSkipped: number;
}

export interface CelEngine {
  /** Evaluates one expression with `self` (and `oldSelf`) bound. */
  evaluate(expr: string, self: unknown, oldSelf?: unknown): { value: unknown } | { error: string };
  /** Function names an expression calls that the engine does not define. */
  unsupported(expr: string): string[];
}

type Lib = typeof import('@bufbuild/cel');

let enginePromise: Promise<CelEngine> | undefined;

/**
 * The CEL engine (loads @bufbuild/cel once). In a bundle (require exists) the require() below
 * is either bundled into the command's own lazily loaded chunk (dist/bundle/) or, in the
 * CommonJS start-up bundle (dist/fast/), sent to dist/vendor/cel.cjs (scripts/vendor.mjs), so
 * that plan and render never parse it; the unbundled dist/ imports it.
 */
export function loadCelEngine(): Promise<CelEngine> {
  enginePromise ??= (async () => {
    let cel: Lib & { __netprofileExt?: { strings: unknown } };
    let ext: { strings: unknown };
    if (typeof require === 'function') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cel = require('@bufbuild/cel');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ext = cel.__netprofileExt ?? require('@bufbuild/cel/ext');
    } else {
      // The package's CommonJS build: one copy of the core for both entry points.
      const req = createRequire(import.meta.url);
      cel = req('@bufbuild/cel');
      ext = req('@bufbuild/cel/ext');
    }
    return makeEngine(cel, ext.strings);
  })();
  return enginePromise;
}

// Operators and macros are part of the language, not functions an environment may lack.
const LANGUAGE = /^(_.*_|_\[_\]|!_|-_|@.*|has|all|exists|exists_one|map|filter)$/;

function makeEngine(cel: Lib, strings: unknown): CelEngine {
  // Kubernetes enables the strings extension library for CRD rules (charAt, indexOf, lowerAscii,
  // replace, split, substring, trim, upperAscii, join, ...); @bufbuild/cel ships it.
  const env = cel.celEnv({ funcs: strings as any, variables: { self: cel.CelScalar.DYN, oldSelf: cel.CelScalar.DYN } } as any);
  const planned = new Map<string, ((ctx: any) => unknown) | { error: string }>();
  const calls = new Map<string, string[]>();
  const compile = (expr: string) => {
    let p = planned.get(expr);
    if (!p) {
      try { p = cel.plan(env as any, cel.parse(expr)) as (ctx: any) => unknown; } catch (e) { p = { error: `does not parse: ${(e as Error).message.split('\n')[0]}` }; }
      planned.set(expr, p);
    }
    return p;
  };
  const functionsOf = (expr: string): string[] => {
    let names = calls.get(expr);
    if (!names) {
      const found = new Set<string>();
      try { walkExpr(cel.parse(expr).expr, found); } catch { /* reported by compile */ }
      names = [...found];
      calls.set(expr, names);
    }
    return names;
  };
  return {
    unsupported(expr) {
      return functionsOf(expr).filter((f) => !LANGUAGE.test(f) && !(env as any).funcs.find(f));
    },
    evaluate(expr, self, oldSelf) {
      const p = compile(expr);
      if (typeof p !== 'function') return p;
      let out: unknown;
      try { out = p(oldSelf === undefined ? { self } : { self, oldSelf }); } catch (e) { return { error: (e as Error).message }; }
      if (cel.isCelError(out)) return { error: (out as Error).message };
      return { value: out };
    },
  };
}

function walkExpr(e: any, out: Set<string>): void {
  if (!e || typeof e !== 'object') return;
  const k = e.exprKind;
  if (k?.case === 'callExpr') {
    out.add(k.value.function);
    walkExpr(k.value.target, out);
    for (const a of k.value.args) walkExpr(a, out);
  } else if (k?.case === 'selectExpr') walkExpr(k.value.operand, out);
  else if (k?.case === 'listExpr') for (const x of k.value.elements) walkExpr(x, out);
  else if (k?.case === 'structExpr') for (const x of k.value.entries) { walkExpr(x.mapKey, out); walkExpr(x.value, out); }
  else if (k?.case === 'comprehensionExpr') {
    const c = k.value;
    for (const x of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) walkExpr(x, out);
  }
}

// ---- schema walking -------------------------------------------------------------------------

export interface CelContext {
  shared: JSONSchema[];
  root: JSONSchema;
}

/** The validator's reference resolver (one implementation: it unescapes JSON-pointer ~0/~1). */
const resolve = resolveRef;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** True when a schema (or any schema below it) carries CEL rules. Cached per schema object. */
const hasRulesCache = new WeakMap<object, boolean>();
export function hasRules(schema: JSONSchema, ctx: CelContext, depth = 0): boolean {
  schema = resolve(schema, ctx);
  if (!schema || typeof schema !== 'object' || depth > 80) return false;
  const cached = hasRulesCache.get(schema);
  if (cached !== undefined) return cached;
  hasRulesCache.set(schema, false); // cycle guard
  let found = Array.isArray(schema['x-kubernetes-validations']) && schema['x-kubernetes-validations'].length > 0;
  const kids: JSONSchema[] = [];
  for (const s of Object.values(schema.properties ?? {})) kids.push(s as JSONSchema);
  if (isObj(schema.items)) kids.push(schema.items);
  if (isObj(schema.additionalProperties)) kids.push(schema.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const s of schema[key] ?? []) kids.push(s);
  for (const k of kids) if (!found && hasRules(k, ctx, depth + 1)) found = true;
  hasRulesCache.set(schema, found);
  return found;
}

/**
 * Applies structural defaults (`default` of properties absent from an object) to a copy of
 * `value`, as the API server does before validation. Nulls of non-nullable fields are dropped.
 */
export function withDefaults(schema: JSONSchema, value: unknown, ctx: CelContext, depth = 0): unknown {
  schema = resolve(schema, ctx);
  if (depth > 80) return value;
  if (Array.isArray(value)) {
    const items = isObj(schema.items) ? schema.items : undefined;
    return value.map((v) => (items ? withDefaults(items, v, ctx, depth + 1) : v));
  }
  if (!isObj(value)) return value;
  const out: Record<string, unknown> = {};
  const props = (schema.properties ?? {}) as Record<string, JSONSchema>;
  const extra = isObj(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(value)) {
    const ps = props[k] ? resolve(props[k], ctx) : extra ? resolve(extra, ctx) : undefined;
    if (v === null && ps && !ps.nullable) continue;
    out[k] = ps ? withDefaults(ps, v, ctx, depth + 1) : v;
  }
  for (const [k, ps0] of Object.entries(props)) {
    const ps = resolve(ps0, ctx);
    if (out[k] === undefined && ps.default !== undefined) out[k] = withDefaults(ps, structuredClone(ps.default), ctx, depth + 1);
  }
  return out;
}

/** JSON -> CEL values: maps for objects, bigint for integers (unless the schema says number). */
export function toCel(schema: JSONSchema | undefined, value: unknown, ctx: CelContext, depth = 0): unknown {
  const s = schema ? resolve(schema, ctx) : undefined;
  if (depth > 80) return value;
  if (Array.isArray(value)) {
    const items = s && isObj(s.items) ? s.items : undefined;
    return value.map((v) => toCel(items, v, ctx, depth + 1));
  }
  if (isObj(value)) {
    const m = new Map<string, unknown>();
    const props = (s?.properties ?? {}) as Record<string, JSONSchema>;
    const extra = s && isObj(s.additionalProperties) ? s.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) m.set(k, toCel(props[k] ?? extra, v, ctx, depth + 1));
    return m;
  }
  if (typeof value === 'number') {
    const type = s?.type;
    if (type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  return value;
}

/** Correlates the old value with the new one at a list item, the way transition rules do. */
function oldItem(schema: JSONSchema, item: unknown, old: unknown): unknown {
  if (!Array.isArray(old)) return undefined;
  const type = schema['x-kubernetes-list-type'];
  if (type === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys']) && isObj(item)) {
    const keys: string[] = schema['x-kubernetes-list-map-keys'];
    return old.find((o) => isObj(o) && keys.every((k) => JSON.stringify(o[k]) === JSON.stringify(item[k])));
  }
  if (type === 'set') return old.find((o) => JSON.stringify(o) === JSON.stringify(item));
  return undefined; // atomic lists do not correlate
}

const NO_OLD = Symbol('no old value');

/** Path of a rule's fieldPath (".spec.a", "['b'].c", ".x[0]") below `base`. */
export function joinFieldPath(base: string, fieldPath: string): string {
  let path = base;
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/y;
  let i = 0;
  while (i < fieldPath.length) {
    re.lastIndex = i;
    const m = re.exec(fieldPath);
    if (!m) return `${path}${fieldPath.slice(i)}`;
    path = m[1] !== undefined ? joinPath(path, m[1]) : m[2] !== undefined ? joinPath(path, m[2].replace(/\\(.)/g, '$1')) : joinPath(path, Number(m[3]));
    i = re.lastIndex;
  }
  return path;
}

const REASON_WORDS: Record<string, string> = {
  FieldValueInvalid: 'Invalid value', FieldValueForbidden: 'Forbidden', FieldValueRequired: 'Required value', FieldValueDuplicate: 'Duplicate value',
};

/**
 * Evaluates every CEL rule of `schema` against `doc` (a whole object). `old` is the previous
 * version of the object, for transition rules; undefined evaluates as a create.
 */
export function checkRules(engine: CelEngine, schema: JSONSchema, doc: unknown, ctx: CelContext, prefix: string, old?: unknown): { problems: CelProblem[]; stats: CelStats } {
  const problems: CelProblem[] = [];
  const stats: CelStats = { evaluated: 0, transitionSkipped: 0 };
  if (!hasRules(schema, ctx)) return { problems, stats };
  const value = withDefaults(schema, doc, ctx);
  const oldValue = old === undefined ? NO_OLD : withDefaults(schema, old, ctx);
  walk(engine, schema, value, oldValue, prefix, ctx, problems, stats, 0);
  return { problems, stats };
}

function walk(engine: CelEngine, schema0: JSONSchema, value: unknown, old: unknown, path: string, ctx: CelContext, out: CelProblem[], stats: CelStats, depth: number): void {
  if (depth > 80 || value === undefined || value === null) return;
  const schema = resolve(schema0, ctx);
  if (!hasRules(schema, ctx)) return;
  const rules = (schema['x-kubernetes-validations'] ?? []) as CelRule[];
  if (rules.length) {
    const self = toCel(schema, value, ctx);
    const oldSelf = old === NO_OLD || old === undefined || old === null ? undefined : toCel(schema, old, ctx);
    for (const r of rules) evalRule(engine, r, self, oldSelf, path, out, stats);
  }
  if (Array.isArray(value)) {
    if (isObj(schema.items)) value.forEach((v, i) => walk(engine, schema.items, v, old === NO_OLD ? NO_OLD : oldItem(schema, v, old) ?? NO_OLD, joinPath(path, i), ctx, out, stats, depth + 1));
    return;
  }
  if (isObj(value)) {
    const props = (schema.properties ?? {}) as Record<string, JSONSchema>;
    const extra = isObj(schema.additionalProperties) ? schema.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) {
      const child = props[k] ?? extra;
      if (!child) continue;
      const o = old !== NO_OLD && isObj(old) && old[k] !== undefined ? old[k] : NO_OLD;
      walk(engine, child, v, o, joinPath(path, k), ctx, out, stats, depth + 1);
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const b of schema[key] ?? []) {
      // Kubernetes forbids x-kubernetes-validations under allOf/anyOf/oneOf (structural schemas);
      // one found there is not evaluated and says so.
      if (hasRules(b, ctx)) out.push({ path, message: `a CEL rule under ${key} is not evaluated by netprofile (the API server does not allow rules there either)`, severity: 'error', rule: '' });
    }
  }
}

function evalRule(engine: CelEngine, r: CelRule, self: unknown, oldSelf: unknown, path: string, out: CelProblem[], stats: CelStats): void {
  const at = r.fieldPath ? joinFieldPath(path, r.fieldPath) : path;
  const missing = engine.unsupported(r.rule);
  if (missing.length) {
    out.push({ path: at, rule: r.rule, severity: 'error', message: `CEL rule \`${r.rule}\` calls ${missing.join(', ')}, which netprofile's CEL evaluator does not implement: not evaluated, so this object is NOT known to pass it (the API server evaluates it)` });
    return;
  }
  const transition = /\boldSelf\b/.test(r.rule);
  if (transition && oldSelf === undefined) {
    if (r.optionalOldSelf) {
      out.push({ path: at, rule: r.rule, severity: 'error', message: `CEL rule \`${r.rule}\` uses optionalOldSelf, which netprofile's CEL evaluator does not implement: not evaluated` });
      return;
    }
    stats.transitionSkipped++;
    return;
  }
  stats.evaluated++;
  const res = engine.evaluate(r.rule, self, transition ? oldSelf : undefined);
  const reason = r.reason ? `${REASON_WORDS[r.reason] ?? r.reason}: ` : '';
  if ('error' in res) {
    out.push({ path: at, rule: r.rule, reason: r.reason, severity: 'error', message: `${reason}CEL rule \`${r.rule}\` fails to evaluate (${res.error}); the API server rejects the object when a rule errors` });
    return;
  }
  if (res.value === true) return;
  if (res.value !== false) {
    out.push({ path: at, rule: r.rule, severity: 'error', message: `CEL rule \`${r.rule}\` returned ${String(res.value)}, not a bool; the API server rejects the CRD or the object` });
    return;
  }
  let message = r.message || `failed rule: ${r.rule}`;
  if (r.messageExpression) {
    const m = engine.evaluate(r.messageExpression, self, transition ? oldSelf : undefined);
    if ('value' in m && typeof m.value === 'string' && m.value.trim() && !m.value.includes('\n')) message = m.value;
  }
  out.push({ path: at, rule: r.rule, reason: r.reason, severity: 'error', message: `${reason}${message} (CEL rule \`${r.rule}\`${transition ? ', a transition rule checked against the previous object' : ''})` });
}

/** Every rule in a schema (for listing and for the "all bundled rules are supported" check). */
export function collectRules(schema: JSONSchema, ctx: CelContext, path = '', out: { path: string; rule: CelRule }[] = [], depth = 0): { path: string; rule: CelRule }[] {
  schema = resolve(schema, ctx);
  if (!schema || depth > 80) return out;
  for (const r of (schema['x-kubernetes-validations'] ?? []) as CelRule[]) out.push({ path: path || '(root)', rule: r });
  for (const [k, s] of Object.entries(schema.properties ?? {})) collectRules(s as JSONSchema, ctx, joinPath(path, k), out, depth + 1);
  if (isObj(schema.items)) collectRules(schema.items, ctx, `${path}[]`, out, depth + 1);
  if (isObj(schema.additionalProperties)) collectRules(schema.additionalProperties, ctx, `${path}.*`, out, depth + 1);
  return out;
}
