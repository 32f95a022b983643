// The fast YAML path (generators/yaml/): the emitter must write byte for byte what the `yaml`
// library writes with YAML_OPTIONS, and the reader must return exactly what the library returns
// — or step aside (undefined). Checked on every rendered example, every YAML file of the
// repository, tricky scalars, and seeded mutations of real files.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { stringify, parse, parseAllDocuments } from 'yaml';
import { root, examples, cli } from './helpers.js';
import { emitYaml, emitStats, YAML_OPTIONS } from '../generators/yaml/emit.js';
import { readYamlFast } from '../generators/yaml/read.js';
import { loadProfiles } from '../cli/load.js';
import { renderObjects, TARGETS } from '../generators/render.js';
import { decodeYamlDocuments } from '../generators/api/parse.js';

const lib = (v: unknown) => stringify(v, YAML_OPTIONS);
const libRead = (text: string): unknown => {
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: true, strict: true, prettyErrors: false });
    return (Array.isArray(docs) ? docs : [docs]).map((d) => {
      if (d.errors.length) throw new Error(d.errors[0].message);
      return d.toJS({ maxAliasCount: 1000 });
    });
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
};
const repoYaml = () => execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' }).trim().split('\n').filter(Boolean);

const TRICKY = ['', ' ', 'a ', ' a', 'true', 'True', 'FALSE', 'yes', 'on', 'null', '~', 'NULL', '0', '-0', '007', '+1', '1e3', '1.', '.5', '0x1F', '0o17', '.inf', '-.Inf', '.nan',
  '1.18.3', '10.0.0.0/8', 'fe80::1', '::1', 'https://a.b/c?d=e#f', 'a: b', 'a:', ':a', 'a:b', '#x', 'x #y', 'x#y', '- x', '-', '-x', '?', '? x', '@x', '`x', '%x', '!x', '&x', '*x',
  '|x', '>x', "'q'", '"q"', '{x}', '[x]', 'a,b', 'a, b', '---', '--- x', '...', 'a\nb', 'a\n', '\ta', 'a\tb', 'ünï', '\u0007', 'x'.repeat(1030), 'k8s.io/name', '$x', '<<',
  // quoted forms: single quotes when only a double quote is inside, else double quotes (JSON form)
  `"a' b`, `' x"`, `"x"y`, `'x'y`, `a'b"c`, ` "q" `, `: 'x'`, `# "q"`, '\\', 'a\\b', '"\\', '- "x"', '10', '1.5', '1.18', '-1', 'ünï: x', '雪 ', 'ü#', '%"', '\u2028', 'x'.repeat(1024), '0'.repeat(1025),
  // multi-line: literal block scalars (|, |-), and the forms left to the library
  'a\nb\n', 'a\n\nb', 'a\n\n\nb\n', '{\n  "x": 1\n}\n', 'x:\n  - y\n', '# c\nd', 'a\n b\n  c', 'a \nb', 'a\t\nb', 'a\n\tb', 'a\n\n', 'a\n ', '\na', ' a\nb', 'a\n---\nb', 'a\n...', '%a\nb', "it's\n\"q\"", 'ü\n雪\n', '- a\n- b', 'a: b\nc: d\n', '\n', 'a\r\nb'];

const emit = suite('emitter matches the yaml library');

emit('every rendered example object, every target', () => {
  const files = execFileSync('git', ['ls-files', '*/networkprofile.yaml'], { cwd: examples, encoding: 'utf8' }).trim().split('\n');
  let objects = 0;
  for (const f of files) {
    for (const p of loadProfiles([join(examples, f)], {})) {
      if (!p.plan || p.plan.findings.some((x) => x.severity === 'error')) continue;
      for (const target of TARGETS) {
        for (const o of renderObjects(p.plan, target)) { assert.is(emitYaml(o), lib(o), `${f} ${target} ${o.kind}`); objects++; }
        assert.is(emitYaml(p.plan), lib(p.plan), `${f} plan`);
      }
    }
  }
  assert.ok(objects > 50, `only ${objects} objects`);
});

