// The render self-check (`netprofile render --check`): what was rendered, through the same
// validator as `netprofile validate` (bundled upstream schemas and the CRDs' CEL rules), before
// anything is printed or written. Imported lazily by the render command only when --check is
// given: the CEL engine takes a noticeable time to load and is not on the render start-up path.
import { validateFiles, type InputFile, type Problem } from '../generators/validate/validate.js';
import { loadCelEngine } from '../generators/validate/cel.js';
import { loadBundle } from './values.js';

/** Problems in rendered files (paths as they land, so Cilium's version is found from the tree). */
export async function checkRendered(files: InputFile[]): Promise<Problem[]> {
  return validateFiles(files, { bundle: loadBundle(), cel: await loadCelEngine() });
}

/** The files of rendered trees that are manifests (not README.md, not .netprofile/plan.json). */
export function manifestFiles(trees: { path: string; files: Record<string, string> }[]): InputFile[] {
  return trees.flatMap((t) => Object.entries(t.files)
    .filter(([f]) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.netprofile/'))
    .map(([f, text]) => ({ file: `${t.path}/${f}`, text })));
}
