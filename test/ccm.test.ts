// The cloud-controller-manager generators: given a self-managed cloud profile, expect the
// provider's CCM objects or chart, its RBAC, the Secret reference (never a Secret), and the manual
// steps; given a managed or bare-metal profile, nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { checkProfile } from '../generators/api/parse.js';
import { planProfile } from '../generators/plan/plan.js';
import type { CcmProvider, Plan } from '../generators/plan/types.js';
import { detectEnvironment, nodeFactsFromList } from '../generators/detect/detect.js';
import { renderCcm, CCM_CHARTS, CCM_MANIFESTS } from '../generators/components/ccm/index.js';
import type { ComponentOutput, K8sObject } from '../generators/components/types.js';
import { loadProfiles } from '../cli/load.js';
import { examples } from './helpers.js';
import { chooseCcmVersion, kubernetesMinor, CCM_VERSIONS } from '../generators/charts/ccm-images.js';
import { ruleUnit } from '../generators/plan/rules/index.js';
import { isReleased, type ReleasedChart } from '../generators/charts/releases.js';

type Spec = Record<string, any>;

/** A self-managed cloud profile with an explicit environment, planned without facts. */
function planFor(provider: string, overrides: { spec?: Spec; facts?: unknown } = {}): Plan {
  const spec: Spec = {
    cluster: { name: 'lab', podCIDRs: ['10.244.0.0/16'], serviceCIDRs: ['10.96.0.0/12'], apiServer: { host: '10.0.0.10', port: 6443 }, kubeProxy: 'none', distribution: 'kubeadm' },
    environment: { type: 'cloud', provider, managed: false, region: 'region-1' },
    cni: { provider: 'cilium', cilium: { version: '1.18.3' } },
    cloud: { credentialsSecretRef: { name: `${provider}-creds`, namespace: 'kube-system' } },
    gitops: { engine: 'flux', path: 'clusters/lab/network' },
  };
  for (const [k, v] of Object.entries(overrides.spec ?? {})) spec[k] = v === undefined ? undefined : { ...(spec[k] ?? {}), ...v };
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  const parsed = checkProfile({ apiVersion: 'netprofile.io/v1alpha1', kind: 'NetworkProfile', metadata: { name: `lab-${provider}` }, spec }, 'test.yaml');
  assert.ok(parsed.profile, `profile does not validate: ${JSON.stringify(parsed.findings)}`);
  const facts = overrides.facts ? detectEnvironment(nodeFactsFromList(overrides.facts, 'nodes.yaml')) : undefined;
  return planProfile(parsed.profile!, { facts });
}

function serialise(out: ComponentOutput): string {
  return [
    ...out.controllers.map((o) => stringify(o)),
    ...out.configs.map((o) => stringify(o)),
    ...out.charts.map((c) => stringify(c)),
    out.manualSteps.join('\n'),
  ].join('---\n');
}

