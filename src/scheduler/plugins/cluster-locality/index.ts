/** ClusterLocality score: 100 for a cluster already in the previous result, else 0. */
import type { Cluster } from '../../../api/karmada/types.ts';
import type { FilterContext, ScorePlugin } from '../../types.ts';

/** Karmada's MaxClusterScore. */
export const MAX_CLUSTER_SCORE = 100;

/** The ClusterLocality plugin. */
export const clusterLocalityPlugin: ScorePlugin = {
  name: 'ClusterLocality',
  score(ctx: FilterContext, cluster: Cluster): number {
    return ctx.targets.has(cluster.metadata.name ?? '') ? MAX_CLUSTER_SCORE : 0;
  },
};
