// A YAML emitter for the plain data netprofile renders (objects, arrays, strings, finite numbers,
// booleans, null), byte for byte what the `yaml` library writes with YAML_OPTIONS (sorted keys,
// no folding, no aliases) — but without loading that library, whose import and first stringify
// are most of a render's time. Every scalar the emitter is not sure about (multi-line, quoted,
// empty, looks like another type, control characters, a key over 1024 characters) makes it hand
// the whole document to the library, so the library's quoting rules always decide the hard cases.
// test/yaml-fast.test.ts checks the two agree on every rendered example and on tricky strings.
import { yamlLib } from './lib.js';
import { readsAsOtherType } from './core-schema.js';

export const YAML_OPTIONS = { sortMapEntries: true, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;

class Bail extends Error {}
const BAIL = new Bail();

// yaml 2.x stringifyString.js plainString: what may not be written plain.
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
// Control characters and lone surrogates force double quotes (stringifyString).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
// containsDocumentMarker.
const DOC_MARKER = /^(%|---|\.\.\.)/m;

function plain(s: string, key: boolean): string {
  if (s === '' || s.includes('\n') || NOT_PLAIN.test(s) || CONTROL.test(s) || DOC_MARKER.test(s)) throw BAIL;
  if (key && s.length > 1024) throw BAIL;
  if (readsAsOtherType(s)) throw BAIL;
  return s;
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': return plain(v, false);
    case 'number': if (!Number.isFinite(v) || Object.is(v, -0)) throw BAIL; return JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'object': return v === null ? 'null' : undefined;
    default: throw BAIL;
  }
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function entries(o: object): [string, unknown][] {
  if (Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null) throw BAIL;
  const out: [string, unknown][] = [];
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out.sort((a, b) => byKey(a[0], b[0]));
}

/** Lines of a collection at `indent`; `first` is put before the first line (a sequence dash). */
function collection(v: object, indent: string, out: string[], depth: number): void {
  if (depth > 200) throw BAIL;
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalar(item === undefined ? null : item);
      if (s !== undefined) { out.push(`${indent}- ${s}`); continue; }
      const o = item as object;
      if (Array.isArray(o) ? o.length === 0 : entries(o).length === 0) { out.push(`${indent}- ${Array.isArray(o) ? '[]' : '{}'}`); continue; }
      const start = out.length;
      collection(o, indent + '  ', out, depth + 1);
      // The first line of the nested collection moves up onto the dash line.
      out[start] = `${indent}- ${out[start].slice(indent.length + 2)}`;
    }
    return;
  }
  for (const [k, val] of entries(v)) {
    const key = plain(k, true);
    const s = scalar(val);
    if (s !== undefined) { out.push(`${indent}${key}: ${s}`); continue; }
    const o = val as object;
    const empty = Array.isArray(o) ? o.length === 0 : entries(o).length === 0;
    if (empty) { out.push(`${indent}${key}: ${Array.isArray(o) ? '[]' : '{}'}`); continue; }
    out.push(`${indent}${key}:`);
    collection(o, indent + '  ', out, depth + 1);
  }
}

/** One YAML document for a plain value, as the `yaml` library writes it with YAML_OPTIONS. */
export function emitYaml(value: unknown): string {
  try {
    if (value !== null && typeof value === 'object') {
      const out: string[] = [];
      const empty = Array.isArray(value) ? value.length === 0 : entries(value).length === 0;
      if (empty) return Array.isArray(value) ? '[]\n' : '{}\n';
      collection(value, '', out, 0);
      return out.join('\n') + '\n';
    }
  } catch (e) {
    if (e !== BAIL) throw e;
  }
  return yamlLib().stringify(value, YAML_OPTIONS);
}
