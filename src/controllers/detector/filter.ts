/**
 * What the resource detector watches and which events it acts on (K:pkg/detector, K:pkg/util/
 * apigroup.go): Karmada's own groups, Events and Leases are never propagated; reserved and
 * `kube-*` namespaces are skipped; updates that only touched status, managedFields or
 * resourceVersion are ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/meta.ts';

/** API groups never propagated: Karmada's own and `events.k8s.io`. */
export const SKIPPED_GROUPS: ReadonlySet<string> = new Set([
  'cluster.karmada.io',
  'policy.karmada.io',
  'work.karmada.io',
  'config.karmada.io',
  'networking.karmada.io',
  'autoscaling.karmada.io',
  'remedy.karmada.io',
  'apps.karmada.io',
  'events.k8s.io',
]);

/** Group versions never propagated. */
export const SKIPPED_GROUP_VERSIONS: ReadonlySet<string> = new Set(['coordination.k8s.io/v1']);

/** Whether the detector skips a served resource (group, group version, or core Events). */
export function isSkippedResource(group: string, version: string, kind: string): boolean {
  if (SKIPPED_GROUPS.has(group)) return true;
  if (SKIPPED_GROUP_VERSIONS.has(`${group}/${version}`)) return true;
  return group === '' && kind === 'Event';
}

/** `--skipped-propagating-namespaces`' default: `kube-.*`, anchored. */
export const DEFAULT_SKIPPED_NAMESPACES: readonly RegExp[] = [/^kube-.*$/];

/** Karmada's reserved namespaces: `karmada-system`, `karmada-cluster`, `karmada-es-*`. */
export function isReservedNamespace(namespace: string): boolean {
  return (
    namespace === 'karmada-system' || namespace === 'karmada-cluster' || namespace.startsWith('karmada-es-')
  );
}

/** The detector's event filter: reserved and skipped namespaces and kube-apiserver's own ConfigMap. */
export function isSkippedObject(
  obj: Pick<KubeObject, 'kind' | 'metadata'>,
  skippedNamespaces: readonly RegExp[] = DEFAULT_SKIPPED_NAMESPACES,
): boolean {
  const namespace = obj.metadata.namespace ?? '';
  if (namespace === '') return false;
  if (isReservedNamespace(namespace)) return true;
  if (skippedNamespaces.some((re) => re.test(namespace))) return true;
  return (
    namespace === 'kube-system' &&
    obj.kind === 'ConfigMap' &&
    obj.metadata.name === 'extension-apiserver-authentication'
  );
}

function withoutIgnored(obj: KubeObject): unknown {
  const { status: _s, metadata, ...rest } = obj;
  const { managedFields: _m, resourceVersion: _r, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Whether an update changed anything but status, managedFields or resourceVersion. */
export function specificationChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  return !isDeepStrictEqual(withoutIgnored(oldObj), withoutIgnored(newObj));
}
