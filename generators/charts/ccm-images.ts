// Cloud-controller-manager versions per Kubernetes minor. The CCMs built on k8s.io/cloud-provider
// release one line per Kubernetes minor, and the version-skew policy lets a controller manager be
// at most one minor older than kube-apiserver, never newer
// (kubernetes/website content/en/releases/version-skew-policy.md, kube-controller-manager and
// cloud-controller-manager). So the image follows the cluster's minor, read from the Nodes'
// kubelet versions (a kubelet is never newer than its API server), and the newest line when the
// plan has no facts. Pure data and one pure function; the plan records the choice and why.
import type { CcmProvider } from '../plan/types.js';

export interface CcmLine {
  /** Kubernetes minor, e.g. 33. */
  minor: number;
  /** The image tag of that line's newest release. */
  tag: string;
  /** The chart version to install with it, where the chart itself is per minor. */
  chart?: string;
}

export interface CcmVersionTable {
  /** One line per supported minor, oldest first. */
  lines: CcmLine[];
  /** Where the table comes from. */
  source: string;
}

/**
 * Per-minor providers. AWS, GCP: the upstream git tags (the release images carry the tag; for GCP
 * the tag without its `ccm/` prefix, as deploy/packages/default pins v35.0.0). Azure: the chart's
 * own table. OpenStack: the chart index, one chart line (2.N) per Kubernetes minor.
 */
export const CCM_VERSIONS: Partial<Record<CcmProvider, CcmVersionTable>> = {
  // kubernetes/cloud-provider-aws tags v1.30.10 … v1.36.1 (go.mod k8s.io/cloud-provider v0.N); the
  // chart aws-cloud-controller-manager 0.0.11 takes any of them as image.tag.
  aws: {
    source: 'kubernetes/cloud-provider-aws git tags (v1.N.x per Kubernetes 1.N), chart 0.0.11 values.yaml image.tag',
    lines: [
      { minor: 30, tag: 'v1.30.10' }, { minor: 31, tag: 'v1.31.9' }, { minor: 32, tag: 'v1.32.8' }, { minor: 33, tag: 'v1.33.4' },
      { minor: 34, tag: 'v1.34.3' }, { minor: 35, tag: 'v1.35.2' }, { minor: 36, tag: 'v1.36.1' },
    ],
  },
  // kubernetes-sigs/cloud-provider-azure helm/repo/cloud-provider-azure-1.36.0.tgz
  // templates/cloud-provider-azure.yaml: cloudProviderAzureVersion per .Capabilities.KubeVersion.Minor,
  // and from minor 32 on the images come from mcr.microsoft.com/oss/v2/kubernetes.
  azure: {
    source: 'kubernetes-sigs/cloud-provider-azure chart 1.36.0 templates/cloud-provider-azure.yaml (cloudProviderAzureVersion per minor)',
    lines: [
      { minor: 30, tag: 'v1.30.15' }, { minor: 31, tag: 'v1.31.12' }, { minor: 32, tag: 'v1.32.17' }, { minor: 33, tag: 'v1.33.12' },
      { minor: 34, tag: 'v1.34.9' }, { minor: 35, tag: 'v1.35.4' }, { minor: 36, tag: 'v1.36.0' },
    ],
  },
  // kubernetes/cloud-provider-gcp tags ccm/vN.x.y (go.mod k8s.io/cloud-provider v0.N); there is no
  // ccm/v31 line. The v36.* tags have no ccm/ prefix and their image name is not confirmed, so
  // the newest line here is 35.
  gcp: {
    source: 'kubernetes/cloud-provider-gcp git tags ccm/v30.1.4, ccm/v32.2.5, ccm/v33.4.0, ccm/v34.2.0, ccm/v35.0.5',
    lines: [
      { minor: 30, tag: 'v30.1.4' }, { minor: 32, tag: 'v32.2.5' }, { minor: 33, tag: 'v33.4.0' }, { minor: 34, tag: 'v34.2.0' },
      { minor: 35, tag: 'v35.0.5' },
    ],
  },
  // kubernetes/cloud-provider-openstack gh-pages:index.yaml @e9b6bb4 (2026-05-13): chart 2.N.x has
  // appVersion v1.N.x; the chart's image tag defaults to its appVersion.
  openstack: {
    source: 'kubernetes/cloud-provider-openstack gh-pages:index.yaml (chart 2.N ↔ appVersion v1.N)',
    lines: [
      { minor: 30, tag: 'v1.30.3', chart: '2.30.5' }, { minor: 31, tag: 'v1.31.3', chart: '2.31.3' }, { minor: 32, tag: 'v1.32.0', chart: '2.32.0' },
      { minor: 33, tag: 'v1.33.1', chart: '2.33.1' }, { minor: 34, tag: 'v1.34.1', chart: '2.34.2' }, { minor: 35, tag: 'v1.35.0', chart: '2.35.0' },
      { minor: 36, tag: 'v1.36.0', chart: '2.36.0' },
    ],
  },
};

