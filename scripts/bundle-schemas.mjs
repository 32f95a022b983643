#!/usr/bin/env node
// Builds generators/schemas/bundle.json and generators/schemas/PROVENANCE.md from the verbatim
// upstream CRDs and Helm values schemas in schemas/ at the top of the repository (provenance of
// each file: schemas/SOURCES.md).
//
// The generated files are committed; `validate` and the planner's Cilium values check read only
// the bundle. Rerun after changing schemas/:
//   node scripts/bundle-schemas.mjs [--sources DIR] [--out DIR]
//
// Kept per schema: only the keywords a validator reads (descriptions and examples are dropped;
// `default` stays: CEL rules see defaulted objects); CEL rules (x-kubernetes-validations)
// stay too (generators/validate/cel.ts evaluates them) and are listed in PROVENANCE.md. Identical subtrees that occur more than
// once (Argo CD's ApplicationSource appears a dozen times, Cilium's chart schemas share most of
// their keys between versions) are stored once under "shared" and referenced as
// {"$ref": "#/shared/N"}. Output is deterministic: same inputs, same bytes.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? resolve(argv[i + 1]) : dflt; };
const sourcesDir = flag('--sources', join(root, 'schemas'));
const outDir = flag('--out', join(root, 'generators', 'schemas'));
if (!existsSync(join(sourcesDir, 'SOURCES.md'))) {
  console.error(`bundle-schemas: ${sourcesDir}/SOURCES.md not found; pass --sources DIR (a folder laid out like schemas/)`);
  process.exit(2);
}

// ---- provenance from SOURCES.md -------------------------------------------------------------
// Lines "- <local path> | <upstream repo> | <upstream path> | <version @ commit ...>"; section
// headers carry the tag and commit for sections whose lines give only the version.
const sourcesText = readFileSync(join(sourcesDir, 'SOURCES.md'), 'utf8');
const provenanceOf = new Map();
let sectionRef = '';
for (const line of sourcesText.split('\n')) {
  const h = /^## .*\((?:[^,]*, )?tag ([^)]+)\)/.exec(line) ?? /^## .*\(([^)]*@[^)]*)\)/.exec(line);
  if (line.startsWith('## ')) sectionRef = h ? h[1].trim() : '';
  const m = /^- ([^|]+?) \| ([^|]+?) \| ([^|]+?) \| (.+)$/.exec(line);
  if (!m) continue;
  let ref = m[4].trim();
  if (!/[0-9a-f]{40}/.test(ref) && sectionRef) ref = `${ref} (${sectionRef})`;
  provenanceOf.set(m[1].trim(), { repo: m[2].trim(), path: m[3].trim(), ref });
}
function source(local) {
  const p = provenanceOf.get(local);
  if (!p) throw new Error(`bundle-schemas: ${local} has no line in SOURCES.md; add its provenance there first`);
  return `${p.repo} ${p.path} ${p.ref}`;
}

// ---- schema reduction -----------------------------------------------------------------------
const KEEP = new Set([
  'type', 'properties', 'items', 'required', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'format',
  'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'nullable', '$ref', 'definitions', 'const',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-embedded-resource',
  // CEL rules and the structural defaults they see (the API server defaults before it validates):
  // generators/validate/cel.ts evaluates them.
  'x-kubernetes-validations', 'default',
]);
const CEL_KEYS = ['rule', 'message', 'messageExpression', 'fieldPath', 'reason', 'optionalOldSelf'];
const SCHEMA_MAPS = new Set(['properties', 'definitions']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf']);
const celRules = [];

/** Copies a schema keeping only validation keywords, with keys sorted for stable output. */
function reduce(schema, where, path = '') {
  if (Array.isArray(schema)) return schema.map((s, i) => reduce(s, where, `${path}[${i}]`));
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    const v = schema[key];
    if (key === 'x-kubernetes-validations') {
      for (const r of v) celRules.push({ where, path: path || '(root)', rule: r.rule, message: r.message ?? r.messageExpression ?? '' });
      out[key] = v.map((r) => Object.fromEntries(CEL_KEYS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])));
      continue;
    }
    if (!KEEP.has(key)) continue;
    if (SCHEMA_MAPS.has(key)) {
      out[key] = {};
      for (const name of Object.keys(v).sort()) out[key][name] = reduce(v[name], where, `${path}${path ? '.' : ''}${name}`);
    } else if (SCHEMA_LISTS.has(key)) out[key] = v.map((s) => reduce(s, where, path));
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof v === 'object')) out[key] = reduce(v, where, key === 'items' ? `${path}[]` : path);
    else out[key] = v;
  }
  return out;
}

