// The Git publisher as a library: the CLI commands (publish, diff, demo) and the operator use it.
export { publishTrees, diffTrees, PublishRefused, PublishConflict, PublishFailed, PublishTimeout, PublishAborted, DEFAULT_DEADLINE_MS, MANIFEST, conflictError, manifestFor, blobId } from './publish.js';
export type { PublishOptions, PublishResult, DiffResult, Credentials } from './publish.js';
export { redact } from './git.js';
export { pathProblem, checkTreePaths, scanForSecrets } from './safety.js';