const find = (objs: K8sObject[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

/** Strings that look like cloud key material: AWS/Alibaba key ids, PEM blocks, long base64 runs. */
const KEY_MATERIAL = [/AKIA[0-9A-Z]{16}/, /LTAI[0-9A-Za-z]{12,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /dop_v1_[0-9a-f]{20,}/, /[A-Za-z0-9+/]{40,}={0,2}/];

/** What every provider's output must satisfy. */
function assertCommon(out: ComponentOutput, provider: string) {
  const text = serialise(out);
  assert.ok(out.controllers.length + out.charts.length > 0, `${provider}: nothing rendered`);
  assert.not.match(text, 'node-role.kubernetes.io/master', `${provider}: uses the removed master label`);
  assert.not.match(text, '${', `${provider}: leaves a \${...} placeholder`);
  assert.not.match(text, '<<', `${provider}: leaves a <<...>> placeholder`);
  for (const o of [...out.controllers, ...out.configs]) {
    assert.is.not(o.kind, 'Secret', `${provider}: renders a Secret`);
    if (o.kind.startsWith('Cluster') || o.kind === 'Role' || o.kind === 'RoleBinding') assert.is(o.apiVersion, 'rbac.authorization.k8s.io/v1', `${provider}: ${o.kind} ${o.metadata.name}`);
    if (!o.kind.startsWith('Cluster')) assert.is(o.metadata.namespace, 'kube-system', `${provider}: ${o.kind} ${o.metadata.name} namespace`);
  }
  for (const c of out.charts) assert.is(c.namespace, 'kube-system');
  for (const re of KEY_MATERIAL) assert.not.match(text, re, `${provider}: output matches key-material pattern ${re}`);
  assert.ok(out.manualSteps.some((s) => s.includes('--cloud-provider=external')), `${provider}: no kubelet --cloud-provider=external step`);
}

function workload(out: ComponentOutput): { kind: string; pod: any; container: any } {
  const w = out.controllers.find((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
  assert.ok(w, 'no DaemonSet or Deployment');
  const pod = (w as any).spec.template.spec;
  return { kind: w!.kind, pod, container: pod.containers[0] };
}

function assertControlPlanePod(pod: any) {
  assert.equal(pod.nodeSelector, { 'node-role.kubernetes.io/control-plane': '' });
  const keys = pod.tolerations.map((t: any) => t.key);
  assert.ok(keys.includes('node.cloudprovider.kubernetes.io/uninitialized'), 'tolerates the uninitialized taint');
  assert.ok(keys.includes('node-role.kubernetes.io/control-plane'), 'tolerates the control-plane taint');
}

// ---------------------------------------------------------------------------------------------
const alibaba = suite('ccm: alibaba');

alibaba('renders RBAC, a key-less cloud-config and a DaemonSet reading the referenced Secret', () => {
  const plan = planFor('alibaba');
  assert.equal(plan.findings.filter((f) => f.severity === 'error'), []);
  const out = renderCcm(plan);
  assertCommon(out, 'alibaba');
  assert.equal(out.charts, []);
  assert.equal(out.controllers.map((o) => `${o.kind}/${o.metadata.name}`), [
    'ServiceAccount/cloud-controller-manager', 'ClusterRole/system:cloud-controller-manager', 'ClusterRoleBinding/system:cloud-controller-manager',
    'ConfigMap/cloud-config', 'DaemonSet/cloud-controller-manager',
  ]);
  const binding = find(out.controllers, 'ClusterRoleBinding') as any;
  assert.equal(binding.subjects, [{ kind: 'ServiceAccount', name: 'cloud-controller-manager', namespace: 'kube-system' }]);

  const cm = find(out.controllers, 'ConfigMap', 'cloud-config') as any;
  const conf = JSON.parse(cm.data['cloud-config.conf']);
  assert.equal(conf, { Global: { clusterID: 'lab', region: 'region-1' } });

  const { pod, container } = workload(out);
  assertControlPlanePod(pod);
  assert.is(pod.hostNetwork, true);
  assert.is(pod.serviceAccountName, 'cloud-controller-manager');
  assert.is(container.image, CCM_MANIFESTS.alibaba.image);
  assert.match(container.image, /:v\d+\.\d+\.\d+$/);
  assert.ok(container.command.includes('--cloud-config=/etc/kubernetes/config/cloud-config.conf'));
  assert.ok(container.command.includes('--configure-cloud-routes=false'), 'routes off with tunnel routing');
  assert.not.ok(container.command.some((a: string) => a.startsWith('--cluster-cidr')));
  assert.not.ok(container.command.some((a: string) => a.startsWith('--kubeconfig')), 'no host kubeconfig');
  assert.not.ok(pod.volumes.some((v: any) => v.hostPath), 'no hostPath volume');
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
  assert.equal(env.ACCESS_KEY_ID.valueFrom, { secretKeyRef: { name: 'alibaba-creds', key: 'access-key-id' } });
  assert.equal(env.ACCESS_KEY_SECRET.valueFrom, { secretKeyRef: { name: 'alibaba-creds', key: 'access-key-secret' } });
  assert.is(env.KUBERNETES_SERVICE_HOST.value, '10.0.0.10');
  assert.is(env.KUBERNETES_SERVICE_PORT.value, '6443');
});

alibaba('manual steps: kubelet flag, providerID from 100.100.100.200, the Secret to create', () => {
  const out = renderCcm(planFor('alibaba'));
  const steps = out.manualSteps.join('\n');
  assert.match(steps, '<region-id>.<instance-id>');
  assert.match(steps, 'http://100.100.100.200/latest/meta-data');
  assert.match(steps, '/region-id');
  assert.match(steps, '/instance-id');
  assert.match(steps, '--provider-id=');
  assert.match(steps, 'kubectl -n kube-system create secret generic alibaba-creds --from-literal=access-key-id=<AccessKey ID> --from-literal=access-key-secret=<AccessKey secret>');
});

alibaba('native routing with Kubernetes IPAM turns on cloud routes with --cluster-cidr', () => {
  const plan = planFor('alibaba', { spec: { cni: { provider: 'cilium', cilium: { version: '1.18.3', routing: 'native', ipam: 'kubernetes' } } } });
  assert.is(plan.cni.routing, 'native');
  const { container } = workload(renderCcm(plan));
  assert.ok(container.command.includes('--configure-cloud-routes=true'));
  assert.ok(container.command.includes('--cluster-cidr=10.244.0.0/16'));
  assert.not.ok(container.command.includes('--configure-cloud-routes=false'));
});

alibaba('k3s control-plane nodes are selected with "true"', () => {
  const { pod } = workload(renderCcm(planFor('alibaba', { spec: { cluster: { distribution: 'k3s' } } })));
  assert.equal(pod.nodeSelector, { 'node-role.kubernetes.io/control-plane': 'true' });
});

alibaba('a Secret outside kube-system gets a step, the reference keeps its name', () => {
  const out = renderCcm(planFor('alibaba', { spec: { cloud: { credentialsSecretRef: { name: 'ak', namespace: 'secrets' } } } }));
  assert.ok(out.manualSteps.some((s) => s.includes('namespace is secrets') && s.includes('kube-system')));
  const { container } = workload(out);
  assert.is(container.env[0].valueFrom.secretKeyRef.name, 'ak');
});

alibaba('uninitialized nodes from the facts are named in a step', () => {
  const node = (name: string, tainted: boolean) => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'topology.kubernetes.io/region': 'cn-hangzhou' } },
    spec: { providerID: `cn-hangzhou.i-${name}0000000000`, ...(tainted ? { taints: [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }] } : {}) },
    status: { addresses: [{ type: 'InternalIP', address: tainted ? '172.31.0.2' : '172.31.0.3' }] },
  });
  const facts = { apiVersion: 'v1', kind: 'List', items: [node('cp1', false), node('w1', true)] };
  const plan = planFor('alibaba', { facts });
  assert.equal(plan.environment.uninitializedNodes, ['w1']);
  const out = renderCcm(plan);
  assert.ok(out.manualSteps.some((s) => s.includes('w1') && s.includes('node.cloudprovider.kubernetes.io/uninitialized')), out.manualSteps.join('\n'));
  assert.not.ok(renderCcm(planFor('alibaba')).manualSteps.some((s) => s.includes('carries the taint') || s.includes('carry the taint')));
});

