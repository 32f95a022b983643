// The installation's root (where package.json, examples/ and dist/ are), found from this module's
// own location whether it runs from dist/cli/… or from a bundle chunk in dist/bundle/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(from: string = import.meta.url): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'netprofile') return (cached = dir);
      } catch { /* not ours: keep walking up */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('netprofile: cannot find the installation root (package.json of netprofile) above ' + fileURLToPath(from));
    dir = up;
  }
}
