// Released chart versions, per chart netprofile installs, read from each chart repository's own
// index.yaml in a stored snapshot of the repository that publishes it (the commit is beside each
// entry). Stable versions only (no -pre/-rc); Cilium limited to the minors netprofile supports
// (1.16-1.20). A version missing here was never published, so `helm pull` and Flux's source
// controller fail at fetch time: the planner refuses it (rule chart-version-unknown) and names the
// nearest released one. Regenerate by reading the index.yaml files again; the table is data only.
//
// Not every version of a minor exists: cilium/charts has no 1.16.14 (1.16.13 is followed by
// 1.16.15), metallb none of 0.13.0/0.13.1/0.13.8/0.14.0/0.14.1.

export interface ChartReleases {
  chart: string;
  repository: string;
  /** Where the list was read: repository, path in it, snapshot commit (date). */
  source: string;
  /** Released versions, oldest first. */
  versions: readonly string[];
}

export const CHART_RELEASES = {
  // cilium/charts index.yaml @009b5e9582173785abfdedb3fda7a26d85ab7aca (2026-08-03)
  cilium: {
    chart: 'cilium',
    repository: 'https://helm.cilium.io/',
    source: 'cilium/charts index.yaml @009b5e9 (2026-08-03)',
    versions: [
      '1.16.0', '1.16.1', '1.16.2', '1.16.3', '1.16.4', '1.16.5', '1.16.6', '1.16.7', '1.16.8', '1.16.9', '1.16.10', '1.16.11', '1.16.12', '1.16.13', '1.16.15', '1.16.16', '1.16.17', '1.16.18', '1.16.19',
      '1.17.0', '1.17.1', '1.17.2', '1.17.3', '1.17.4', '1.17.5', '1.17.6', '1.17.7', '1.17.8', '1.17.9', '1.17.10', '1.17.11', '1.17.12', '1.17.13', '1.17.14', '1.17.15', '1.17.16', '1.17.17', '1.17.18',
      '1.18.0', '1.18.1', '1.18.2', '1.18.3', '1.18.4', '1.18.5', '1.18.6', '1.18.7', '1.18.8', '1.18.9', '1.18.10', '1.18.11', '1.18.12',
      '1.19.0', '1.19.1', '1.19.2', '1.19.3', '1.19.4', '1.19.5', '1.19.6',
      '1.20.0',
    ],
  },
  // metallb/metallb gh-pages:index.yaml @c60ed789c7fd5ed25ebf53a028205c38308a202f (2026-05-27)
  metallb: {
    chart: 'metallb',
    repository: 'https://metallb.github.io/metallb',
    source: 'metallb/metallb gh-pages:index.yaml @c60ed78 (2026-05-27)',
    versions: [
      '0.0.0',
      '0.10.0', '0.10.1', '0.10.2', '0.10.3',
      '0.11.0',
      '0.12.0', '0.12.1',
      '0.13.2', '0.13.3', '0.13.4', '0.13.5', '0.13.6', '0.13.7', '0.13.9', '0.13.10', '0.13.11', '0.13.12',
      '0.14.2', '0.14.3', '0.14.4', '0.14.5', '0.14.6', '0.14.7', '0.14.8', '0.14.9',
      '0.15.0', '0.15.1', '0.15.2', '0.15.3',
      '0.16.0', '0.16.1',
    ],
  },
  // purelb/purelb website/static/charts/index.yaml @8c7ea6e69d1ae561cef21c8e0d2058dfe4c5995a (2026-05-28)
  purelb: {
    chart: 'purelb',
    repository: 'https://purelb.io/charts',
    source: 'purelb/purelb website/static/charts/index.yaml @8c7ea6e (2026-05-28)',
    versions: [
      'v0.14.0', 'v0.14.1',
      'v0.15.0',
      'v0.16.0', 'v0.16.1', 'v0.16.2', 'v0.16.3', 'v0.16.4', 'v0.16.5', 'v0.16.6',
    ],
  },
  // spidernet-io/spiderpool github_pages:index.yaml @e0a3fe85b1ad4f8bf2417d31f2b6394dd573a612 (2026-07-02)
  spiderpool: {
    chart: 'spiderpool',
    repository: 'https://spidernet-io.github.io/spiderpool',
    source: 'spidernet-io/spiderpool github_pages:index.yaml @e0a3fe8 (2026-07-02)',
    versions: [
      'v0.0.1', 'v0.0.2', 'v0.0.3', 'v0.0.4', 'v0.0.5', 'v0.0.6', 'v0.0.7', 'v0.0.8', 'v0.0.9', 'v0.0.10', 'v0.0.11',
      'v0.1.0', 'v0.1.1', 'v0.1.2', 'v0.1.3',
      '0.1.4',
      '0.2.0', '0.2.2',
      '0.3.0', '0.3.1', '0.3.2', '0.3.3', '0.3.4', '0.3.5', '0.3.6', '0.3.7',
      '0.4.0', '0.4.1',
      '0.5.0', '0.5.1',
      '0.6.0', '0.6.1',
      '0.7.0', '0.7.1', '0.7.3',
      '0.8.0', '0.8.1', '0.8.2', '0.8.3', '0.8.4', '0.8.5', '0.8.6', '0.8.7', '0.8.8', '0.8.9', '0.8.10', '0.8.11', '0.8.12', '0.8.13',
      '0.9.0', '0.9.1', '0.9.2', '0.9.3', '0.9.4', '0.9.5', '0.9.6', '0.9.7', '0.9.8', '0.9.9', '0.9.10', '0.9.11', '0.9.12', '0.9.13',
      '1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6',
      '1.1.0', '1.1.1', '1.1.2',
      '1.2.0', '1.2.1', '1.2.2',
    ],
  },
  // kubernetes/cloud-provider-aws gh-pages:index.yaml @a5a006ccceb3829093468c49aa41fa8c302018a6 (2026-03-25)
  'ccm-aws': {
    chart: 'aws-cloud-controller-manager',
    repository: 'https://kubernetes.github.io/cloud-provider-aws',
    source: 'kubernetes/cloud-provider-aws gh-pages:index.yaml @a5a006c (2026-03-25)',
    versions: [
      '0.0.2', '0.0.3', '0.0.4', '0.0.5', '0.0.6', '0.0.7', '0.0.8', '0.0.9', '0.0.10', '0.0.11',
    ],
  },
  // kubernetes-sigs/cloud-provider-azure helm/repo/index.yaml @260618b830e8ae46905caf7e9a2dc797474507f5 (2026-05-15)
  'ccm-azure': {
    chart: 'cloud-provider-azure',
    repository: 'https://raw.githubusercontent.com/kubernetes-sigs/cloud-provider-azure/master/helm/repo',
    source: 'kubernetes-sigs/cloud-provider-azure helm/repo/index.yaml @260618b (2026-05-15)',
    versions: [
      '1.23.8', '1.23.10', '1.23.11',
      '1.24.1', '1.24.2', '1.24.3', '1.24.4', '1.24.5',
      '1.25.2', '1.25.3', '1.25.4', '1.25.5',
      '1.26.0', '1.26.1', '1.26.6', '1.26.7',
      '1.27.1', '1.27.5', '1.27.6',
      '1.28.0', '1.28.5',
      '1.30.1', '1.30.2', '1.30.3', '1.30.4',
      '1.31.0', '1.31.1',
      '1.32.0', '1.32.3', '1.32.4',
      '1.33.0', '1.33.2', '1.33.3',
      '1.34.1', '1.34.2', '1.34.3', '1.34.4', '1.34.5',
      '1.35.1', '1.35.3',
      '1.36.0',
    ],
  },
  // kubernetes/cloud-provider-openstack gh-pages:index.yaml @e9b6bb4bfcf74e9dcc215c49db03038bedb44e4d (2026-05-13)
  'ccm-openstack': {
    chart: 'openstack-cloud-controller-manager',
    repository: 'https://kubernetes.github.io/cloud-provider-openstack',
    source: 'kubernetes/cloud-provider-openstack gh-pages:index.yaml @e9b6bb4 (2026-05-13)',
    versions: [
      '1.0.0', '1.0.1', '1.0.2',
      '1.1.1', '1.1.2',
      '1.2.0',
      '1.3.0',
      '1.4.0',
      '2.24.0',
      '2.25.0', '2.25.1',
      '2.26.0', '2.26.5',
      '2.27.0', '2.27.1', '2.27.3', '2.27.4', '2.27.5', '2.27.6',
      '2.28.0', '2.28.1', '2.28.2', '2.28.3', '2.28.4', '2.28.5',
      '2.29.0', '2.29.1', '2.29.2', '2.29.3',
      '2.30.0', '2.30.1', '2.30.2', '2.30.3', '2.30.4', '2.30.5',
      '2.31.0', '2.31.1', '2.31.3',
      '2.32.0',
      '2.33.0', '2.33.1',
      '2.34.0', '2.34.1', '2.34.2',
      '2.35.0',
      '2.36.0',
    ],
  },
  // hetznercloud/helm-charts index.yaml @865c31c924b2dc4fb28f61e383bb73534fc16e8a (2026-08-19)
  'ccm-hetzner': {
    chart: 'hcloud-cloud-controller-manager',
    repository: 'https://charts.hetzner.cloud',
    source: 'hetznercloud/helm-charts index.yaml @865c31c (2026-08-19)',
    versions: [
      'v1.14.1', 'v1.14.2',
      'v1.15.0',
      'v1.16.0',
      'v1.17.0', 'v1.17.1', 'v1.17.2',
      'v1.18.0',
      '1.19.0',
      '1.20.0',
      '1.21.0',
      '1.22.0',
      '1.23.0',
      '1.24.0',
      '1.25.0', '1.25.1',
      '1.26.0',
      '1.27.0',
      '1.28.0',
      '1.29.0', '1.29.1', '1.29.2',
      '1.30.0', '1.30.1',
      '1.31.0', '1.31.1',
      '1.32.0',
      '1.33.0',
      '1.34.0',
      '1.35.0',
    ],
  },
} as const satisfies Record<string, ChartReleases>;

