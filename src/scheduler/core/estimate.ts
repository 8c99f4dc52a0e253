/**
 * The general replica estimator (K:pkg/estimator/client/general.go): how many more replicas of a
 * binding a cluster can run, from `status.resourceSummary` and the binding's per-replica
 * `replicaRequirements.resourceRequest`. Resource-model grades are not simulated (see README).
 */
import type { Cluster, ResourceBindingSpec } from '../../api/karmada/types.ts';
import { quantityMilli, quantityValue } from './quantity.ts';

/** Go's MaxInt32: "no estimate" (non-workloads). */
export const MAX_INT32 = 2147483647;

function free(
  summary: NonNullable<NonNullable<Cluster['status']>['resourceSummary']>,
  key: string,
  milli: boolean,
): number {
  const conv = milli ? quantityMilli : quantityValue;
  return (
    conv(summary.allocatable?.[key]) -
    (summary.allocated?.[key] !== undefined ? conv(summary.allocated[key]) : 0) -
    (summary.allocating?.[key] !== undefined ? conv(summary.allocating[key]) : 0)
  );
}

/** The general estimator's answer for one cluster: 0 without a resource summary. */
export function estimateReplicas(cluster: Cluster, spec: ResourceBindingSpec): number {
  const summary = cluster.status?.resourceSummary;
  if (!summary) return 0;
  let max = Math.max(0, free(summary, 'pods', false));
  if (max <= 0) return 0;
  const requests = spec.replicaRequirements?.resourceRequest;
  if (!requests) return Math.min(max, MAX_INT32);
  for (const [key, value] of Object.entries(requests)) {
    if (quantityValue(value) <= 0) continue;
    if (summary.allocatable?.[key] === undefined) return 0;
    const cpu = key === 'cpu';
    if (free(summary, key, false) <= 0) return 0;
    const available = free(summary, key, cpu);
    const requested = cpu ? quantityMilli(value) : quantityValue(value);
    max = Math.min(max, Math.floor(available / requested));
  }
  return Math.max(0, Math.min(max, MAX_INT32));
}

/**
 * Available replicas per cluster for selection and division: MaxInt32 for non-workloads
 * (replicas 0), else the estimate. (Karmada replaces a MaxInt32 estimate by `spec.replicas`.)
 */
export function allocatableReplicas(cluster: Cluster, spec: ResourceBindingSpec): number {
  if ((spec.replicas ?? 0) === 0) return MAX_INT32;
  const n = estimateReplicas(cluster, spec);
  return n === MAX_INT32 ? (spec.replicas ?? 0) : n;
}
