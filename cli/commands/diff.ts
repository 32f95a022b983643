// netprofile diff PROFILE... --repo URL|DIR: the unified diff publish would make.
import { parseArgs } from '../args.js';
import { diffTrees, PublishRefused } from '../../gitops/index.js';
import { renderProfiles, repoAndBranch, credentialsFrom, GIT_FLAGS, CREDENTIALS_HELP } from '../git-profiles.js';

export const usage = `Usage: netprofile diff PROFILE... --repo URL|DIR [--branch B] [--nodes FILE] [--target T]

Prints the unified diff that \`netprofile publish\` with the same arguments would commit
(branch head → rendered trees, only under each spec.gitops.path). Changes nothing.

${CREDENTIALS_HELP}

Exit codes (like git diff --exit-code): 0 no difference, 1 a difference (or a profile was
rejected), 2 usage, Git or network error.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, GIT_FLAGS);
  if (args.help) { process.stdout.write(usage); return 0; }
  const err = (s: string) => process.stderr.write(s);
  const rendered = renderProfiles(args.positionals, args, err);
  if (typeof rendered === 'number') return rendered;
  const { repo, branch } = repoAndBranch(args, rendered.plans);
  try {
    const result = await diffTrees({ repo, branch, trees: rendered.trees, credentials: credentialsFrom(args) });
    process.stdout.write(result.diff);
    if (result.conflicts.length) err(`netprofile diff: publish would refuse: these files were edited outside netprofile: ${result.conflicts.join(', ')}\n`);
    return result.changed ? 1 : 0;
  } catch (e) {
    if (e instanceof PublishRefused) { err(`netprofile diff: ${e.message}\n`); return 1; }
    throw e;
  }
}