export type ReleasedChart = keyof typeof CHART_RELEASES;

/** [major, minor, patch] of "1.18.3" or "v0.16.6"; null when it is not x.y.z. */
export function semver(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function isReleased(chart: ReleasedChart, version: string): boolean {
  return (CHART_RELEASES[chart].versions as readonly string[]).includes(version);
}

/**
 * The released version nearest to `version`: in the same minor the closest patch (the newer one
 * on a tie), else the newest release of the closest minor (the newer minor on a tie). A PureLB
 * version without its "v" prefix finds the prefixed one. Null when the table is empty.
 */
export function nearestReleased(chart: ReleasedChart, version: string): string | null {
  const list = CHART_RELEASES[chart].versions as readonly string[];
  const want = semver(version);
  if (!want) return list[list.length - 1] ?? null;
  const ordinal = (s: [number, number, number]) => s[0] * 1000 + s[1];
  const parsed = list.map((v) => ({ v, s: semver(v)! }));
  const sameMinor = parsed.filter((p) => ordinal(p.s) === ordinal(want));
  if (sameMinor.length) {
    // The closest patch; on a tie the newer one (a fix release is the safer pick).
    return sameMinor.reduce((best, p) => {
      const d = Math.abs(p.s[2] - want[2]);
      const bd = Math.abs(best.s[2] - want[2]);
      return d < bd || (d === bd && p.s[2] > best.s[2]) ? p : best;
    }).v;
  }
  // No release of that minor: the newest release of the closest minor (the newer minor on a tie).
  const minors = [...new Set(parsed.map((p) => ordinal(p.s)))];
  const closest = minors.reduce((best, m) => {
    const d = Math.abs(m - ordinal(want));
    const bd = Math.abs(best - ordinal(want));
    return d < bd || (d === bd && m > best) ? m : best;
  });
  const inClosest = parsed.filter((p) => ordinal(p.s) === closest);
  return inClosest[inClosest.length - 1]?.v ?? null;
}

/** The newest released version of one minor ("1.18" → "1.18.12"), or null. */
export function newestOfMinor(chart: ReleasedChart, minor: string): string | null {
  const list = (CHART_RELEASES[chart].versions as readonly string[]).filter((v) => v.replace(/^v/, '').startsWith(`${minor.replace(/^v/, '')}.`));
  return list[list.length - 1] ?? null;
}
