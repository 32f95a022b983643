// A small schema language: ONE definition gives the TypeScript type (Infer), the input validator
// (validate, with file-path-style field paths, defaults applied and "did you mean" for unknown
// fields) and the CRD's structural openAPIV3Schema (toOpenAPI). No second hand-kept copy exists.

export type Check = (value: any) => string | undefined;

/** A CEL rule for the CRD (x-kubernetes-validations): what the API server checks itself. */
export interface CrdRule { rule: string; message: string; fieldPath?: string; reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate' }

interface Common {
  description?: string;
  /** Extra validation after the type matched; returns an error message or undefined. */
  check?: Check;
  /**
   * CEL rules the CRD carries so that the API server refuses what `check` refuses where a
   * pattern cannot say it; `validate` relies on `check` (the rules must not be stricter).
   */
  rules?: readonly CrdRule[];
}

export interface StringSchema<T extends string = string, D extends boolean = boolean> extends Common {
  kind: 'string';
  enum?: readonly T[];
  default?: T;
  maxLength?: number;
  /**
   * A regular expression for the CRD (and the JSON Schema): no stricter than `check`, which
   * stays the validator (it gives the better message), so kubectl refuses the clearly wrong.
   */
  pattern?: string;
  readonly _default?: D;
}
export interface IntegerSchema<D extends boolean = boolean> extends Common {
  kind: 'integer';
  minimum?: number;
  maximum?: number;
  default?: number;
  readonly _default?: D;
}
export interface BooleanSchema<D extends boolean = boolean> extends Common {
  kind: 'boolean';
  default?: boolean;
  readonly _default?: D;
}
/** A scalar that is one of a fixed set of strings or booleans, e.g. `managed: auto | true | false`. */
export interface ChoiceSchema<T extends string | boolean = string | boolean, D extends boolean = boolean> extends Common {
  kind: 'choice';
  choices: readonly T[];
  default?: T;
  readonly _default?: D;
}
export interface ArraySchema<I extends Schema = Schema, D extends boolean = boolean> extends Common {
  kind: 'array';
  items: I;
  minItems?: number;
  maxItems?: number;
  default?: unknown[];
  /** x-kubernetes-list-type (and -map-keys for map): how the API server merges and keys items. */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: readonly string[];
  readonly _default?: D;
}
export interface ObjectSchema<P extends Record<string, Schema> = Record<string, Schema>, R extends string = string, D extends boolean = boolean> extends Common {
  kind: 'object';
  properties: P;
  required: readonly R[];
  /** Objects nobody wrote are still filled with their children's defaults. */
  defaulted?: D;
}
/** Free-form data (Helm values, label selectors): any JSON, depth-limited. */
export interface AnySchema<D extends boolean = boolean> extends Common {
  kind: 'any';
  default?: Record<string, unknown>;
  readonly _default?: D;
}

export type Schema = StringSchema<any, any> | IntegerSchema<any> | BooleanSchema<any> | ChoiceSchema<any, any>
  | ArraySchema<any, any> | ObjectSchema<any, any, any> | AnySchema<any>;

type HasDefault<S> = S extends { _default?: infer D } ? (D extends true ? true : false)
  : S extends { defaulted?: infer D } ? (D extends true ? true : false) : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type Infer<S> =
  S extends StringSchema<infer T, any> ? T
  : S extends IntegerSchema<any> ? number
  : S extends BooleanSchema<any> ? boolean
  : S extends ChoiceSchema<infer T, any> ? T
  : S extends ArraySchema<infer I, any> ? Infer<I>[]
  : S extends ObjectSchema<infer P, infer R, any> ? Simplify<
      { [K in keyof P as K extends R ? K : HasDefault<P[K]> extends true ? K : never]: Infer<P[K]> } &
      { [K in keyof P as K extends R ? never : HasDefault<P[K]> extends true ? never : K]?: Infer<P[K]> }>
  : S extends AnySchema<any> ? Record<string, unknown>
  : never;

// ---- builders -----------------------------------------------------------------------------

export const s = {
  string(o: Omit<StringSchema<string>, 'kind' | 'default' | 'enum'> = {}): StringSchema<string, false> {
    return { kind: 'string', ...o } as StringSchema<string, false>;
  },
  enumOf<const T extends string>(values: readonly T[], o: Omit<StringSchema<T>, 'kind' | 'enum' | 'default'> & { default: T }): StringSchema<T, true> {
    return { kind: 'string', enum: values, ...o } as StringSchema<T, true>;
  },
  stringDefault<const T extends string = string>(def: T, o: Omit<StringSchema<string>, 'kind' | 'default'> = {}): StringSchema<string, true> {
    return { kind: 'string', default: def, ...o } as StringSchema<string, true>;
  },
  integer(o: Omit<IntegerSchema, 'kind' | 'default'> = {}): IntegerSchema<false> {
    return { kind: 'integer', ...o } as IntegerSchema<false>;
  },
  integerDefault(def: number, o: Omit<IntegerSchema, 'kind' | 'default'> = {}): IntegerSchema<true> {
    return { kind: 'integer', default: def, ...o } as IntegerSchema<true>;
  },
  boolean(def: boolean, o: Omit<BooleanSchema, 'kind' | 'default'> = {}): BooleanSchema<true> {
    return { kind: 'boolean', default: def, ...o } as BooleanSchema<true>;
  },
  optionalBoolean(o: Omit<BooleanSchema, 'kind' | 'default'> = {}): BooleanSchema<false> {
    return { kind: 'boolean', ...o } as BooleanSchema<false>;
  },
  choice<const T extends string | boolean>(choices: readonly T[], def: T, o: Common = {}): ChoiceSchema<T, true> {
    return { kind: 'choice', choices, default: def, ...o } as ChoiceSchema<T, true>;
  },
  array<I extends Schema>(items: I, o: Omit<ArraySchema<I>, 'kind' | 'items' | 'default'> = {}): ArraySchema<I, false> {
    return { kind: 'array', items, ...o } as ArraySchema<I, false>;
  },
  arrayDefault<I extends Schema>(items: I, def: unknown[], o: Omit<ArraySchema<I>, 'kind' | 'items' | 'default'> = {}): ArraySchema<I, true> {
    return { kind: 'array', items, default: def, ...o } as ArraySchema<I, true>;
  },
  /** An object the user may omit; absent → absent. */
  object<P extends Record<string, Schema>, const R extends keyof P & string = never>(properties: P, required: readonly R[] = [], o: Common = {}): ObjectSchema<P, R, false> {
    return { kind: 'object', properties, required, ...o } as ObjectSchema<P, R, false>;
  },
  /** An object that is always present after validation, filled with its children's defaults. */
  section<P extends Record<string, Schema>, const R extends keyof P & string = never>(properties: P, required: readonly R[] = [], o: Common = {}): ObjectSchema<P, R, true> {
    return { kind: 'object', properties, required, defaulted: true, ...o } as ObjectSchema<P, R, true>;
  },
  any(o: Common = {}): AnySchema<false> {
    return { kind: 'any', ...o } as AnySchema<false>;
  },
  anyDefault(o: Common = {}): AnySchema<true> {
    return { kind: 'any', default: {}, ...o } as AnySchema<true>;
  },
};

// ---- validation ---------------------------------------------------------------------------

export interface SchemaError {
  path: string;
  message: string;
  /** For an unknown field: its name, and whether a near name at the same level was suggested. */
  unknown?: { key: string; near?: string };
}

/** Free-form subtrees deeper than this are refused: a hostile file must not exhaust the stack. */
export const MAX_FREEFORM_DEPTH = 32;

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  return base ? `${base}.${safe}` : safe;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return typeof v === 'undefined' ? 'nothing' : `a ${typeof v}`;
}