// ---- reading CRDs ---------------------------------------------------------------------------
function readYaml(local) {
  return parseAllDocuments(readFileSync(join(sourcesDir, local), 'utf8')).map((d) => d.toJS()).filter(Boolean);
}
/** Every served version of every CRD in a file, as [key, entry]. */
function crdEntries(local) {
  const out = [];
  for (const crd of readYaml(local)) {
    if (crd.kind !== 'CustomResourceDefinition') continue;
    const { group, names, versions, scope } = crd.spec;
    for (const v of versions) {
      const key = `${group}/${v.name}/${names.kind}`;
      const entry = { schema: reduce(v.schema.openAPIV3Schema, key), source: source(local) };
      if (!v.served) entry.served = false;
      if (v.deprecated) entry.deprecated = v.deprecationWarning ?? `${group}/${v.name} ${names.kind} is deprecated`;
      if (scope === 'Cluster') entry.clusterScoped = true;
      out.push([key, entry]);
    }
  }
  return out;
}

const kinds = {};
const CRD_FILES = [
  'metallb/metallb.io_ipaddresspools.yaml', 'metallb/metallb.io_l2advertisements.yaml', 'metallb/metallb.io_bgpadvertisements.yaml',
  'metallb/metallb.io_bgppeers.yaml', 'metallb/metallb.io_bfdprofiles.yaml', 'metallb/metallb.io_communities.yaml',
  'spiderpool/spiderpool.spidernet.io_spiderippools.yaml', 'spiderpool/spiderpool.spidernet.io_spidermultusconfigs.yaml',
  'flux/helm.toolkit.fluxcd.io_helmreleases.yaml', 'flux/source.toolkit.fluxcd.io_helmrepositories.yaml',
  'flux/source.toolkit.fluxcd.io_gitrepositories.yaml', 'flux/source.toolkit.fluxcd.io_ocirepositories.yaml',
  'flux/source.toolkit.fluxcd.io_helmcharts.yaml', 'flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'argocd/application-crd.yaml', 'argocd/appproject-crd.yaml',
  'purelb/v1-v0.14.1/servicegroups.purelb.io.yaml', 'purelb/v1-v0.14.1/lbnodeagents.purelb.io.yaml',
  'purelb/gobgp-crds/gobgp-bgpconfig-crd.yaml',
];
for (const f of CRD_FILES) for (const [k, e] of crdEntries(f)) kinds[k] = e;

