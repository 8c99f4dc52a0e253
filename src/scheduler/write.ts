/**
 * Writing a scheduling result onto a binding: `spec.clusters` and the applied-placement and
 * decision annotations with an update, then the `Scheduled` condition, observed generation,
 * lastScheduledTime and observed affinity name through the status subresource.
 */
import { ANNOTATIONS } from '../api/karmada/names.ts';
import type { ResourceBinding, TargetCluster } from '../api/karmada/types.ts';
import type { Condition } from '../api/meta.ts';
import type { Client, ResourceRef } from '../client/index.ts';
import { type Decision, decodeDecision, encodeDecision } from './decision.ts';
import { canonicalJson, DECISION_ANNOTATION } from './triggers.ts';
import type { ScheduleResult } from './types.ts';

/** Karmada's success message. */
export const SUCCESS_MESSAGE = 'Binding has been scheduled successfully.';

/** The `Scheduled` condition for a result (K:pkg/scheduler/helper.go getConditionByError). */
export function scheduledCondition(result: ScheduleResult, now: string): Condition {
  const base = { type: 'Scheduled', lastTransitionTime: now };
  switch (result.kind) {
    case 'Success':
      return { ...base, status: 'True', reason: 'Success', message: SUCCESS_MESSAGE };
    case 'NoClusterFit':
      return { ...base, status: 'False', reason: 'NoClusterFit', message: result.reason };
    case 'Unschedulable':
      return { ...base, status: 'False', reason: 'Unschedulable', message: result.reason };
    default:
      return { ...base, status: 'False', reason: 'SchedulerError', message: result.reason };
  }
}

/** `a:1, b:2`, as Karmada's event message lists a result. */
export function targetsString(targets: readonly TargetCluster[]): string {
  return targets.map((t) => `${t.name}:${t.replicas ?? 0}`).join(', ');
}

function setCondition(conditions: readonly Condition[], c: Condition): Condition[] {
  const old = conditions.find((x) => x.type === c.type);
  const keep: Condition =
    old?.lastTransitionTime && old.status === c.status
      ? { ...c, lastTransitionTime: old.lastTransitionTime }
      : c;
  return [...conditions.filter((x) => x.type !== c.type), keep];
}

/** Whether a recorded decision annotation equals `decision` apart from its `at` timestamp. */
export function sameDecision(recorded: string | undefined, decision: Decision): boolean {
  const old = decodeDecision(recorded);
  if (!old) return false;
  const { at: _a, ...was } = old;
  const { at: _b, ...next } = decodeDecision(encodeDecision(decision)) ?? decision;
  return canonicalJson(was) === canonicalJson(next);
}

/**
 * Writes the result: an update when spec.clusters or the annotations change (NoClusterFit
 * empties the clusters; Unschedulable and Error keep them), then a status update. Throws
 * ApiError (e.g. Conflict) for the caller to retry. Returns the binding as last written.
 */
export async function writeResult(
  client: Client,
  ref: ResourceRef,
  binding: ResourceBinding,
  result: ScheduleResult,
  now: string,
): Promise<ResourceBinding> {
  const annotations = { ...(binding.metadata.annotations ?? {}) };
  const decision = { kind: result.kind, at: now, ...result.diagnosis };
  // The decision's `at` alone changing is no reason to write: keep the recorded one.
  if (!sameDecision(annotations[DECISION_ANNOTATION], decision))
    annotations[DECISION_ANNOTATION] = encodeDecision(decision);
  let clusters = binding.spec.clusters;
  if (result.kind === 'Success' || result.kind === 'NoClusterFit') {
    annotations[ANNOTATIONS.appliedPlacement] = JSON.stringify(binding.spec.placement ?? {});
    clusters = result.kind === 'Success' ? result.clusters : [];
  }
  const spec = { ...binding.spec };
  if (clusters && clusters.length > 0) spec.clusters = clusters;
  else delete spec.clusters;
  let current = binding;
  const specChanged = canonicalJson(spec.clusters ?? []) !== canonicalJson(binding.spec.clusters ?? []);
  const annChanged = canonicalJson(annotations) !== canonicalJson(binding.metadata.annotations ?? {});
  if (specChanged || annChanged) {
    current = await client.update<ResourceBinding>(ref, {
      ...binding,
      metadata: { ...binding.metadata, annotations },
      spec,
    });
  }
  const status = { ...(current.status ?? {}) };
  status.conditions = setCondition(status.conditions ?? [], scheduledCondition(result, now));
  if (result.kind === 'Success') {
    status.schedulerObservedGeneration = current.metadata.generation ?? 0;
    status.lastScheduledTime = now;
    if (result.affinityName !== undefined) status.schedulerObservingAffinityName = result.affinityName;
  }
  return client.updateStatus<ResourceBinding>(ref, { ...current, status });
}

/** Bumps `schedulerObservedGeneration` alone, when a pass had nothing to reschedule. */
export async function observeGeneration(
  client: Client,
  ref: ResourceRef,
  binding: ResourceBinding,
): Promise<void> {
  const generation = binding.metadata.generation ?? 0;
  if (binding.status?.schedulerObservedGeneration === generation) return;
  await client.updateStatus(ref, {
    ...binding,
    status: { ...(binding.status ?? {}), schedulerObservedGeneration: generation },
  });
}
