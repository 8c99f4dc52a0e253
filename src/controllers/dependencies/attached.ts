/**
 * Attached bindings (K:pkg/dependenciesdistributor): the ResourceBinding that carries one
 * dependency (a ConfigMap, Secret, …) to the clusters of the bindings that require it. Pure
 * building and merging: the label naming each requiring binding, `spec.requiredBy` snapshots,
 * and the conflict-resolution and preserve-on-deletion the requiring bindings imply.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { bindingName, FINALIZERS, fnv32a, LABELS, safeEncodeString } from '../../api/karmada/names.ts';
import type { ResourceBinding, ResourceBindingSpec } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { type DependentObjectReference, dependencyKey } from './extract.ts';

/** On a workload's binding: the JSON list of its dependencies. */
export const DEPENDENCIES_ANNOTATION = 'resourcebinding.karmada.io/dependencies';
/** Prefix of the label an attached binding carries for each binding that requires it. */
export const DEPENDED_BY_PREFIX = 'resourcebinding.karmada.io/depended-by-';

/** One `spec.requiredBy` entry. */
export type BindingSnapshot = NonNullable<ResourceBindingSpec['requiredBy']>[number];

/**
 * `resourcebinding.karmada.io/depended-by-<hash>` for the binding `namespace/name`, the hash being
 * Karmada's GenerateBindingReferenceKey (SafeEncodeString of FNV-32a over `namespace/name`).
 */
export function dependedByLabelKey(namespace: string, name: string): string {
  const ref = namespace ? `${namespace}/${name}` : name;
  return `${DEPENDED_BY_PREFIX}${safeEncodeString(String(fnv32a(`(string)${ref}`)))}`;
}

/** The dependencies recorded on a binding; an unreadable annotation counts as none. */
export function recordedDependencies(binding: Pick<KubeObject, 'metadata'>): DependentObjectReference[] {
  const raw = binding.metadata.annotations?.[DEPENDENCIES_ANNOTATION];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as DependentObjectReference[]) : [];
  } catch {
    return [];
  }
}

/** The annotation value for a dependency list (Karmada's field order). */
export function dependenciesAnnotation(deps: readonly DependentObjectReference[]): string {
  return JSON.stringify(
    deps.map((d) => ({ apiVersion: d.apiVersion, kind: d.kind, namespace: d.namespace, name: d.name })),
  );
}

/** Whether an attached binding's resource is one of `deps`. */
export function isStillRequired(
  attached: ResourceBinding,
  deps: readonly DependentObjectReference[],
): boolean {
  const key = dependencyKey(attached.spec.resource);
  return deps.some((d) => dependencyKey(d) === key);
}

/** The snapshot a requiring binding contributes: its namespace, name and scheduled clusters. */
export function snapshotOf(parent: ResourceBinding): BindingSnapshot {
  return {
    namespace: parent.metadata.namespace ?? '',
    name: parent.metadata.name ?? '',
    clusters: structuredClone(parent.spec.clusters ?? []),
  };
}

/** `existing` with `snap` replacing the entry of the same binding, or appended. */
export function mergeRequiredBy(
  existing: readonly BindingSnapshot[],
  snap: BindingSnapshot,
): BindingSnapshot[] {
  let found = false;
  const out = existing.map((s) => {
    if (s.namespace === snap.namespace && s.name === snap.name) {
      found = true;
      return snap;
    }
    return s;
  });
  if (!found) out.push(snap);
  return out;
}

/** `existing` without the entries of binding `namespace/name`. */
export function withoutRequiredBy(
  existing: readonly BindingSnapshot[],
  namespace: string,
  name: string,
): BindingSnapshot[] {
  return existing.filter((s) => !(s.namespace === namespace && s.name === name));
}

/**
 * The strategy the requiring bindings imply (K:pkg/dependenciesdistributor/policy_utils.go):
 * `Overwrite` if any requires it, else `Abort`; preserve on deletion if any preserves.
 */
export function effectiveStrategy(parents: readonly ResourceBinding[]): {
  conflictResolution: 'Abort' | 'Overwrite';
  preserveResourcesOnDeletion: boolean;
} {
  return {
    conflictResolution: parents.some((p) => p.spec.conflictResolution === 'Overwrite')
      ? 'Overwrite'
      : 'Abort',
    preserveResourcesOnDeletion: parents.some((p) => p.spec.preserveResourcesOnDeletion === true),
  };
}

/** What {@link desiredAttached} needs. */
export interface AttachedInput {
  /** The requiring (independent) binding. */
  parent: ResourceBinding;
  /** The dependency object as it is now. */
  dependency: KubeObject;
  /** The attached binding as stored, if any. */
  existing: ResourceBinding | undefined;
  /** Looks up another requiring binding by `namespace/name` (for the effective strategy). */
  lookup(namespace: string, name: string): ResourceBinding | undefined;
}

