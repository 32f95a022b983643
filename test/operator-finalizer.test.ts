// spec.gitops.deletionPolicy through the real operator, the fake apiserver and real bare Git
// remotes: prune keeps the finalizer netprofile.io/gitops and removes the published tree when the
// profile is deleted or moves; orphan (the default) leaves the tree and keeps no finalizer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { harness, bareMetalNode, l2Profile, readyOf, waitFor, type Harness } from './kube-fake.js';
import { checkProfile } from '../generators/api/parse.js';
import { networkProfileCRD } from '../operator/crd.js';

const NS = 'netprofile-system';
const KEY = `${NS}/lab`;
const FINALIZER = 'netprofile.io/gitops';

const files = (remote: string) => {
  try { return execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean); } catch { return []; }
};

function pruneProfile(h: Harness, overrides: { path?: string; url?: string } = {}): any {
  const p = l2Profile('lab', overrides.url ?? h.url);
  p.spec.gitops.deletionPolicy = 'prune';
  if (overrides.path) p.spec.gitops.path = overrides.path;
  return p;
}

async function published(h: Harness, path = 'clusters/lab/network'): Promise<any> {
  return waitFor(() => { const o = h.fake.profiles.get(KEY); return readyOf(o)?.status === 'True' && o.status.lastCommit?.path === path ? o : null; }, `Ready=True with ${path}`);
}

const t = suite('deletion policy');

t('prune: the finalizer is added before publishing; deleting the profile removes its tree in one commit, then the finalizer', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(pruneProfile(h));
    await h.start();
    const obj = await published(h);
    assert.equal(obj.metadata.finalizers, [FINALIZER]);
    assert.is(obj.status.lastCommit.branch, 'main');
    assert.ok(files(h.remote).includes('clusters/lab/network/kustomization.yaml'));
    h.fake.deleteProfile(NS, 'lab');
    await waitFor(() => !h.fake.profiles.has(KEY), 'the profile gone');
    assert.equal(files(h.remote), [], 'the tree was removed');
    const commits = h.commits();
    assert.is(commits.length, 2);
    assert.match(commits[0], /remove clusters\/lab\/network \(profile netprofile-system\/lab deleted, deletionPolicy: prune\)/);
    assert.ok(h.fake.events.some((e) => e.reason === 'Pruned' && e.type === 'Normal'));
    assert.equal(h.fake.unexpected, []);
  } finally { await h.done(); }
});

t('orphan (the default): no finalizer, deleting the profile leaves the tree in Git', async () => {
  const h = await harness();
  try {
    await h.startPublished();
    assert.is(h.fake.profiles.get(KEY).metadata.finalizers, undefined);
    const before = files(h.remote);
    h.fake.deleteProfile(NS, 'lab');
    assert.not.ok(h.fake.profiles.has(KEY), 'deleted at once');
    await h.operators[0].queue.idle();
    assert.equal(files(h.remote), before);
    assert.is(h.commits().length, 1);
    assert.not.ok(h.fake.requests.some((r) => r.method === 'PATCH' && !r.path.endsWith('/status')), 'no finalizer writes');
  } finally { await h.done(); }
});

t('prune: a new gitops.path publishes the new tree and removes the old one in the same commit', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(pruneProfile(h));
    await h.start();
    await published(h);
    h.fake.addProfile(pruneProfile(h, { path: 'fleet/lab' }));
    await published(h, 'fleet/lab');
    assert.ok(files(h.remote).every((f) => f.startsWith('fleet/lab/')), files(h.remote).join(','));
    assert.ok(files(h.remote).includes('fleet/lab/kustomization.yaml'));
    assert.is(h.commits().length, 2, 'one commit for the move');
    assert.equal(h.fake.profiles.get(KEY).metadata.finalizers, [FINALIZER]);
  } finally { await h.done(); }
});

t('prune: a new repository gets the tree and the old repository loses it; orphan would keep it', async () => {
  const h = await harness();
  try {
    const other = join(h.dir.path, 'other.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', other]);
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(pruneProfile(h));
    await h.start();
    await published(h);
    h.fake.addProfile(pruneProfile(h, { url: `file://${other}` }));
    await waitFor(() => h.fake.profiles.get(KEY).status.lastCommit?.repo === `file://${other}` && readyOf(h.fake.profiles.get(KEY))?.status === 'True', 'published to the other repository');
    assert.equal(files(h.remote), [], 'removed from the old repository');
    assert.ok(files(other).includes('clusters/lab/network/kustomization.yaml'));
  } finally { await h.done(); }
});

t('switching prune to orphan drops the finalizer; a hand edit under the tree blocks pruning with a PruneFailed Event', async () => {
  const h = await harness();
  try {
    h.fake.addNode(bareMetalNode('cp-1', '172.21.48.1'));
    h.fake.addProfile(pruneProfile(h));
    await h.start();
    await published(h);
    // A person adds a file under the generated path.
    const work = join(h.dir.path, 'work');
    execFileSync('git', ['clone', '-q', h.remote, work]);
    execFileSync('sh', ['-c', 'echo "mine: true" > clusters/lab/network/extra.yaml && git add . && git -c user.name=P -c user.email=p@x commit -qm edit && git push -q origin main'], { cwd: work });
    h.fake.deleteProfile(NS, 'lab');
    await waitFor(() => h.fake.events.some((e) => e.reason === 'PruneFailed'), 'PruneFailed');
    const ev = h.fake.events.find((e) => e.reason === 'PruneFailed');
    assert.is(ev.type, 'Warning');
    assert.match(ev.message, /extra\.yaml/);
    assert.match(ev.message, /deletionPolicy: orphan/);
    assert.ok(h.fake.profiles.has(KEY), 'the finalizer holds the profile');
    assert.ok(files(h.remote).includes('clusters/lab/network/extra.yaml'));
    // The user follows the advice: orphan lets the deletion finish and leaves the tree.
    const orphan = pruneProfile(h);
    orphan.spec.gitops.deletionPolicy = 'orphan';
    h.fake.addProfile(orphan);
    await waitFor(() => !h.fake.profiles.has(KEY), 'the profile gone');
    assert.ok(files(h.remote).includes('clusters/lab/network/kustomization.yaml'), 'orphaned tree stays');
  } finally { await h.done(); }
});

t('the schema: deletionPolicy defaults to orphan and is orphan | prune; reviewBranch must be a branch name; the CRD says the same', () => {
  const base = l2Profile('lab', 'file:///x.git');
  assert.is(checkProfile(base, 'p.yaml').profile!.spec.gitops.deletionPolicy, 'orphan');
  const bad = structuredClone(base);
  bad.spec.gitops.deletionPolicy = 'delete';
  bad.spec.gitops.reviewBranch = 'a..b';
  const findings = checkProfile(bad, 'p.yaml').findings.map((f) => f.path);
  assert.ok(findings.includes('spec.gitops.deletionPolicy'), findings.join(','));
  assert.ok(findings.includes('spec.gitops.reviewBranch'), findings.join(','));
  const gitops = (networkProfileCRD() as any).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.gitops.properties;
  assert.equal(gitops.deletionPolicy.enum, ['orphan', 'prune']);
  assert.is(gitops.deletionPolicy.default, 'orphan');
  assert.ok(gitops.deletionPolicy.description && gitops.reviewBranch.description);
});

t.run();
