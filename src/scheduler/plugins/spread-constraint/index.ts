/**
 * SpreadConstraint filter: with `spreadByField` provider, region or zone, a cluster must have a
 * non-empty provider, region or zones. (Selection by constraints is in core/select.ts.)
 */
import type { Cluster } from '../../../api/karmada/types.ts';
import type { FilterContext, FilterPlugin, FilterVerdict } from '../../types.ts';

/** The SpreadConstraint plugin. */
export const spreadConstraintPlugin: FilterPlugin = {
  name: 'SpreadConstraint',
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict {
    for (const sc of ctx.placement.spreadConstraints ?? []) {
      if (sc.spreadByField === 'provider' && !cluster.spec?.provider)
        return { ok: false, reason: 'cluster(s) did not have provider property' };
      if (sc.spreadByField === 'region' && !cluster.spec?.region)
        return { ok: false, reason: 'cluster(s) did not have region property' };
      if (sc.spreadByField === 'zone' && (cluster.spec?.zones ?? []).length === 0)
        return { ok: false, reason: 'cluster(s) did not have zones property' };
    }
    return { ok: true };
  },
};
