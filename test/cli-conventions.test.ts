// The command line's conventions as a user meets them (issue 14): -o is the format everywhere,
// help/version/suggestions, several profiles, --quiet, errors a user can act on, schema, init,
// completion. Everything runs through the real bin/netprofile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, examples, root } from './helpers.js';
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

test.run();
