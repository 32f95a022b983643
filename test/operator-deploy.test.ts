// Install manifests: the CRD is generated from the schema source and kept in sync; the kustomization
// builds with kubectl; RBAC is least privilege; the Deployment runs non-root on a read-only root.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { root } from './helpers.js';
import { crdYAML, networkProfileCRD, structuralProblems } from '../operator/crd.js';
import { toOpenAPI } from '../generators/api/schema.js';
import { networkProfileSchema } from '../generators/api/profile.js';
import { statusSchema } from '../operator/status.js';

const deploy = join(root, 'operator', 'deploy');

test('operator/deploy/crd.yaml is exactly what the schema source generates', () => {
  const onDisk = readFileSync(join(deploy, 'crd.yaml'), 'utf8');
  assert.ok(onDisk === crdYAML(), 'crd.yaml is out of date: run `npm run build && node scripts/gen-crd.mjs`');
  const crd = parse(onDisk);
  const version = crd.spec.versions[0];
  assert.equal(version.schema.openAPIV3Schema.properties.spec, toOpenAPI(networkProfileSchema.properties.spec));
  assert.equal(version.schema.openAPIV3Schema.properties.status, toOpenAPI(statusSchema));
  assert.equal(version.subresources, { status: {} });
  assert.equal(version.additionalPrinterColumns.filter((c: any) => !c.priority).map((c: any) => c.name), ['Environment', 'LoadBalancer', 'Ready', 'Age']);
  assert.is(version.additionalPrinterColumns.find((c: any) => c.name === 'Ready').jsonPath, '.status.conditions[?(@.type=="Ready")].status');
  assert.is(crd.metadata.name, 'networkprofiles.netprofile.io');
  assert.is(crd.spec.scope, 'Namespaced');
});

test('the CRD schema is structural, and a non-structural one is caught', () => {
  const schema = (networkProfileCRD() as any).spec.versions[0].schema.openAPIV3Schema;
  assert.equal(structuralProblems(schema), []);
  assert.equal(structuralProblems({ type: 'object', properties: { a: { description: 'no type' }, b: { type: 'array' } } }), ['openAPIV3Schema.properties.a: no type', 'openAPIV3Schema.properties.b: array without items']);
  // Fields the spec requires are required in the CRD too.
  assert.equal(schema.properties.spec.properties.cluster.required, ['name', 'podCIDRs', 'serviceCIDRs']);
});

test('scripts/gen-crd.mjs --check agrees', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-crd.mjs'), '--check'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

function build(): any[] {
  const r = spawnSync('kubectl', ['kustomize', deploy], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS());
}

test('kubectl kustomize operator/deploy builds the whole install', () => {
  const objects = build();
  assert.equal(objects.map((o) => o.kind).sort(), ['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'RoleBinding', 'ServiceAccount']);
  for (const o of objects.filter((x) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(x.kind))) assert.is(o.metadata.namespace, 'netprofile-system', `${o.kind} namespace`);
});

test('RBAC is least privilege', () => {
  const objects = build();
  // test/operator-rbac.test.ts checks these against the requests the operator makes.
  const cluster = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'netprofile-operator');
  const secrets = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'netprofile-operator-secrets');
  const role = objects.find((o) => o.kind === 'Role');
  const rules = (r: any) => r.rules.flatMap((x: any) => x.apiGroups.flatMap((g: string) => x.resources.map((res: string) => `${g}/${res}:${[...x.verbs].sort().join(',')}`))).sort();
  assert.equal(rules(cluster), ['/events:create', '/nodes:list,watch', 'netprofile.io/networkprofiles/status:patch', 'netprofile.io/networkprofiles:list,patch,watch'].sort());
  assert.equal(rules(secrets), ['/secrets:get,list,watch']);
  assert.equal(rules(role), ['coordination.k8s.io/leases:create,get,update']);
  const all = [...cluster.rules, ...secrets.rules, ...role.rules];
  assert.not.ok(all.some((r: any) => r.verbs.includes('*') || r.resources.includes('*') || r.apiGroups.includes('*')), 'no wildcards');
  // Secrets are never readable cluster-wide: the secrets ClusterRole is bound by RoleBindings only.
  const bindings = objects.filter((o) => o.roleRef?.name === 'netprofile-operator-secrets');
  assert.equal(bindings.map((b) => `${b.kind}/${b.metadata.namespace}`), ['RoleBinding/netprofile-system']);
  assert.not.ok(cluster.rules.some((r: any) => r.resources.includes('secrets')));
});

test('the Deployment runs non-root on a read-only root filesystem, with probes and resources', () => {
  const d = build().find((o) => o.kind === 'Deployment');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.capabilities.drop, ['ALL']);
  assert.is(c.livenessProbe.httpGet.path, '/healthz');
  assert.is(c.readinessProbe.httpGet.path, '/readyz');
  assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
  assert.ok(c.args.includes('--leader-elect'));
  assert.ok(c.env.some((e: any) => e.name === 'POD_NAMESPACE' && e.valueFrom.fieldRef.fieldPath === 'metadata.namespace'));
  assert.ok(pod.volumes.some((v: any) => v.emptyDir) && c.volumeMounts.some((m: any) => m.mountPath === '/tmp'), 'a writable /tmp for Git');
  assert.is(pod.serviceAccountName, 'netprofile-operator');
  assert.ok(pod.terminationGracePeriodSeconds >= 10, 'longer than the 10 s stop');
});