emit('the emitter writes every rendered example object itself (never hands one to the library)', () => {
  const files = execFileSync('git', ['ls-files', '*networkprofile.yaml'], { cwd: examples, encoding: 'utf8' }).trim().split('\n');
  const before = emitStats.library;
  let objects = 0;
  for (const f of files) {
    for (const p of loadProfiles([join(examples, f)], {})) {
      if (!p.plan || p.plan.findings.some((x) => x.severity === 'error')) continue;
      for (const target of TARGETS) for (const o of renderObjects(p.plan, target)) { emitYaml(o); objects++; }
      emitYaml(p.plan);
    }
  }
  assert.ok(objects > 50, `only ${objects} objects`);
  assert.is(emitStats.library - before, 0, 'documents handed to the library');
  // and the multi-line and quoted forms it writes itself
  for (const v of [{ a: 'x\ny\n', b: ['p\nq'], c: { d: '{\n  "e": 1\n}' } }, { t: 'true', n: '10', e: '', q: '"x"', s: "it's", c: ': x' }]) emitYaml(v);
  assert.is(emitStats.library - before, 0, 'multi-line or quoted strings handed to the library');
  emitYaml({ a: ' leading\nspace' });
  assert.is(emitStats.library - before, 1, 'an indentation indicator is left to the library');
});

emit('tricky scalars as values, keys and sequence items', () => {
  for (const s of TRICKY) {
    for (const v of [{ k: s }, { [s]: 1 }, [s], { a: [{ [s]: s, b: [s] }] }, s]) assert.is(emitYaml(v), lib(v), JSON.stringify(v).slice(0, 80));
  }
});

emit('numbers, nesting, empties, undefined, key order', () => {
  const cases: unknown[] = [
    { n: [0, -1, 1.5, -0, 1e21, 2 ** 53, Number.NaN, Infinity], b: [true, false, null] },
    { z: 1, a: { y: [], x: {}, w: [[], [{}]], v: [[1, [2, { u: 3 }]]] }, B: 2, _: 3, '10': 4, '9': 5 },
    { a: undefined, b: [undefined, 1] }, [], {}, [[]], [{}], null, 'x', 3,
  ];
  for (const v of cases) assert.is(emitYaml(v), lib(v), JSON.stringify(v));
});

emit('safe: tricky strings, shared objects and unicode read back as the same data, never as aliases', () => {
  const strings = [...TRICKY, 'yes', 'no', 'Off', 'y', '0x1', '0b1', '1e3', '1_000', '12:30:00', '2026-12-03', ':', '#', '*', '&', '!', '|', '>', '%', '@', '*a', '&a a', '!!str', '- ', 'a #b',
    'line one\nline two', 'ends with newline\n', ' lead', 'trail ', 'ünïcødé', '雪', '🙂 emoji', 'e\u0301', '\u2028', '\ufeffbom', 'tab\tinside', 'quote\'s', 'dq"x', 'back\\slash', '{a: 1}', '[1, 2]', 'null', '~', '.5', '-.inf'];
  const shared = { name: 'shared', list: ['a'] };
  for (const s of strings) {
    for (const v of [{ k: s }, { [s || 'empty']: [s, { s }] }, [s, s], { a: shared, b: shared, c: [shared, s] }]) {
      const text = emitYaml(v);
      assert.ok(isDeepStrictEqual(parse(text), v), `${JSON.stringify(v).slice(0, 80)} read back as ${JSON.stringify(parse(text)).slice(0, 80)} from ${text}`);
      assert.not.match(text, /(^|[\s:-])[&*]a\d/, `no anchors or aliases: ${text}`);
    }
  }
});

const read = suite('reader matches the yaml library');

read('every YAML file of the repository: same value or steps aside', () => {
  let fast = 0;
  for (const f of repoYaml()) {
    const text = readFileSync(join(root, f), 'utf8');
    const mine = readYamlFast(text);
    if (mine === undefined) continue;
    fast++;
    assert.ok(isDeepStrictEqual(mine, libRead(text)), f);
  }
  assert.ok(fast > 50, `the fast path read only ${fast} files`);
});

