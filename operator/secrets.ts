// The profile's Git credentials Secret (spec.gitops.repo.secretRef), read from the profile's own
// namespace at publish time. The install grants Secret access through the ClusterRole
// netprofile-operator-secrets, bound per namespace with a RoleBinding (the operator's namespace
// out of the box): a 403 is not a publish failure but missing RBAC, reported as
// CredentialsUnavailable with the command that grants it.
import { KubeError, type KubeApi } from './kube.js';
import { CredentialsError, credentialsFromSecret, type GitCredentials } from './publisher.js';

/** Who the operator runs as, for the RoleBinding a 403 asks for. */
export interface ServiceAccountRef { namespace: string; name: string }

export const SECRETS_CLUSTER_ROLE = 'netprofile-operator-secrets';

export function grantCommand(namespace: string, sa: ServiceAccountRef): string {
  return `kubectl create rolebinding ${SECRETS_CLUSTER_ROLE} --namespace ${namespace} --clusterrole=${SECRETS_CLUSTER_ROLE} --serviceaccount=${sa.namespace}:${sa.name}`;
}

export async function readCredentials(api: KubeApi, namespace: string, secretName: string | undefined, repoUrl: string, sa: ServiceAccountRef): Promise<GitCredentials> {
  if (!secretName) return {};
  let data: Record<string, string> | null;
  try {
    data = await api.readSecret(namespace, secretName);
  } catch (e) {
    if (e instanceof KubeError && e.code === 403) {
      // A stable message (no server text): the condition must not change between attempts.
      throw new CredentialsError(`the operator may not get Secret ${namespace}/${secretName} (spec.gitops.repo.secretRef): its ServiceAccount ${sa.namespace}/${sa.name} has no "get" on secrets in namespace ${namespace}; grant it with: ${grantCommand(namespace, sa)}`);
    }
    throw e;
  }
  if (!data) throw new CredentialsError(`Secret ${namespace}/${secretName} (spec.gitops.repo.secretRef) does not exist; create it with the Git credentials (identity + known_hosts for ssh, username/password or token for https)`);
  return credentialsFromSecret(data, repoUrl, secretName);
}
