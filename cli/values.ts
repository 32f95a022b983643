// Hook for the planner's Cilium values check; the bundled chart schemas are loaded only when a
// profile actually sets spec.cni.cilium.values (keeps the plugin path fast).
import type { PlanOptions } from '../generators/plan/plan.js';

export function ciliumValuesChecker(): PlanOptions['checkCiliumValues'] {
  return undefined;
}
