// netprofile diff PROFILE... --repo URL|DIR: the unified diff publish would make.
import { parseArgs, type FlagSpec } from '../args.js';
import { outputFormat, formatData } from '../output.js';
import { diffTrees, PublishRefused } from '../../gitops/index.js';
import { renderProfiles, repoAndBranch, credentialsFrom, GIT_FLAGS, CREDENTIALS_HELP } from '../git-profiles.js';

export const usage = `Usage: netprofile diff PROFILE... --repo URL|DIR [--branch B] [--nodes FILE] [--target T]
                      [-o text|json|yaml] [-q]

Prints the unified diff that \`netprofile publish\` with the same arguments would commit
(branch head → rendered trees, only under each spec.gitops.path). Changes nothing.

  -o, --output F     text (default: the unified diff), json or yaml (changed, files, conflicts,
                     and the diff as a string)
  -q, --quiet        no warnings; the diff and errors still print

${CREDENTIALS_HELP}

Exit codes (like git diff --exit-code): 0 no difference, 1 a difference (or a profile was
rejected), 2 usage, Git or network error.
`;

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = GIT_FLAGS;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  const format = outputFormat(args, 'text');
  const err = (s: string) => process.stderr.write(s);
  const rendered = renderProfiles(args.positionals, args, err);
  if (typeof rendered === 'number') return rendered;
  const { repo, branch } = repoAndBranch(args, rendered.plans);
  try {
    const result = await diffTrees({ repo, branch, trees: rendered.trees, credentials: credentialsFrom(args) });
    if (format !== 'text') process.stdout.write(formatData({ changed: result.changed, branch: result.branch, files: result.files, conflicts: result.conflicts, diff: result.diff }, format));
    else process.stdout.write(result.diff);
    if (result.conflicts.length) err(`netprofile diff: publish would refuse: these files were edited outside netprofile: ${result.conflicts.join(', ')}\n`);
    return result.changed ? 1 : 0;
  } catch (e) {
    if (e instanceof PublishRefused) { err(`netprofile diff: ${e.message}\n`); return 1; }
    throw e;
  }
}
