// The parts of @kubernetes/client-node 1.4 the operator uses (operator/kube.ts reads them as
// `k8s.NAME`; the type checker holds it to this list). The command bundle does not load the
// package's entry, which builds every generated API group and model (about 75 MiB of a process
// before the first request): scripts/vendor.mjs bundles this module alone, tree-shaken, into
// dist/vendor/client-node.mjs, and scripts/bundle-cli.mjs points operator/kube.ts's import here
// at it. Unbundled (dist/operator/, the in-process tests) it is the package itself.
export { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Observable, PatchStrategy, ResponseContext, Watch, setHeaderOptions } from '@kubernetes/client-node';
export type { ConfigurationOptions, RequestContext } from '@kubernetes/client-node';