/** Levenshtein distance, small inputs only (field names). */
export function editDistance(a: string, b: string): number {
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 3) return 99;
  let prev = Array.from({ length: lb + 1 }, (_, i) => i);
  let prevPrev = prev;
  for (let i = 1; i <= la; i++) {
    const cur = [i];
    for (let j = 1; j <= lb; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      // A swap of two neighbours ("mdoe") counts as one edit.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prevPrev[j - 2] + 1);
    }
    prevPrev = prev;
    prev = cur;
  }
  return prev[lb];
}

export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    const limit = Math.max(1, Math.floor(c.length / 3));
    if (d <= limit && d < bestScore) { best = c; bestScore = d; }
  }
  return best;
}

/** Every field of a schema as [path, name], arrays as "[]" (e.g. spec.loadBalancer.pools[].name). */
export function fieldPaths(schema: Schema, base = '', out: [string, string][] = []): [string, string][] {
  if (schema.kind === 'array') fieldPaths(schema.items, `${base}[]`, out);
  if (schema.kind === 'object') {
    for (const [k, child] of Object.entries(schema.properties) as [string, Schema][]) {
      const p = base ? `${base}.${k}` : k;
      out.push([p, k]);
      fillPaths(child, p, out);
    }
  }
  return out;
}
function fillPaths(schema: Schema, base: string, out: [string, string][]): void { fieldPaths(schema, base, out); }

/**
 * Where a field that is unknown at `path` does exist in `root`: "did you mean
 * spec.cluster.apiServer" for a spec.apiServer. The same name first (then a near one), closest
 * to where it was written, shallowest; at most two equally good answers.
 */
