// Entry of the one-file plugin bundle (dist/kustomize/netprofile-fn.mjs, scripts/bundle-plugin.mjs): only
// the plugin edges, so a kustomize build or an Argo CD refresh loads one file, not ~30 modules.
export { runPlugin } from './fn.js';
export { argoGenerate, argoDiscover } from './argocd.js';