// PureLB >= 0.15 serves only purelb.io/v2, and no v2 CRD YAML is committed upstream (it is
// generated at build time). The v2 schema below is transcribed from PureLB's CRD reference
// (docs/crd-reference.md, v0.16.6); the CEL rule "exactly one of local/remote/netbox" is
// expressed as oneOf. nodeSelector on LBNodeAgent is in the HEAD docs (SOURCES.md), kept open.
{
  const str = { type: 'string' };
  const bool = { type: 'boolean' };
  const pool = { type: 'object', required: ['pool', 'subnet'], properties: { pool: str, subnet: str, aggregation: str } };
  const pools = { type: 'array', items: pool };
  const common = { v4pool: pool, v6pool: pool, v4pools: pools, v6pools: pools, multiPool: bool, balancePools: bool };
  const ifaceAddr = { type: 'object', properties: { validLifetime: { type: 'integer' }, preferredLifetime: { type: 'integer' }, noPrefixRoute: bool } };
  const meta = { type: 'object' };
  const src = 'purelb/purelb website/content/docs/reference/crd-reference/_index.md v0.16.6 @ 003e1e153c71d8f0c83208b6cbe3c2df7d1451a3 (transcribed from docs: no purelb.io/v2 CRD YAML is committed upstream)';
  kinds['purelb.io/v2/ServiceGroup'] = {
    schema: reduce({
      type: 'object',
      properties: {
        apiVersion: str, kind: str, metadata: meta,
        spec: {
          type: 'object',
          properties: {
            local: { type: 'object', properties: { ...common, skipIPv6DAD: bool } },
            remote: { type: 'object', properties: { ...common } },
            netbox: { type: 'object', required: ['url', 'tenant'], properties: { url: str, tenant: str, aggregation: str } },
          },
          oneOf: [{ required: ['local'] }, { required: ['remote'] }, { required: ['netbox'] }],
        },
        status: { type: 'object', properties: { allocatedCount: { type: 'integer' } } },
      },
    }, 'purelb.io/v2/ServiceGroup'),
    source: src,
    transcribed: true,
  };
  kinds['purelb.io/v2/LBNodeAgent'] = {
    schema: reduce({
      type: 'object',
      properties: {
        apiVersion: str, kind: str, metadata: meta,
        spec: {
          type: 'object',
          properties: {
            local: {
              type: 'object',
              properties: {
                localInterface: str, dummyInterface: str, interfaces: { type: 'array', items: str },
                garpConfig: { type: 'object', properties: { enabled: bool, initialDelay: str, count: { type: 'integer', minimum: 1, maximum: 10 }, interval: str, verifyBeforeSend: bool } },
                addressConfig: { type: 'object', properties: { localInterface: ifaceAddr, dummyInterface: ifaceAddr } },
              },
            },
            nodeSelector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
        status: { type: 'object', properties: { activeLeases: { type: 'integer' } } },
      },
    }, 'purelb.io/v2/LBNodeAgent'),
    source: src,
    transcribed: true,
  };
}

// Core kinds the renderer emits get a light check: the kind is known, the top-level fields are
// the ones the Kubernetes API reference lists (a misplaced `spec` under `data` is caught), and
// metadata.name is set. Bodies are not checked (no OpenAPI for core types is bundled).
{
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  // metadata.name itself is checked for every kind by generators/validate/validate.ts.
  const metadata = { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, 'x-kubernetes-preserve-unknown-fields': true };
  const light = (fields, extra = {}) => ({
    type: 'object', required: ['metadata'],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata, ...Object.fromEntries(fields.map((f) => [f, extra[f] ?? open])) },
  });
  const list = { type: 'array', items: open };
  const src = 'netprofile light check: top-level fields from the Kubernetes API reference (v1.33); bodies not checked';
  const core = {
    'v1/Namespace': [['spec', 'status'], {}, true],
    'v1/ConfigMap': [['data', 'binaryData', 'immutable'], { data: { type: 'object', additionalProperties: { type: 'string' } }, binaryData: { type: 'object', additionalProperties: { type: 'string' } }, immutable: { type: 'boolean' } }],
    'v1/Secret': [['data', 'stringData', 'type', 'immutable'], { data: { type: 'object', additionalProperties: { type: 'string' } }, stringData: { type: 'object', additionalProperties: { type: 'string' } }, type: { type: 'string' }, immutable: { type: 'boolean' } }],
    'v1/ServiceAccount': [['secrets', 'imagePullSecrets', 'automountServiceAccountToken'], { secrets: list, imagePullSecrets: list, automountServiceAccountToken: { type: 'boolean' } }],
    'v1/Service': [['spec', 'status']],
    'v1/Node': [['spec', 'status'], {}, true],
    'apps/v1/DaemonSet': [['spec', 'status']],
    'apps/v1/Deployment': [['spec', 'status']],
    'rbac.authorization.k8s.io/v1/ClusterRole': [['rules', 'aggregationRule'], { rules: list }, true],
    'rbac.authorization.k8s.io/v1/ClusterRoleBinding': [['subjects', 'roleRef'], { subjects: list }, true],
    'rbac.authorization.k8s.io/v1/Role': [['rules'], { rules: list }],
    'rbac.authorization.k8s.io/v1/RoleBinding': [['subjects', 'roleRef'], { subjects: list }],
  };
  for (const [key, [fields, extra, clusterScoped]] of Object.entries(core)) {
    kinds[key] = { schema: reduce(light(fields, extra), key), source: src, light: true, ...(clusterScoped ? { clusterScoped: true } : {}) };
  }
  // kustomize's kustomization.yaml: no metadata.name needed; fields from kustomize's types.Kustomization.
  const kfields = ['metadata', 'resources', 'components', 'bases', 'namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels',
    'commonAnnotations', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'images', 'replicas', 'configMapGenerator',
    'secretGenerator', 'generatorOptions', 'generators', 'transformers', 'validators', 'crds', 'openapi', 'helmCharts',
    'helmGlobals', 'helmChartInflationGenerator', 'buildMetadata', 'replacements', 'vars', 'sortOptions', 'configurations'];
  kinds['kustomize.config.k8s.io/v1beta1/Kustomization'] = {
    schema: reduce({ type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...Object.fromEntries(kfields.map((f) => [f, f === 'resources' || f === 'components' ? { type: 'array', items: { type: 'string' } } : {}])) } }, 'kustomize.config.k8s.io/v1beta1/Kustomization'),
    source: 'netprofile light check: fields of kustomize api/types/kustomization.go (kustomize v5)',
    light: true,
  };
}

