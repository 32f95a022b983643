// The three targets by name.
import type { TargetRenderer } from './types.js';
import { renderFlux } from './flux.js';
import { renderArgoCD } from './argocd.js';
import { renderPlain } from './plain.js';

export const TARGET_RENDERERS: Record<'flux' | 'argocd' | 'plain', TargetRenderer> = {
  flux: renderFlux,
  argocd: renderArgoCD,
  plain: renderPlain,
};
