// The `yaml` library, loaded on first use. Importing it costs about as much as starting Node
// (~16 ms for its ~115 KB), and most commands never need it: the emitter (emit.ts) and the
// reader (read.ts) handle the plain data netprofile writes and reads, and hand anything else to
// the library. In a bundle esbuild turns the require() below into a lazily initialised module;
// in the unbundled dist/ (ES modules, no require) createRequire loads it from node_modules.
import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  if (lib) return lib;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lib = (typeof require === 'function' ? require('yaml') : createRequire(import.meta.url)('yaml')) as YamlLib;
  return lib;
}