alibaba('without a Secret reference the env vars are left out (the binary falls back to the RAM role)', () => {
  const plan = planFor('alibaba');
  const noRef: Plan = { ...plan, ccm: { ...plan.ccm, credentialsSecretRef: null } };
  const { container } = workload(renderCcm(noRef));
  const names = container.env.map((e: any) => e.name);
  assert.not.ok(names.includes('ACCESS_KEY_ID'));
  assert.not.ok(names.includes('ACCESS_KEY_SECRET'));
  assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
});

alibaba('worked example 1 (examples/alibaba-ccm with nodes.yaml): DaemonSet and providerID step', () => {
  const [loaded] = loadProfiles([join(examples, 'alibaba-ccm', 'networkprofile.yaml')]);
  const plan = loaded.plan!;
  assert.equal(plan.findings.filter((f) => f.severity === 'error'), []);
  assert.is(plan.ccm.provider, 'alibaba');
  const out = renderCcm(plan);
  assertCommon(out, 'alibaba example');
  const ds = find(out.controllers, 'DaemonSet', 'cloud-controller-manager') as any;
  assert.ok(ds);
  const env = ds.spec.template.spec.containers[0].env;
  assert.equal(env.find((e: any) => e.name === 'ACCESS_KEY_ID').valueFrom.secretKeyRef, { name: 'alibaba-ccm-credentials', key: 'access-key-id' });
  assert.is(JSON.parse((find(out.controllers, 'ConfigMap') as any).data['cloud-config.conf']).Global.region, 'cn-hangzhou');
  assert.ok(out.manualSteps.some((s) => s.includes('<region-id>.<instance-id>') && s.includes('100.100.100.200')));
});

