// Scope and RBAC agree with the code: every request the operator makes (recorded by the fake
// apiserver while the real operator publishes, elects a leader, records Events and stops) is a verb
// the install grants, and the install grants no verb the operator never makes. A Secret the
// ServiceAccount may not read is CredentialsUnavailable with the command that grants it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { root } from './helpers.js';
import { harness, bareMetalNode, l2Profile, readyOf, waitFor, permissionOf } from './kube-fake.js';

const deploy = join(root, 'operator', 'deploy');

function granted(): Set<string> {
  const r = spawnSync('kubectl', ['kustomize', deploy], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const sa = objects.find((o) => o.kind === 'ServiceAccount');
  const bound = objects.filter((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa.metadata.name && s.namespace === sa.metadata.namespace));
  const out = new Set<string>();
  for (const b of bound) {
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name);
    assert.ok(role, `${b.kind} ${b.metadata.name} binds ${b.roleRef.kind} ${b.roleRef.name}, which the install does not have`);
    for (const rule of role.rules) for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) out.add(`${g}/${res}:${v}`);
  }
  return out;
}

const rbac = suite('operator RBAC');

rbac('the install grants exactly the verbs the operator calls', async () => {
  const h = await harness();
  try {
    h.fake.addSecret('netprofile-system', 'fleet-creds', { token: 'not-used-by-file-remotes' });
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    const profile = l2Profile('lab', h.url);
    profile.spec.gitops.repo.secretRef = { name: 'fleet-creds' };
    h.fake.addProfile(profile);
    // deletionPolicy: prune adds and removes the finalizer.
    const pruned = l2Profile('gone', h.url);
    pruned.spec.gitops.deletionPolicy = 'prune';
    pruned.spec.gitops.path = 'clusters/gone/network';
    h.fake.addProfile(pruned);
    const op = await h.start({ leaderElect: true, namespace: 'netprofile-system' });
    await waitFor(() => readyOf(h.fake.profiles.get('netprofile-system/lab'))?.status === 'True', 'Ready=True');
    await waitFor(() => readyOf(h.fake.profiles.get('netprofile-system/gone'))?.status === 'True', 'Ready=True');
    h.fake.deleteProfile('netprofile-system', 'gone');
    await waitFor(() => !h.fake.profiles.has('netprofile-system/gone'), 'the pruned profile gone');
    await waitFor(() => h.fake.events.length > 0, 'the Published Event');
    await op.stop(2000);
    const used = new Set(h.fake.requests.map(permissionOf));
    const grants = granted();
    assert.equal([...used].filter((u) => !grants.has(u)).sort(), [], 'called but not granted');
    assert.equal([...grants].filter((g) => !used.has(g)).sort(), [], 'granted but never called');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

rbac('a Secret the ServiceAccount may not get is CredentialsUnavailable with the kubectl command that grants it', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    const profile = l2Profile('lab', h.url);
    profile.metadata.namespace = 'team-a';
    profile.spec.gitops.repo.secretRef = { name: 'fleet-creds' };
    h.fake.addProfile(profile);
    // No fault injected: the fake's RBAC (the install's Roles) forbids Secrets in team-a.
    await h.start({ namespace: null });
    const obj = await waitFor(() => { const p = h.fake.profiles.get('team-a/lab'); return readyOf(p)?.status === 'False' ? p : null; }, 'Ready=False');
    const published = obj.status.conditions.find((c: any) => c.type === 'Published');
    assert.is(published.reason, 'CredentialsUnavailable');
    assert.match(published.message, /no "get" on secrets in namespace team-a/);
    assert.ok(published.message.includes('kubectl create rolebinding netprofile-operator-secrets --namespace team-a --clusterrole=netprofile-operator-secrets --serviceaccount=netprofile-system:netprofile-operator'), published.message);
    assert.equal(h.commits(), []);
  } finally { await h.done(); }
});

rbac('a rotated Secret re-queues the profile that references it at once; the cache keeps no Secret data', async () => {
  const h = await harness();
  try {
    h.fake.addSecret('netprofile-system', 'fleet-creds', { token: 'one' });
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    const profile = l2Profile('lab', h.url);
    profile.spec.gitops.repo.secretRef = { name: 'fleet-creds' };
    h.fake.addProfile(profile);
    const other = l2Profile('other', h.url);
    other.spec.gitops.path = 'clusters/other/network';
    h.fake.addProfile(other);
    const op = await h.start({ namespace: 'netprofile-system' });
    await waitFor(() => readyOf(h.fake.profiles.get('netprofile-system/lab'))?.status === 'True' && readyOf(h.fake.profiles.get('netprofile-system/other'))?.status === 'True', 'both Ready');
    await op.queue.idle();
    const reconciles = async () => (await op.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);
    const before = await reconciles();
    h.fake.addSecret('netprofile-system', 'fleet-creds', { token: 'two' });
    await waitFor(async () => (await reconciles()) > before, 'a reconcile after the rotation');
    await op.queue.idle();
    assert.is(await reconciles(), before + 1, 'only the profile that references the Secret');
    const cached = [...op.secrets.informers.get('netprofile-system')!.store.values()];
    assert.is(cached.length, 1);
    assert.equal(Object.keys(cached[0]).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.equal(Object.keys(cached[0].metadata).sort(), ['name', 'namespace', 'resourceVersion']);
    assert.is(cached[0].metadata.resourceVersion, h.fake.secrets.get('netprofile-system/fleet-creds').metadata.resourceVersion);
    assert.ok(h.fake.requests.some((r) => r.path === '/api/v1/namespaces/netprofile-system/secrets' && r.query.watch === 'true'), 'a watch of the namespace\'s Secrets');
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

rbac.run();
