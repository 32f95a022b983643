// Every component's output for a plan, in a fixed order (CNI first, then load balancing, CCM,
// underlay). Pure.
import type { Plan } from '../plan/types.js';
import type { ComponentOutput } from './types.js';
import { renderCilium } from './cilium.js';
import { renderMetalLB } from './metallb.js';
import { renderPureLB } from './purelb.js';
import { renderSpiderpool } from './spiderpool.js';
import { renderCcm } from './ccm/index.js';

export interface NamedOutput { component: string; output: ComponentOutput }

export function renderComponents(plan: Plan): NamedOutput[] {
  const all: NamedOutput[] = [
    { component: 'cilium', output: renderCilium(plan) },
    { component: 'metallb', output: renderMetalLB(plan) },
    { component: 'purelb', output: renderPureLB(plan) },
    { component: 'ccm', output: renderCcm(plan) },
    { component: 'spiderpool', output: renderSpiderpool(plan) },
  ];
  return all.filter((c) => c.output.charts.length || c.output.controllers.length || c.output.configs.length || c.output.manualSteps.length);
}
