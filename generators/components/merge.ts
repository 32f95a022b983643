// Deep merge for Helm values: maps merge key by key, everything else (lists, scalars) is replaced,
// which is what Helm itself does when it layers -f files.

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns a new object: `over` laid on `base`. Neither input is modified. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // Never let a key named __proto__ (possible in parsed YAML) reach an object's prototype.
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge(cur, v) : clone(v);
  }
  return out;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isPlainObject(v)) return deepMerge({}, v);
  return v;
}

/** Common labels on everything netprofile renders (prune and ownership). */
export function netprofileLabels(profile: string): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'netprofile', 'netprofile.io/profile': profile };
}
