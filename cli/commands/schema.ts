// netprofile schema [-o json|yaml]: the NetworkProfile JSON Schema for editors, from the one
// schema source (generators/api/profile.ts), the same definition the validator and the CRD use.
import { parseArgs, UsageError, type FlagSpec } from '../args.js';
import { outputFlag, outputFormat, formatData } from '../output.js';
import { toJSONSchema } from '../../generators/api/schema.js';
import { networkProfileSchema, API_VERSION, KIND } from '../../generators/api/profile.js';

export const usage = `Usage: netprofile schema [-o json|yaml]

Prints the JSON Schema (draft 2020-12) of a NetworkProfile, for editors that complete and check
YAML against a schema (yaml-language-server: VS Code's YAML extension, Neovim, Helix, ...).
Save it next to your profiles and name it in the first line of a profile:

  netprofile schema > networkprofile.schema.json
  # yaml-language-server: $schema=./networkprofile.schema.json

Every field carries the description \`kubectl explain networkprofile.spec...\` shows; objects are
closed (an unknown field is flagged, as netprofile refuses it).

  -o, --output F   json (default) or yaml
`;

/** The document `netprofile schema` prints; docs/networkprofile.schema.json is a copy of it. */
export function networkProfileJSONSchema(): Record<string, unknown> {
  const body = toJSONSchema(networkProfileSchema) as { properties: Record<string, Record<string, unknown>> };
  body.properties.apiVersion = { ...body.properties.apiVersion, const: API_VERSION };
  body.properties.kind = { ...body.properties.kind, const: KIND };
  // metadata is Kubernetes' ObjectMeta: left open for fields netprofile does not list.
  body.properties.metadata = { ...body.properties.metadata, additionalProperties: true };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: KIND, ...body };
}

/** The flags (also what `netprofile completion` offers). */
export const flags: FlagSpec[] = [outputFlag(['json', 'yaml'])];

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, flags);
  if (args.help) { process.stdout.write(usage); return 0; }
  if (args.positionals.length) throw new UsageError('schema takes no positional arguments');
  const format = outputFormat<'json' | 'yaml'>(args, 'json');
  process.stdout.write(formatData(networkProfileJSONSchema(), format));
  return 0;
}