export function suggestFieldPaths(root: Schema, path: string, key: string): string[] {
  const parent = path.slice(0, Math.max(0, path.length - key.length - 1)).replace(/\[\d+\]/g, '[]');
  const here = path.replace(/\[\d+\]/g, '[]');
  const common = (a: string, b: string) => { const x = a.split('.'), y = b.split('.'); let i = 0; while (i < x.length && i < y.length && x[i] === y[i]) i++; return i; };
  const scored: { p: string; score: number[] }[] = [];
  for (const [p, name] of fieldPaths(root)) {
    if (p === here) continue;
    const exact = name === key ? 2 : name.toLowerCase() === key.toLowerCase() ? 1 : 0;
    if (!exact && editDistance(name, key) > Math.max(1, Math.floor(name.length / 4))) continue;
    scored.push({ p, score: [exact, common(p, parent), -p.split('.').length] });
  }
  const cmp = (a: number[], b: number[]) => { for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i]; return 0; };
  scored.sort((a, b) => cmp(a.score, b.score) || (a.p < b.p ? -1 : 1));
  if (!scored.length) return [];
  const best = scored.filter((s) => cmp(s.score, scored[0].score) === 0);
  return best.length > 2 ? [] : best.map((s) => s.p);
}

function checkFreeform(value: unknown, path: string, depth: number, errors: SchemaError[]): void {
  if (depth > MAX_FREEFORM_DEPTH) {
    errors.push({ path, message: `nested deeper than ${MAX_FREEFORM_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkFreeform(v, joinPath(path, i), depth + 1, errors));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkFreeform(v, joinPath(path, k), depth + 1, errors);
  }
}

/**
 * Validates `value` against `schema`, returning a new value with defaults applied and the list of
 * errors (each with a field path such as `spec.loadBalancer.pools[1].addresses[0]`).
 */
export function validate(schema: Schema, value: unknown, path: string, errors: SchemaError[]): unknown {
  const fail = (message: string) => { errors.push({ path, message }); return undefined; };
  const extra = (v: unknown) => {
    const msg = schema.check?.(v);
    if (msg) errors.push({ path, message: msg });
    return v;
  };
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        if (typeof value === 'number' && !schema.enum) return fail(`must be a string, got ${typeName(value)} (quote it: "${value}")`);
        return fail(`must be a string${schema.enum ? ` (one of ${schema.enum.join(', ')})` : ''}, got ${typeName(value)}`);
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return fail(`is longer than ${schema.maxLength} characters`);
      if (schema.enum && !schema.enum.includes(value)) {
        const near = didYouMean(value, schema.enum);
        return fail(`must be one of ${schema.enum.join(', ')}, got "${printable(value)}"${near ? ` (did you mean "${near}"?)` : ''}`);
      }
      return extra(value);
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`must be an integer, got ${typeName(value)}`);
      if (schema.minimum !== undefined && value < schema.minimum) return fail(`must be at least ${schema.minimum}, got ${value}`);
      if (schema.maximum !== undefined && value > schema.maximum) return fail(`must be at most ${schema.maximum}, got ${value}`);
      return extra(value);
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`must be true or false, got ${typeName(value)}`);
      return extra(value);
    case 'choice':
      if (!schema.choices.includes(value as any)) {
        return fail(`must be one of ${schema.choices.join(', ')}, got ${typeof value === 'string' ? `"${printable(value)}"` : typeName(value)}`);
      }
      return extra(value);
    case 'array': {
      if (!Array.isArray(value)) return fail(`must be a list, got ${typeName(value)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) return fail(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return fail(`must have at most ${schema.maxItems} items, got ${value.length}`);
      const before = errors.length;
      const out = value.map((v, i) => validate(schema.items, v, joinPath(path, i), errors));
      return errors.length === before ? extra(out) : out;
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`must be a mapping, got ${typeName(value)}`);
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const known = Object.keys(schema.properties);
      for (const key of Object.keys(input)) {
        if (!(key in schema.properties) || !Object.prototype.hasOwnProperty.call(schema.properties, key)) {
          const near = didYouMean(key, known);
          errors.push({ path: joinPath(path, key), message: `is not a known field${near ? ` (did you mean "${near}"?)` : ''}; fix the name or remove it`, unknown: { key, near } });
        }
      }
      for (const [key, child] of Object.entries(schema.properties) as [string, Schema][]) {
        const childPath = joinPath(path, key);
        if (input[key] === undefined || input[key] === null) {
          if (schema.required.includes(key)) { errors.push({ path: childPath, message: 'is required' }); continue; }
          const def = defaultOf(child);
          if (def !== undefined) out[key] = def;
          continue;
        }
        const v = validate(child, input[key], childPath, errors);
        if (v !== undefined) out[key] = v;
      }
      return extra(out);
    }
    case 'any': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`must be a mapping, got ${typeName(value)}`);
      checkFreeform(value, path, 0, errors);
      return extra(structuredClone(value));
    }
  }
}