read('seeded mutations of real files never read differently from the library', () => {
  const texts = repoYaml().map((f) => readFileSync(join(root, f), 'utf8')).filter((t) => readYamlFast(t) !== undefined);
  const pieces = [' ', ':', ': ', '#', ' #', '- ', '"', "'", '[', ']', '{', '}', ',', '\n', '\n  ', '---\n', 'true', '0', '1.5', '-', '?', '&a ', '*a', '!t ', '|', '>', '~', 'null', '  ', '\\', '0x1', '.inf', '-0', '+1', '01', '1e3', "''", '""', '<<: ', '__proto__: '];
  let seed = 20261202;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let fast = 0;
  for (let n = 0; n < 4000; n++) {
    let t = texts[Math.floor(rnd() * texts.length)];
    for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) {
      const pos = Math.floor(rnd() * t.length);
      const op = rnd();
      if (op < 0.45) t = t.slice(0, pos) + pieces[Math.floor(rnd() * pieces.length)] + t.slice(pos);
      else if (op < 0.75) t = t.slice(0, pos) + t.slice(pos + 1 + Math.floor(rnd() * 3));
      else { const lines = t.split('\n'); lines.splice(Math.floor(rnd() * lines.length), 0, lines[Math.floor(rnd() * lines.length)]); t = lines.join('\n'); }
    }
    const mine = readYamlFast(t);
    if (mine === undefined) continue;
    fast++;
    const theirs = libRead(t);
    if (!isDeepStrictEqual(mine, theirs)) assert.unreachable(`read differently:\n${t.slice(0, 600)}\nmine ${JSON.stringify(mine).slice(0, 200)}\nlib ${JSON.stringify(theirs).slice(0, 200)}`);
  }
  assert.ok(fast > 500, `only ${fast} mutations took the fast path`);
});

read('what it leaves to the library', () => {
  for (const t of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |\n  x\n', 'a: 1\na: 2\n', 'a: "x\\ny"\n', 'a: b\n  c\n', 'a:\n\t- 1\n', '%YAML 1.2\n---\na: 1\n', 'a: 0x1F\n', 'a: 1e3\n', '? a\n: b\n', 'a: [1,\n 2]\n', 'a: [1, 2,]\n', '<<: {a: 1}\n'])
    assert.is(readYamlFast(t), undefined, t);
});

read('the guards still apply on the fast path', () => {
  const deep = 'a:\n' + Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n') + ' 1\n';
  assert.ok(readYamlFast(deep) !== undefined, 'deep block maps are read fast');
  assert.match(decodeYamlDocuments(deep).docs[0].error ?? '', /nested deeper than 64/);
  const dup = decodeYamlDocuments('a: 1\na: 2\n');
  assert.ok(dup.docs[0]?.error || dup.fileError, 'a duplicate key is still an error (from the library)');
  const several = decodeYamlDocuments('---\na: 1\n---\n---\nb: 2\n');
  assert.equal(several.docs.map((d) => d.index), [1, 3]);
});

const startup = suite('commands run from the bundle');

startup('bin/netprofile takes dist/bundle for render and plan; same bytes as the unbundled code', () => {
  const profile = join(examples, 'baremetal-cilium-l2', 'networkprofile.yaml');
  const bundled = cli(['render', profile]);
  assert.is(bundled.code, 0, bundled.stderr);
  const unbundled = execFileSync(process.execPath, ['--input-type=module', '-e', `const { run } = await import(${JSON.stringify(new URL('../cli/main.js', import.meta.url).href)}); process.exitCode = await run(['render', ${JSON.stringify(profile)}]);`], { encoding: 'utf8' });
  assert.is(bundled.stdout, unbundled);
  const entry = readFileSync(join(root, 'dist', 'bundle', 'main.mjs'), 'utf8');
  assert.not.match(entry, /handlebars|Handlebars/);
});

emit.run();
read.run();
startup.run();