test('a PodDisruptionBudget lets a drain take one of the two replicas at a time', () => {
  const objects = build();
  const d = objects.find((o) => o.kind === 'Deployment');
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
  assert.is(pdb.apiVersion, 'policy/v1');
  assert.is(pdb.metadata.namespace, 'netprofile-system');
  assert.is(d.spec.replicas, 2);
  assert.is(pdb.spec.maxUnavailable, 1);
  assert.equal(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
  const spread = d.spec.template.spec.topologySpreadConstraints[0];
  assert.is(spread.topologyKey, 'kubernetes.io/hostname');
  assert.equal(spread.labelSelector.matchLabels, d.spec.selector.matchLabels);
  assert.ok(d.spec.template.spec.containers[0].env.some((e: any) => e.name === 'SERVICE_ACCOUNT_NAME' && e.valueFrom.fieldRef.fieldPath === 'spec.serviceAccountName'), 'the ServiceAccount is named in RBAC hints');
});

test('the Deployment NODE_OPTIONS are accepted by Node and the operator starts with them', () => {
  const objects = parseAllDocuments(readFileSync(join(root, 'operator', 'deploy', 'deployment.yaml'), 'utf8')).map((d) => d.toJS());
  const d = objects.find((o) => o?.kind === 'Deployment');
  const opts = d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'NODE_OPTIONS')?.value;
  assert.match(opts, /--max-semi-space-size=\d+/);
  // Node refuses an option NODE_OPTIONS does not allow (exit 9): the Pod would never start.
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("v8").getHeapSpaceStatistics().length))'], { env: { ...process.env, NODE_OPTIONS: opts }, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const help = spawnSync(process.execPath, [join(root, 'bin', 'netprofile'), 'operator', '--help'], { env: { ...process.env, NODE_OPTIONS: opts }, encoding: 'utf8' });
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: netprofile operator/);
});

test('the Dockerfile runs as non-root on a pinned Node 20 under tini', () => {
  const text = readFileSync(join(root, 'operator', 'Dockerfile'), 'utf8');
  const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.equal(froms, ['node:20.19.3-bookworm-slim', 'node:20.19.3-bookworm-slim'], 'a released version tag, not a moving one');
  assert.match(text, /^USER 65532:65532$/m);
  assert.match(text, /apt-get install [^\n]*\btini\b/);
  assert.match(text, /ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "\/app\/bin\/netprofile"\]/);
});

test('.dockerignore keeps host modules, build output and Git history out of the build context', () => {
  const lines = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const p of ['node_modules', '.git', 'dist', 'demo-gitops']) assert.ok(lines.includes(p), `${p} is ignored`);
  // What the build stage needs stays in.
  for (const p of ['package.json', 'package-lock.json', 'scripts', 'generators', 'operator', 'bin', 'test', 'bench']) assert.not.ok(lines.includes(p), `${p} is needed by the build`);
});

test.run();