// ---- Cilium: CRDs per minor version ---------------------------------------------------------
const CILIUM_CRDS = {
  '1.16': 'cilium/v1.16.15/crds/v2alpha1',
  '1.17': 'cilium/v1.17.14/crds/v2alpha1',
  '1.18': ['cilium/v1.18.3/crds/v2', 'cilium/v1.18.3/crds/v2alpha1'],
};
const CILIUM_FILES = {
  '1.16': ['ciliumbgpadvertisements', 'ciliumbgpclusterconfigs', 'ciliumbgpnodeconfigoverrides', 'ciliumbgpnodeconfigs', 'ciliumbgppeerconfigs', 'ciliumbgppeeringpolicies', 'ciliuml2announcementpolicies', 'ciliumloadbalancerippools'],
};
CILIUM_FILES['1.17'] = CILIUM_FILES['1.16'];
CILIUM_FILES['1.18'] = [
  ...['ciliumbgpadvertisements', 'ciliumbgpclusterconfigs', 'ciliumbgpnodeconfigoverrides', 'ciliumbgpnodeconfigs', 'ciliumbgppeerconfigs', 'ciliumloadbalancerippools'].map((f) => `v2/${f}`),
  ...['ciliumbgppeeringpolicies', 'ciliuml2announcementpolicies'].map((f) => `v2alpha1/${f}`),
];
const cilium = {};
for (const minor of Object.keys(CILIUM_CRDS)) {
  cilium[minor] = {};
  for (const f of CILIUM_FILES[minor]) {
    const local = minor === '1.18' ? `cilium/v1.18.3/crds/${f}.yaml` : `${CILIUM_CRDS[minor]}/${f}.yaml`;
    for (const [k, e] of crdEntries(local)) cilium[minor][k] = e;
  }
}
// 1.19 and 1.20 CRD YAMLs were not obtained; they use 1.18's, with the two changes SOURCES.md
// records from the 1.19/1.20 pre-release commits.
const ciliumVersions = {
  '1.16': { crds: '1.16' },
  '1.17': { crds: '1.17' },
  '1.18': { crds: '1.18' },
  '1.19': {
    crds: '1.18',
    removed: ['cilium.io/v2alpha1/CiliumBGPPeeringPolicy'],
    deprecated: { 'cilium.io/v2alpha1/CiliumLoadBalancerIPPool': 'cilium.io/v2alpha1 CiliumLoadBalancerIPPool is deprecated; use cilium.io/v2' },
    note: "1.18.3's CRDs, with CiliumBGPPeeringPolicy removed and the v2alpha1 LB pool deprecated (from cilium/cilium v1.19.0-pre.4 @ f12299b25e4edd93742d9241b34e82aae0aef788)",
  },
  '1.20': {
    crds: '1.18',
    removed: ['cilium.io/v2alpha1/CiliumBGPPeeringPolicy'],
    deprecated: { 'cilium.io/v2alpha1/CiliumLoadBalancerIPPool': 'cilium.io/v2alpha1 CiliumLoadBalancerIPPool is deprecated; use cilium.io/v2' },
    note: "1.18.3's CRDs, with CiliumBGPPeeringPolicy removed and the v2alpha1 LB pool deprecated (from cilium/cilium v1.20.0-pre.3 @ b0ac676cbcbcdf2eaf4f2b4ed3d41137feef840f)",
  },
};

