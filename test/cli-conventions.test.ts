// The command line's conventions as a user meets them (issue 14): -o is the format everywhere,
// help/version/suggestions, several profiles, --quiet, errors a user can act on, schema, init,
// completion. Everything runs through the real bin/netprofile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, examples, root, fixtures, tempDir } from './helpers.js';
import { article } from '../generators/text/article.js';
import { suggestCommand } from '../cli/main.js';
import { checkValue, type SchemaProblem } from '../generators/validate/openapi.js';
import { parseYamlDocuments } from '../generators/api/parse.js';

const exampleProfiles = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'networkprofile.yaml'))).sort().map((n) => join(examples, n, 'networkprofile.yaml'));

test('schema: a JSON Schema with a description on every field; every example checks clean against it, a misplaced field does not', () => {
  const r = cli(['schema']);
  assert.is(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.is(schema.properties.kind.const, 'NetworkProfile');
  const missing: string[] = [];
  const walk = (n: any, path: string) => {
    if (!n.description) missing.push(path);
    for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${path}.${k}`);
    if (n.items?.properties) for (const [k, v] of Object.entries(n.items.properties)) walk(v, `${path}[].${k}`);
  };
  walk(schema, 'networkprofile');
  assert.equal(missing, []);
  assert.match(schema.properties.spec.properties.loadBalancer.properties.bgp.properties.peers.description, /BGP/);
  const ctx = { mode: 'crd' as const, root: schema, shared: [] };
  for (const file of exampleProfiles) {
    const [doc] = parseYamlDocuments(readFileSync(file, 'utf8'), file);
    const out: SchemaProblem[] = [];
    checkValue(schema, doc, '', ctx, out);
    assert.equal(out.filter((p) => p.severity === 'error'), [], file);
  }
  const [doc] = parseYamlDocuments(readFileSync(exampleProfiles[0], 'utf8'), 'x') as any[];
  doc.spec.apiServer = { host: 'x' };
  const out: SchemaProblem[] = [];
  checkValue(schema, doc, '', ctx, out);
  assert.ok(out.some((p) => p.path.includes('apiServer')), JSON.stringify(out));
  // -o yaml prints the same document as YAML.
  const y = cli(['schema', '-o', 'yaml']);
  assert.is(y.code, 0);
  assert.equal(parseYamlDocuments(y.stdout, 'y')[0], schema);
});

test('docs/networkprofile.schema.json is what `netprofile schema` prints', () => {
  const onDisk = readFileSync(join(root, 'docs', 'networkprofile.schema.json'), 'utf8');
  assert.ok(onDisk === cli(['schema']).stdout, 'docs/networkprofile.schema.json is out of date: run `node bin/netprofile schema > docs/networkprofile.schema.json`');
});

const l2 = join(examples, 'baremetal-cilium-l2', 'networkprofile.yaml');
const metallb = join(examples, 'baremetal-metallb-l2', 'networkprofile.yaml');
const eks = join(examples, 'eks-managed', 'networkprofile.yaml');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const git = (args: string[], cwd?: string) => { const r = spawnSync('git', args, { cwd, encoding: 'utf8' }); if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`); return r.stdout; };

// ---- 2. -o is the format everywhere; --out is the folder ----------------------------------

test('-o json|yaml on every command that prints data; -o=json and -ojson are -o json', () => {
  const cases: string[][] = [['plan', l2], ['detect', '--nodes', join(fixtures, 'aws-eks.yaml')], ['validate', l2], ['schema'], ['version']];
  for (const args of cases) {
    const json = cli([...args, '-o', 'json']);
    assert.ok(json.code === 0, `${args.join(' ')} -o json: ${json.stderr}`);
    const value = JSON.parse(json.stdout);
    const yaml = cli([...args, '-o', 'yaml']);
    assert.is(yaml.code, 0, `${args.join(' ')} -o yaml: ${yaml.stderr}`);
    assert.equal(parseYamlDocuments(yaml.stdout, 'y')[0], value, `${args[0]}: -o yaml holds what -o json does`);
    assert.is(cli([...args, '-o=json']).stdout, json.stdout, `${args[0]} -o=json`);
    assert.is(cli([...args, '-ojson']).stdout, json.stdout, `${args[0]} -ojson`);
    assert.is(cli([...args, '--output=json']).stdout, json.stdout, `${args[0]} --output=json`);
  }
});

test('render -o json prints a v1 List of the objects the YAML stream holds, and writes no folder', () => {
  const t = tempDir();
  try {
    const r = cli(['render', l2, '-o', 'json'], { cwd: t.path });
    assert.is(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    assert.is(list.kind, 'List');
    const docs = parseYamlDocuments(cli(['render', l2]).stdout, 'stream');
    assert.equal(list.items, docs);
    assert.equal(readdirSync(t.path), [], 'no folder named json/');
  } finally { t.cleanup(); }
});

test('a folder given to -o is a usage error pointing at --out; --out writes the trees and says so on stdout', () => {
  const t = tempDir();
  try {
    for (const v of ['out/', './trees', 'json/']) {
      const r = cli(['render', l2, '-o', v], { cwd: t.path });
      assert.is(r.code, 2, v);
      assert.match(r.stderr, /-o\/--output is the output format, one of yaml, json/);
      assert.match(r.stderr, new RegExp(`--out ${v.replace(/[./]/g, '\\$&')}`));
    }
    assert.equal(readdirSync(t.path), []);
    const w = cli(['render', l2, '--out', 'trees'], { cwd: t.path });
    assert.is(w.code, 0, w.stderr);
    assert.match(w.stdout, /netprofile render: baremetal-cilium-l2 → trees\/clusters\/.* \(\d+ files, target flux\)/);
    assert.not.match(w.stderr, /→/);
    assert.ok(existsSync(join(t.path, 'trees', 'clusters')));
    const q = cli(['render', l2, '--out', 'trees', '--quiet'], { cwd: t.path });
    assert.is(q.code, 0);
    assert.is(q.stdout + q.stderr, '');
    const j = JSON.parse(cli(['render', l2, '--out', 'trees', '-o', 'json'], { cwd: t.path }).stdout);
    assert.is(j.trees[0].profile, 'baremetal-cilium-l2');
    assert.ok(j.trees[0].files.includes('kustomization.yaml'));
  } finally { t.cleanup(); }
});

// ---- 3. kubectl habits ---------------------------------------------------------------------

test('help COMMAND, suggestions for a mistyped command, version, --version in the help', () => {
  const h = cli(['help', 'plan']);
  assert.is(h.code, 0);
  assert.is(h.stdout, cli(['plan', '--help']).stdout);
  assert.match(cli(['help']).stdout, /--version/);
  // Every command of the table: `help CMD` is `CMD --help`, wherever the command's code lives.
  const names = [...cli(['help']).stdout.matchAll(/^  ([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]).filter((n) => n !== 'help');
  assert.ok(names.length >= 12, names.join(' '));
  for (const n of names) {
    const viaHelp = cli(['help', n]);
    assert.is(viaHelp.code, 0, `help ${n}: ${viaHelp.stderr}`);
    assert.is(viaHelp.stdout, cli([n, '--help']).stdout, n);
  }
  const typo = cli(['plna', 'x.yaml']);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /unknown command "plna"; did you mean `netprofile plan`\?/);
  assert.match(cli(['rendr']).stderr, /netprofile render/);
  assert.match(cli(['help', 'publsh']).stderr, /netprofile publish/);
  assert.is(suggestCommand('zzzzzz'), undefined);
  assert.is(suggestCommand('comp'), 'completion');
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  assert.is(cli(['version']).stdout, `netprofile ${version}\n`);
  assert.is(cli(['--version']).stdout, `netprofile ${version}\n`);
  assert.match(cli(['plan', '--nodse', 'x']).stderr, /unknown flag --nodse \(did you mean --nodes\?\)/);
});

test('plan takes several profiles: text one after the other, -o json a list', () => {
  const r = cli(['plan', l2, eks]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Profile baremetal-cilium-l2 [\s\S]*Profile eks-managed /);
  const j = JSON.parse(cli(['plan', l2, eks, '-o', 'json']).stdout);
  assert.equal(j.map((p: any) => p.profile), ['baremetal-cilium-l2', 'eks-managed']);
});

test('--quiet: only the requested output and errors', () => {
  const loud = cli(['render', metallb]);
  assert.match(loud.stderr, /metallb-strict-arp/);
  const quiet = cli(['render', metallb, '-q']);
  assert.is(quiet.code, 0);
  assert.is(quiet.stderr, '');
  assert.is(quiet.stdout, loud.stdout);
  const v = cli(['validate', l2, '--quiet']);
  assert.is(v.stderr, '');
});

// ---- 4. errors a user can act on -------------------------------------------------------------

test('YAML errors keep line and column; a duplicate key is named', () => {
  const t = tempDir();
  try {
    const dup = join(t.path, 'dup.yaml');
    writeFileSync(dup, 'apiVersion: netprofile.io/v1alpha1\nkind: NetworkProfile\nmetadata:\n  name: x\nspec:\n  cluster:\n    name: x\n    podCIDRs: [10.0.0.0/16]\n    name: y\n');
    const r = cli(['plan', dup]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /dup\.yaml: is not valid YAML at line 9, column 5: the key "name" appears twice in the same mapping/);
    const bad = join(t.path, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: List\nitems: [\n  {a: 1\n');
    const b = cli(['detect', '--nodes', bad]);
    assert.is(b.code, 2);
    assert.match(b.stderr, /bad\.yaml: is not valid YAML at line \d+, column \d+: /);
    const v = cli(['validate', dup]);
    assert.match(v.stdout, /line 9, column 5: the key "name"/);
  } finally { t.cleanup(); }
});

test('a field at the wrong depth is told where it belongs', () => {
  const t = tempDir();
  try {
    const f = join(t.path, 'p.yaml');
    writeFileSync(f, readFileSync(l2, 'utf8').replace(/^spec:\n/m, 'spec:\n  apiServer: {host: 10.0.0.1}\n  factsfrom: nodes.yaml\n'));
    const r = cli(['plan', f]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /spec\.apiServer: This field is not a known field here \(did you mean spec\.cluster\.apiServer\?\); move it there/);
    assert.match(r.stderr, /spec\.factsfrom: .*did you mean spec\.environment\.factsFrom\?/);
  } finally { t.cleanup(); }
});

test('a user error never prints a stack trace: operator --kubeconfig /nonexistent', () => {
  const r = cli(['operator', '--kubeconfig', '/nonexistent/kubeconfig', '--namespace', 'x']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /netprofile operator: cannot load the kubeconfig \/nonexistent\/kubeconfig: .*no such file or directory/);
  assert.not.match(r.stderr, /internal error|\n\s+at /);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('grammar: a/an chosen by sound, in everything detect, plan and render print', () => {
  assert.equal(['EKS', 'GKE', 'AKS', 'IPv6', 'IPv4', 'L2', 'BGP', 'Application', 'Secret', 'user', 'hour', 'NDP', 'MTU', 'one', 'ACK', 'RAM', 'NAT'].map(article),
    ['an', 'a', 'an', 'an', 'an', 'an', 'a', 'an', 'a', 'a', 'an', 'an', 'an', 'a', 'an', 'a', 'a']);
  let text = '';
  for (const f of readdirSync(fixtures)) text += cli(['detect', '--nodes', join(fixtures, f)]).stdout;
  assert.match(text, /an EKS node/);
  const t = tempDir();
  try {
    for (const e of exampleProfiles) { const r = cli(['plan', e]); text += r.stdout + r.stderr; text += cli(['render', e, '--out', t.path, '-q']).stderr; }
    for (const f of readdirSync(join(examples, 'rejected'))) { const r = cli(['plan', join(examples, 'rejected', f)]); text += r.stdout + r.stderr; }
    const readmes = (dir: string): string => readdirSync(dir, { withFileTypes: true }).map((d) => d.isDirectory() ? readmes(join(dir, d.name)) : d.name === 'README.md' ? readFileSync(join(dir, d.name), 'utf8') : '').join('');
    text += readmes(t.path);
  } finally { t.cleanup(); }
  const wrong = [...text.matchAll(/(?<![\w-])(a|an|A|An) ([A-Za-z0-9][\w.-]*)/g)].filter((m) => article(m[2]) !== m[1].toLowerCase()).map((m) => m[0]);
  assert.equal([...new Set(wrong)], []);
});

// ---- 5. factsFrom on the command line; the remote's HEAD -------------------------------------

test('factsFrom outside the profile folder is read on the command line (the plugin keeps its restriction)', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.path, 'x'));
    mkdirSync(join(t.path, 'profiles'));
    copyFileSync(join(fixtures, 'aws-eks.yaml'), join(t.path, 'x', 'nodes.yaml'));
    const f = join(t.path, 'profiles', 'p.yaml');
    writeFileSync(f, readFileSync(eks, 'utf8').replace(/factsFrom: .*/, 'factsFrom: ../x/nodes.yaml'));
    assert.match(readFileSync(f, 'utf8'), /factsFrom: \.\.\/x\/nodes\.yaml/);
    const r = cli(['plan', f, '-o', 'json']);
    assert.is(r.code, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).environment.provider, 'aws');
    assert.not.match(r.stderr, /leave the repository/);
    const missing = join(t.path, 'profiles', 'q.yaml');
    writeFileSync(missing, readFileSync(f, 'utf8').replace('../x/nodes.yaml', '../y/nodes.yaml'));
    const m = cli(['plan', missing]);
    assert.is(m.code, 2);
    assert.match(m.stderr, /spec\.environment\.factsFrom: \.\.\/y\/nodes\.yaml does not exist/);
    // The KRM function (kustomize's edge) still keeps factsFrom inside its working directory.
    const fc = parseYamlDocuments(readFileSync(f, 'utf8'), f)[0] as any;
    fc.metadata.annotations = { 'config.kubernetes.io/local-config': 'true', 'internal.config.kubernetes.io/path': 'p.yaml' };
    const krm = cli(['fn'], { cwd: join(t.path, 'profiles'), input: JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [fc], functionConfig: fc }) });
    assert.is(krm.code, 2, krm.stderr);
    assert.match(krm.stdout + krm.stderr, /factsFrom "\.\.\/x\/nodes\.yaml" leaves the profile's directory/);
  } finally { t.cleanup(); }
});

test('publish into a bare repository whose HEAD names another branch: warned, with the fix', () => {
  const t = tempDir();
  try {
    const remote = join(t.path, 'fleet.git');
    git(['init', '-q', '--bare', '--initial-branch=master', remote]);
    const r = cli(['publish', l2, '--repo', remote, '--author', 'T <t@example.invalid>']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the remote's HEAD names branch master, which does not exist there/);
    assert.match(r.stderr, new RegExp(`git --git-dir=${remote.replace(/[.]/g, '\\.')} symbolic-ref HEAD refs/heads/main`));
    assert.match(r.stderr, /--branch master/);
    // The fix it names works: no warning afterwards, and a clone checks out main.
    git(['--git-dir', remote, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
    const again = cli(['publish', l2, '--repo', remote, '--author', 'T <t@example.invalid>', '-o', 'json']);
    assert.is(again.code, 0, again.stderr);
    assert.not.match(again.stderr, /HEAD/);
    assert.is(JSON.parse(again.stdout).changed, false);
    const clone = spawnSync('git', ['clone', '-q', remote, join(t.path, 'c')], { encoding: 'utf8' });
    assert.not.match(clone.stderr, /nonexistent ref/);
    assert.ok(existsSync(join(t.path, 'c', '.netprofile')) || readdirSync(join(t.path, 'c')).length > 1);
  } finally { t.cleanup(); }
});

test('publish and diff print the warnings render prints; -o json results', () => {
  const t = tempDir();
  try {
    const remote = join(t.path, 'fleet.git');
    git(['init', '-q', '--bare', '--initial-branch=main', remote]);
    const d = cli(['diff', metallb, '--repo', remote, '-o', 'json']);
    assert.is(d.code, 1, d.stderr);
    assert.match(d.stderr, /warning: .*\[metallb-strict-arp\]/);
    const dj = JSON.parse(d.stdout);
    assert.is(dj.changed, true);
    assert.ok(dj.files.added.length > 0);
    const p = cli(['publish', metallb, '--repo', remote, '--author', 'T <t@example.invalid>', '-o', 'json']);
    assert.is(p.code, 0, p.stderr);
    assert.match(p.stderr, /warning: .*\[metallb-strict-arp\]/);
    const pj = JSON.parse(p.stdout);
    assert.is(pj.changed, true);
    assert.match(pj.commit, /^[0-9a-f]{40}$/);
    assert.is(pj.branch, 'main');
    const q = cli(['publish', metallb, '--repo', remote, '-q']);
    assert.is(q.code, 0);
    assert.is(q.stdout + q.stderr, '');
  } finally { t.cleanup(); }
});

// ---- 7. init --------------------------------------------------------------------------------

test('init: a starting profile from every Node list fixture that plan accepts as it stands', () => {
  for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.yaml'))) {
    const nodes = join(fixtures, f);
    const r = cli(['init', '--nodes', nodes]);
    assert.is(r.code, 0, `${f}: ${r.stderr}`);
    const [doc] = parseYamlDocuments(r.stdout, f) as any[];
    assert.is(doc.kind, 'NetworkProfile');
    assert.match(r.stdout, /^# yaml-language-server: \$schema=/);
    assert.match(r.stdout, /# (FILL IN|CHECK)/);
    const detected = JSON.parse(cli(['detect', '--nodes', nodes, '-o', 'json']).stdout);
    assert.is(doc.spec.environment.type, detected.type, f);
    const plan = cli(['plan', '-', '--nodes', nodes, '-o', 'json'], { input: r.stdout });
    assert.is(plan.code, 0, `${f}: ${plan.stderr}${plan.stdout}`);
    assert.equal(JSON.parse(plan.stdout).findings.filter((x: any) => x.severity === 'error'), [], f);
  }
});

test('init: pod CIDRs from the nodes, name, API server, --out with factsFrom that plan reads', () => {
  const t = tempDir();
  try {
    const list = parseYamlDocuments(readFileSync(join(fixtures, 'baremetal-kubeadm.yaml'), 'utf8'), 'x')[0] as any;
    list.items.forEach((n: any, i: number) => { n.spec.podCIDRs = [`10.32.${i}.0/24`, `fd00:10:32:${i}::/64`]; });
    const nodes = join(t.path, 'nodes.yaml');
    writeFileSync(nodes, JSON.stringify(list));
    mkdirSync(join(t.path, 'cluster'));
    const out = join(t.path, 'cluster', 'networkprofile.yaml');
    const r = cli(['init', '--nodes', nodes, '--name', 'lab', '--out', out]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*networkprofile\.yaml/);
    const [doc] = parseYamlDocuments(readFileSync(out, 'utf8'), out) as any[];
    assert.is(doc.metadata.name, 'lab');
    assert.is(doc.spec.cluster.name, 'lab');
    assert.equal(doc.spec.cluster.podCIDRs, ['10.32.0.0/21', 'fd00:10:32::/61']);
    assert.is(doc.spec.cluster.apiServer.host, list.items.find((n: any) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels).status.addresses.find((a: any) => a.type === 'InternalIP').address);
    assert.is(doc.spec.environment.factsFrom, '../nodes.yaml');
    const plan = cli(['plan', out]);
    assert.is(plan.code, 0, plan.stderr + plan.stdout);
    assert.match(plan.stdout, /bare-metal/);
    assert.is(cli(['init', '--nodes', nodes, '--out', out]).code, 2, 'an existing file is kept without --force');
    assert.is(cli(['init', '--nodes', nodes, '--out', out, '--force']).code, 0);
    assert.is(cli(['init', '--nodes', nodes, '--name', 'Not_A_Label']).code, 2);
  } finally { t.cleanup(); }
});

// ---- 8. completion ------------------------------------------------------------------------

test('completion bash: valid for bash -n and completes commands, flags and -o values', () => {
  const r = cli(['completion', 'bash']);
  assert.is(r.code, 0, r.stderr);
  const t = tempDir();
  try {
    const script = join(t.path, 'c.bash');
    writeFileSync(script, r.stdout);
    assert.is(spawnSync('bash', ['-n', script]).status, 0);
    const complete = (words: string[]) => spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _netprofile; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.equal(complete(['netprofile', 'pl']), ['plan', 'plugin']);
    assert.equal(complete(['netprofile', 'render', 'p.yaml', '-o', '']), ['yaml', 'json']);
    assert.equal(complete(['netprofile', 'plan', '-o', '']), ['text', 'json', 'yaml']);
    assert.equal(complete(['netprofile', 'render', '--ta']), ['--target']);
    assert.equal(complete(['netprofile', 'render', '--target', '']), ['flux', 'argocd', 'plain']);
    assert.equal(complete(['netprofile', 'completion', '']), ['bash', 'zsh', 'fish']);
    assert.ok(complete(['netprofile', 'help', 'i']).includes('init'));
    // Every flag plan's parser accepts is offered.
    const planFlags = complete(['netprofile', 'plan', '-']);
    for (const f of ['--nodes', '--output', '-o', '--quiet', '-q', '--help']) assert.ok(planFlags.includes(f), f);
    assert.ok(complete(['netprofile', 'operator', '--kube']).includes('--kubeconfig'));
  } finally { t.cleanup(); }
});

test('completion zsh and fish: valid for the real shells', () => {
  const t = tempDir();
  try {
    for (const shell of ['zsh', 'fish']) {
      const r = cli(['completion', shell]);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /render/);
      if (!has(shell)) { console.warn(`(${shell} is not installed here; .ci/run installs it)`); continue; }
      const script = join(t.path, `c.${shell}`);
      writeFileSync(script, r.stdout);
      const n = spawnSync(shell, ['-n', script], { encoding: 'utf8' });
      assert.is(n.status, 0, `${shell} -n: ${n.stderr}`);
    }
    if (has('zsh')) {
      const z = spawnSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -d ${join(t.path, 'zcd')}; source ${join(t.path, 'c.zsh')}; print -r -- $_comps[netprofile]`], { encoding: 'utf8' });
      assert.is(z.stdout.trim(), '_netprofile', z.stderr);
    }
    if (has('fish')) {
      const f = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${join(t.path, 'c.fish')}; complete -C "${line}"`], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.split('\t')[0]);
      assert.equal(f('netprofile pl'), ['plan', 'plugin']);
      assert.equal(f('netprofile plan -o '), ['json', 'text', 'yaml']);
      assert.ok(f('netprofile render --ta').includes('--target'));
    }
  } finally { t.cleanup(); }
  assert.is(cli(['completion', 'tcsh']).code, 2);
});

// ---- 6 and 9: modelines, docs, LICENSE, README, pictures ------------------------------------

test('every example profile names the schema with a modeline that resolves', () => {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, d.name);
      if (d.isDirectory()) { if (d.name !== 'rendered') walk(full); continue; }
      if (!/\.ya?ml$/.test(d.name)) continue;
      const text = readFileSync(full, 'utf8');
      if (!/^kind: NetworkProfile$/m.test(text)) continue;
      const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]);
      assert.ok(m, `${full}: no modeline on the first line`);
      assert.ok(existsSync(join(dir, m![1])), `${full}: ${m![1]} does not exist`);
      found.push(full);
    }
  };
  walk(examples);
  assert.ok(found.length >= 10, String(found.length));
});