alibaba.run();

// ---------------------------------------------------------------------------------------------
const charts = suite('ccm: chart providers');

charts('aws: chart with --cloud-provider=aws, instance profile and cluster tag steps', () => {
  const plan = planFor('aws', { spec: { cloud: undefined } });
  const out = renderCcm(plan);
  assertCommon(out, 'aws');
  assert.is(out.charts.length, 1);
  const c = out.charts[0];
  assert.is(c.id, 'ccm-aws');
  assert.is(c.chart, 'aws-cloud-controller-manager');
  assert.is(c.repository.url, CCM_CHARTS.aws.repository.url);
  assert.is(c.version, '0.0.11');
  const v = c.values as any;
  assert.ok(v.args.includes('--cloud-provider=aws'));
  assert.ok(v.args.includes('--configure-cloud-routes=false'));
  assert.equal(v.nodeSelector, { 'node-role.kubernetes.io/control-plane': '' });
  assert.ok(v.tolerations.some((t: any) => t.key === 'node.cloudprovider.kubernetes.io/uninitialized'));
  const steps = out.manualSteps.join('\n');
  assert.match(steps, 'instance profile');
  assert.match(steps, 'kubernetes.io/cluster/lab=owned');
});

charts('azure: imageTag pinned (newest line without facts, v2 repository), cloud config from the referenced Secret', () => {
  const out = renderCcm(planFor('azure'));
  assertCommon(out, 'azure');
  const c = out.charts[0];
  assert.is(c.id, 'ccm-azure');
  assert.is(c.version, '1.36.0');
  const ccm = (c.values as any).cloudControllerManager;
  assert.is(ccm.imageTag, 'v1.36.0');
  assert.is((c.values as any).cloudNodeManager.imageTag, 'v1.36.0');
  assert.is(ccm.imageRepository, 'mcr.microsoft.com/oss/v2/kubernetes');
  assert.is(ccm.cloudConfigSecretName, 'azure-creds');
  assert.is(ccm.enableDynamicReloading, 'true');
  assert.is(ccm.cloudConfig, '');
  assert.is(ccm.configureCloudRoutes, 'false');
  assert.is(ccm.clusterCIDR, '10.244.0.0/16');
  assert.match(out.manualSteps.join('\n'), 'kubectl -n kube-system create secret generic azure-creds --from-file=cloud-config=azure.json');
});

charts('openstack: the chart mounts the referenced Secret and never creates one', () => {
  const out = renderCcm(planFor('openstack'));
  assertCommon(out, 'openstack');
  const c = out.charts[0];
  assert.is(c.id, 'ccm-openstack');
  assert.is(c.chart, 'openstack-cloud-controller-manager');
  assert.equal((c.values as any).secret, { enabled: true, create: false, name: 'openstack-creds' });
  assert.not.ok('cloudConfig' in (c.values as any), 'no cloud.conf values (they would hold the password)');
  assert.match(out.manualSteps.join('\n'), '--from-file=cloud.conf=cloud.conf');
});

charts('hetzner: token from the referenced Secret; private network only with native routing', () => {
  const out = renderCcm(planFor('hetzner'));
  assertCommon(out, 'hetzner');
  const v = out.charts[0].values as any;
  assert.is(out.charts[0].id, 'ccm-hetzner');
  assert.equal(v.env.HCLOUD_TOKEN.valueFrom.secretKeyRef, { name: 'hetzner-creds', key: 'token' });
  assert.is(v.networking.enabled, false);
  assert.match(out.manualSteps.join('\n'), '--from-literal=token=<API token>');

  const native = renderCcm(planFor('hetzner', { spec: { cni: { provider: 'cilium', cilium: { version: '1.18.3', routing: 'native', ipam: 'kubernetes' } } } }));
  const nv = native.charts[0].values as any;
  assert.is(nv.networking.enabled, true);
  assert.is(nv.networking.clusterCIDR, '10.244.0.0/16');
  assert.equal(nv.networking.network.valueFrom.secretKeyRef, { name: 'hetzner-creds', key: 'network' });
  assert.match(native.manualSteps.join('\n'), '--from-literal=network=');
});

