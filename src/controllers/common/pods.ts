/**
 * Pod and ownership predicates shared by the workload controllers, with Kubernetes' meanings:
 * active (not terminal, not being deleted), ready (Ready condition True), available (ready for
 * at least minReadySeconds), and controller references.
 */
import type { Condition, KubeObject, OwnerReference } from '../../api/meta.ts';
import { type LabelSelector, matchesLabelSelector } from '../../api/selectors/index.ts';

/** A pod, as far as the controllers read it. */
export type Pod = KubeObject;

/** A pod counts toward its owner: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod's condition of `type`, if any. */
export function podCondition(pod: Pod, type: string): Condition | undefined {
  return (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/**
 * Ready for at least `minReadySeconds` at `now` (ms), judged by the Ready condition's
 * lastTransitionTime, as `IsPodAvailable`.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : Number.NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available, or undefined when it is not ready or already is. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True' || minReadySeconds <= 0 || !ready.lastTransitionTime) return undefined;
  const left = Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

/** The controlling owner reference, if any. */
export function controllerRef(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/** A controller owner reference to `owner` (controller and blockOwnerDeletion true). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether a `metav1.LabelSelector` selects `labels`; an invalid or null selector selects nothing. */
export function selects(
  selector: LabelSelector | null | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  try {
    return matchesLabelSelector(selector, labels);
  } catch {
    return false;
  }
}

/** An RFC 3339 timestamp with second precision, as Kubernetes writes `metav1.Time`. */
export function timestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Sets or replaces the condition of `cond.type` in `conditions` (a new array is returned),
 * keeping `lastTransitionTime` when the status did not change.
 */
export function setCondition(conditions: readonly Condition[] | undefined, cond: Condition): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? list[i] : undefined;
  const next = { ...cond };
  if (old && old.status === cond.status && old.lastTransitionTime)
    next.lastTransitionTime = old.lastTransitionTime;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Removes the condition of `type`; returns a new array. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** Informer index name for objects by the uid of their controller. */
export const BY_CONTROLLER = 'byControllerUid';
/** Informer index name for objects by namespace. */
export const BY_NAMESPACE = 'byNamespace';
