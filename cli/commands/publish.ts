// netprofile publish PROFILE... --repo URL|DIR [--branch B] [--review-branch R] [--nodes F] [--message TPL] [--author A] [--dry-run] [-o F] [-q]
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { publishTrees, PublishRefused, redact } from '../../gitops/index.js';
import { renderProfiles, chooseTemplate, repoAndBranch, credentialsFrom, parseAuthor, GIT_FLAGS, CREDENTIALS_HELP } from '../git-profiles.js';
import type { CommitChanges } from '../../generators/commit-message.js';
import { outputFormat, formatData, isQuiet } from '../output.js';
import { remoteHeadWarning } from '../remote-head.js';

export const usage = `Usage: netprofile publish PROFILE... --repo URL|DIR [--branch B] [--review-branch R]
                         [--nodes FILE] [--message TPL] [--author "Name <email>"] [--dry-run]
                         [-o text|json|yaml] [-q]

Renders every profile and commits the trees, each under its spec.gitops.path, in ONE commit,
then pushes. Nothing is committed when the trees are already there; files that left the render
are removed from the path; nothing outside the paths is touched. Work happens in a temporary
clone: an interrupted publish leaves the repository as it was.

  PROFILE            files holding NetworkProfiles
  --repo URL|DIR     file://, ssh://, user@host:path, https:// or a local repository (bare, or a
                     working tree: then the path must have no uncommitted changes)
  --branch B         default: spec.gitops.repo.branch, else main
  --review-branch R  commit to branch R instead, made from B: one commit on top of B's head,
                     for review through a pull request (B itself does not move). R is
                     force-updated on the next publish only while netprofile made it (its head
                     commit carries the Netprofile-Review-Base trailer); a branch R that someone
                     else pushed to is refused. Nothing to change against B: no commit, R untouched
  --nodes FILE       a Node list to detect from (default: each profile's factsFrom)
  --target T         flux, argocd or plain (default: each profile's spec.gitops.engine)
  --message TPL      handlebars template; variables cluster, profile, summary, changes
                     (default: spec.gitops.commitMessage)
  --author A         "Name <email>" (default: git's configured identity)
  --max-attempts N   pushes to try when the branch moves meanwhile (default 6)
  --timeout S        seconds the whole publish may take, every git, ssh and http call included
                     (default 300); a remote that stops answering fails with exit 2
  --dry-run          show what would be committed; change nothing
  -o, --output F     text (default), json or yaml: the result (changed, commit, branch, files)
  -q, --quiet        no warnings, progress or result lines; errors still print

${CREDENTIALS_HELP}

Refused (exit 1, nothing pushed): a profile with error findings, a path that is absolute, has
"..", or goes through a symlink; a rendered Secret or key material; hand edits of generated
files under the path (listed by name).
Exit codes: 0 published or nothing to do, 1 refused, 2 usage, Git or network error.
`;

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [...GIT_FLAGS, { name: 'message', value: true }, { name: 'author', value: true }, { name: 'dry-run' }, { name: 'max-attempts', value: true }, { name: 'review-branch', value: true }, { name: 'timeout', value: true }];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat(args, 'text');
  const quiet = isQuiet(args);
  const err = (s: string) => process.stderr.write(s);
  const author = parseAuthor(stringFlag(args, 'author'));
  const maxAttempts = stringFlag(args, 'max-attempts');
  if (maxAttempts !== undefined && !/^[1-9][0-9]?$/.test(maxAttempts)) throw new UsageError('--max-attempts must be a number from 1 to 99');
  const timeout = stringFlag(args, 'timeout');
  if (timeout !== undefined && !(/^[0-9]+(\.[0-9]+)?$/.test(timeout) && Number(timeout) > 0 && Number(timeout) <= 86400)) throw new UsageError('--timeout must be a number of seconds above 0 (at most 86400)');
  const rendered = renderProfiles(args.positionals, args, err);
  if (typeof rendered === 'number') return rendered;
  const template = chooseTemplate(args, rendered.plans, err);
  if (typeof template === 'number') return template;
  const { repo, branch } = repoAndBranch(args, rendered.plans);
  const credentials = credentialsFrom(args);
  const dryRun = args.flags['dry-run'] === true;
  const reviewBranch = stringFlag(args, 'review-branch');
  if (reviewBranch !== undefined && reviewBranch === '') throw new UsageError('--review-branch needs a branch name');
  if (reviewBranch !== undefined && reviewBranch === branch) throw new UsageError(`--review-branch ${reviewBranch} is the base branch itself; name another branch (or drop the flag to commit to ${branch})`);
  let result;
  try {
    result = await publishTrees({
      repo, branch, reviewBranch, trees: rendered.trees, message: template, author, credentials, dryRun,
      maxAttempts: maxAttempts ? Number(maxAttempts) : undefined,
      deadlineMs: timeout ? Math.round(Number(timeout) * 1000) : undefined,
      signal: stopSignal(),
      log: (line) => { if (!quiet) err(`netprofile publish: ${line}\n`); },
    });
  } catch (e) {
    if (e instanceof PublishRefused) { err(`netprofile publish: ${e.message}\n`); return 1; }
    throw e;
  }
  // A remote whose HEAD names a branch it does not have (a fresh `git init --bare`: master)
  // gives every clone a warning and no checkout: say so, with the fix.
  if (!dryRun && !quiet) {
    const warning = await remoteHeadWarning(repo, branch, credentials);
    if (warning) err(`netprofile publish: ${warning}\n`);
  }
  if (format !== 'text') {
    process.stdout.write(formatData({ changed: result.changed, dryRun, commit: result.sha, branch: result.branch ?? branch, ...(reviewBranch ? { base: branch } : {}), repo: redact(repo), attempts: result.attempts, paths: rendered.trees.map((t) => t.path), files: result.files, ...(result.message !== undefined ? { message: result.message } : {}) }, format));
    return 0;
  }
  if (quiet) return 0;
  const where = `${redact(repo)} (branch ${reviewBranch ? `${result.branch}, made from ${branch}` : branch})`;
  const paths = rendered.trees.map((t) => t.path).join(', ');
  if (!result.changed) {
    process.stdout.write(reviewBranch
      ? `Nothing changed: ${redact(repo)} branch ${reviewBranch} already holds this change on the head of ${branch} (or ${branch} itself holds the rendered trees under ${paths}); no commit made.\n`
      : `Nothing changed: ${where} already holds the rendered trees under ${paths}; no commit made.\n`);
    return 0;
  }
  if (dryRun) {
    process.stdout.write(`Dry run: would commit to ${where}:\n${listChanges(result.files)}\nwith the message:\n${result.message!.replace(/^/gm, '  ')}`);
    return 0;
  }
  process.stdout.write(`Published ${rendered.trees.length} profile${rendered.trees.length === 1 ? '' : 's'} to ${where}: commit ${result.sha!.slice(0, 12)}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}\n${listChanges(result.files)}`);
  return 0;
}

/** SIGINT/SIGTERM stop the publish at once (git and its helpers are killed, nothing half-pushed). */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => controller.abort(new Error(`${sig} received`)));
  return controller.signal;
}

export function listChanges(files: CommitChanges): string {
  return [...files.added.map((f) => `  added    ${f}`), ...files.changed.map((f) => `  changed  ${f}`), ...files.removed.map((f) => `  removed  ${f}`)].join('\n') + '\n';
}
