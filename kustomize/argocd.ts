// The Argo CD Config Management Plugin edge (kustomize/argocd/plugin.yaml):
//   generate: renders every NetworkProfile under the application's path (the working directory
//             argocd-cmp-server gives the command) to one YAML stream on stdout;
//   discover: prints the profile files found, exits 1 when there is none.
// Empty output is an error, never an empty success: with prune on, Argo CD would delete
// everything the app manages, i.e. the cluster's network (Argo CD CMP docs, "If a CMP renders
// blank manifests, and prune is set to true, Argo CD will automatically remove resources").
import { readdirSync, lstatSync, realpathSync } from 'node:fs';
import { join, relative, dirname, isAbsolute, sep, resolve } from 'node:path';
import { InputError, parseYamlDocuments } from '../generators/api/parse.js';
import { formatFinding } from '../generators/api/findings.js';
import { KIND } from '../generators/api/profile.js';
import { TARGETS, type Target } from '../generators/render.js';
import type { K8sObject } from '../generators/components/types.js';
import { toDocuments } from '../generators/targets/yaml.js';
import { readInput, MAX_PROFILE_BYTES } from '../cli/io.js';
import { renderProfileValue } from './pipeline.js';

/** The ARGOCD_ENV_ variables netprofile reads (Application spec.source.plugin.env, prefixed by Argo CD). */
export const ENV_PREFIX = 'ARGOCD_ENV_NETPROFILE_';
export const KNOWN_ENV = {
  TARGET: 'render target: flux, argocd or plain (default: the profile annotation netprofile.io/target, else an explicit spec.gitops.engine, else argocd)',
  PROFILES: 'comma-separated profile files relative to the app path (default: every file holding a NetworkProfile)',
} as const;

/** Bounds on the walk: an app path is a folder of manifests, not a whole monorepo. */
export const MAX_FILES = 5000;
export const MAX_DEPTH = 16;

const PROFILE_KIND = /^\s*kind:\s*["']?NetworkProfile["']?\s*(#.*)?$|"kind"\s*:\s*"NetworkProfile"/m;

export interface FoundProfile { file: string; document: number; value: unknown }

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/**
 * Every NetworkProfile document in files under root (YAML or JSON), sorted by path. Hidden
 * folders (.git) and node_modules are skipped; symlinks are followed only to files inside root.
 */
export function findProfiles(root: string): FoundProfile[] {
  const realRoot = realpathSync(root);
  const files: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(dir, name);
      if (++seen > MAX_FILES) throw new InputError(root, `holds more than ${MAX_FILES} files; point the Application's path at the folder with the NetworkProfile (or set ${ENV_PREFIX}PROFILES)`);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full, depth + 1);
      else if (/\.(ya?ml|json)$/i.test(name) && (st.isFile() || (st.isSymbolicLink() && isFileInside(full, realRoot)))) files.push(full);
    }
  };
  walk(root, 0);
  return profilesIn(files, root);
}

function isFileInside(path: string, realRoot: string): boolean {
  try {
    const real = realpathSync(path);
    return inside(real, realRoot) && lstatSync(real).isFile();
  } catch { return false; }
}

/** Reads the given files and keeps their NetworkProfile documents (other kinds are ignored). */
export function profilesIn(files: string[], root: string): FoundProfile[] {
  const out: FoundProfile[] = [];
  for (const full of files) {
    const rel = relative(root, full).split(sep).join('/');
    let text: string;
    try {
      // A file larger than a profile may be cannot be one: skip it rather than read it whole.
      if (lstatSync(full).size > MAX_PROFILE_BYTES) continue;
      text = readInput(full, MAX_PROFILE_BYTES, 'file');
    } catch (e) {
      if (e instanceof InputError) throw new InputError(rel, e.message.slice(e.file.length + 2));
      throw e;
    }
    if (!PROFILE_KIND.test(text)) continue;
    parseYamlDocuments(text, rel).forEach((doc, i) => {
      if ((doc as { kind?: unknown })?.kind === KIND) out.push({ file: rel, document: i, value: doc });
    });
  }
  return out;
}

/** Files named by ARGOCD_ENV_NETPROFILE_PROFILES, each inside the app path. */
function selectedFiles(list: string, root: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new InputError(`${ENV_PREFIX}PROFILES`, 'is set but names no file');
  const realRoot = realpathSync(root);
  return names.map((n) => {
    const full = resolve(root, n);
    if (isAbsolute(n) || !inside(full, root)) throw new InputError(`${ENV_PREFIX}PROFILES`, `"${n.slice(0, 100)}" leaves the application's path; name files relative to it`);
    let real: string;
    try { real = realpathSync(full); } catch { throw new InputError(`${ENV_PREFIX}PROFILES`, `"${n.slice(0, 100)}" does not exist in the application's path`); }
    if (!inside(real, realRoot)) throw new InputError(`${ENV_PREFIX}PROFILES`, `"${n.slice(0, 100)}" resolves through a symlink outside the application's path`);
    return full;
  });
}

export interface ArgoSettings { target?: Target; profiles?: string }

