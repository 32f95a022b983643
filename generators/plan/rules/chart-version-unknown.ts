// chart-version-unknown: a chart version that was never published fails only at fetch time (helm
// pull, Flux's source-controller), after the tree is in Git. The released versions come from each
// chart repository's index.yaml (generators/charts/releases.ts).
import { finding, type RuleUnit } from './registry.js';
import { isReleased, nearestReleased } from '../../charts/releases.js';

export const chartVersionUnknown: RuleUnit<'chart-version-unknown'> = {
  id: 'chart-version-unknown',
  severity: 'error',
  summary: 'a chart version that was never released',
  why: 'Helm and Flux fetch the chart by version from the repository index; a version that was never published (cilium/charts has no 1.16.14, no 1.20.1) fails at fetch time, after the tree is already committed.',
  fix: 'Use a released version; the finding names the nearest one.',
  source: 'cilium/charts index.yaml (and each chart repository index.yaml) — generators/charts/releases.ts',
  check: ({ plan }) => {
    const v = plan.cni.provider === 'cilium' ? plan.cni.version : null;
    if (!v || isReleased('cilium', v)) return [];
    const near = nearestReleased('cilium', v);
    return [finding(chartVersionUnknown, 'spec.cni.cilium.version', `Cilium chart ${v} was never released (cilium/charts index.yaml), so fetching it fails; use ${near ?? 'a released version'}.`)];
  },
};
