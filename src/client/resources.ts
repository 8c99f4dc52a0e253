/**
 * Resource addressing: a `ResourceRef` names a served collection (group, version, plural,
 * scope) and `resourcePath` turns it into a REST path. `resources` holds the refs of the kinds
 * Flotilla's controllers use, so most code never needs discovery.
 */

/** A served collection, as discovery describes it: `apps/v1 deployments`, namespaced. */
export interface ResourceRef {
  /** API group; `''` for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in the URL (`deployments`). */
  readonly resource: string;
  readonly namespaced: boolean;
  /** The Kind of objects in the collection, when known (discovery always knows it). */
  readonly kind?: string;
}

function ref(group: string, version: string, resource: string, kind: string, namespaced = true): ResourceRef {
  return Object.freeze({ group, version, resource, kind, namespaced });
}

/** Refs for the built-in, Karmada and Istio kinds Flotilla's controllers work with. */
export const resources = Object.freeze({
  pods: ref('', 'v1', 'pods', 'Pod'),
  services: ref('', 'v1', 'services', 'Service'),
  events: ref('', 'v1', 'events', 'Event'),
  nodes: ref('', 'v1', 'nodes', 'Node', false),
  namespaces: ref('', 'v1', 'namespaces', 'Namespace', false),
  serviceaccounts: ref('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  configmaps: ref('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: ref('', 'v1', 'secrets', 'Secret'),
  deployments: ref('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: ref('apps', 'v1', 'replicasets', 'ReplicaSet'),
  endpointslices: ref('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  leases: ref('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  certificatesigningrequests: ref(
    'certificates.k8s.io',
    'v1',
    'certificatesigningrequests',
    'CertificateSigningRequest',
    false,
  ),
  clusters: ref('cluster.karmada.io', 'v1alpha1', 'clusters', 'Cluster', false),
  propagationpolicies: ref('policy.karmada.io', 'v1alpha1', 'propagationpolicies', 'PropagationPolicy'),
  clusterpropagationpolicies: ref(
    'policy.karmada.io',
    'v1alpha1',
    'clusterpropagationpolicies',
    'ClusterPropagationPolicy',
    false,
  ),
  overridepolicies: ref('policy.karmada.io', 'v1alpha1', 'overridepolicies', 'OverridePolicy'),
  clusteroverridepolicies: ref(
    'policy.karmada.io',
    'v1alpha1',
    'clusteroverridepolicies',
    'ClusterOverridePolicy',
    false,
  ),
  resourcebindings: ref('work.karmada.io', 'v1alpha2', 'resourcebindings', 'ResourceBinding'),
  clusterresourcebindings: ref(
    'work.karmada.io',
    'v1alpha2',
    'clusterresourcebindings',
    'ClusterResourceBinding',
    false,
  ),
  works: ref('work.karmada.io', 'v1alpha1', 'works', 'Work'),
  gateways: ref('networking.istio.io', 'v1', 'gateways', 'Gateway'),
  virtualservices: ref('networking.istio.io', 'v1', 'virtualservices', 'VirtualService'),
  destinationrules: ref('networking.istio.io', 'v1', 'destinationrules', 'DestinationRule'),
  serviceentries: ref('networking.istio.io', 'v1', 'serviceentries', 'ServiceEntry'),
} as const);

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(r: ResourceRef): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** Where a ref's collection or one of its objects lives. */
export interface PathOptions {
  /** Required for a namespaced object; omitted on a namespaced collection means all namespaces. */
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

/**
 * The REST path of a collection or object (`/apis/apps/v1/namespaces/x/deployments/y/status`).
 * Pure; throws when a name is given for a namespaced kind without a namespace.
 */
export function resourcePath(r: ResourceRef, options: PathOptions = {}): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  let path = base;
  if (r.namespaced && options.namespace) path += `/namespaces/${encodeURIComponent(options.namespace)}`;
  else if (r.namespaced && options.name !== undefined) {
    throw new Error(`${r.resource}.${r.group || 'core'} "${options.name}" needs a namespace`);
  }
  path += `/${r.resource}`;
  if (options.name !== undefined) {
    path += `/${encodeURIComponent(options.name)}`;
    if (options.subresource) path += `/${options.subresource}`;
  }
  return path;
}