charts.run();

// ---------------------------------------------------------------------------------------------
const manifests = suite('ccm: manifest providers');

manifests('gcp: DaemonSet with gce args, instance identity without a reference', () => {
  const out = renderCcm(planFor('gcp', { spec: { cloud: undefined } }));
  assertCommon(out, 'gcp');
  assert.ok(find(out.controllers, 'RoleBinding', 'cloud-controller-manager:apiserver-authentication-reader'));
  const { kind, pod, container } = workload(out);
  assert.is(kind, 'DaemonSet');
  assertControlPlanePod(pod);
  // No facts: the newest release line in generators/charts/ccm-images.ts (the manifest's pin was v35.0.0).
  assert.is(container.image, 'registry.k8s.io/cloud-provider-gcp/cloud-controller-manager:v35.0.5');
  assert.ok(container.args.includes('--cloud-provider=gce'));
  assert.ok(container.args.includes('--configure-cloud-routes=false'));
  assert.ok(container.args.includes('--cluster-name=lab'));
  assert.not.ok(pod.volumes, 'no volumes without a Secret reference');
  assert.match(out.manualSteps.join('\n'), 'service account');
});

manifests('gcp: a referenced Secret is mounted as GOOGLE_APPLICATION_CREDENTIALS', () => {
  const { pod, container } = workload(renderCcm(planFor('gcp')));
  assert.equal(pod.volumes, [{ name: 'gcp-credentials', secret: { secretName: 'gcp-creds', items: [{ key: 'key.json', path: 'key.json' }] } }]);
  assert.ok(container.env.some((e: any) => e.name === 'GOOGLE_APPLICATION_CREDENTIALS' && e.value === '/etc/gcp/key.json'));
});

manifests('digitalocean: Deployment with DO_ACCESS_TOKEN from the referenced Secret', () => {
  const out = renderCcm(planFor('digitalocean'));
  assertCommon(out, 'digitalocean');
  const { kind, pod, container } = workload(out);
  assert.is(kind, 'Deployment');
  assertControlPlanePod(pod);
  assert.is(container.image, CCM_MANIFESTS.digitalocean.image);
  assert.equal(container.env.find((e: any) => e.name === 'DO_ACCESS_TOKEN').valueFrom, { secretKeyRef: { name: 'digitalocean-creds', key: 'access-token' } });
  const steps = out.manualSteps.join('\n');
  assert.match(steps, '--from-literal=access-token=<API token>');
  assert.match(steps, 'digitalocean://<droplet-id>');
});

manifests.run();

// ---------------------------------------------------------------------------------------------
const none = suite('ccm: nothing to render');

const PROVIDERS: CcmProvider[] = ['alibaba', 'aws', 'azure', 'gcp', 'openstack', 'hetzner', 'digitalocean'];

none('managed clusters get no CCM', () => {
  for (const p of ['aws', 'gcp', 'azure', 'alibaba']) {
    const plan = planFor(p, { spec: { environment: { type: 'cloud', provider: p, managed: true } } });
    assert.is(plan.ccm.enabled, false, p);
    assert.equal(renderCcm(plan), { charts: [], controllers: [], configs: [], manualSteps: [] }, p);
  }
});

none('bare metal and cloud.ccm: disabled get no CCM', () => {
  const bare = planFor('alibaba', { spec: { environment: { type: 'bare-metal', provider: 'other', managed: false } } });
  assert.equal(renderCcm(bare), { charts: [], controllers: [], configs: [], manualSteps: [] });
  const off = planFor('alibaba', { spec: { cloud: { ccm: 'disabled' } } });
  assert.equal(renderCcm(off), { charts: [], controllers: [], configs: [], manualSteps: [] });
});

