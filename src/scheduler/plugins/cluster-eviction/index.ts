/** ClusterEviction filter: clusters listed in `spec.gracefulEvictionTasks` are being evicted from. */
import type { Cluster } from '../../../api/karmada/types.ts';
import type { FilterContext, FilterPlugin, FilterVerdict } from '../../types.ts';

/** The ClusterEviction plugin. */
export const clusterEvictionPlugin: FilterPlugin = {
  name: 'ClusterEviction',
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict {
    const task = ctx.spec.gracefulEvictionTasks?.find((t) => t.fromCluster === cluster.metadata.name);
    if (!task) return { ok: true };
    return {
      ok: false,
      reason: 'cluster(s) is in the process of eviction',
      detail: `${task.reason} by ${task.producer}`,
    };
  },
};
