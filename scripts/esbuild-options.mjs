// The esbuild options every one-file bundle of netprofile shares: the command and plugin
// bundles (scripts/bundle-fast.mjs, scripts/bundle-plugin.mjs) and the vendored libraries
// (scripts/vendor.mjs). Each script adds its entry, output and plugins.
/** One minified file for Node 20, without license comments; warnings and errors only. */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * A CommonJS bundle kept in memory (write: false): the caller writes it whole and renames it
 * into place, so that a command running meanwhile reads the old or the new file, never half.
 */
export const commonJsBundle = { ...nodeBundle, format: 'cjs', write: false };