none('every provider is deterministic and distinct', () => {
  const seen = new Set<string>();
  for (const p of PROVIDERS) {
    const a = serialise(renderCcm(planFor(p)));
    const b = serialise(renderCcm(planFor(p)));
    assert.is(a, b, `${p}: two renders differ`);
    assert.not.ok(seen.has(a), `${p}: same output as another provider`);
    seen.add(a);
  }
});

none('the key-material check catches a key if one ever leaked', () => {
  // Guard for the guard: the patterns must match the kind of value they are meant to stop.
  for (const sample of ['AKIAIOSFODNN7EXAMPLE', 'LTAI5tExampleExample12', 'dGhpcyBpcyBub3QgYSByZWFsIGtleSBidXQgbG9uZyBlbm91Z2g=']) {
    assert.ok(KEY_MATERIAL.some((re) => re.test(sample)), sample);
  }
});

none.run();

// Issue 11.10: the CCM release line follows the cluster's Kubernetes minor (newest kubelet).
const versions = suite('ccm: release line per Kubernetes minor');

const PROVIDER_IDS: Record<string, (i: number) => string> = {
  aws: (i) => `aws:///eu-west-1a/i-0abc${i}def0123456789`,
  azure: (i) => `azure:///subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm${i}`,
  gcp: (i) => `gce://proj/europe-west1-b/vm-${i}`,
  openstack: (i) => `openstack:///0000000${i}-1111-2222-3333-444444444444`,
  hetzner: (i) => `hcloud://1000${i}`,
  digitalocean: (i) => `digitalocean://3000${i}`,
};

function nodesAt(provider: string, ...kubelets: string[]) {
  return {
    apiVersion: 'v1', kind: 'List',
    items: kubelets.map((v, i) => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}`, labels: {} },
      spec: { providerID: PROVIDER_IDS[provider](i) },
      status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${i + 2}` }], nodeInfo: { kubeletVersion: v, osImage: 'Ubuntu 24.04 LTS' } },
    })),
  };
}

const skewOf = (p: Plan) => p.findings.filter((f) => f.rule === 'ccm-version-skew');
const imageDecision = (p: Plan) => p.decisions.find((d) => d.field === 'ccm.image');

versions('kubernetesMinor reads distribution suffixes', () => {
  assert.is(kubernetesMinor('v1.33.4+k3s1'), 33);
  assert.is(kubernetesMinor('v1.31.2-eks-7f9249a'), 31);
  assert.is(kubernetesMinor('v1.30.5-gke.1014001'), 30);
  assert.is(kubernetesMinor('1.36.0'), 36);
  assert.is(kubernetesMinor('v2.0.0'), null);
  assert.is(kubernetesMinor(undefined), null);
});

versions('aws: 1.30, 1.33 and no facts pick their line; the newest kubelet decides', () => {
  const at30 = planFor('aws', { facts: nodesAt('aws', 'v1.30.4-eks-a', 'v1.30.4-eks-a') });
  assert.is(at30.ccm.version?.tag, 'v1.30.10');
  assert.equal(skewOf(at30), []);
  assert.is((renderCcm(at30).charts[0].values as any).image.tag, 'v1.30.10');
  const mixed = planFor('aws', { facts: nodesAt('aws', 'v1.32.1', 'v1.33.2') });
  assert.is((renderCcm(mixed).charts[0].values as any).image.tag, 'v1.33.4');
  assert.match(imageDecision(mixed)!.reason, 'Kubernetes 1.33');
  const none = planFor('aws');
  assert.is((renderCcm(none).charts[0].values as any).image.tag, 'v1.36.1');
  assert.match(imageDecision(none)!.reason, 'no Node facts');
  assert.equal(skewOf(none), []);
});

