// Hook for the planner's Cilium values check; the bundled chart schemas are loaded only when a
// profile actually sets spec.cni.cilium.values (keeps the plan and plugin paths fast: the bundle
// is ~270 KB of JSON that a profile without values never needs).
import { readFileSync } from 'node:fs';
import type { PlanOptions } from '../generators/plan/plan.js';
import { unknownCiliumValues, type Bundle } from '../generators/validate/values.js';

let cached: Bundle | undefined;

/** Reads generators/schemas/bundle.json (copied beside the compiled code by scripts/build.mjs). */
export function loadBundle(): Bundle {
  cached ??= JSON.parse(readFileSync(new URL('../generators/schemas/bundle.json', import.meta.url), 'utf8')) as Bundle;
  return cached;
}

export function ciliumValuesChecker(): PlanOptions['checkCiliumValues'] {
  return (version, values) => {
    if (!values || typeof values !== 'object' || !Object.keys(values).length) return [];
    return unknownCiliumValues(loadBundle(), version, values);
  };
}
