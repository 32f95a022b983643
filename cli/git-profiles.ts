// The front half shared by publish, diff and demo: load and plan the profiles, refuse on any error
// finding (nothing is committed), render each tree, collect credentials from flags/environment.
import { loadProfiles, type LoadedProfile } from './load.js';
import { formatFinding, hasErrors } from '../generators/api/findings.js';
import { renderTree, RenderRefused, TARGETS, type RenderedTree, type Target } from '../generators/render.js';
import { compileCommitMessage, effectiveTemplate, CommitMessageError } from '../generators/commit-message.js';
import type { Plan } from '../generators/plan/types.js';
import { readInput } from './io.js';
import { UsageError, stringFlag, type ParsedArgs, type FlagSpec } from './args.js';
import { outputFlag, isQuiet, QUIET_FLAG } from './output.js';
import type { Credentials } from '../gitops/git.js';

export const GIT_FLAGS: FlagSpec[] = [
  { name: 'repo', value: true },
  { name: 'branch', value: true },
  { name: 'nodes', value: true },
  { name: 'target', value: true, choices: TARGETS },
  { name: 'ssh-key', value: true },
  { name: 'known-hosts', value: true },
  { name: 'token-env', value: true },
  outputFlag(['text', 'json', 'yaml']),
  QUIET_FLAG,
];

export const CREDENTIALS_HELP = `Credentials (never put them in the URL):
  --ssh-key FILE       private key for ssh:// remotes (env NETPROFILE_SSH_KEY)
  --known-hosts FILE   known_hosts for ssh:// remotes (env NETPROFILE_KNOWN_HOSTS); host keys
                       are always checked strictly: an unknown host is refused
  --token-env VAR      environment variable holding an https token (default NETPROFILE_GIT_TOKEN);
                       NETPROFILE_GIT_USERNAME / NETPROFILE_GIT_PASSWORD for basic auth. They
                       reach git through a credential helper, never the URL or the logs.`;

export interface Rendered {
  trees: RenderedTree[];
  plans: { plan: Plan; file: string }[];
}

/** Loads, plans and renders; prints findings and returns an exit code when a profile is rejected. */
export function renderProfiles(files: string[], args: ParsedArgs, write: (s: string) => void): Rendered | number {
  if (!files.length) throw new UsageError('give at least one PROFILE file');
  const nodes = stringFlag(args, 'nodes');
  if (nodes === '-' && files.includes('-')) throw new UsageError('a profile and --nodes cannot both be stdin');
  const loaded: LoadedProfile[] = loadProfiles(files, { nodes });
  let rejected = false;
  for (const p of loaded) {
    const findings = p.plan ? p.plan.findings : p.findings;
    if (!p.plan || hasErrors(findings)) {
      rejected = true;
      for (const f of findings.filter((x) => x.severity === 'error' || !p.plan)) write(formatFinding(f, p.file) + '\n');
      write(`${p.file}: profile ${p.name} was rejected; nothing is published\n`);
    } else if (!isQuiet(args)) {
      // The warnings render prints, printed here too: a publish must not hide them.
      for (const f of findings) write(formatFinding(f, p.file) + '\n');
    }
  }
  if (!loaded.length) { write(`${files.join(', ')}: no NetworkProfile found\n`); return 1; }
  if (rejected) return 1;
  const target = stringFlag(args, 'target') as Target | undefined;
  const trees: RenderedTree[] = [];
  const plans: Rendered['plans'] = [];
  for (const p of loaded) {
    const plan = p.plan as Plan;
    try {
      trees.push(renderTree(plan, target ?? plan.gitops.engine));
    } catch (e) {
      if (e instanceof RenderRefused) { write(`${p.file}: ${e.message}\n`); return 1; }
      throw e;
    }
    plans.push({ plan, file: p.file });
  }
  return { trees, plans };
}

/** --message, else the profiles' common template, else the default. Checked before any Git work. */
export function chooseTemplate(args: ParsedArgs, plans: Rendered['plans'], write: (s: string) => void): string | number {
  const flag = stringFlag(args, 'message');
  if (flag !== undefined) {
    try { compileCommitMessage(flag); } catch (e) {
      if (e instanceof CommitMessageError) throw new UsageError(`--message: ${e.message}`);
      throw e;
    }
    return flag;
  }
  for (const { plan, file } of plans) {
    try { compileCommitMessage(effectiveTemplate(plan.gitops.commitMessage)); } catch (e) {
      if (e instanceof CommitMessageError) { write(`${file}: error: spec.gitops.commitMessage: ${e.message}\n`); return 1; }
      throw e;
    }
  }
  const templates = [...new Set(plans.map((p) => p.plan.gitops.commitMessage))];
  return templates.length === 1 ? templates[0] : effectiveTemplate(undefined);
}

export function repoAndBranch(args: ParsedArgs, plans: Rendered['plans']): { repo: string; branch: string } {
  let repo = stringFlag(args, 'repo');
  if (!repo) {
    const urls = [...new Set(plans.map((p) => p.plan.gitops.repo?.url).filter((u): u is string => !!u))];
    if (urls.length === 1 && plans.every((p) => p.plan.gitops.repo?.url)) repo = urls[0];
    else throw new UsageError('--repo URL|DIR is required (the profiles name no single spec.gitops.repo.url)');
  }
  let branch = stringFlag(args, 'branch');
  if (!branch) {
    const branches = [...new Set(plans.map((p) => p.plan.gitops.repo?.branch).filter((b): b is string => !!b))];
    branch = branches.length === 1 ? branches[0] : 'main';
  }
  return { repo, branch };
}

export function credentialsFrom(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const c: Credentials = {};
  const key = stringFlag(args, 'ssh-key') ?? env.NETPROFILE_SSH_KEY;
  const kh = stringFlag(args, 'known-hosts') ?? env.NETPROFILE_KNOWN_HOSTS;
  if (key) { readInput(key, 1 << 16, 'ssh key'); c.sshKeyFile = key; }
  if (kh) { readInput(kh, 4 << 20, 'known_hosts file'); c.knownHostsFile = kh; }
  const tokenVar = stringFlag(args, 'token-env') ?? 'NETPROFILE_GIT_TOKEN';
  if (stringFlag(args, 'token-env') && env[tokenVar] === undefined) throw new UsageError(`--token-env ${tokenVar}: the environment variable ${tokenVar} is not set`);
  if (env[tokenVar]) c.token = env[tokenVar];
  if (env.NETPROFILE_GIT_PASSWORD) { c.password = env.NETPROFILE_GIT_PASSWORD; delete c.token; }
  if (env.NETPROFILE_GIT_USERNAME) c.username = env.NETPROFILE_GIT_USERNAME;
  return Object.keys(c).length ? c : undefined;
}

export function parseAuthor(value: string | undefined): { name: string; email: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([^<>]*?)\s*<([^<>\s]+@?[^<>\s]*)>\s*$/.exec(value);
  if (!m || !m[1]) throw new UsageError(`--author must look like "Name <email>", got "${value.slice(0, 80)}"`);
  return { name: m[1], email: m[2] };
}
