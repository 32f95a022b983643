// The commit message of a publish: a handlebars *text* template (spec.gitops.commitMessage or
// --message) rendered with four variables. Pure: no I/O, no clock.
//
// Strict on purpose: a typo such as {{clustr}} is an error at publish time, not a commit that says
// "netprofile(): " forever in the history. Prototype access stays off (handlebars' default since
// 4.6, set explicitly here) so a template cannot reach constructor/__proto__.
import type Handlebars from 'handlebars';
import { handlebars } from './text/handlebars.js';

export interface CommitChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface CommitMessageContext {
  /** spec.cluster.name; several profiles in one commit: names joined with ", ". */
  cluster: string;
  /** metadata.name of the profile(s), joined with ", ". */
  profile: string;
  /** One line: what changed, e.g. "2 files changed, 1 added in clusters/lab/network". */
  summary: string;
  changes: CommitChanges;
}

/** The template the schema puts into spec.gitops.commitMessage when the profile says nothing. */
export const SCHEMA_DEFAULT_TEMPLATE = 'netprofile({{cluster}}): {{summary}}';

/**
 * The default message: the schema's one-line subject, then a body listing every file, so that
 * `git log` says what changed without `--stat`.
 */
export const DEFAULT_COMMIT_TEMPLATE = `${SCHEMA_DEFAULT_TEMPLATE}

Rendered by netprofile from NetworkProfile {{profile}}.
{{#if changes.added.length}}

Added:
{{#each changes.added}}
  {{this}}
{{/each}}
{{/if}}
{{#if changes.changed.length}}

Changed:
{{#each changes.changed}}
  {{this}}
{{/each}}
{{/if}}
{{#if changes.removed.length}}

Removed:
{{#each changes.removed}}
  {{this}}
{{/each}}
{{/if}}
`;

export const TEMPLATE_VARIABLES = ['cluster', 'profile', 'summary', 'changes'] as const;

export class CommitMessageError extends Error {}

const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowedProtoProperties: {},
  allowedProtoMethods: {},
};

function environment(): typeof Handlebars {
  const hb = handlebars().create();
  // `log` writes to the console of whoever renders (the operator): not a text helper.
  hb.unregisterHelper('log');
  return hb;
}

/** The template the schema default stands for (it gains the file-list body). */
export function effectiveTemplate(template: string | undefined): string {
  return template === undefined || template === SCHEMA_DEFAULT_TEMPLATE ? DEFAULT_COMMIT_TEMPLATE : template;
}

/**
 * Compiles and test-renders a template with a sample context, so every unknown variable, unknown
 * helper or syntax error surfaces before any Git work. Returns the render function.
 */
export function compileCommitMessage(template: string): (ctx: CommitMessageContext) => string {
  if (typeof template !== 'string' || !template.trim()) throw new CommitMessageError('the commit message template is empty; write at least {{summary}}');
  const hb = environment();
  let compiled: HandlebarsTemplateDelegate;
  try {
    hb.parse(template); // compile() is lazy: surface syntax errors here, as syntax errors
    compiled = hb.compile(template, { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: { log: false } });
  } catch (e) {
    throw new CommitMessageError(`the commit message template does not parse: ${firstLine(e)}`);
  }
  const render = (ctx: CommitMessageContext): string => {
    let text: string;
    try {
      text = compiled(toTemplateData(ctx), RUNTIME_OPTIONS);
    } catch (e) {
      throw new CommitMessageError(`the commit message template failed: ${explain(e)}`);
    }
    const tidy = text.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n').trim();
    if (!tidy) throw new CommitMessageError('the commit message template renders an empty message; include {{summary}}');
    return tidy + '\n';
  };
  // Every branch of an #if/#each is taken with this sample, so strict mode sees every variable.
  render({ cluster: 'c', profile: 'p', summary: 's', changes: { added: ['a'], changed: ['c'], removed: ['r'] } });
  return render;
}

export function renderCommitMessage(template: string, ctx: CommitMessageContext): string {
  return compileCommitMessage(template)(ctx);
}

/** "3 files added in clusters/a/network" / "1 file changed, 2 removed in 2 paths". */
export function summarizeChanges(changes: CommitChanges, paths: string[]): string {
  const parts: string[] = [];
  const total = changes.added.length + changes.changed.length + changes.removed.length;
  const noun = (n: number) => (n === 1 ? 'file' : 'files');
  const items: [number, string][] = [[changes.changed.length, 'changed'], [changes.added.length, 'added'], [changes.removed.length, 'removed']];
  for (const [n, verb] of items) if (n) parts.push(parts.length ? `${n} ${verb}` : `${n} ${noun(n)} ${verb}`);
  const where = paths.length === 1 ? paths[0] : `${paths.length} paths`;
  return total ? `${parts.join(', ')} in ${where}` : `no changes in ${where}`;
}

function toTemplateData(ctx: CommitMessageContext): Record<string, unknown> {
  // Plain own-property objects only: nothing the template could walk up from.
  const changes = Object.assign(Object.create(null) as Record<string, unknown>, {
    added: [...ctx.changes.added],
    changed: [...ctx.changes.changed],
    removed: [...ctx.changes.removed],
  });
  // {{changes}} on its own prints the counts, not "[object Object]".
  Object.defineProperty(changes, 'toString', {
    enumerable: false,
    value: () => `${ctx.changes.added.length} added, ${ctx.changes.changed.length} changed, ${ctx.changes.removed.length} removed`,
  });
  const root = Object.create(null) as Record<string, unknown>;
  // Strict mode's "not defined in <context>" message needs the context to print.
  Object.defineProperty(root, 'toString', { enumerable: false, value: () => 'the commit message variables' });
  return Object.assign(root, {
    cluster: ctx.cluster,
    profile: ctx.profile,
    summary: ctx.summary,
    changes,
  });
}

function explain(e: unknown): string {
  const m = firstLine(e);
  const unknown = /"([^"]+)" not defined in/.exec(m);
  if (unknown) return `unknown variable "${unknown[1]}"; the variables are ${TEMPLATE_VARIABLES.join(', ')} (changes has added, changed, removed)`;
  return m;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n').filter(Boolean).slice(0, 2).join(' ').slice(0, 300);
}