/**
 * Providers whose CCM is not released per Kubernetes minor, with the minors upstream supports for
 * the one release netprofile installs.
 */
export const CCM_SINGLE_RELEASE: Partial<Record<CcmProvider, { minMinor: number | null; note: string }>> = {
  // hetznercloud/hcloud-cloud-controller-manager v1.35.0 docs/reference/version-policy.md: "latest"
  // for 1.33–1.36; the older releases it names for 1.30–1.32 (v1.26.0, v1.29.2) are ≤ v1.30.0, which
  // README.md says panic since the API dropped server.datacenter (2026-07-01): the latest is kept.
  hetzner: { minMinor: 33, note: 'hcloud-cloud-controller-manager supports the latest three Kubernetes minors (1.33–1.36 for v1.35.0; docs/reference/version-policy.md); the older releases it lists for 1.30–1.32 are v1.30.0 or older, which crash since the Hetzner API removed server.datacenter, so netprofile keeps v1.35.0' },
  // digitalocean-cloud-controller-manager v0.1.x: one release line, no per-minor policy in its docs.
  digitalocean: { minMinor: null, note: 'the DigitalOcean CCM has one release line (v0.1.x), not one per Kubernetes minor' },
  // cloud-provider-alibaba-cloud v2.x: one release line (deploy/v2), not per Kubernetes minor.
  alibaba: { minMinor: null, note: 'the Alibaba Cloud CCM has one release line (v2.x), not one per Kubernetes minor' },
};

/** The Kubernetes minor of a kubelet version (`v1.33.4+k3s1`, `v1.31.2-eks-7f9249a`), or null. */
export function kubernetesMinor(version: string | undefined | null): number | null {
  const m = /^v?1\.(\d{1,3})(?:\.|$|[-+])/.exec(String(version ?? '').trim());
  return m ? Number(m[1]) : null;
}

export interface CcmVersionChoice {
  /** The cluster's minor as the facts show it (newest kubelet), or null without facts. */
  clusterMinor: number | null;
  tag: string;
  chart: string | null;
  /** Why this line, in words. */
  reason: string;
  /** Set when the chosen line is not the cluster's: the warning's sentence. */
  skew: string | null;
}

/**
 * Chooses the CCM line for a cluster minor: the same minor; else, inside the table's range, the
 * nearest older line (one minor older is within the skew policy); below the range the oldest
 * line (newer than the API server: outside the policy); above it the newest (older: a warning).
 * Null for providers that are not versioned per minor.
 */
export function chooseCcmVersion(provider: CcmProvider, clusterMinor: number | null): CcmVersionChoice | null {
  const table = CCM_VERSIONS[provider];
  if (!table) return null;
  const lines = table.lines;
  const newest = lines[lines.length - 1];
  const oldest = lines[0];
  const pick = (l: CcmLine, reason: string, skew: string | null): CcmVersionChoice => ({ clusterMinor, tag: l.tag, chart: l.chart ?? null, reason, skew });
  if (clusterMinor === null) {
    return pick(newest, `no Node facts: the newest line, for Kubernetes 1.${newest.minor} (pass the Node list to match the cluster's minor)`, null);
  }
  const exact = lines.find((l) => l.minor === clusterMinor);
  if (exact) return pick(exact, `the cluster's kubelets run Kubernetes 1.${clusterMinor}: the ${exact.tag} line`, null);
  if (clusterMinor > newest.minor) {
    return pick(newest, `Kubernetes 1.${clusterMinor} is newer than every line netprofile knows: the newest, ${newest.tag}`,
      `The cluster runs Kubernetes 1.${clusterMinor} but the newest ${provider} CCM line netprofile knows is for 1.${newest.minor} (${newest.tag}); ${clusterMinor - newest.minor > 1 ? 'that is more than the one minor of skew Kubernetes allows a controller manager, so ' : ''}check upstream for a 1.${clusterMinor} release and upgrade netprofile.`);
  }
  if (clusterMinor < oldest.minor) {
    return pick(oldest, `Kubernetes 1.${clusterMinor} is older than every line netprofile knows: the oldest, ${oldest.tag}`,
      `The cluster runs Kubernetes 1.${clusterMinor} but the oldest ${provider} CCM line netprofile knows is for 1.${oldest.minor} (${oldest.tag}), newer than the API server, which Kubernetes' version-skew policy does not allow; upgrade the cluster to 1.${oldest.minor} or later.`);
  }
  const older = [...lines].reverse().find((l) => l.minor < clusterMinor)!;
  return pick(older, `upstream has no ${provider} CCM line for Kubernetes 1.${clusterMinor}: the nearest older one, ${older.tag}`,
    `Upstream has no ${provider} CCM release for Kubernetes 1.${clusterMinor}; netprofile installs ${older.tag} (for 1.${older.minor}), ${clusterMinor - older.minor === 1 ? 'one minor older, which the version-skew policy allows' : 'more than one minor older than the API server, outside the version-skew policy'}.`);
}