// ---- Helm values schemas --------------------------------------------------------------------
const helmValues = {};
for (const [minor, full] of [['1.16', '1.16.19'], ['1.17', '1.17.18'], ['1.18', '1.18.12'], ['1.19', '1.19.6'], ['1.20', '1.20.0']]) {
  const local = `cilium/helm-values-schema/${full}/values.schema.json`;
  helmValues[`cilium/${minor}`] = { schema: reduce(JSON.parse(readFileSync(join(sourcesDir, local), 'utf8')), `cilium/${minor} values`), source: source(local), chartVersion: full };
}
helmValues.metallb = { schema: reduce(JSON.parse(readFileSync(join(sourcesDir, 'metallb/values.schema.json'), 'utf8')), 'metallb values'), source: source('metallb/values.schema.json'), chartVersion: '0.16.1' };
// A chart's values.schema.json covers its own keys only; Helm hands `global` and each subchart's
// key to the subchart, whose schema is not bundled. So those keys are declared open here rather
// than reported as unknown. MetalLB 0.16.1's subcharts (charts/metallb/Chart.yaml): crds (already
// in its schema) and frr-k8s, aliased frrk8s. Cilium's chart has no subcharts.
const SUBCHARTS = { metallb: ['frrk8s'] };
// Keys the chart's templates read although its values.yaml only mentions them in a comment, so
// the schema generated from values.yaml lacks them (SOURCES.md: kubeProxyReplacement is absent
// from the 1.16/1.17 schemas; the kube-proxy-free guides of those versions set it, and 1.18's
// schema types it string|boolean). Without this, every kube-proxy-free 1.16/1.17 plan would be
// reported as using an unknown key.
// `devices` likewise: commented in 1.16-1.19 values.yaml, read by every configmap template
// (`{{- if hasKey .Values "devices" }} devices: {{ join " " .Values.devices | quote }}`), typed
// [null, string, array] in 1.20's schema (cilium/charts cilium-1.16.19.tgz ... cilium-1.20.0.tgz).
const DEVICES = { devices: { type: ['null', 'string', 'array'] } };
const COMMENTED_KEYS = {
  'cilium/1.16': { kubeProxyReplacement: { type: ['string', 'boolean'] }, ...DEVICES },
  'cilium/1.17': { kubeProxyReplacement: { type: ['string', 'boolean'] }, ...DEVICES },
  'cilium/1.18': DEVICES,
  'cilium/1.19': DEVICES,
};
for (const [name, entry] of Object.entries(helmValues)) {
  const extra = ['global', ...(SUBCHARTS[name.split('/')[0]] ?? [])];
  const props = { ...entry.schema.properties };
  for (const k of extra) props[k] ??= { type: 'object' };
  for (const [k, v] of Object.entries(COMMENTED_KEYS[name] ?? {})) props[k] ??= v;
  if (COMMENTED_KEYS[name]) entry.addedKeys = Object.keys(COMMENTED_KEYS[name]);
  entry.schema.properties = Object.fromEntries(Object.keys(props).sort().map((k) => [k, props[k]]));
  entry.openKeys = extra;
}

// ---- sharing identical subtrees -------------------------------------------------------------
// Subtrees are interned bottom-up; one whose JSON is longer than MIN_SHARED and occurs at least
// twice is stored once. Subtrees holding a local "#/definitions" $ref are never moved (the ref
// is relative to the schema's own root).
const MIN_SHARED = 120;
const counts = new Map();
/** Calls fn on every schema node below `schema` (not on property maps, enums or required lists). */
function childSchemas(schema, fn) {
  for (const [k, v] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(k)) for (const s of Object.values(v)) fn(s);
    else if (SCHEMA_LISTS.has(k)) v.forEach(fn);
    else if ((k === 'items' || k === 'not' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) fn(v);
  }
}
function countTrees(schema) {
  childSchemas(schema, countTrees);
  const text = JSON.stringify(schema);
  if (text.length >= MIN_SHARED && !text.includes('"#/definitions')) counts.set(text, (counts.get(text) ?? 0) + 1);
}
const shared = [];
const sharedIndex = new Map();
/** Returns a copy of `schema` whose children are interned; `top` stays inline. */
function share(schema, top = false) {
  const text = JSON.stringify(schema);
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([n, s]) => [n, share(s)]));
    else if (SCHEMA_LISTS.has(k)) out[k] = v.map((s) => share(s));
    else if ((k === 'items' || k === 'not' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) out[k] = share(v);
    else out[k] = v;
  }
  if (!top && (counts.get(text) ?? 0) >= 2) {
    let i = sharedIndex.get(text);
    if (i === undefined) { i = shared.length; shared.push(out); sharedIndex.set(text, i); }
    return { $ref: `#/shared/${i}` };
  }
  return out;
}
const schemaHolders = [...Object.values(kinds), ...Object.values(cilium).flatMap((m) => Object.values(m)), ...Object.values(helmValues)];
for (const h of schemaHolders) countTrees(h.schema);
// A schema's root is never replaced by a ref (entries stay readable), only its subtrees.
for (const h of schemaHolders) h.schema = share(h.schema, true);