/** Reads ARGOCD_ENV_NETPROFILE_*; an unknown one or a bad value is an error, never ignored. */
export function readArgoEnv(env: NodeJS.ProcessEnv): ArgoSettings {
  const settings: ArgoSettings = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const name = key.slice(ENV_PREFIX.length);
    if (name === 'TARGET') {
      if (!(TARGETS as readonly string[]).includes(value)) throw new InputError(key, `is "${value.slice(0, 40)}"; set it to one of ${TARGETS.join(', ')} in the Application's spec.source.plugin.env (name NETPROFILE_TARGET)`);
      settings.target = value as Target;
    } else if (name === 'PROFILES') settings.profiles = value;
    else throw new InputError(key, `is not a netprofile setting; known: ${Object.keys(KNOWN_ENV).map((k) => `NETPROFILE_${k}`).join(', ')}`);
  }
  return settings;
}

export interface Outcome { stdout: string; stderr: string; code: number }

/** Argo CD's own engine is the natural target; an explicit spec.gitops.engine still wins. */
const argoDefaultTarget = (engine: Target, explicit: boolean): Target => (explicit ? engine : 'argocd');

/** generate: the whole stream, or nothing and a non-zero exit. */
export function argoGenerate(root: string, env: NodeJS.ProcessEnv): Outcome {
  const app = env.ARGOCD_APP_NAME ? `Argo CD app ${env.ARGOCD_APP_NAME}` : 'Argo CD plugin';
  const fail = (msg: string, code: number, prior = '') => ({ stdout: '', stderr: `${prior}netprofile (${app}): ${msg}\n`, code });
  try {
    const settings = readArgoEnv(env);
    const found = settings.profiles ? profilesIn(selectedFiles(settings.profiles, root), root) : findProfiles(root);
    if (!found.length) {
      return fail(settings.profiles ? `${ENV_PREFIX}PROFILES names no file holding a ${KIND}` : `no ${KIND} found under the application's path ${root}; point spec.source.path at the folder with the profile`, 2);
    }
    let stderr = '';
    let rejected = false;
    const objects: K8sObject[] = [];
    const owner = new Map<string, string>();
    for (const p of found) {
      const where = found.filter((q) => q.file === p.file).length > 1 ? `${p.file} (document ${p.document + 1})` : p.file;
      const r = renderProfileValue(p.value, { file: where, document: p.document, root: dirname(join(root, p.file)), target: settings.target, defaultTarget: argoDefaultTarget });
      for (const f of r.findings) stderr += formatFinding(f, where) + '\n';
      if (r.findings.some((f) => f.severity === 'error')) { rejected = true; continue; }
      if (!r.objects.length) { stderr += `netprofile (${app}): ${where}: ${KIND} ${r.name} rendered no objects\n`; rejected = true; continue; }
      for (const o of r.objects) {
        const id = `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
        const prev = owner.get(id);
        if (prev && prev !== where) { stderr += `netprofile (${app}): ${where} and ${prev} both render ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}; one application may hold one profile per cluster\n`; rejected = true; }
        owner.set(id, where);
        objects.push(o);
      }
    }
    if (rejected) return fail(`rejected; nothing is output (an empty or partial render with prune on would delete the cluster's network)`, 1, stderr);
    if (!objects.length) return fail('rendered no objects; refusing an empty success', 1, stderr);
    return { stdout: toDocuments(objects), stderr, code: 0 };
  } catch (e) {
    if (e instanceof InputError) return fail(e.message, 2);
    throw e;
  }
}

/** discover: the profile files, one per line; exit 1 (no match) when there is none. */
export function argoDiscover(root: string): Outcome {
  try {
    const files = [...new Set(findProfiles(root).map((p) => p.file))];
    return files.length ? { stdout: files.join('\n') + '\n', stderr: '', code: 0 } : { stdout: '', stderr: '', code: 1 };
  } catch (e) {
    // A folder that cannot be read is not ours to claim.
    if (e instanceof InputError) return { stdout: '', stderr: `netprofile: ${e.message}\n`, code: 1 };
    throw e;
  }
}

export const usage = `Usage: netprofile plugin argocd-generate
       netprofile plugin argocd-discover

The Argo CD Config Management Plugin commands (kustomize/argocd/plugin.yaml). Both run in
the application's path (argocd-cmp-server's working directory).

argocd-generate renders every ${KIND} found under the working directory (YAML or JSON
files; hidden folders and node_modules skipped) to one YAML stream on stdout. Any error
finding, an unreadable file, or an empty render exits non-zero with nothing on stdout:
an empty success with prune on would delete the cluster's network.

argocd-discover prints the files holding a ${KIND}; exit 1 when there is none.

Settings, from the Application's spec.source.plugin.env (Argo CD prefixes ARGOCD_ENV_):
${Object.entries(KNOWN_ENV).map(([k, v]) => `  NETPROFILE_${k.padEnd(9)} ${v}`).join('\n')}

Exit codes: 0 rendered, 1 rejected (error findings, empty render, two profiles rendering
the same object), 2 usage, I/O or no profile found.
`;
