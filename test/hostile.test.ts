// Hostile input is refused cleanly: exit 1 or 2, the file named, no stack trace, nothing hangs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, examples } from './helpers.js';

const dir = tempDir('netprofile-hostile-');
const write = (name: string, content: string | Buffer) => { const p = join(dir.path, name); writeFileSync(p, content); return p; };
const good = readFileSync(join(examples, 'baremetal-cilium-l2/networkprofile.yaml'), 'utf8');

function refused(args: string[], file: string, codes = [1, 2]) {
  const r = cli(args, { timeout: 20_000 });
  assert.ok(codes.includes(r.code), `exit ${r.code}: ${r.stderr}`);
  assert.ok(r.stderr.includes(file), `stderr does not name ${file}: ${r.stderr}`);
  assert.not.match(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'stack trace printed');
  assert.not.match(r.stderr, /internal error/);
  return r;
}

test('YAML alias bomb ("billion laughs") is refused', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const f = write('bomb.yaml', lines.join('\n') + '\n');
  refused(['plan', f], f, [2]);
  refused(['detect', '--nodes', f], f, [2]);
});

test('a profile of tens of MB is refused before it is parsed', () => {
  const f = write('huge.yaml', good + '# ' + 'x'.repeat(30 << 20) + '\n');
  const r = refused(['plan', f], f, [2]);
  assert.match(r.stderr, /larger than/);
});

test('a Node list of tens of MB and an endless stream are refused', () => {
  const f = write('huge-nodes.yaml', 'apiVersion: v1\nkind: List\nitems: []\n# ' + 'y'.repeat(40 << 20) + '\n');
  refused(['detect', '--nodes', f], f, [2]);
  refused(['detect', '--nodes', '/dev/zero'], '/dev/zero', [2]);
});

test('deep nesting is refused', () => {
  const depth = 20000;
  const f = write('deep.yaml', good + 'status: ' + '['.repeat(depth) + ']'.repeat(depth) + '\n');
  refused(['plan', f], f, [1, 2]);
  const g = write('deep2.yaml', good.replace('cilium: {version: "1.18.3"}', `cilium: {version: "1.18.3", values: ${'{a: '.repeat(200)}1${'}'.repeat(200)}}`));
  refused(['plan', g], g, [1, 2]);
});

test('binary garbage is refused', () => {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
  const f = write('garbage.bin', bytes);
  refused(['plan', f], f, [2]);
  refused(['detect', '--nodes', f], f, [2]);
});

test('several documents where one is bad: rejected, naming the document', () => {
  const second = good.replace('name: baremetal-cilium-l2', 'name: second').replace('addresses: [172.21.48.240/28]', 'addresses: [172.21.48.240/33]');
  const f = write('multi.yaml', `${good}\n---\n${second}`);
  const r = cli(['render', f]);
  assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}`);
  // plan takes several profiles (issue 14.3): the good one is planned, the bad one rejected by name.
  const p = cli(['plan', f]);
  assert.is(p.code, 1);
  assert.match(p.stdout, /Profile baremetal-cilium-l2 /);
  assert.match(p.stderr, /spec\.loadBalancer\.pools\[0\]\.addresses\[0\]/);
  const broken = write('multi-broken.yaml', `${good}\n---\nspec: [unclosed\n`);
  const b = refused(['plan', broken], broken, [2]);
  assert.match(b.stderr, /document 2/);
  const other = write('multi-kind.yaml', `${good}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n`);
  const o = refused(['plan', other], other, [2]);
  assert.match(o.stderr, /document 2 is a Secret, not a NetworkProfile/);
});

test('names with newlines are refused as invalid fields', () => {
  const f = write('newline.yaml', good.replace('name: lab-l2', 'name: "lab\\nkind: Secret"'));
  const r = refused(['plan', f, '-o', 'json'], f, [1]);
  const j = JSON.parse(r.stdout);
  assert.ok(j.findings.some((x: any) => x.rule === 'invalid-field' && x.path === 'spec.cluster.name'));
  assert.not.match(r.stderr, /lab\nkind/);
  const nodes = write('nodes-newline.yaml', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Node', metadata: { name: 'evil\nnode' } }] }));
  const n = refused(['detect', '--nodes', nodes], nodes, [2]);
  assert.match(n.stderr, /items\[0\]\.metadata\.name/);
});

test('unknown fields are errors with a did-you-mean', () => {
  const f = write('typo.yaml', good.replace('    mode: l2', '    mdoe: l2'));
  const r = refused(['plan', f], f, [1]);
  assert.match(r.stderr, /spec\.loadBalancer\.mdoe: .*not a known field \(did you mean "mode"\?\)/);
});

test('a wrong type names the field path with list indexes', () => {
  const f = write('type.yaml', good.replace('addresses: [172.21.48.240/28]', 'addresses: [172.21.48.240/28, 12]'));
  const r = refused(['plan', f], f, [1]);
  assert.match(r.stderr, /spec\.loadBalancer\.pools\[0\]\.addresses\[1\]/);
});

test('an empty file and a directory are refused', () => {
  const f = write('empty.yaml', '');
  refused(['plan', f], f, [2]);
  refused(['plan', dir.path], dir.path, [2]);
});

test.after(() => dir.cleanup());
test.run();
