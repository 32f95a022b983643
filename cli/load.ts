// The shared front half of every edge: read profiles and facts, detect, plan. Thin I/O around
// the pure generators.
import { dirname, resolve, relative, isAbsolute, sep } from 'node:path';
import { realpathSync, existsSync } from 'node:fs';
import { InputError, parseProfiles, parseYamlDocuments, type ParsedProfile } from '../generators/api/parse.js';
import { detectEnvironment, nodeFactsFromList, type Detection } from '../generators/detect/detect.js';
import { planProfile, type PlanOptions } from '../generators/plan/plan.js';
import type { Plan } from '../generators/plan/types.js';
import type { NetworkProfile } from '../generators/api/profile.js';
import { readInput, MAX_NODES_BYTES, MAX_PROFILE_BYTES } from './io.js';

export interface LoadedProfile extends ParsedProfile {
  /** Present when the profile validated and was planned. */
  plan?: Plan;
  /** Where the facts came from, for messages. */
  factsFile?: string;
}

/** Reads a Node list file (YAML or JSON, List or NodeList) and detects the environment. */
export function readFacts(path: string): Detection {
  const text = readInput(path, MAX_NODES_BYTES, 'Node list');
  const label = path === '-' ? '<stdin>' : path;
  const docs = parseYamlDocuments(text, label);
  if (docs.length !== 1) throw new InputError(label, docs.length ? `holds ${docs.length} documents; a Node list is one List or NodeList` : 'is empty');
  return detectEnvironment(nodeFactsFromList(docs[0], label));
}

/**
 * Resolves spec.environment.factsFrom against `root`. With `restrict` (the kustomize plugin and
 * KRM function, default) the way kustomize's load restrictor does: the file must stay inside
 * root, also after following symlinks. The command line passes restrict false: it reads the file
 * the user names, like kubectl -f.
 */
export function resolveFactsPath(root: string, factsFrom: string, profileFile: string, restrict = true): string {
  const target = resolve(root, factsFrom);
  if (!restrict) {
    if (!existsSync(target)) throw new InputError(profileFile, `spec.environment.factsFrom: ${factsFrom} does not exist${factsFrom === target ? '' : ` (looked for ${target})`}; create it with \`kubectl get nodes -o yaml > ${target}\` or pass --nodes FILE`);
    return target;
  }
  const inside = (p: string, r: string) => { const rel = relative(r, p); return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'); };
  if (!inside(target, root)) throw new InputError(profileFile, `spec.environment.factsFrom "${factsFrom}" leaves the profile's directory ${root}; keep the Node list next to the profile`);
  let real: string;
  try { real = realpathSync(target); } catch { throw new InputError(profileFile, `spec.environment.factsFrom: ${factsFrom} does not exist (create it with \`kubectl get nodes -o yaml > ${factsFrom}\`)`); }
  let realRoot = root;
  try { realRoot = realpathSync(root); } catch { /* root checked above */ }
  if (!inside(real, realRoot)) throw new InputError(profileFile, `spec.environment.factsFrom "${factsFrom}" resolves through a symlink to ${real}, outside the profile's directory`);
  return target;
}

/**
 * The facts a profile points at with spec.environment.factsFrom (relative to `root`, kept inside
 * it), or undefined when it names none. `cache` shares one read between profiles.
 */
export function factsFromProfile(profile: NetworkProfile, root: string, profileFile: string, cache?: Map<string, Detection>, restrict = true): { path: string; facts: Detection } | undefined {
  const factsFrom = profile.spec.environment.factsFrom;
  if (!factsFrom) return undefined;
  const path = resolveFactsPath(root, factsFrom, profileFile, restrict);
  const facts = cache?.get(path) ?? readFacts(path);
  cache?.set(path, facts);
  return { path, facts };
}

export interface LoadOptions {
  /** --nodes: facts for every profile (overrides factsFrom). */
  nodes?: string;
  /** Root for factsFrom; default the profile file's directory. */
  root?: string;
  planOptions?: Omit<PlanOptions, 'facts'>;
  /** Keep factsFrom inside root (kustomize's load restriction); the command line does not. */
  restrictFacts?: boolean;
}

/** Reads, validates and plans every profile in the given files. Throws InputError for I/O. */
export function loadProfiles(files: string[], options: LoadOptions = {}): LoadedProfile[] {
  const sharedFacts = options.nodes ? readFacts(options.nodes) : undefined;
  const factsCache = new Map<string, Detection>();
  const out: LoadedProfile[] = [];
  for (const file of files) {
    const text = readInput(file, MAX_PROFILE_BYTES, 'profile');
    for (const parsed of parseProfiles(text, file === '-' ? '<stdin>' : file)) {
      const loaded: LoadedProfile = { ...parsed };
      if (parsed.profile) {
        let facts = sharedFacts;
        if (facts) loaded.factsFile = options.nodes;
        else {
          const root = options.root ?? (file === '-' ? process.cwd() : dirname(resolve(file)));
          const found = factsFromProfile(parsed.profile, root, parsed.file, factsCache, options.restrictFacts ?? false);
          facts = found?.facts;
          loaded.factsFile = found?.path;
        }
        loaded.plan = planProfile(parsed.profile, { ...options.planOptions, facts });
      }
      out.push(loaded);
    }
  }
  return out;
}
