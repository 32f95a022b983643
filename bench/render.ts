// Render benchmark: plans and renders 1, 100, 1000 and 10000 generated profiles in one process
// (module loading, template compilation and the JIT warm-up are shared), and prints the cost per
// profile and the 100→1000→10000 scaling ratios (linear is 10×).
// Run: npm run build && node dist/bench/render.js [--target flux|argocd|plain]
// The last line is the in-process figure of issue 15 (plan + render per profile, aim ≤ 1 ms).
import { performance } from 'node:perf_hooks';
import { checkProfile } from '../generators/api/parse.js';
import { planProfile } from '../generators/plan/plan.js';
import { renderTree, TARGETS, type Target } from '../generators/render.js';
import type { NetworkProfile } from '../generators/api/profile.js';

const SIZES = [1, 100, 1000, 10000];

/** Profile i: one of four bare-metal shapes (Cilium L2, Cilium BGP, MetalLB, PureLB + external speaker). */
function generatedProfile(i: number): NetworkProfile {
  const name = `bench-${i}`;
  const a = (i >> 8) & 255, b = i & 255;
  const spec: Record<string, any> = {
    cluster: { name, podCIDRs: ['10.32.0.0/17'], serviceCIDRs: ['10.32.128.0/18'], nodeCIDRs: [`10.31.${b}.0/24`], apiServer: { host: `10.31.${b}.5`, port: 6443 }, kubeProxy: 'none' },
    environment: { type: 'bare-metal' },
    cni: { provider: 'cilium', cilium: { version: ['1.16.15', '1.17.14', '1.18.3', '1.19.6'][i % 4] } },
    gitops: { engine: 'flux', path: `clusters/${name}/network` },
  };
  switch (i % 4) {
    case 0: spec.loadBalancer = { mode: 'l2', pools: [{ name: 'lan', addresses: [`10.31.${b}.240/28`] }], l2: { interfaces: ['eth0'] } }; break;
    case 1: spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'public', addresses: [`100.${64 + (a & 63)}.${b}.0/26`] }], bgp: { localASN: 65010, peers: [{ name: 'tor-a', address: `10.31.${b}.1`, asn: 65000, passwordSecretRef: { name: 'bgp-auth', key: 'password' } }, { name: 'tor-b', address: `10.31.${b}.2`, asn: 65000 }], advertise: ['loadBalancerIPs', 'podCIDRs'] } }; break;
    case 2: spec.cni = { provider: 'none' }; spec.cluster.kubeProxy = 'ipvs'; spec.loadBalancer = { implementation: 'metallb', mode: 'l2', pools: [{ name: 'office', addresses: [`10.31.${b}.10-10.31.${b}.99`] }] }; break;
    default: spec.loadBalancer = { mode: 'bgp', pools: [{ name: 'bgp-ippool', addresses: ['10.32.192.0/18'] }], bgp: { speaker: 'external', localASN: 64515, peers: [{ name: 'core-1', address: `10.31.${b}.253`, asn: 64512 }], advertise: ['loadBalancerIPs', 'podCIDRs'] } };
  }
  const parsed = checkProfile({ apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name }, spec }, `${name}.yaml`);
  if (!parsed.profile) throw new Error(`generated profile ${i} is invalid: ${parsed.findings.map((f) => f.message).join('; ')}`);
  return parsed.profile;
}

function run(n: number, target: Target, profiles: NetworkProfile[]): { ms: number; cpuMs: number; bytes: number } {
  let bytes = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const plan = planProfile(profiles[i]);
    if (plan.findings.some((f) => f.severity === 'error')) throw new Error(`profile ${i}: ${plan.findings.map((f) => f.message).join('; ')}`);
    const tree = renderTree(plan, target);
    for (const c of Object.values(tree.files)) bytes += c.length;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, bytes };
}

const flag = process.argv.indexOf('--target');
const target = (flag > 0 ? process.argv[flag + 1] : 'flux') as Target;
if (!TARGETS.includes(target)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`);

const max = Math.max(...SIZES);
const profiles = Array.from({ length: max }, (_, i) => generatedProfile(i));
run(200, target, profiles); // warm-up: JIT, caches

console.log(`netprofile render benchmark: plan + ${target} tree per profile (Node ${process.version})`);
// Wall time, and the process's CPU time (user + system), which other work on a shared machine
// inflates far less than the wall time.
console.log('profiles   total ms   µs/profile   CPU µs/profile   KiB out');
const totals = new Map<number, number>();
const cpuTotals = new Map<number, number>();
for (const n of SIZES) {
  const { ms, cpuMs, bytes } = run(n, target, profiles);
  totals.set(n, ms);
  cpuTotals.set(n, cpuMs);
  console.log(`${String(n).padStart(8)} ${ms.toFixed(1).padStart(10)} ${((ms * 1000) / n).toFixed(0).padStart(12)} ${((cpuMs * 1000) / n).toFixed(0).padStart(16)} ${(bytes / 1024).toFixed(0).padStart(9)}`);
}
const ratio = (a: number, b: number) => (totals.get(b)! / totals.get(a)!).toFixed(2);
console.log(`scaling: 100→1000 ×${ratio(100, 1000)}, 1000→10000 ×${ratio(1000, 10000)} (linear is ×10)`);
// The issue-15 figure: plan + render one tree, per profile, over the 1000-profile run.
const perProfile = totals.get(1000)! / 1000;
const cpuPerProfile = cpuTotals.get(1000)! / 1000;
console.log(`plan + ${target} tree: ${perProfile.toFixed(2)} ms per profile wall, ${cpuPerProfile.toFixed(2)} ms CPU (1000 profiles)   aim ≤ 1 ms ${perProfile <= 1 ? 'met' : cpuPerProfile <= 1 ? 'met in CPU time (the wall time carries other work on the machine)' : 'NOT met'}`);
