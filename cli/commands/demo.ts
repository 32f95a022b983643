// netprofile demo (what `npm start` runs): publish every example that plans clean into a local
// Git repository, show the log and where the trees are, and show a rejected example refused.
import { existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { simpleGit } from 'simple-git';
import { packageRoot } from '../package-root.js';
import { parseArgs, stringFlag, UsageError, type FlagSpec } from '../args.js';
import { loadProfiles } from '../load.js';
import { hasErrors } from '../../generators/api/findings.js';
import { renderTree, type RenderedTree } from '../../generators/render.js';
import { planToText } from '../../generators/plan/output.js';
import { publishTrees, PublishRefused } from '../../gitops/index.js';

export const usage = `Usage: netprofile demo [--repo DIR] [--examples DIR]

The embedded default job (\`npm start\`): renders every example profile that plans clean
(examples/*/networkprofile.yaml) and publishes them in one commit into a local Git repository
(default ./demo-gitops, created with a working tree when missing), then prints \`git log --stat\`
and where each tree is. A second run says that nothing changed. It also shows a rejected
example (examples/rejected/) refused, with its reason.
`;


/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [{ name: 'repo', value: true }, { name: 'examples', value: true }];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length) throw new UsageError('demo takes no positional arguments');
  const out = (s: string) => process.stdout.write(s);
  const repo = resolve(stringFlag(args, 'repo') ?? 'demo-gitops');
  const examples = resolve(stringFlag(args, 'examples') ?? join(packageRoot(), 'examples'));
  const shown = relative(process.cwd(), repo) || '.';

  const files = readdirSync(examples, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'rejected' && existsSync(join(examples, d.name, 'networkprofile.yaml')))
    .map((d) => join(examples, d.name, 'networkprofile.yaml')).sort();
  const trees: RenderedTree[] = [];
  out(`netprofile demo: rendering ${files.length} example profiles from ${relative(process.cwd(), examples) || '.'}\n`);
  for (const file of files) {
    const [p] = loadProfiles([file]);
    const rel = relative(process.cwd(), file);
    if (!p?.plan || hasErrors(p.plan.findings)) { out(`  skipped  ${rel}: it does not plan clean\n`); continue; }
    const tree = renderTree(p.plan);
    trees.push(tree);
    out(`  ok       ${rel} → ${tree.path} (${tree.target}, ${Object.keys(tree.files).length} files)\n`);
  }

  if (!existsSync(repo)) {
    mkdirSync(repo, { recursive: true });
    await simpleGit(repo).raw(['init', '-q', '--initial-branch=main']);
    out(`\nCreated the Git repository ${shown} (branch main, with a working tree).\n`);
  } else {
    out(`\nReusing the Git repository ${shown}.\n`);
  }
  const git = simpleGit(repo);
  const bare = (await git.raw(['rev-parse', '--is-bare-repository'])).trim() === 'true';
  let branch = 'main';
  if (!bare) { try { branch = (await git.raw(['symbolic-ref', '--short', 'HEAD'])).trim() || 'main'; } catch { /* detached: publish to main */ } }

  let result;
  try {
    result = await publishTrees({ repo, branch, trees });
  } catch (e) {
    if (e instanceof PublishRefused) { process.stderr.write(`netprofile demo: ${e.message}\n`); return 1; }
    throw e;
  }
  if (!result.changed) {
    out(`Nothing changed: branch ${branch} of ${shown} already holds all ${trees.length} trees (commit ${result.sha?.slice(0, 12)}); no commit made.\n`);
  } else {
    const n = result.files.added.length + result.files.changed.length + result.files.removed.length;
    out(`Published ${trees.length} profiles in one commit ${result.sha!.slice(0, 12)} to ${shown} (branch ${branch}): ${n} files (${result.files.added.length} added, ${result.files.changed.length} changed, ${result.files.removed.length} removed).\n`);
  }

  out(`\n$ git -C ${shown} log --stat ${branch}\n`);
  out(await git.raw(['-c', 'color.ui=never', 'log', '--stat=100', '--format=commit %H%nAuthor: %an <%ae>%n%n%w(0,4,4)%B', branch]));

  out(`\nThe trees (point a Flux Kustomization or an Argo CD Application at a path):\n`);
  const width = Math.max(...trees.map((t) => join(shown, t.path).length)) + 1;
  for (const t of trees) out(`  ${(join(shown, t.path) + '/').padEnd(width)}  ${t.profile} (${t.target})\n`);
  if (!bare && trees.length) out(`Build one: kubectl kustomize ${join(shown, trees[0].path)}\n`);

  // The plan behind one tree, as `netprofile plan` prints it.
  const planned = files.map((f) => loadProfiles([f])[0]).find((p) => p.plan?.profile === 'baremetal-kube-router-purelb') ?? loadProfiles([files[0]])[0];
  if (planned?.plan) {
    out(`\n$ netprofile plan ${relative(process.cwd(), planned.file)}\n`);
    out(planToText(planned.plan));
  }

  const rejected = join(examples, 'rejected', 'alibaba-l2.yaml');
  if (existsSync(rejected)) {
    const [p] = loadProfiles([rejected]);
    const errors = (p?.plan?.findings ?? p?.findings ?? []).filter((f) => f.severity === 'error');
    out(`\nA rejected example is refused, never published: ${relative(process.cwd(), rejected)}\n`);
    for (const f of errors) out(`  refused  ${f.path}: ${f.message} [${f.rule}]\n`);
  }
  out(`\nRun \`npm start\` again: nothing changes, so nothing is committed.\n`);
  return 0;
}
