// A reader for the everyday YAML that people and kustomize write — block maps and sequences
// (indented or not), one-line flow collections, plain and simply quoted scalars, comments,
// several documents — that returns exactly what the `yaml` library's parseAllDocuments + toJS
// would, or `undefined` for anything it does not handle (anchors, aliases, tags, block scalars,
// multi-line scalars, escapes, duplicate keys, tabs, directives...). The caller then asks the
// library, whose errors (with line and column) and guards stay the only ones users see.
// Loading and running the library costs ~25 ms at start-up, a third of a plugin run.
// test/yaml-fast.test.ts compares the two on every YAML file of the repository and on mutations.

class Bail extends Error {}
const BAIL = new Bail();

import { BOOL_FORM, NULL_FORM, readsAsOtherType } from './core-schema.js';

// Plain integers and decimals are resolved here; any other non-string core-schema form (octal,
// hex, exponents, inf/nan, signed or zero-led integers) is left to the library.
const PLAIN_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const PLAIN_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const KEY_RE = /^[A-Za-z_$][A-Za-z0-9_.\/$-]*/;

function resolvePlain(s: string): unknown {
  if (NULL_FORM.test(s)) return null;
  if (BOOL_FORM.test(s)) return s[0] === 't' || s[0] === 'T';
  if (PLAIN_INT.test(s) || PLAIN_FLOAT.test(s)) return Number(s);
  if (readsAsOtherType(s)) throw BAIL;
  return s;
}

interface Line { indent: number; text: string }

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  private peek(): Line | undefined { return this.lines[this.i]; }

  /** A block node whose lines are indented at least `min`. */
  block(min: number): unknown {
    const line = this.peek();
    if (!line || line.indent < min) return null;
    return this.startsItem(line.text) ? this.sequence(line.indent) : this.mapping(line.indent);
  }

  private startsItem(t: string): boolean { return t === '-' || t.startsWith('- '); }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && this.startsItem(line.text); line = this.peek()) {
      const rest = line.text === '-' ? '' : line.text.slice(2);
      const lead = rest.length - rest.trimStart().length;
      const body = rest.trimStart();
      if (body === '' || body.startsWith('#')) {
        this.i++;
        const next = this.peek();
        out.push(next && next.indent > indent ? this.block(indent + 1) : null);
        continue;
      }
      if (this.startsItem(body)) throw BAIL; // "- - x"
      if (isMappingEntry(body)) {
        // "- key: value": a mapping whose column is that of the key.
        this.lines[this.i] = { indent: indent + 2 + lead, text: body };
        out.push(this.mapping(indent + 2 + lead));
        continue;
      }
      this.i++;
      out.push(inlineValue(body));
      this.noContinuation(indent);
    }
    return out;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent === indent && !this.startsItem(line.text); line = this.peek()) {
      const m = splitEntry(line.text);
      if (!m) throw BAIL;
      const [key, rest] = m;
      if (Object.prototype.hasOwnProperty.call(out, key)) throw BAIL; // the library reports it
      this.i++;
      if (rest === '' || rest.startsWith('#')) {
        const next = this.peek();
        if (next && next.indent > indent) out[key] = this.block(indent + 1);
        else if (next && next.indent === indent && this.startsItem(next.text)) out[key] = this.sequence(indent);
        else out[key] = null;
        continue;
      }
      out[key] = inlineValue(rest);
      this.noContinuation(indent);
    }
    const after = this.peek();
    if (after && after.indent > indent) throw BAIL;
    return out;
  }

  /** A deeper line after a one-line value would continue it (multi-line scalar) or be an error. */
  private noContinuation(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) throw BAIL;
  }

  done(): boolean { return this.i >= this.lines.length; }
}

function isMappingEntry(t: string): boolean { return splitEntry(t) !== undefined; }

/** "key: rest" or "key:" with a simple key; rest has its leading spaces removed. */
function splitEntry(t: string): [string, string] | undefined {
  let key: string;
  let end: number;
  if (t[0] === '"' || t[0] === "'") {
    const q = quoted(t, 0);
    if (!q) return undefined;
    [key, end] = q;
  } else {
    const m = KEY_RE.exec(t);
    if (!m) return undefined;
    key = m[0];
    end = key.length;
    if (readsAsOtherType(key)) return undefined;
  }
  if (t[end] !== ':') return undefined;
  if (end + 1 < t.length && t[end + 1] !== ' ') return undefined;
  if (key === '__proto__' || key === '<<') throw BAIL;
  return [key, t.slice(end + 1).trimStart()];
}

/** A quoted scalar starting at `at`: [value, index after the closing quote]. */
function quoted(t: string, at: number): [string, number] | undefined {
  const q = t[at];
  if (q === '"') {
    const close = t.indexOf('"', at + 1);
    if (close < 0) return undefined;
    const s = t.slice(at + 1, close);
    if (s.includes('\\')) throw BAIL;
    return [s, close + 1];
  }
  let s = '';
  let i = at + 1;
  for (;;) {
    const close = t.indexOf("'", i);
    if (close < 0) return undefined;
    s += t.slice(i, close);
    if (t[close + 1] === "'") { s += "'"; i = close + 2; continue; }
    return [s, close + 1];
  }
}

