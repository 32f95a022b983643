// The scalar forms of the YAML 1.2 core schema other than str, as the `yaml` library (2.x) tests
// them (schema/common/null.js, schema/core/bool.js, int.js, float.js). A string that matches one
// is not a string when read back, so the emitter must not write it plain and the reader must
// resolve it (or leave it to the library).
export const NULL_FORM = /^(?:~|[Nn]ull|NULL)?$/;
export const BOOL_FORM = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
export const OTHER_FORMS = [
  NULL_FORM,
  BOOL_FORM,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

// Every form above starts with one of these characters (or is empty).
const FIRST = /^[~nNtTfF0-9+.-]/;

export function readsAsOtherType(s: string): boolean {
  if (s !== '' && !FIRST.test(s)) return false;
  for (const re of OTHER_FORMS) if (re.test(s)) return true;
  return false;
}
