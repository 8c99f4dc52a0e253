/**
 * When the scheduler acts on a binding (K:pkg/scheduler/scheduler.go, event_handler.go): which
 * bindings it owns, and whether a pass must reschedule or only bump observedGeneration.
 */
import { ANNOTATIONS, LABELS } from '../api/karmada/names.ts';
import type { ResourceBinding } from '../api/karmada/types.ts';
import { rescheduleRequired, strategyOf } from './core/assign.ts';

/** Karmada's default scheduler name. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** The label marking bindings managed by something other than a policy. */
export const MANAGED_BY_LABEL = 'binding.karmada.io/managed-by';
/** Where the scheduler records its compact JSON {@link Diagnosis} for `flotilla explain`. */
export const DECISION_ANNOTATION = 'scheduler.flotilla.io/decision';

/** Why a pass reschedules (§3's list), or undefined when it only observes the generation. */
export type ScheduleTrigger =
  | 'PlacementChanged'
  | 'ReplicasChanged'
  | 'RescheduleTriggered'
  | 'AlwaysReschedule'
  | 'TargetClusterDeleting';

/** Whether this scheduler owns the binding: name, not suspended, claimed by a policy or managed. */
export function isResponsible(b: ResourceBinding, schedulerName = DEFAULT_SCHEDULER_NAME): boolean {
  if ((b.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) !== schedulerName) return false;
  if (b.spec?.suspension?.scheduling === true) return false;
  if (b.metadata.deletionTimestamp) return false;
  const labels = b.metadata.labels ?? {};
  return LABELS.ppPermanentId in labels || LABELS.cppPermanentId in labels || MANAGED_BY_LABEL in labels;
}

/** JSON with sorted keys, so equal objects print equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Whether the placement differs from the `policy.karmada.io/applied-placement` annotation. */
export function placementChanged(b: ResourceBinding): boolean {
  const applied = b.metadata.annotations?.[ANNOTATIONS.appliedPlacement];
  if (applied === undefined) return true;
  try {
    return canonicalJson(JSON.parse(applied)) !== canonicalJson(b.spec.placement ?? {});
  } catch {
    return true;
  }
}

/** The first of §3's reasons to reschedule that holds, or undefined. */
export function scheduleTrigger(
  b: ResourceBinding,
  deletingClusters: ReadonlySet<string>,
): ScheduleTrigger | undefined {
  const spec = b.spec;
  if (placementChanged(b)) return 'PlacementChanged';
  const replicas = spec.replicas ?? 0;
  const targets = spec.clusters ?? [];
  const duplicated = strategyOf(spec.placement) === 'Duplicated';
  if (
    duplicated
      ? targets.some((t) => (t.replicas ?? 0) !== replicas)
      : targets.reduce((s, t) => s + (t.replicas ?? 0), 0) !== replicas
  )
    return 'ReplicasChanged';
  if (rescheduleRequired(spec.rescheduleTriggeredAt, b.status?.lastScheduledTime))
    return 'RescheduleTriggered';
  if ((replicas === 0 && !spec.replicaRequirements) || duplicated) return 'AlwaysReschedule';
  if (targets.some((t) => deletingClusters.has(t.name))) return 'TargetClusterDeleting';
  return undefined;
}