/** The rest of a line after a value: nothing, or a comment. */
function endOfLine(t: string, at: number): void {
  const rest = t.slice(at);
  if (rest.trim() === '') return;
  if (/^[ \t]+#/.test(rest)) return;
  throw BAIL;
}

function inlineValue(t: string): unknown {
  const c = t[0];
  if (c === '"' || c === "'") {
    const q = quoted(t, 0);
    if (!q) throw BAIL;
    endOfLine(t, q[1]);
    return q[0];
  }
  if (c === '[' || c === '{') {
    const [v, end] = flow(t, 0, 0);
    endOfLine(t, end);
    return v;
  }
  if ('&*!|>%@`?:,]}#-'.includes(c) && !(c === '-' && t.length > 1 && t[1] !== ' ')) throw BAIL;
  // A plain scalar runs to " #" or the end of the line.
  const hash = t.search(/[ \t]#/);
  const s = (hash < 0 ? t : t.slice(0, hash)).trimEnd();
  if (/: |:$|\t/.test(s)) throw BAIL;
  return resolvePlain(s);
}

function skipSpaces(t: string, i: number): number {
  while (t[i] === ' ') i++;
  return i;
}

/** A one-line flow collection starting at `at`: [value, index after it]. */
function flow(t: string, at: number, depth: number): [unknown, number] {
  if (depth > 32) throw BAIL;
  const seq = t[at] === '[';
  const close = seq ? ']' : '}';
  const out: unknown[] | Record<string, unknown> = seq ? [] : {};
  let i = skipSpaces(t, at + 1);
  if (t[i] === close) return [out, i + 1];
  for (;;) {
    let key: string | undefined;
    if (!seq) {
      const k = flowScalar(t, i, true);
      if (typeof k[0] !== 'string') throw BAIL;
      key = k[0];
      i = skipSpaces(t, k[1]);
      if (t[i] !== ':' || t[i + 1] !== ' ') throw BAIL;
      if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__' || key === '<<') throw BAIL;
      i = skipSpaces(t, i + 2);
    }
    let v: unknown;
    if (t[i] === '[' || t[i] === '{') [v, i] = flow(t, i, depth + 1);
    else [v, i] = flowScalar(t, i, false);
    if (seq) (out as unknown[]).push(v);
    else (out as Record<string, unknown>)[key!] = v;
    i = skipSpaces(t, i);
    if (t[i] === ',') {
      i = skipSpaces(t, i + 1);
      if (t[i] === close) throw BAIL; // trailing comma: leave it to the library
      continue;
    }
    if (t[i] === close) return [out, i + 1];
    throw BAIL;
  }
}

function flowScalar(t: string, at: number, key: boolean): [unknown, number] {
  const c = t[at];
  if (c === '"' || c === "'") {
    const q = quoted(t, at);
    if (!q) throw BAIL;
    return q;
  }
  const m = /^[^,\[\]{}#:\s'"&*!|>%@`?][^,\[\]{}\s:#]*/.exec(t.slice(at));
  if (!m) throw BAIL;
  let s = m[0];
  let end = at + s.length;
  // Inner single spaces belong to the scalar ("a b"), a ':' not followed by a space too ("a:b").
  for (;;) {
    const more = /^(?: [^,\[\]{}\s:#][^,\[\]{}\s:#]*|:[^,\[\]{}\s:#][^,\[\]{}\s:#]*)/.exec(t.slice(end));
    if (!more) break;
    s += more[0];
    end += more[0].length;
  }
  if (s.includes(':') || s.includes('#')) throw BAIL;
  if (key) {
    if (readsAsOtherType(s)) throw BAIL;
    return [s, end];
  }
  return [resolvePlain(s), end];
}

/**
 * Every document of `text` as plain values (null for an empty document), or undefined when the
 * text uses anything beyond the everyday subset.
 */
export function readYamlFast(text: string): unknown[] | undefined {
  if (text.length > 1 << 20 || text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const docs: Line[][] = [];
    let current: Line[] = [];
    let started = false;
    for (const raw of text.split('\n')) {
      const content = raw.trimStart();
      if (content === '' || content.startsWith('#')) continue;
      const indent = raw.length - content.length;
      if (indent === 0 && (content.startsWith('---') || content.startsWith('...') || content.startsWith('%'))) {
        if (content !== '---' && !/^---[ ]+#/.test(content)) return undefined;
        if (started || current.length) docs.push(current);
        current = [];
        started = true;
        continue;
      }
      current.push({ indent, text: content.trimEnd() });
    }
    if (started || current.length) docs.push(current);
    return docs.map((lines) => {
      if (!lines.length) return null;
      if (lines[0].indent !== 0) throw BAIL;
      const first = lines[0].text;
      const reader = new Reader(lines);
      let value: unknown;
      if (first.startsWith('- ') || first === '-' || splitEntry(first)) value = reader.block(0);
      else if (lines.length === 1) value = inlineValue(first);
      else throw BAIL;
      if (!reader.done()) throw BAIL;
      return value;
    });
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}
