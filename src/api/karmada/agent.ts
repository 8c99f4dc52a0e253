/**
 * The identities of pull mode, as Karmada names them: each agent authenticates as user
 * `system:karmada:agent:<cluster>` in group `system:karmada:agents` (its client certificate's CN
 * and O); a bootstrap token `<id>.<secret>` authenticates as `system:bootstrap:<id>` in
 * `system:bootstrappers` and may only ask for such a certificate.
 */

/** Prefix of an agent's user name; the cluster name follows. */
export const AGENT_USER_PREFIX = 'system:karmada:agent:';
/** The group every agent belongs to. */
export const AGENTS_GROUP = 'system:karmada:agents';
/** The group of bootstrap-token users. */
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The extra group `flotilla token create` gives its tokens (Karmada's default). */
export const REGISTER_TOKEN_GROUP = 'system:bootstrappers:karmada:default-cluster-token';
/** Prefix of a bootstrap-token user's name; the token id follows. */
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
/** The signer agent CSRs name (kube-apiserver client certificates). */
export const AGENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
/** Secret type of bootstrap tokens, in `kube-system`, named `bootstrap-token-<id>`. */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
/** Prefix of bootstrap-token Secret names. */
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
/** A bootstrap token: a 6-character id, a dot, a 16-character secret. */
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** `system:karmada:agent:<cluster>`. */
export function agentUser(cluster: string): string {
  return `${AGENT_USER_PREFIX}${cluster}`;
}

/** The cluster an agent identity acts for, or undefined when the user is not an agent. */
export function clusterOfAgent(user: { name: string; groups: readonly string[] }): string | undefined {
  if (!user.groups.includes(AGENTS_GROUP) || !user.name.startsWith(AGENT_USER_PREFIX)) return undefined;
  const cluster = user.name.slice(AGENT_USER_PREFIX.length);
  return cluster === '' ? undefined : cluster;
}