/** The value an absent field takes: its default, or for a `section` its children's defaults. */
export function defaultOf(schema: Schema): unknown {
  if (schema.kind === 'object') {
    if (!schema.defaulted) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(schema.properties) as [string, Schema][]) {
      const d = defaultOf(child);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  if ('default' in schema && schema.default !== undefined) return structuredClone(schema.default);
  return undefined;
}

/** Makes a hostile string safe to print on one line. */
export function printable(v: string, max = 80): string {
  const escaped = JSON.stringify(v).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

// ---- OpenAPI (CRD structural schema) ------------------------------------------------------

export type OpenAPI = Record<string, unknown>;

export function toOpenAPI(schema: Schema): OpenAPI {
  const out = openAPINode(schema);
  if (schema.rules?.length) out['x-kubernetes-validations'] = [...((out['x-kubernetes-validations'] as CrdRule[] | undefined) ?? []), ...schema.rules.map((r) => ({ ...r }))];
  return out;
}

function openAPINode(schema: Schema): OpenAPI {
  const base: OpenAPI = {};
  if (schema.description) base.description = schema.description;
  switch (schema.kind) {
    case 'string':
      return { ...base, type: 'string', ...(schema.enum ? { enum: [...schema.enum] } : {}), ...(schema.default !== undefined ? { default: schema.default } : {}), ...(schema.maxLength ? { maxLength: schema.maxLength } : {}), ...(schema.pattern ? { pattern: schema.pattern } : {}) };
    case 'integer':
      return { ...base, type: 'integer', format: 'int64', ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}), ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}), ...(schema.default !== undefined ? { default: schema.default } : {}) };
    case 'boolean':
      return { ...base, type: 'boolean', ...(schema.default !== undefined ? { default: schema.default } : {}) };
    case 'choice':
      // A string-or-boolean scalar has no structural type (x-kubernetes-preserve-unknown-fields
      // keeps it as given), and CEL cannot see such a node (k8s.io/apiserver pkg/cel/common
      // SchemaDeclType: "Schemas with XPreserveUnknownFields not exposed unless they are
      // objects"); an enum, a value validation, refuses anything but the choices (an object, a
      // list, a misspelt string), as netprofile's validator does.
      return { ...base, description: `${schema.description ? `${schema.description} ` : ''}One of: ${schema.choices.join(', ')}.`, 'x-kubernetes-preserve-unknown-fields': true, enum: [...schema.choices] };
    case 'array':
      return {
        ...base, type: 'array', items: toOpenAPI(schema.items), ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}),
        ...(schema.listType ? { 'x-kubernetes-list-type': schema.listType } : {}), ...(schema.listMapKeys ? { 'x-kubernetes-list-map-keys': [...schema.listMapKeys] } : {}),
      };
    case 'object': {
      const properties: Record<string, OpenAPI> = {};
      for (const [k, child] of Object.entries(schema.properties) as [string, Schema][]) properties[k] = toOpenAPI(child);
      return { ...base, type: 'object', ...(schema.required.length ? { required: [...schema.required] } : {}), properties };
    }
    case 'any':
      return { ...base, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

// ---- JSON Schema (editors: yaml-language-server, `netprofile schema`) ---------------------

/**
 * The same definition as a JSON Schema (draft 2020-12) for editors: objects are closed
 * (additionalProperties: false, as validate refuses unknown fields), a choice is an enum of its
 * strings and booleans. Checks that only code can do (CIDR syntax, overlaps) stay in validate.
 */
export function toJSONSchema(schema: Schema): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (schema.description) base.description = schema.description;
  switch (schema.kind) {
    case 'string':
      return { ...base, type: 'string', ...(schema.enum ? { enum: [...schema.enum] } : {}), ...(schema.default !== undefined ? { default: schema.default } : {}), ...(schema.maxLength ? { maxLength: schema.maxLength } : {}), ...(schema.pattern ? { pattern: schema.pattern } : {}) };
    case 'integer':
      return { ...base, type: 'integer', ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}), ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}), ...(schema.default !== undefined ? { default: schema.default } : {}) };
    case 'boolean':
      return { ...base, type: 'boolean', ...(schema.default !== undefined ? { default: schema.default } : {}) };
    case 'choice':
      return { ...base, enum: [...schema.choices], ...(schema.default !== undefined ? { default: schema.default } : {}) };
    case 'array':
      return { ...base, type: 'array', items: toJSONSchema(schema.items), ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}) };
    case 'object': {
      const properties: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(schema.properties) as [string, Schema][]) properties[k] = toJSONSchema(child);
      return { ...base, type: 'object', ...(schema.required.length ? { required: [...schema.required] } : {}), properties, additionalProperties: false };
    }
    case 'any':
      return { ...base, type: 'object' };
  }
}
