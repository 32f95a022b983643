// Handlebars, loaded on first use: only the output README and commit messages need it, and its
// ~90 KB cost every other command (render to stdout, plan, fn) several milliseconds at start-up.
// Same lazy-require scheme as generators/yaml/lib.ts.
import { createRequire } from 'node:module';

type HandlebarsLib = typeof import('handlebars');
let lib: HandlebarsLib | undefined;

export function handlebars(): HandlebarsLib {
  if (lib) return lib;
  const mod = (typeof require === 'function' ? require('handlebars') : createRequire(import.meta.url)('handlebars')) as HandlebarsLib & { default?: HandlebarsLib };
  lib = mod.default ?? mod;
  return lib;
}
