// Reading NetworkProfiles and Node lists from text, with hostile input in mind: alias bombs,
// deep nesting, garbage and several documents are refused with the file and the field named.
import type { Document } from 'yaml';
import { yamlLib } from '../yaml/lib.js';
import { readYamlFast } from '../yaml/read.js';
import { validate, suggestFieldPaths, type SchemaError } from './schema.js';
import { networkProfileSchema, KIND, type NetworkProfile } from './profile.js';
import type { Finding } from './findings.js';
import { withArticle } from '../text/article.js';

/** An input problem that is not about one field of a valid document: exit code 2. */
export class InputError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

export const MAX_DOCUMENTS = 1000;
export const MAX_NESTING = 64;

export interface DecodedDocuments {
  /** A problem with the whole file (binary, unparseable, too many documents). */
  fileError?: string;
  /** Non-empty documents, numbered 1-based as a person counts them in the file. */
  docs: { index: number; value?: unknown; error?: string }[];
}

/**
 * Decodes every YAML (or JSON, a subset) document with the hostile-input guards: no binary, at
 * most MAX_DOCUMENTS documents, aliases bounded (the "billion laughs" bomb), nesting bounded.
 * A bad document is reported on its own so that a caller can name it.
 */
export function decodeYamlDocuments(text: string): DecodedDocuments {
  if (text.includes('\u0000')) return { fileError: 'is binary, not YAML or JSON', docs: [] };
  // Everyday YAML is read without loading the library; anything else goes to it (errors too).
  const fast = readYamlFast(text);
  if (fast) return fastDocuments(fast);
  let docs: Document.Parsed[];
  try {
    docs = yamlLib().parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: true }) as Document.Parsed[];
  } catch (e) {
    return { fileError: yamlErrorText(e as Error, text), docs: [] };
  }
  if (!Array.isArray(docs)) docs = [docs as Document.Parsed];
  if (docs.length > MAX_DOCUMENTS) return { fileError: `holds more than ${MAX_DOCUMENTS} documents`, docs: [] };
  const out: DecodedDocuments['docs'] = [];
  docs.forEach((doc, i) => {
    const index = i + 1;
    if (doc.errors.length) { out.push({ index, error: yamlErrorText(doc.errors[0], text) }); return; }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      out.push({ index, error: e instanceof RangeError ? 'is nested too deeply' : `cannot be read: ${oneLine((e as Error).message)}` });
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. a trailing ---
    if (depthOf(value, 0) > MAX_NESTING) { out.push({ index, error: `is nested deeper than ${MAX_NESTING} levels` }); return; }
    out.push({ index, value });
  });
  return { docs: out };
}

/**
 * The yaml library's error with where it is: "is not valid YAML at line 8, column 5: ...". A
 * duplicate key names the key (the library's message does not).
 */
export function yamlErrorText(e: Error & { pos?: [number, number]; code?: string }, text: string): string {
  const at = Array.isArray(e.pos) && typeof e.pos[0] === 'number' ? lineColumn(text, e.pos[0]) : undefined;
  const where = at ? ` at line ${at.line}, column ${at.column}` : '';
  // Without prettyErrors the message has no position of its own; keep its first sentence.
  let message = oneLine(e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, ''));
  if (e.code === 'DUPLICATE_KEY' && e.pos) {
    const rest = text.slice(e.pos[0], e.pos[0] + 200).split('\n')[0];
    const m = /^"((?:[^"\\]|\\.)*)"|^'((?:[^']|'')*)'|^(.*?)(?=:(?:\s|$)|\s*$)/.exec(rest);
    const key = (m?.[1] ?? m?.[2]?.replace(/''/g, "'") ?? m?.[3] ?? '').trim().slice(0, 80);
    message = `the key ${JSON.stringify(key)} appears twice in the same mapping (${message}); keep one`;
  }
  return `is not valid YAML${where}: ${message}`;
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; start = i + 1; }
  return { line, column: offset - start + 1 };
}

function fastDocuments(values: unknown[]): DecodedDocuments {
  if (values.length > MAX_DOCUMENTS) return { fileError: `holds more than ${MAX_DOCUMENTS} documents`, docs: [] };
  const out: DecodedDocuments['docs'] = [];
  values.forEach((value, i) => {
    if (value === null || value === undefined) return;
    if (depthOf(value, 0) > MAX_NESTING) out.push({ index: i + 1, error: `is nested deeper than ${MAX_NESTING} levels` });
    else out.push({ index: i + 1, value });
  });
  return { docs: out };
}

