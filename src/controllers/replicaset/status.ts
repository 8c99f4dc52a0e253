/**
 * A ReplicaSet's status as Kubernetes' `calculateStatus` derives it from the pods it owns:
 * replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (ready for minReadySeconds),
 * observedGeneration, and the ReplicaFailure condition while creating or deleting pods fails.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, KubeObject } from '../../api/meta.ts';
import {
  isPodAvailable,
  isPodReady,
  type Pod,
  removeCondition,
  setCondition,
  timestamp,
} from '../common/pods.ts';

/** The failure of the last manage pass, for the ReplicaFailure condition. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

/** Computes the new status of `rs` from its active, owned `pods`; pure but for the clock. */
export function replicaSetStatus(
  rs: KubeObject,
  pods: readonly Pod[],
  failure: ManageFailure | undefined,
  now: number,
): Record<string, unknown> {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = Number(rs.spec?.minReadySeconds ?? 0);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) ready++;
    if (isPodAvailable(p, minReady, now)) available++;
  }
  let conditions: Condition[] = (rs.status?.conditions as Condition[] | undefined) ?? [];
  if (failure) {
    conditions = setCondition(conditions, {
      type: 'ReplicaFailure',
      status: 'True',
      reason: failure.reason,
      message: failure.message,
      lastTransitionTime: timestamp(now),
    });
  } else {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  const status: Record<string, unknown> = {
    ...(rs.status ?? {}),
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** Whether two statuses differ in anything but key order. */
export function statusChanged(a: unknown, b: unknown): boolean {
  return !isDeepStrictEqual(a ?? {}, b ?? {});
}
