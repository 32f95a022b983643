// The KRM Functions Specification, as data: reading a ResourceList and turning findings into
// `results`. Pure (no I/O): the process entry point is kustomize/fn.ts, as in kpt's split of
// `expand_team_cr.ts` and `expand_team_cr_run.ts`.
import type { Finding } from '../generators/api/findings.js';
import { InputError } from '../generators/api/parse.js';

/** kustomize (kyaml) sends config.kubernetes.io/v1; kpt v1 and older kyaml used v1alpha1. */
export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1alpha1'] as const;

export type KrmSeverity = 'error' | 'warning' | 'info';

export interface ResourceRef { apiVersion: string; kind: string; name: string; namespace?: string }

export interface KrmResult {
  message: string;
  severity: KrmSeverity;
  resourceRef?: ResourceRef;
  field?: { path: string };
  file?: { path: string; index?: number };
  /** The netprofile rule id, so a pipeline can filter on it. */
  tags?: Record<string, string>;
}

export interface ResourceList {
  apiVersion: string;
  kind: 'ResourceList';
  items: unknown[];
  functionConfig?: unknown;
  results?: KrmResult[];
}

/** Checks the shape of a decoded ResourceList; the label names the input in messages. */
export function readResourceList(value: unknown, label: string): ResourceList {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(label, 'is not a ResourceList (expected an object with kind: ResourceList)');
  const v = value as Record<string, unknown>;
  if (v.kind !== 'ResourceList') throw new InputError(label, `kind is ${JSON.stringify(v.kind ?? null).slice(0, 60)}, not ResourceList; \`netprofile fn\` reads a KRM ResourceList on stdin (for a profile file use \`netprofile render\`)`);
  if (typeof v.apiVersion !== 'string' || !(RESOURCE_LIST_VERSIONS as readonly string[]).includes(v.apiVersion)) {
    throw new InputError(label, `apiVersion ${JSON.stringify(v.apiVersion ?? null).slice(0, 60)} is not one of ${RESOURCE_LIST_VERSIONS.join(', ')}`);
  }
  if (v.items !== undefined && v.items !== null && !Array.isArray(v.items)) throw new InputError(label, 'items must be a list');
  return { apiVersion: v.apiVersion, kind: 'ResourceList', items: (v.items as unknown[] | undefined) ?? [], functionConfig: v.functionConfig ?? undefined };
}

/** apiVersion/kind/name/namespace of an object as far as they are readable. */
export function resourceRefOf(obj: unknown): ResourceRef | undefined {
  const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | undefined;
  if (!o || typeof o !== 'object') return undefined;
  const ref: ResourceRef = {
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
    kind: typeof o.kind === 'string' ? o.kind : '',
    name: typeof o.metadata?.name === 'string' ? o.metadata.name : '',
  };
  if (typeof o.metadata?.namespace === 'string') ref.namespace = o.metadata.namespace;
  return ref;
}

/**
 * Where kustomize/kpt read the object from: the path annotations kyaml sets on items
 * (internal.config.kubernetes.io/path, or the older config.kubernetes.io/path).
 */
export function fileOf(obj: unknown): { path: string; index?: number } | undefined {
  const a = (obj as { metadata?: { annotations?: Record<string, unknown> } } | undefined)?.metadata?.annotations;
  if (!a || typeof a !== 'object') return undefined;
  const path = a['internal.config.kubernetes.io/path'] ?? a['config.kubernetes.io/path'];
  if (typeof path !== 'string' || !path) return undefined;
  const rawIndex = a['internal.config.kubernetes.io/index'] ?? a['config.kubernetes.io/index'];
  const index = typeof rawIndex === 'string' && /^\d+$/.test(rawIndex) ? Number(rawIndex) : undefined;
  return index === undefined ? { path } : { path, index };
}

/** One finding as one KRM result. The message carries the rule id so kustomize's error shows it. */
export function findingToResult(f: Finding, ref?: ResourceRef, file?: { path: string; index?: number }): KrmResult {
  const r: KrmResult = { message: `${f.message} [${f.rule}]`, severity: f.severity };
  if (ref) r.resourceRef = ref;
  if (f.path) r.field = { path: f.path };
  if (file) r.file = file;
  r.tags = { rule: f.rule };
  return r;
}

/** A problem that is not a rule finding (unreadable input, an empty render) as a result. */
export function errorResult(message: string, ref?: ResourceRef, fieldPath?: string, file?: { path: string; index?: number }): KrmResult {
  const r: KrmResult = { message, severity: 'error' };
  if (ref) r.resourceRef = ref;
  if (fieldPath) r.field = { path: fieldPath };
  if (file) r.file = file;
  return r;
}

/** The answer: rendered objects first, then the input items unchanged, then the results. */
export function resourceListAnswer(apiVersion: string, rendered: unknown[], input: ResourceList, results: KrmResult[]): ResourceList {
  const out: ResourceList = { apiVersion, kind: 'ResourceList', items: [...rendered, ...input.items] };
  if (input.functionConfig !== undefined) out.functionConfig = input.functionConfig;
  out.results = results;
  return out;
}
