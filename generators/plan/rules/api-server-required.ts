// api-server-required: without kube-proxy nothing implements the kubernetes Service's ClusterIP
// before Cilium runs, so the agent must be told the API server's address (k8sServiceHost /
// k8sServicePort; cilium Documentation/network/kubernetes/kubeproxy-free.rst; field note 4).
import { finding, type RuleUnit } from './registry.js';

export const apiServerRequired: RuleUnit<'api-server-required'> = {
  id: 'api-server-required',
  severity: 'error',
  summary: 'kubeProxy: none without cluster.apiServer',
  why: "With kube-proxy gone, the kubernetes Service's ClusterIP does not work until Cilium runs, so the agent cannot reach the API server through it; it must be given the address directly (k8sServiceHost/k8sServicePort).",
  fix: 'Set spec.cluster.apiServer: {host, port} (the control-plane VIP or load balancer).',
  source: 'cilium Documentation/network/kubernetes/kubeproxy-free.rst; field note 4',
  check({ plan, profile }) {
    if (profile.spec.cni.provider !== 'cilium' || plan.cluster.kubeProxy !== 'none' || plan.cluster.apiServer) return [];
    return [finding(apiServerRequired, 'spec.cluster.apiServer', "With kubeProxy: none Cilium must reach the API server directly (k8sServiceHost/k8sServicePort); set spec.cluster.apiServer: {host, port}.")];
  },
};