/**
 * The attached binding to write for `dependency` required by `parent`: a new one (placement
 * unset, owner the dependency, the binding controller's finalizer) or `existing` with the
 * parent's snapshot merged into `spec.requiredBy`. A binding a policy made (placement set) keeps
 * its own strategy. Undefined when `existing` already matches. Throws when `existing` is
 * controlled by another object (a stale binding awaiting garbage collection).
 */
export function desiredAttached(input: AttachedInput): ResourceBinding | undefined {
  const { parent, dependency, existing } = input;
  const namespace = dependency.metadata.namespace ?? '';
  const name = bindingName(dependency.kind, dependency.metadata.name ?? '');
  const owner = existing?.metadata.ownerReferences?.find((r) => r.controller);
  if (owner && owner.uid !== dependency.metadata.uid) {
    throw new Error(
      `failed to update resourceBinding(${namespace}/${name}) due to different owner reference UID, will try again later after binding is garbage collected, see https://github.com/karmada-io/karmada/issues/6034`,
    );
  }
  const parentId = parent.metadata.labels?.[LABELS.rbPermanentId] ?? '';
  const labelKey = dependedByLabelKey(parent.metadata.namespace ?? '', parent.metadata.name ?? '');
  const out: ResourceBinding = existing
    ? structuredClone(existing)
    : {
        apiVersion: 'work.karmada.io/v1alpha2',
        kind: 'ResourceBinding',
        metadata: {
          name,
          namespace,
          labels: { [LABELS.rbPermanentId]: randomUUID() },
          finalizers: [FINALIZERS.bindingController],
          ownerReferences: [
            {
              apiVersion: dependency.apiVersion,
              kind: dependency.kind,
              name: dependency.metadata.name ?? '',
              uid: dependency.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { resource: { apiVersion: '', kind: '', name: '' } },
      };
  out.metadata.labels = { ...out.metadata.labels, [labelKey]: parentId };
  out.spec.resource = {
    apiVersion: dependency.apiVersion,
    kind: dependency.kind,
    namespace,
    name: dependency.metadata.name ?? '',
    uid: dependency.metadata.uid ?? '',
    resourceVersion: dependency.metadata.resourceVersion ?? '',
  };
  const requiredBy = mergeRequiredBy(out.spec.requiredBy ?? [], snapshotOf(parent));
  out.spec.requiredBy = requiredBy;
  if (out.spec.placement === undefined) {
    const parents = requiredBy.flatMap((s) => {
      if (s.namespace === parent.metadata.namespace && s.name === parent.metadata.name) return [parent];
      const p = input.lookup(s.namespace ?? '', s.name);
      return p ? [p] : [];
    });
    const strategy = effectiveStrategy(parents);
    out.spec.conflictResolution = strategy.conflictResolution;
    out.spec.preserveResourcesOnDeletion = strategy.preserveResourcesOnDeletion;
  }
  if (existing && isDeepStrictEqual(existing, out)) return undefined;
  return out;
}

/**
 * What releasing `attached` from binding `namespace/name` leaves: `'delete'` for an attached
 * binding nothing requires any more (no policy placed it), else the binding without that
 * requirer's label and snapshot (its strategy recomputed from the rest), or undefined when the
 * binding never named that requirer.
 */
export function releasedAttached(
  attached: ResourceBinding,
  namespace: string,
  name: string,
  lookup: (namespace: string, name: string) => ResourceBinding | undefined,
): ResourceBinding | 'delete' | undefined {
  const labelKey = dependedByLabelKey(namespace, name);
  const requiredBy = withoutRequiredBy(attached.spec.requiredBy ?? [], namespace, name);
  const hadLabel = attached.metadata.labels?.[labelKey] !== undefined;
  if (!hadLabel && requiredBy.length === (attached.spec.requiredBy ?? []).length) return undefined;
  const placedByPolicy = attached.spec.placement !== undefined;
  if (!placedByPolicy && requiredBy.length === 0) return 'delete';
  const out = structuredClone(attached);
  if (out.metadata.labels) delete out.metadata.labels[labelKey];
  if (requiredBy.length > 0) out.spec.requiredBy = requiredBy;
  else delete out.spec.requiredBy;
  if (!placedByPolicy) {
    const parents = requiredBy.flatMap((s) => {
      const p = lookup(s.namespace ?? '', s.name);
      return p ? [p] : [];
    });
    const strategy = effectiveStrategy(parents);
    out.spec.conflictResolution = strategy.conflictResolution;
    out.spec.preserveResourcesOnDeletion = strategy.preserveResourcesOnDeletion;
  }
  return out;
}