const sortKeys = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const bundle = {
  comment: 'Generated by scripts/bundle-schemas.mjs from schemas/ (verbatim upstream files); do not edit. Provenance: PROVENANCE.md.',
  kinds: sortKeys(kinds),
  cilium: Object.fromEntries(Object.entries(cilium).map(([m, k]) => [m, sortKeys(k)])),
  ciliumVersions,
  helmValues,
  shared,
};
mkdirSync(outDir, { recursive: true });
const json = JSON.stringify(bundle) + '\n';
writeFileSync(join(outDir, 'bundle.json'), json);

// ---- PROVENANCE.md --------------------------------------------------------------------------
const lines = [
  '# Bundled schemas: provenance',
  '',
  'Generated by `scripts/bundle-schemas.mjs` from `schemas/` at the top of the repository (verbatim',
  'upstream files, see `schemas/SOURCES.md`); do not edit by hand. Only the validation keywords of each `openAPIV3Schema` (CRDs) or',
  '`values.schema.json` (charts) are kept, with `default` and the CEL rules: descriptions and examples are stripped; identical',
  'subtrees are stored once (`shared`).',
  '',
  '## Kinds',
  '',
  '| apiVersion/kind | source (repo, path, version @ commit) | notes |',
  '|---|---|---|',
];
const note = (e) => [e.served === false ? 'not served' : '', e.deprecated ? 'deprecated' : '', e.transcribed ? '**transcribed from docs**' : '', e.light ? 'light check' : ''].filter(Boolean).join(', ');
for (const [k, e] of Object.entries(bundle.kinds)) lines.push(`| ${k} | ${e.source} | ${note(e)} |`);
lines.push('', '## Cilium CRDs by minor version', '');
for (const [minor, info] of Object.entries(ciliumVersions)) {
  lines.push(`### Cilium ${minor}`, '');
  if (info.note) { lines.push(`Uses ${info.note}.`, ''); continue; }
  lines.push('| apiVersion/kind | source | notes |', '|---|---|---|');
  for (const [k, e] of Object.entries(bundle.cilium[info.crds])) lines.push(`| ${k} | ${e.source} | ${note(e)} |`);
  lines.push('');
}
lines.push('## Helm values schemas', '', '| chart | source |', '|---|---|');
for (const [k, e] of Object.entries(helmValues)) lines.push(`| ${k} (chart ${e.chartVersion}) | ${e.source}; plus open keys ${e.openKeys.map((x) => `\`${x}\``).join(', ')} (passed to subcharts)${e.addedKeys ? `; plus ${e.addedKeys.map((x) => `\`${x}\``).join(', ')} (read by the templates, only commented in values.yaml, so missing from the generated schema)` : ''} |`);
lines.push('', '## CEL rules', '',
  '`x-kubernetes-validations` rules kept in the bundle and evaluated by `netprofile validate` (generators/validate/cel.ts); rules reading `oldSelf` only against a previous object (`--previous`):', '',
  '| schema | field | rule | message |', '|---|---|---|---|');
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
for (const r of celRules) lines.push(`| ${r.where} | ${r.path} | \`${esc(r.rule)}\` | ${esc(r.message)} |`);
lines.push('');
writeFileSync(join(outDir, 'PROVENANCE.md'), lines.join('\n'));
console.log(`bundle-schemas: wrote ${join(outDir, 'bundle.json')} (${json.length} bytes, ${Object.keys(bundle.kinds).length} kinds, ${Object.values(cilium).reduce((n, m) => n + Object.keys(m).length, 0)} Cilium CRD versions, ${Object.keys(helmValues).length} values schemas, ${shared.length} shared subtrees) and PROVENANCE.md`);
