// Cloud-controller-managers for self-managed cloud clusters (api.md §6, decisions.md "CCM"):
// one file per provider behind renderCcm. Providers with an upstream Helm chart become a
// ChartInstall (the target turns it into a HelmRelease / Application / values file); providers
// without one (Alibaba, GCP, DigitalOcean) become plain objects built from the upstream manifest.
// Credentials are only ever referenced (plan.ccm.credentialsSecretRef), never rendered.
import type { CcmProvider, Plan } from '../../plan/types.js';
import type { ComponentOutput } from '../types.js';
import type { CcmChart, ManifestSource } from './common.js';
import { renderAlibabaCcm } from './alibaba.js';
import { renderAwsCcm } from './aws.js';
import { renderAzureCcm } from './azure.js';
import { renderGcpCcm } from './gcp.js';
import { renderOpenStackCcm } from './openstack.js';
import { renderHetznerCcm } from './hetzner.js';
import { renderDigitalOceanCcm } from './digitalocean.js';

/** Upstream Helm charts (charts.md §5b, 5c, 5e, 5f). */
export const CCM_CHARTS = {
  // appVersion v1.35.0; the code's newest tag is v1.36.1 but the chart trails it.
  aws: { repository: { name: 'aws-cloud-controller-manager', url: 'https://kubernetes.github.io/cloud-provider-aws' }, chart: 'aws-cloud-controller-manager', version: '0.0.11', imageTag: 'v1.35.0' },
  // The chart derives the image tag from .Capabilities.KubeVersion; an offline render must pin it.
  azure: { repository: { name: 'cloud-provider-azure', url: 'https://raw.githubusercontent.com/kubernetes-sigs/cloud-provider-azure/master/helm/repo' }, chart: 'cloud-provider-azure', version: '1.36.0', imageTag: 'v1.36.0' },
  openstack: { repository: { name: 'cloud-provider-openstack', url: 'https://kubernetes.github.io/cloud-provider-openstack' }, chart: 'openstack-cloud-controller-manager', version: '2.36.0', imageTag: 'v1.36.0' },
  // The chart's image tag defaults to v{{ .Chart.Version }}.
  hetzner: { repository: { name: 'hcloud', url: 'https://charts.hetzner.cloud' }, chart: 'hcloud-cloud-controller-manager', version: '1.35.0', imageTag: 'v1.35.0' },
} as const satisfies Record<string, CcmChart>;

/** Upstream manifests for providers without a chart (charts.md §5a, 5d, 5g). */
export const CCM_MANIFESTS = {
  // UNVERIFIED tag: the upstream manifest says `${image-version}` and the Makefile tags with
  // `git describe`, so v2.14.0 (tag @eeb0ddc) is inferred, not read from the registry. A third-party
  // note gives registry-cn-hangzhou.ack.aliyuncs.com/acs/cloud-controller-manager:v2.14.0 instead.
  // The -amd64 image does not run on arm64 (Yitian g8y) instances.
  alibaba: { image: 'registry.cn-hangzhou.aliyuncs.com/acs/cloud-controller-manager-amd64:v2.14.0', source: 'kubernetes/cloud-provider-alibaba-cloud deploy/v2/cloud-controller-manager.yaml@v2.14.0' },
  // The tag the upstream package pins (deploy/packages/default, @d72bf49); newest tag seen v36.3.8.
  gcp: { image: 'registry.k8s.io/cloud-provider-gcp/cloud-controller-manager:v35.0.0', source: 'kubernetes/cloud-provider-gcp deploy/packages/default/manifest.yaml' },
  digitalocean: { image: 'digitalocean/digitalocean-cloud-controller-manager:v0.1.68', source: 'digitalocean/digitalocean-cloud-controller-manager releases/digitalocean-cloud-controller-manager/v0.1.68.yml' },
} as const satisfies Record<string, ManifestSource>;

/**
 * The chart with the release line the plan chose for the cluster's Kubernetes minor
 * (plan.ccm.version, generators/charts/ccm-images.ts): its image tag and, where the chart itself
 * is per minor (OpenStack), its version.
 */
export function chartForPlan(plan: Plan, chart: CcmChart): CcmChart {
  const v = plan.ccm.version;
  if (!v?.tag) return chart;
  return { ...chart, imageTag: v.tag, version: v.chart ?? chart.version };
}

/** The manifest with its image tag replaced by the plan's release line. */
export function manifestForPlan(plan: Plan, manifest: ManifestSource): ManifestSource {
  const v = plan.ccm.version;
  if (!v?.tag) return manifest;
  return { ...manifest, image: manifest.image.replace(/:[^:/]+$/, `:${v.tag}`) };
}

const RENDERERS: Record<CcmProvider, (plan: Plan) => ComponentOutput> = {
  alibaba: (plan) => renderAlibabaCcm(plan, CCM_MANIFESTS.alibaba),
  aws: (plan) => renderAwsCcm(plan, chartForPlan(plan, CCM_CHARTS.aws)),
  azure: (plan) => renderAzureCcm(plan, chartForPlan(plan, CCM_CHARTS.azure)),
  gcp: (plan) => renderGcpCcm(plan, manifestForPlan(plan, CCM_MANIFESTS.gcp)),
  openstack: (plan) => renderOpenStackCcm(plan, chartForPlan(plan, CCM_CHARTS.openstack)),
  hetzner: (plan) => renderHetznerCcm(plan, CCM_CHARTS.hetzner),
  digitalocean: (plan) => renderDigitalOceanCcm(plan, CCM_MANIFESTS.digitalocean),
};

/** The CCM of a self-managed cloud cluster; empty unless the plan enables one. */
export function renderCcm(plan: Plan): ComponentOutput {
  if (!plan.ccm.enabled || !plan.ccm.provider) return { charts: [], controllers: [], configs: [], manualSteps: [] };
  const render = RENDERERS[plan.ccm.provider];
  if (!render) return { charts: [], controllers: [], configs: [], manualSteps: [] };
  return render(plan);
}
