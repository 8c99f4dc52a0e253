/**
 * Graceful eviction as data (Karmada §4.6, K:pkg/apis/work/v1alpha2 GracefulEvictCluster and
 * K:pkg/controllers/gracefuleviction/evictiontask.go): taking a cluster out of a binding's
 * `spec.clusters` while recording a `gracefulEvictionTasks` entry, and deciding which tasks end.
 * Ending a task is what lets the binding controller delete the evicted cluster's Work; while a
 * task lasts, the scheduler's ClusterEviction filter keeps that cluster out.
 */
import type {
  AggregatedStatusItem,
  GracefulEvictionTask,
  ResourceBinding,
  ResourceBindingSpec,
} from '../../api/karmada/types.ts';

/** Who asks for an eviction and how its task behaves. */
export interface EvictionOptions {
  producer: string;
  reason: string;
  message?: string | undefined;
  purgeMode: NonNullable<GracefulEvictionTask['purgeMode']>;
  gracePeriodSeconds?: number | undefined;
  suppressDeletion?: boolean | undefined;
  /** The task's creationTimestamp (RFC 3339). */
  now: string;
}

/** Karmada's producer and reason names. */
export const EVICTION = {
  producerTaintManager: 'TaintManager',
  producerRbApplicationFailover: 'resource-binding-application-failover-controller',
  producerCrbApplicationFailover: 'cluster-resource-binding-application-failover-controller',
  reasonTaintUntolerated: 'TaintUntolerated',
  reasonApplicationFailure: 'ApplicationFailure',
} as const;

/**
 * The spec with `cluster` removed from `clusters` and an eviction task appended (unless one for
 * that cluster exists already); undefined when the cluster is not a target (nothing to do).
 */
export function gracefulEvictCluster(
  spec: ResourceBindingSpec,
  cluster: string,
  options: EvictionOptions,
): ResourceBindingSpec | undefined {
  const targets = spec.clusters ?? [];
  const target = targets.find((c) => c.name === cluster);
  if (!target) return undefined;
  const next: ResourceBindingSpec = { ...spec, clusters: targets.filter((c) => c.name !== cluster) };
  const tasks = spec.gracefulEvictionTasks ?? [];
  if (tasks.some((t) => t.fromCluster === cluster)) return next;
  const task: GracefulEvictionTask = {
    fromCluster: cluster,
    purgeMode: options.purgeMode,
    reason: options.reason,
    producer: options.producer,
    creationTimestamp: options.now,
    clustersBeforeFailover: targets.map((c) => c.name),
  };
  if (options.message) task.message = options.message;
  if ((target.replicas ?? 0) > 0) task.replicas = target.replicas as number;
  if (options.gracePeriodSeconds !== undefined) task.gracePeriodSeconds = options.gracePeriodSeconds;
  if (options.suppressDeletion !== undefined) task.suppressDeletion = options.suppressDeletion;
  next.gracefulEvictionTasks = [...tasks, task];
  return next;
}

/** A numeric field of a reflected status, when present. */
function num(status: Record<string, unknown> | undefined, field: string): number | undefined {
  const v = status?.[field];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Whether every target cluster reports its copy healthy. Karmada reads `health` alone; right after
 * a reschedule the reflected status can still describe the member's previous replica count (the
 * Work is not re-applied yet) and read Healthy, so an item whose status carries
 * `availableReplicas` must also show the replicas now assigned to that cluster available.
 */
export function allTargetsHealthy(
  targets: ResourceBindingSpec['clusters'],
  observed: readonly AggregatedStatusItem[],
): boolean {
  for (const t of targets ?? []) {
    const item = observed.find((i) => i.clusterName === t.name);
    if (item?.health !== 'Healthy') return false;
    const available = num(item.status, 'availableReplicas');
    if (available !== undefined && t.replicas !== undefined && available < t.replicas) return false;
  }
  return true;
}

/** What {@link assessTasks} decided. */
export interface Assessment {
  /** The tasks to keep (with creation timestamps filled in). */
  kept: GracefulEvictionTask[];
  /** Clusters whose task ended: their Work may go. */
  ended: string[];
  /** Milliseconds until the earliest timeout among the kept tasks; undefined when none times out. */
  nextCheckMs: number | undefined;
}

/**
 * Decides each task of a binding at `now` (ms): `suppressDeletion` true keeps it, false ends it;
 * its timeout (`gracePeriodSeconds`, else `defaultTimeoutMs`) ends it; so does every target being
 * healthy — judged only once the scheduler observed the binding's generation, since an older
 * status may not describe the current placement. A task without a creationTimestamp gets `now`.
 */
export function assessTasks(binding: ResourceBinding, now: number, defaultTimeoutMs: number): Assessment {
  const scheduled =
    binding.status?.schedulerObservedGeneration !== undefined &&
    binding.status.schedulerObservedGeneration === binding.metadata.generation;
  const healthy =
    scheduled && allTargetsHealthy(binding.spec.clusters, binding.status?.aggregatedStatus ?? []);
  const kept: GracefulEvictionTask[] = [];
  const ended: string[] = [];
  let nextCheckMs: number | undefined;
  for (const task of binding.spec.gracefulEvictionTasks ?? []) {
    if (!task.creationTimestamp) {
      kept.push({ ...task, creationTimestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') });
      continue;
    }
    if (task.suppressDeletion === true) {
      kept.push(task);
      continue;
    }
    if (task.suppressDeletion === false) {
      ended.push(task.fromCluster);
      continue;
    }
    const timeout = task.gracePeriodSeconds !== undefined ? task.gracePeriodSeconds * 1000 : defaultTimeoutMs;
    const left = Date.parse(task.creationTimestamp) + timeout - now;
    if (left < 0 || healthy) {
      ended.push(task.fromCluster);
      continue;
    }
    kept.push(task);
    nextCheckMs = Math.min(nextCheckMs ?? Number.POSITIVE_INFINITY, left + 1);
  }
  return { kept, ended, nextCheckMs };
}
