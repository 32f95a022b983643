// Cloud-controller-managers for self-managed cloud clusters (placeholder until the CCM
// generators land): one function per provider behind renderCcm.
import type { Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';

export function renderCcm(plan: Plan): ComponentOutput {
  void plan;
  return { charts: [], controllers: [], configs: [], manualSteps: [] };
}
