/**
 * ClusterAffinity filter (and a 0 score): the inline `clusterAffinity`, or the `clusterAffinities`
 * term being tried plus its overflow affinities for workloads; a cluster must match one of them.
 */
import type { Cluster, ClusterAffinity, Placement, ResourceBindingSpec } from '../../../api/karmada/types.ts';
import type { FilterContext, FilterPlugin, FilterVerdict, ScorePlugin } from '../../types.ts';
import { affinityMismatch } from './match.ts';

export { affinityMismatch, clusterMatches } from './match.ts';

/** Karmada's rejection message. */
export const AFFINITY_MISMATCH = 'cluster(s) did not match the placement cluster affinity constraint';

/** Whether the binding is a workload (replicas > 0 or requirements), as `IsWorkload`. */
export function isWorkload(spec: ResourceBindingSpec): boolean {
  return (spec.replicas ?? 0) > 0 || spec.replicaRequirements !== undefined;
}

/** The affinities in force for a term (or the inline one); undefined means "any cluster". */
export function affinitiesInForce(
  placement: Placement,
  affinityName: string | undefined,
  workload: boolean,
): ClusterAffinity[] | undefined {
  if (placement.clusterAffinity) return [placement.clusterAffinity];
  const term = placement.clusterAffinities?.find((t) => t.affinityName === affinityName);
  if (!term) return undefined;
  return workload ? [term, ...(term.overflowAffinities ?? [])] : [term];
}

/** The ClusterAffinity plugin. */
export const clusterAffinityPlugin: FilterPlugin & ScorePlugin = {
  name: 'ClusterAffinity',
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict {
    const affinities = affinitiesInForce(ctx.placement, ctx.affinityName, isWorkload(ctx.spec));
    if (!affinities) return { ok: true };
    const why: string[] = [];
    for (const a of affinities) {
      const miss = affinityMismatch(cluster, a);
      if (miss === undefined) return { ok: true };
      why.push(miss);
    }
    return { ok: false, reason: AFFINITY_MISMATCH, detail: why.join('; ') };
  },
  score: () => 0,
};
