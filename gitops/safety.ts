// The checks that run before any Git work: where a tree may land, and what it may not contain.
// Pure functions (strings in, problems out) so the operator and the tests call them directly.
import { parseAllDocuments } from 'yaml';
import type { RenderedTree } from '../generators/render.js';
import { withArticle } from '../generators/text/article.js';

/** Why a path is unacceptable, or null when it is a clean relative path inside the repository. */
export function pathProblem(path: string): string | null {
  if (typeof path !== 'string' || path === '') return 'is empty';
  if (path.length > 1024) return 'is longer than 1024 characters';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash; use forward slashes';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute; give a path relative to the repository root';
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments.includes('..')) return 'contains ".." and could leave the repository';
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." segment; write it normalised (e.g. clusters/prod/network)';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'goes into .git';
  return null;
}

export function normalisePath(path: string): string {
  return path.replace(/\/+$/, '');
}

export interface TreeProblem {
  profile: string;
  /** Repository-relative file, or the tree's path. */
  file: string;
  message: string;
}

/** Path checks over every tree and every file in it, and no two trees in one place. */
export function checkTreePaths(trees: RenderedTree[]): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const seen: { path: string; profile: string }[] = [];
  for (const tree of trees) {
    const bad = pathProblem(tree.path);
    if (bad) { problems.push({ profile: tree.profile, file: tree.path, message: `spec.gitops.path "${tree.path.slice(0, 200)}" ${bad}` }); continue; }
    const path = normalisePath(tree.path);
    for (const other of seen) {
      if (path === other.path || path.startsWith(other.path + '/') || other.path.startsWith(path + '/')) {
        problems.push({ profile: tree.profile, file: path, message: `spec.gitops.path "${path}" overlaps "${other.path}" of profile ${other.profile}; give each profile its own path` });
      }
    }
    seen.push({ path, profile: tree.profile });
    for (const file of Object.keys(tree.files)) {
      const fileBad = pathProblem(file);
      if (fileBad) problems.push({ profile: tree.profile, file: `${path}/${file}`, message: `rendered file name "${file.slice(0, 200)}" ${fileBad}` });
    }
  }
  return problems;
}

// Key material that must never reach Git. Messages name the kind and the line, never the value.
const KEY_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'a PEM block', re: /-----BEGIN [A-Z0-9 ]{0,40}-----/ },
  { name: 'an AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/ },
  { name: 'an AWS secret access key', re: /aws_?secret_?access_?key\s*["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i },
  { name: 'an Alibaba Cloud AccessKey id', re: /\bLTAI[A-Za-z0-9]{12,28}\b/ },
  { name: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a GCP service-account key', re: /"type"\s*:\s*"service_account"/ },
  { name: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: 'a Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'an Azure storage account key', re: /AccountKey=[A-Za-z0-9+/=]{40,}/ },
  { name: 'an OpenSSH private key', re: /\bopenssh-key-v1\b|b3BlbnNzaC1rZXktdjE/ },
];

/**
 * A rendered Secret or anything that looks like key material stops the publish (api.md §8):
 * credentials live in the cluster, referenced by name, never in Git (field notes §3).
 */
export function scanForSecrets(trees: RenderedTree[]): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const parsed = new Map<string, { kind: string; name: string; index: number }[]>();
  const keyed = new Map<string, { name: string; line: number }[]>();
  for (const tree of trees) {
    const base = normalisePath(tree.path);
    for (const [file, content] of Object.entries(tree.files)) {
      const where = `${base}/${file}`;
      // A Secret's kind is the word "Secret" on its own (plain, quoted, block, tagged or anchored
      // scalars all end it with a non-word character), or written with an escape (a backslash in a
      // double-quoted scalar); folding cannot hide it otherwise. Only such files are parsed, and
      // each distinct content once per scan (fleets repeat files).
      if ((/\.ya?ml$/i.test(file) || /^\s*(apiVersion|kind):/m.test(content)) && MAY_NAME_SECRET.test(content)) {
        let kinds = parsed.get(content);
        if (!kinds) { kinds = secretKinds(content); parsed.set(content, kinds); }
        for (const kind of kinds) {
          problems.push({ profile: tree.profile, file: where, message: `holds ${withArticle(kind.kind)} (${kind.name}, document ${kind.index + 1}); netprofile never writes Secrets to Git: reference a Secret the cluster already has` });
        }
      }
      let keys = keyed.get(content);
      if (!keys) { keys = keyMaterial(content); keyed.set(content, keys); }
      for (const { name, line } of keys) problems.push({ profile: tree.profile, file: where, message: `line ${line + 1} looks like ${name}; key material never goes to Git: keep it in a Secret and reference it` });
    }
  }
  return problems;
}

/** The first line of each kind of key material in `content`. */
function keyMaterial(content: string): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  let lines: string[] | undefined;
  for (const { name, re } of KEY_PATTERNS) {
    if (!re.test(content)) continue; // no line can match what the whole text does not hold
    lines ??= content.split('\n');
    const line = lines.findIndex((l) => re.test(l));
    if (line >= 0) found.push({ name, line });
  }
  return found;
}

const MAY_NAME_SECRET = /(?:^|[^A-Za-z0-9_])Secret(?:[^A-Za-z0-9_]|$)|\\/;

function secretKinds(content: string): { kind: string; name: string; index: number }[] {
  const found: { kind: string; name: string; index: number }[] = [];
  let docs;
  try { docs = parseAllDocuments(content, { uniqueKeys: false }); } catch { return found; }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    let value: unknown;
    try { value = doc.toJS({ maxAliasCount: 100 }); } catch { return; }
    const visit = (o: unknown, depth: number) => {
      if (!o || typeof o !== 'object' || depth > 3) return;
      const obj = o as Record<string, unknown>;
      if (obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined)) {
        const meta = obj.metadata as Record<string, unknown> | undefined;
        found.push({ kind: 'Secret', name: String(meta?.name ?? 'unnamed'), index });
      }
      if (Array.isArray(obj.items)) for (const item of obj.items) visit(item, depth + 1);
    };
    visit(value, 0);
  });
  return found;
}
