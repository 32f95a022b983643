// A YAML emitter for the plain data netprofile renders (objects, arrays, strings, finite numbers,
// booleans, null), byte for byte what the `yaml` library writes with YAML_OPTIONS (sorted keys,
// no folding, no aliases) — but without loading that library, whose import and first stringify
// are most of a render's time. One-line strings that must be quoted (empty, looks like another
// type, starts with an indicator...) are quoted as the library quotes them; every scalar the
// emitter is not sure about (multi-line, control characters, document markers, a key over 1024
// characters) makes it hand the whole document to the library, whose rules decide the hard cases.
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

// A string that starts with U+FEFF (byte order mark): at the start of a document a plain one
// loses that character when read back (the reader takes it for the stream's BOM), and the
// library writes it plain. Such strings go to the library path below, which double-quotes them.
const BOM = 0xfeff;
const SAFE = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;
const MAYBE_OTHER = /^[0-9nNtTfF]/;

/**
 * A string scalar as the library writes it (stringifyString.js plainString / quotedString with
 * lineWidth 0, singleQuote unset): plain when it reads back as that string; otherwise quoted —
 * single quotes when it holds a double quote and no single quote, else double quotes, which for
 * a one-line string without control characters are exactly its JSON form. Multi-line strings,
 * control characters, document markers and over-long keys go to the library.
 */
function str(s: string, key: boolean): string {
  // Most strings are names, versions, paths and addresses: only characters that are never
  // indicators, nothing to escape, no document marker; they are plain unless they read as another
  // type (which only a digit or n/t/f/N/T/F at the start can).
  if (SAFE.test(s)) {
    if (key && s.length > 1024) throw BAIL;
    return MAYBE_OTHER.test(s) && readsAsOtherType(s) ? quoted(s) : s;
  }
  if (s.charCodeAt(0) === BOM || s.includes('\n') || CONTROL.test(s)) throw BAIL;
  if (key && s.length > 1024) throw BAIL;
  if (NOT_PLAIN.test(s)) return quoted(s);
  if (DOC_MARKER.test(s)) throw BAIL;
  if (readsAsOtherType(s)) return quoted(s); // '' too (the null form)
  return s;
}

function quoted(s: string): string {
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/**
 * A multi-line string value as the library writes it with lineWidth 0 (stringifyString.js
 * blockString): a literal block scalar, `|` when it ends with one newline, `|-` with none, its
 * lines at `indent` (empty lines stay empty). Leading spaces or newlines (an indentation
 * indicator), several trailing newlines (`|+`), whitespace-only last lines and document markers
 * go to the library.
 */
function block(s: string, indent: string): string {
  if (s.charCodeAt(0) === BOM || CONTROL.test(s) || DOC_MARKER.test(s)) throw BAIL;
  const c = s.charCodeAt(0);
  if (c === 32 || c === 10 || /\n[\t ]+$/.test(s)) throw BAIL;
  let body = s;
  let chomp = '-';
  if (s.endsWith('\n')) {
    body = s.slice(0, -1);
    if (/[\n\t ]$/.test(body)) throw BAIL; // trailing whitespace around the last newline
    chomp = '';
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** A scalar as written after "key: " or "- " of a collection at `indent`; undefined for a collection. */
function scalar(v: unknown, indent: string): string | undefined {
  switch (typeof v) {
    case 'string': return v.includes('\n') ? block(v, indent + '  ') : str(v, false);
    case 'number': if (!Number.isFinite(v) || Object.is(v, -0)) throw BAIL; return JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'object': return v === null ? 'null' : undefined;
    default: throw BAIL;
  }
}

/** The keys of a plain object's defined values, sorted (UTF-16 code units, as sortMapEntries). */
function keysOf(o: object): string[] {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) throw BAIL;
  const all = Object.keys(o);
  let keys = all;
  for (let i = 0; i < all.length; i++) {
    if ((o as Record<string, unknown>)[all[i]] === undefined) { keys = all.filter((k) => (o as Record<string, unknown>)[k] !== undefined); break; }
  }
  return keys.length > 1 ? keys.sort() : keys;
}

/**
 * Lines of a non-empty collection at `indent`: a sequence (`keys` undefined) or a map written in
 * the order of `keys`.
 */
function collection(v: object, keys: string[] | undefined, indent: string, out: string[], depth: number): void {
  if (depth > 200) throw BAIL;
  const n = keys ? keys.length : (v as unknown[]).length;
  for (let i = 0; i < n; i++) {
    let val: unknown;
    let lead: string;
    if (keys) {
      lead = `${indent}${str(keys[i], true)}:`;
      val = (v as Record<string, unknown>)[keys[i]];
    } else {
      lead = `${indent}-`;
      val = (v as unknown[])[i];
      if (val === undefined) val = null;
    }
    const s = scalar(val, indent);
    if (s !== undefined) { out.push(`${lead} ${s}`); continue; }
    const arr = Array.isArray(val);
    const innerKeys = arr ? undefined : keysOf(val as object);
    if ((innerKeys ?? (val as unknown[])).length === 0) { out.push(`${lead} ${arr ? '[]' : '{}'}`); continue; }
    if (keys) {
      out.push(lead);
      collection(val as object, innerKeys, indent + '  ', out, depth + 1);
    } else {
      const start = out.length;
      collection(val as object, innerKeys, indent + '  ', out, depth + 1);
      // The first line of the nested collection moves up onto the dash line.
      out[start] = `${lead} ${out[start].slice(indent.length + 2)}`;
    }
  }
}

/** How many documents went to the library (the emitter stepped aside); for tests and benchmarks. */
export const emitStats = { library: 0 };

/** One YAML document for a plain value, as the `yaml` library writes it with YAML_OPTIONS. */
export function emitYaml(value: unknown): string {
  try {
    if (value !== null && typeof value === 'object') {
      const out: string[] = [];
      const arr = Array.isArray(value);
      const keys = arr ? undefined : keysOf(value);
      if ((keys ?? (value as unknown[])).length === 0) return arr ? '[]\n' : '{}\n';
      collection(value, keys, '', out, 0);
      return out.join('\n') + '\n';
    }
  } catch (e) {
    if (e !== BAIL) throw e;
  }
  emitStats.library++;
  return libraryYaml(value);
}

/** The library's stringify(value, YAML_OPTIONS), with strings that start with U+FEFF double-quoted. */
function libraryYaml(value: unknown): string {
  const y = yamlLib();
  const doc = new y.Document(value, YAML_OPTIONS);
  const quote = (n: unknown) => {
    if (y.isScalar(n) && typeof n.value === 'string' && n.value.charCodeAt(0) === BOM) n.type = 'QUOTE_DOUBLE';
  };
  y.visit(doc, { Scalar: (_, n) => quote(n), Pair: (_, p) => quote(p.key) });
  return doc.toString(YAML_OPTIONS);
}
