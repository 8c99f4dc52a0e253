/**
 * Applying a Work's manifests to one member cluster and removing them again: the semantics of
 * Karmada's execution controller and object watcher, shared by the push-mode execution
 * controller and the pull-mode agent (`src/agent`). Create when absent; update (a PUT) only when the
 * member object is managed by this Work or the manifest says `conflict-resolution: overwrite`;
 * skip the update when the live object already matches; keep the member's own fields (see
 * `retain.ts`). Everything here talks to the member through the `Client` it is given.
 */
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import { ANNOTATIONS, CONFLICT_RESOLUTION, LABELS } from '../api/karmada/names.ts';
import type { Work } from '../api/karmada/types.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import type { Discovery } from '../client/discovery.ts';
import type { ResourceRef } from '../client/resources.ts';
import { isSubset, retainMemberFields, stripKarmadaMetadata } from './retain.ts';

/** Where manifests go: a member's client and discovery, and its name for messages. */
export interface MemberTarget {
  cluster: string;
  client: Client;
  discovery: Discovery;
}

/** What happened to one manifest. */
export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

const SYSTEM_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
  'finalizers',
] as const;

/**
 * The object to write to the member for one manifest: system metadata and status dropped, the
 * label `karmada.io/managed=true` and the Work's namespace/name annotations added. Pure.
 */
export function desiredObject(work: Work, manifest: KubeObject): KubeObject {
  const { status: _status, ...rest } = structuredClone(manifest) as KubeObject;
  const metadata: Record<string, unknown> & KubeObject['metadata'] = { ...(rest.metadata ?? {}) };
  for (const k of SYSTEM_METADATA) delete metadata[k];
  metadata.labels = { ...(metadata.labels ?? {}), [LABELS.managed]: 'true' };
  metadata.annotations = {
    ...(metadata.annotations ?? {}),
    [ANNOTATIONS.workNamespace]: work.metadata.namespace ?? '',
    [ANNOTATIONS.workName]: work.metadata.name ?? '',
  };
  return { ...rest, metadata };
}

/** True when the member object belongs to this Work (its work annotations name it). */
export function belongsToWork(live: KubeObject, work: Work): boolean {
  const a = live.metadata.annotations ?? {};
  return (
    a[ANNOTATIONS.workNamespace] === work.metadata.namespace && a[ANNOTATIONS.workName] === work.metadata.name
  );
}

/** Karmada's test for "managed": the label `karmada.io/managed=true`, or this Work's annotations. */
export function isManaged(live: KubeObject, work?: Work): boolean {
  return (
    live.metadata.labels?.[LABELS.managed] === 'true' || (work !== undefined && belongsToWork(live, work))
  );
}

function overwriteAllowed(work: Work, desired: KubeObject): boolean {
  const value =
    desired.metadata.annotations?.[ANNOTATIONS.conflictResolution] ??
    work.metadata.annotations?.[ANNOTATIONS.conflictResolution];
  return value === CONFLICT_RESOLUTION.overwrite;
}

/** Karmada's refusal text for an existing member object it does not manage. */
export function conflictMessage(desired: KubeObject, cluster: string): string {
  const ns = desired.metadata.namespace ?? '';
  return `resource(kind=${desired.kind}, ${ns}/${desired.metadata.name}) already exists in the cluster ${cluster} and the ${ANNOTATIONS.conflictResolution} strategy value is empty, Karmada will not manage this resource`;
}

/** A refusal to touch an unmanaged member object; not retried until the Work or object changes. */
export class ConflictError extends Error {
  readonly code = 'ResourceConflict';
}

/** The member ref of a manifest, resolved through the member's discovery. */
export function refOf(target: MemberTarget, manifest: KubeObject): Promise<ResourceRef> {
  return target.discovery.resolve({ apiVersion: manifest.apiVersion, kind: manifest.kind });
}

function keyOf(ref: ResourceRef, obj: KubeObject) {
  return { name: obj.metadata.name ?? '', namespace: ref.namespaced ? obj.metadata.namespace : undefined };
}

/**
 * Creates or updates one manifest in the member. Throws `ConflictError` when the object exists
 * unmanaged without `overwrite`, and the member's errors (unreachable, invalid) as they come.
 */
export async function applyManifest(
  target: MemberTarget,
  work: Work,
  manifest: KubeObject,
): Promise<ApplyOutcome> {
  const desired = desiredObject(work, manifest);
  const ref = await refOf(target, desired);
  const key = keyOf(ref, desired);
  let live: KubeObject | undefined;
  try {
    live = await target.client.get(ref, key);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!live) {
    try {
      await target.client.create(ref, desired, { fieldManager: 'karmada' });
      return 'created';
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      live = await target.client.get(ref, key);
    }
  }
  if (!isManaged(live, work) && !overwriteAllowed(work, desired)) {
    throw new ConflictError(conflictMessage(desired, target.cluster));
  }
  const next = retainMemberFields(desired, live);
  if (isSubset(next, live)) return 'unchanged';
  await target.client.update(ref, next, { fieldManager: 'karmada' });
  return 'updated';
}

/** The result of applying every manifest of a Work. */
export interface ApplyResult {
  /** True when every manifest applied. */
  applied: boolean;
  /** Karmada's Applied condition for the Work. */
  condition: Condition;
  outcomes: (ApplyOutcome | Error)[];
  /** True when a failure was something other than a conflict (worth retrying). */
  retryable: boolean;
}

/** Applies each manifest of `work`, collecting failures into Karmada's Applied condition. */
export async function applyWork(target: MemberTarget, work: Work): Promise<ApplyResult> {
  const manifests = work.spec.workload?.manifests ?? [];
  const outcomes: (ApplyOutcome | Error)[] = [];
  for (const m of manifests) {
    try {
      outcomes.push(await applyManifest(target, work, m));
    } catch (err) {
      outcomes.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  const errors = outcomes.filter((o): o is Error => o instanceof Error);
  const applied = errors.length === 0;
  const condition: Condition = applied
    ? {
        type: 'Applied',
        status: 'True',
        reason: 'AppliedSuccessful',
        message: 'Manifest has been successfully applied',
      }
    : {
        type: 'Applied',
        status: 'False',
        reason: 'AppliedFailed',
        message: `Failed to apply all manifests (${manifests.length - errors.length}/${manifests.length}): ${errors.map((e) => e.message).join(', ')}`,
      };
  return { applied, condition, outcomes, retryable: errors.some((e) => !(e instanceof ConflictError)) };
}

/**
 * Removes a Work's objects from the member: with `preserveResourcesOnDeletion` the Karmada labels
 * and annotations are stripped and the object left running; otherwise managed objects are
 * deleted (propagation Background). Unmanaged and absent objects are left alone. Throws the
 * member's errors (the caller retries).
 */
export async function removeWork(target: MemberTarget, work: Work): Promise<void> {
  for (const manifest of work.spec.workload?.manifests ?? []) {
    let ref: ResourceRef;
    try {
      ref = await refOf(target, manifest);
    } catch (err) {
      if (isNotFound(err)) continue; // the member does not serve the kind: nothing to remove
      throw err;
    }
    const key = keyOf(ref, manifest);
    let live: KubeObject;
    try {
      live = await target.client.get(ref, key);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    if (!isManaged(live, work)) continue;
    try {
      if (work.spec.preserveResourcesOnDeletion) {
        await target.client.update(ref, stripKarmadaMetadata(live));
      } else {
        await target.client.delete(ref, { ...key, propagationPolicy: 'Background' });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