/** Parses YAML (or JSON) into plain values, one per document; the first problem throws. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  const decoded = decodeYamlDocuments(text);
  if (decoded.fileError) throw new InputError(file, decoded.fileError);
  const several = decoded.docs.length > 1 || decoded.docs.some((d) => d.index > 1);
  const bad = decoded.docs.find((d) => d.error);
  if (bad) {
    const [first, ...rest] = bad.error!.split(': ');
    throw new InputError(file, several ? `${first} (document ${bad.index})${rest.length ? `: ${rest.join(': ')}` : ''}` : bad.error!);
  }
  return decoded.docs.map((d) => d.value);
}

function depthOf(v: unknown, d: number): number {
  if (d > MAX_NESTING) return d;
  if (Array.isArray(v)) { let m = d; for (const x of v) m = Math.max(m, depthOf(x, d + 1)); return m; }
  if (v && typeof v === 'object') { let m = d; for (const x of Object.values(v)) m = Math.max(m, depthOf(x, d + 1)); return m; }
  return d;
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export interface ParsedProfile {
  file: string;
  /** 0-based index of the document in the file. */
  document: number;
  /** Present when the document validated. */
  profile?: NetworkProfile;
  /** Schema errors as invalid-field findings; non-empty means the profile is rejected. */
  findings: Finding[];
  /** metadata.name when readable, for messages. */
  name: string;
}

function sentence(msg: string, path: string): string {
  const body = /^(is|must|has|nested)\b/.test(msg) ? `${path ? 'This field' : 'The document'} ${msg}` : msg.charAt(0).toUpperCase() + msg.slice(1);
  return /[.?!]$/.test(body) ? body : `${body}.`;
}

export function schemaErrorsToFindings(errors: SchemaError[]): Finding[] {
  return errors.map((e) => ({ rule: 'invalid-field', severity: 'error', path: e.path, message: sentence(e.message, e.path) }));
}

/** Validates one decoded document as a NetworkProfile. */
export function checkProfile(value: unknown, file: string, document = 0): ParsedProfile {
  const errors: SchemaError[] = [];
  const profile = validate(networkProfileSchema, value, '', errors) as NetworkProfile | undefined;
  // A field at the wrong depth: say where it belongs (spec.apiServer → spec.cluster.apiServer).
  for (const e of errors) {
    if (!e.unknown || e.unknown.near) continue;
    const where = suggestFieldPaths(networkProfileSchema, e.path, e.unknown.key);
    if (where.length) e.message = `is not a known field here (did you mean ${where.join(' or ')}?); move it there or remove it`;
  }
  const rawName = (value as any)?.metadata?.name;
  const name = typeof rawName === 'string' && /^[a-z0-9.-]{1,253}$/.test(rawName) ? rawName : (value as any)?.spec?.cluster?.name && typeof (value as any).spec.cluster.name === 'string' && /^[a-z0-9-]{1,63}$/.test((value as any).spec.cluster.name) ? (value as any).spec.cluster.name : `document ${document + 1}`;
  return { file, document, profile: errors.length ? undefined : profile, findings: schemaErrorsToFindings(errors), name };
}

/**
 * Reads every NetworkProfile in a file. Documents of another kind are an input error: a profile
 * file holds profiles only (the Argo CD plugin and kustomize pick files by kind before this).
 */
export function parseProfiles(text: string, file: string): ParsedProfile[] {
  const docs = parseYamlDocuments(text, file);
  if (docs.length === 0) throw new InputError(file, 'holds no documents');
  return docs.map((doc, i) => {
    const kind = (doc as any)?.kind;
    if (kind !== KIND) {
      const where = docs.length > 1 ? `document ${i + 1}` : 'the document';
      throw new InputError(file, `${where} is ${typeof kind === 'string' ? withArticle(JSON.stringify(kind).slice(1, -1).slice(0, 60)) : 'not a Kubernetes object'}, not a ${KIND}`);
    }
    return checkProfile(doc, file, i);
  });
}
