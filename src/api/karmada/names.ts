/**
 * Karmada's well-known names: claim labels and annotations, finalizers, taint keys, and how
 * bindings, Works and execution namespaces are named (K:pkg/util/names/names.go).
 */

export const LABELS = {
  ppPermanentId: 'propagationpolicy.karmada.io/permanent-id',
  cppPermanentId: 'clusterpropagationpolicy.karmada.io/permanent-id',
  rbPermanentId: 'resourcebinding.karmada.io/permanent-id',
  crbPermanentId: 'clusterresourcebinding.karmada.io/permanent-id',
  workPermanentId: 'work.karmada.io/permanent-id',
  managed: 'karmada.io/managed',
  claimedBy: 'resourcetemplate.karmada.io/claimed-by',
  /** On a template: keep the member's replicas (the HPA case). */
  retainReplicas: 'resourcetemplate.karmada.io/retain-replicas',
  /** On a control-plane namespace: do not propagate it to clusters (namespace sync). */
  skipAutoPropagation: 'namespace.karmada.io/skip-auto-propagation',
} as const;

export const ANNOTATIONS = {
  ppNamespace: 'propagationpolicy.karmada.io/namespace',
  ppName: 'propagationpolicy.karmada.io/name',
  cppName: 'clusterpropagationpolicy.karmada.io/name',
  appliedPlacement: 'policy.karmada.io/applied-placement',
  appliedOverrides: 'policy.karmada.io/applied-overrides',
  appliedClusterOverrides: 'policy.karmada.io/applied-cluster-overrides',
  conflictResolution: 'work.karmada.io/conflict-resolution',
  workNamespace: 'work.karmada.io/namespace',
  workName: 'work.karmada.io/name',
  templateGeneration: 'resourcetemplate.karmada.io/generation',
  bindingNamespace: 'resourcebinding.karmada.io/namespace',
  bindingName: 'resourcebinding.karmada.io/name',
  clusterBindingName: 'clusterresourcebinding.karmada.io/name',
  templateUid: 'resourcetemplate.karmada.io/uid',
  managedLabels: 'resourcetemplate.karmada.io/managed-labels',
  managedAnnotations: 'resourcetemplate.karmada.io/managed-annotations',
} as const;

/** Values of the `work.karmada.io/conflict-resolution` annotation. */
export const CONFLICT_RESOLUTION = { overwrite: 'overwrite', abort: 'abort' } as const;

export const FINALIZERS = {
  propagationPolicy: 'karmada.io/propagation-policy-controller',
  clusterPropagationPolicy: 'karmada.io/cluster-propagation-policy-controller',
  bindingController: 'karmada.io/binding-controller',
  clusterBindingController: 'karmada.io/cluster-resource-binding-controller',
  executionController: 'karmada.io/execution-controller',
  clusterController: 'karmada.io/cluster-controller',
} as const;

export const TAINTS = {
  notReady: 'cluster.karmada.io/not-ready',
  unreachable: 'cluster.karmada.io/unreachable',
  unschedulable: 'cluster.karmada.io/unschedulable',
} as const;

/** Namespace holding push clusters' credentials. */
export const CLUSTER_SECRET_NAMESPACE = 'karmada-cluster';
/** Prefix of the per-cluster execution namespaces. */
export const EXECUTION_NAMESPACE_PREFIX = 'karmada-es-';

/** `karmada-es-<cluster>`. */
export function executionNamespace(cluster: string): string {
  return `${EXECUTION_NAMESPACE_PREFIX}${cluster}`;
}

/** The cluster an execution namespace belongs to, or undefined. */
export function clusterOfExecutionNamespace(namespace: string): string | undefined {
  return namespace.startsWith(EXECUTION_NAMESPACE_PREFIX)
    ? namespace.slice(EXECUTION_NAMESPACE_PREFIX.length)
    : undefined;
}

/** A binding's name: `lower(<name>-<kind>)` with `:` replaced by `.`. */
export function bindingName(kind: string, name: string): string {
  return `${name.replaceAll(':', '.')}-${kind}`.toLowerCase();
}

/** 32-bit FNV-1a of a string's UTF-8 bytes. */
export function fnv32a(input: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(input, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' `rand.SafeEncodeString`: each character mapped into a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

/**
 * A Work's name: `<lower(name)>-<SafeEncodeString(fnv32a(…))>`, hashing `lower(ns-name-kind)` (no
 * namespace part when empty) as Kubernetes' DeepHashObject prints a string: `(string)<value>`.
 */
export function workName(kind: string, name: string, namespace = ''): string {
  const key = namespace ? `${namespace}-${name}-${kind}` : `${name}-${kind}`;
  return `${name.toLowerCase()}-${safeEncodeString(String(fnv32a(`(string)${key.toLowerCase()}`)))}`;
}