versions('azure: the chart table per minor, the v2 repository only from 1.32', () => {
  const at31 = renderCcm(planFor('azure', { facts: nodesAt('azure', 'v1.31.9') })).charts[0].values as any;
  assert.is(at31.cloudControllerManager.imageTag, 'v1.31.12');
  assert.is(at31.cloudNodeManager.imageTag, 'v1.31.12');
  assert.is(at31.cloudControllerManager.imageRepository, undefined);
  const at33 = renderCcm(planFor('azure', { facts: nodesAt('azure', 'v1.33.1') })).charts[0].values as any;
  assert.is(at33.cloudControllerManager.imageTag, 'v1.33.12');
  assert.is(at33.cloudControllerManager.imageRepository, 'mcr.microsoft.com/oss/v2/kubernetes');
  assert.is(at33.cloudNodeManager.imageRepository, 'mcr.microsoft.com/oss/v2/kubernetes');
});

versions('openstack: chart and image per minor', () => {
  const c = renderCcm(planFor('openstack', { facts: nodesAt('openstack', 'v1.33.0') })).charts[0];
  assert.is(c.version, '2.33.1');
  assert.match(imageDecision(planFor('openstack', { facts: nodesAt('openstack', 'v1.33.0') }))!.value as string, 'v1.33.1 (chart 2.33.1)');
});

versions('gcp: no 1.31 line upstream: the 1.30 line with a warning; 1.33 exact', () => {
  const at31 = planFor('gcp', { facts: nodesAt('gcp', 'v1.31.5-gke.1') });
  assert.is(at31.ccm.version?.tag, 'v30.1.4');
  const [w] = skewOf(at31);
  assert.ok(w, 'no ccm-version-skew warning');
  assert.is(w.severity, 'warning');
  assert.match(w.message, '1.31');
  assert.match(w.message, 'one minor older');
  const at33 = planFor('gcp', { facts: nodesAt('gcp', 'v1.33.2') });
  assert.is(workload(renderCcm(at33)).container.image, 'registry.k8s.io/cloud-provider-gcp/cloud-controller-manager:v33.4.0');
  assert.equal(skewOf(at33), []);
});

versions('a cluster newer than the table gets the newest line and a warning; older gets the oldest and a warning', () => {
  const newer = planFor('aws', { facts: nodesAt('aws', 'v1.38.0') });
  assert.is(newer.ccm.version?.tag, 'v1.36.1');
  assert.match(skewOf(newer)[0]?.message ?? '', /1\.38.*1\.36/);
  const older = planFor('azure', { facts: nodesAt('azure', 'v1.28.3') });
  assert.is(older.ccm.version?.tag, 'v1.30.15');
  assert.match(skewOf(older)[0]?.message ?? '', 'newer than the API server');
  // A warning, not an error: the tree still renders.
  assert.equal(older.findings.filter((f) => f.severity === 'error'), []);
});

versions('single-line CCMs keep their release; Hetzner warns below its supported minors', () => {
  const hz = planFor('hetzner', { facts: nodesAt('hetzner', 'v1.31.4') });
  assert.is(hz.ccm.version?.tag, null);
  assert.match(skewOf(hz)[0]?.message ?? '', 'server.datacenter');
  assert.equal(skewOf(planFor('hetzner', { facts: nodesAt('hetzner', 'v1.34.1') })), []);
  assert.equal(skewOf(planFor('digitalocean', { facts: nodesAt('digitalocean', 'v1.29.1') })), []);
  assert.is(workload(renderCcm(planFor('digitalocean'))).container.image, CCM_MANIFESTS.digitalocean.image);
});

versions('the rule is registered and the table has no holes in the order', () => {
  assert.ok(ruleUnit('ccm-version-skew'));
  for (const [provider, table] of Object.entries(CCM_VERSIONS)) {
    const minors = table!.lines.map((l) => l.minor);
    assert.equal([...minors].sort((a, b) => a - b), minors, `${provider} lines out of order`);
    for (const l of table!.lines) {
      assert.match(l.tag, /^v\d+\.\d+\.\d+$/, `${provider} ${l.minor}`);
      // A per-minor chart must be one the repository published (chart-version-unknown's table).
      if (l.chart) assert.ok(isReleased(`ccm-${provider}` as ReleasedChart, l.chart), `${provider} chart ${l.chart} is not in the released list`);
    }
  }
  assert.is(chooseCcmVersion('alibaba', 33), null);
});

versions.run();
