// The CCM through the real command line: `netprofile render --out` writes the CCM next to the
// other controllers, its manual steps into the tree's README, and never a Secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { cli, examples, tempDir } from './helpers.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function docs(path: string): any[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS()).filter(Boolean);
}

test('render --out: Alibaba worked example has the CCM DaemonSet, the providerID step, no Secret', () => {
  const tmp = tempDir();
  try {
    const r = cli(['render', join(examples, 'alibaba-ccm', 'networkprofile.yaml'), '--out', tmp.path]);
    assert.is(r.code, 0, r.stderr);
    const tree = join(tmp.path, 'clusters', 'hangzhou-prod', 'network');
    const all = files(tree);
    const yamlFiles = all.filter((f) => f.endsWith('.yaml'));
    const objects = yamlFiles.flatMap((f) => docs(f).map((o) => ({ file: relative(tree, f), o })));
    assert.not.ok(objects.some(({ o }) => o.kind === 'Secret'), 'a Secret was written');
    const ds = objects.find(({ o }) => o.kind === 'DaemonSet' && o.metadata.name === 'cloud-controller-manager');
    assert.ok(ds, `no CCM DaemonSet in ${yamlFiles.map((f) => relative(tree, f)).join(', ')}`);
    assert.match(ds!.file, /^controllers\//);
    const c = ds!.o.spec.template.spec.containers[0];
    assert.ok(c.env.some((e: any) => e.name === 'ACCESS_KEY_ID' && e.valueFrom.secretKeyRef.name === 'alibaba-ccm-credentials'));
    const readme = readFileSync(join(tree, 'README.md'), 'utf8');
    assert.match(readme, '<region-id>.<instance-id>');
    assert.match(readme, 'http://100.100.100.200/latest/meta-data');
    assert.match(readme, 'kubectl -n kube-system create secret generic alibaba-ccm-credentials');
    assert.not.match(all.map((f) => readFileSync(f, 'utf8')).join('\n'), 'node-role.kubernetes.io/master');

    // kubectl kustomize builds the controllers folder with the CCM in it (CI installs kubectl).
    const k = spawnSync('kubectl', ['kustomize', join(tree, 'controllers')], { encoding: 'utf8' });
    assert.is(k.status, 0, k.stderr);
    const kinds = parseAllDocuments(k.stdout).map((d) => (d.toJS() as any)?.kind);
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet']) assert.ok(kinds.includes(kind), `kustomize output lacks ${kind}`);
  } finally {
    tmp.cleanup();
  }
});

test('render --target plain: a chart provider (Hetzner) gets a values file with the Secret reference', () => {
  const tmp = tempDir();
  try {
    const profile = join(tmp.path, 'hz.yaml');
    writeFileSync(profile, [
      'apiVersion: netprofile.io/v1alpha1',
      'kind: NetworkProfile',
      'metadata: {name: hz}',
      'spec:',
      '  cluster: {name: hz, podCIDRs: [10.244.0.0/16], serviceCIDRs: [10.96.0.0/12], apiServer: {host: 10.0.0.2}}',
      '  environment: {type: cloud, provider: hetzner, managed: false}',
      '  cloud: {credentialsSecretRef: {name: my-hcloud}}',
      '',
    ].join('\n'));
    const r = cli(['render', profile, '--target', 'plain', '--out', join(tmp.path, 'out')]);
    assert.is(r.code, 0, r.stderr);
    const tree = join(tmp.path, 'out', 'clusters', 'hz', 'network');
    const valuesFile = files(tree).find((f) => f.endsWith('.values.yaml') && f.includes('ccm'));
    assert.ok(valuesFile, 'no CCM values file');
    const values = docs(valuesFile!)[0];
    assert.equal(values.env.HCLOUD_TOKEN.valueFrom.secretKeyRef, { key: 'token', name: 'my-hcloud' });
    const readme = readFileSync(join(tree, 'README.md'), 'utf8');
    assert.match(readme, 'kubectl -n kube-system create secret generic my-hcloud --from-literal=token=<API token>');
    assert.match(readme, '--cloud-provider=external');
  } finally {
    tmp.cleanup();
  }
});

test('render: a managed EKS profile has no CCM', () => {
  const r = cli(['render', join(examples, 'eks-managed', 'networkprofile.yaml')]);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, 'cloud-controller-manager');
  assert.not.match(r.stdout, '--cloud-provider=aws');
});


test('Alibaba without credentialsSecretRef: plan accepts it (ECS RAM role), render has no key env, the README says what the role needs', () => {
  const tmp = tempDir();
  try {
    const profile = join(tmp.path, 'ali.yaml');
    writeFileSync(profile, [
      'apiVersion: netprofile.io/v1alpha1',
      'kind: NetworkProfile',
      'metadata: {name: ali}',
      'spec:',
      '  cluster: {name: ali, podCIDRs: [10.244.0.0/16], serviceCIDRs: [10.96.0.0/12], apiServer: {host: 172.16.0.10}}',
      '  environment: {type: cloud, provider: alibaba, managed: false, region: cn-hangzhou}',
      '',
    ].join('\n'));
    const p = cli(['plan', profile, '-o', 'json']);
    assert.is(p.code, 0, p.stdout + p.stderr);
    const plan = JSON.parse(p.stdout);
    const planned = Array.isArray(plan) ? plan[0] : plan;
    assert.equal(planned.findings.filter((f: any) => f.severity === 'error'), []);
    const d = planned.decisions.find((x: any) => x.field === 'ccm.credentials');
    assert.ok(d, 'no ccm.credentials decision');
    assert.is(d.value, 'ecs-ram-role');
    const r = cli(['render', profile, '--out', join(tmp.path, 'out')]);
    assert.is(r.code, 0, r.stderr);
    const tree = join(tmp.path, 'out', 'clusters', 'ali', 'network');
    const objects = files(tree).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(f));
    const ds = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'cloud-controller-manager');
    assert.ok(ds);
    const env = ds.spec.template.spec.containers[0].env ?? [];
    assert.not.ok(env.some((e: any) => e.name === 'ACCESS_KEY_ID' || e.name === 'ACCESS_KEY_SECRET'), JSON.stringify(env));
    assert.ok(ds.spec.template.spec.hostNetwork, 'the RAM role is read from the metadata service on the host network');
    const readme = readFileSync(join(tree, 'README.md'), 'utf8');
    assert.match(readme, 'ECS instance RAM role');
    assert.match(readme, 'master.policy');
    assert.match(readme, 'AttachInstanceRamRole --RegionId cn-hangzhou');
    assert.match(readme, '/ram/security-credentials/');
    assert.not.match(readme, 'create secret generic');
  } finally {
    tmp.cleanup();
  }
});

test.run();