test('LICENSE is the Apache License 2.0 that package.json names', () => {
  assert.is(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).license, 'Apache-2.0');
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(text, /END OF TERMS AND CONDITIONS/);
});

test('README: npx before the first bare netprofile; no file a user does not have', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const firstBare = readme.search(/^\$ netprofile |^netprofile [a-z]/m);
  const npx = readme.indexOf('npx netprofile');
  assert.ok(npx >= 0 && npx < firstBare, `npx at ${npx}, first bare netprofile at ${firstBare}`);
  for (const bad of [/\.\.\/shared/, /decisions\.md/, /charts\.md/, /field note/i, /api\.md/]) {
    for (const m of readme.matchAll(new RegExp(bad.source, 'gi'))) {
      const line = readme.slice(0, m.index).split('\n').length;
      const around = readme.split('\n')[line - 1];
      assert.ok(/docs\/[a-z-]+\.md/.test(around) && !/\.\.\/shared|field note/i.test(around), `README.md:${line}: ${around}`);
    }
  }
  // Every docs/ file the README links exists.
  for (const m of readme.matchAll(/\]\((docs\/[^)#\s]+)/g)) assert.ok(existsSync(join(root, m[1])), m[1]);
  assert.match(readme, /!\[[^\]]*\]\(docs\/flow\.svg\)/);
  assert.match(readme, /!\[[^\]]*\]\(docs\/order\.svg\)/);
});

test('docs/*.svg are what scripts/diagram.mjs draws from docs/*.txt, and the drawing follows the text', async () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'diagram.mjs'), '--check'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const { drawDiagram } = await import(join(root, 'scripts', 'diagram.mjs'));
  const a = drawDiagram('title: t\nA | B\nC\n');
  assert.is(drawDiagram('title: t\nA | B\nC\n'), a, 'deterministic');
  assert.is((a.match(/<rect x=/g) ?? []).length, 3);
  assert.is((a.match(/<line /g) ?? []).length, 2, 'an arrow from each box of a stage to the next');
  assert.not.equal(drawDiagram('title: t\nA | B | D\nC\n'), a);
  const flow = readFileSync(join(root, 'docs', 'flow.svg'), 'utf8');
  for (const word of ['NetworkProfile', 'detect', 'plan', 'render', 'flux', 'argocd', 'plain', 'Git']) assert.match(flow, new RegExp(word));
  assert.match(readFileSync(join(root, 'docs', 'order.svg'), 'utf8'), /controllers\/[\s\S]*configs\//);
});

test.run();
