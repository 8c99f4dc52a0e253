/**
 * The control plane's authorizer. `system:masters` may do everything. A pull-mode agent
 * (`system:karmada:agent:<cluster>` in `system:karmada:agents`) may do exactly what Karmada's
 * agent permission table grants (§5, W:docs/administrator/security/component-permission.md),
 * with `<cluster>` its own: nothing in another cluster's execution namespace, no other
 * Cluster's status, no template. A bootstrap-token user may only request and read its
 * certificate (certificatesigningrequests). Anonymous requests may only read
 * `kube-public/cluster-info` (what `flotilla register` discovers the CA from). Other users of
 * the static token file keep full rights: Flotilla has no RBAC.
 */
import { BOOTSTRAPPERS_GROUP, clusterOfAgent } from '../../api/karmada/agent.ts';
import { CLUSTER_SECRET_NAMESPACE, executionNamespace } from '../../api/karmada/names.ts';
import type { AuthorizationRequest, Authorizer, UserInfo } from '../types.ts';

/** One row of a permission table: resources of a group, verbs, and an optional scope. */
interface Rule {
  groups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  /** Only in this namespace (absent: any). */
  namespace?: string;
  /** Only the object of this name (absent: any). */
  name?: string;
}

/** Karmada's agent permission table, for `cluster`. */
export function agentRules(cluster: string): Rule[] {
  return [
    { groups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['list', 'watch', 'create'] },
    { groups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['get', 'delete'], name: cluster },
    { groups: ['cluster.karmada.io'], resources: ['clusters/status'], verbs: ['update'], name: cluster },
    {
      groups: ['config.karmada.io'],
      resources: ['resourceinterpreterwebhookconfigurations', 'resourceinterpretercustomizations'],
      verbs: ['get', 'list', 'watch'],
    },
    { groups: [''], resources: ['namespaces'], verbs: ['get'] },
    { groups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    { groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'create'] },
    { groups: [''], resources: ['services'], verbs: ['list', 'watch'] },
    { groups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    {
      groups: [''],
      resources: ['secrets'],
      verbs: ['get', 'patch'],
      namespace: CLUSTER_SECRET_NAMESPACE,
      name: cluster,
    },
    { groups: [''], resources: ['secrets'], verbs: ['create'], namespace: CLUSTER_SECRET_NAMESPACE },
    {
      groups: ['work.karmada.io'],
      resources: ['works'],
      verbs: ['get', 'create', 'list', 'watch', 'update', 'delete'],
      namespace: executionNamespace(cluster),
    },
    {
      groups: ['work.karmada.io'],
      resources: ['works/status'],
      verbs: ['patch', 'update'],
      namespace: executionNamespace(cluster),
    },
  ];
}

/** What a bootstrap-token user may do: request a client certificate and read it back. */
export const BOOTSTRAP_RULES: readonly Rule[] = [
  {
    groups: ['certificates.k8s.io'],
    resources: ['certificatesigningrequests'],
    verbs: ['create', 'get', 'list', 'watch'],
  },
];

/** What anyone may read without credentials: the discovery ConfigMap. */
export const ANONYMOUS_RULES: readonly Rule[] = [
  { groups: [''], resources: ['configmaps'], verbs: ['get'], namespace: 'kube-public', name: 'cluster-info' },
];

/** Non-resource paths every authenticated user may GET (Kubernetes' `system:discovery`). */
const DISCOVERY_PATHS = /^\/(api|apis|openapi|version|healthz|livez|readyz)(\/.*)?$/;

/** True when one of `rules` allows the request. */
export function allowedBy(rules: readonly Rule[], req: AuthorizationRequest): boolean {
  if (req.path !== undefined) return false;
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return rules.some(
    (r) =>
      r.groups.includes(req.group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(req.verb) &&
      (r.namespace === undefined || r.namespace === req.namespace) &&
      (r.name === undefined || r.name === req.name),
  );
}

function agentReason(cluster: string, req: AuthorizationRequest): string {
  const ns = req.namespace;
  if (ns.startsWith('karmada-es-') && ns !== executionNamespace(cluster)) {
    return `the agent of cluster "${cluster}" may only use its own execution namespace ${executionNamespace(cluster)}`;
  }
  if (req.resource === 'clusters' && req.name !== '' && req.name !== cluster) {
    return `the agent of cluster "${cluster}" may only use its own Cluster`;
  }
  return `the pull-mode agent's permissions do not include this`;
}

/** Builds the authorizer the control plane runs with. */
export function controlPlaneAuthorizer(): Authorizer {
  return (user: UserInfo, req: AuthorizationRequest) => {
    if (user.groups.includes('system:masters')) return undefined;
    const cluster = clusterOfAgent(user);
    const discovery = req.path !== undefined && req.verb === 'get' && DISCOVERY_PATHS.test(req.path);
    if (cluster !== undefined) {
      return discovery || allowedBy(agentRules(cluster), req) ? undefined : agentReason(cluster, req);
    }
    if (user.groups.includes(BOOTSTRAPPERS_GROUP)) {
      return discovery || allowedBy(BOOTSTRAP_RULES, req)
        ? undefined
        : 'a bootstrap token may only request an agent certificate';
    }
    if (user.groups.includes('system:unauthenticated')) {
      return allowedBy(ANONYMOUS_RULES, req)
        ? undefined
        : 'anonymous requests may only read kube-public/cluster-info';
    }
    return undefined;
  };
}
