/**
 * APIEnablement filter: a cluster already in the previous result passes; otherwise the template's
 * group/version and kind must be listed in `status.apiEnablements`. When the list is incomplete
 * (condition `CompleteAPIEnablements` not True) a missing API is `APIUnknown`, which fails too.
 */
import type { Cluster } from '../../../api/karmada/types.ts';
import type { FilterContext, FilterPlugin, FilterVerdict } from '../../types.ts';

/** Karmada's `Cluster.APIEnablement` verdict. */
export type ApiEnablementStatus = 'APIEnabled' | 'APIDisabled' | 'APIUnknown';

/** Whether `apiVersion`/`kind` is enabled on the cluster, disabled, or unknown (incomplete list). */
export function apiEnablement(cluster: Cluster, apiVersion: string, kind: string): ApiEnablementStatus {
  for (const e of cluster.status?.apiEnablements ?? []) {
    if (e.groupVersion !== apiVersion) continue;
    if ((e.resources ?? []).some((r) => r.kind === kind)) return 'APIEnabled';
  }
  const complete = (cluster.status?.conditions ?? []).some(
    (c) => c.type === 'CompleteAPIEnablements' && c.status === 'True',
  );
  return complete ? 'APIDisabled' : 'APIUnknown';
}

/** The APIEnablement plugin. */
export const apiEnablementPlugin: FilterPlugin = {
  name: 'APIEnablement',
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict {
    if (ctx.targets.has(cluster.metadata.name ?? '')) return { ok: true };
    const { apiVersion, kind } = ctx.spec.resource;
    const status = apiEnablement(cluster, apiVersion, kind);
    if (status === 'APIEnabled') return { ok: true };
    return {
      ok: false,
      reason: 'cluster(s) did not have the API resource',
      detail: `${apiVersion}/${kind}: ${status}`,
    };
  },
};
