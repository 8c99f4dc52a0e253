/**
 * TaintToleration filter: a cluster already in the previous result passes (eviction is the taint
 * manager's job); otherwise any `NoSchedule`/`NoExecute` taint not tolerated by
 * `placement.clusterTolerations` rejects it. `PreferNoSchedule` is ignored. A tolerated NoExecute
 * taint with `tolerationSeconds` passes, noted in the diagnosis (the taint manager evicts later).
 */
import type { Cluster, Taint, Toleration } from '../../../api/karmada/types.ts';
import type { FilterContext, FilterPlugin, FilterVerdict } from '../../types.ts';

/** Kubernetes' `Toleration.ToleratesTaint` (without the Lt/Gt operators). */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      // An empty key with Equal matches nothing but an empty-key taint; Kubernetes requires a key.
      return (toleration.key ?? '') === taint.key && (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** `{key=value:effect}` as corev1.Taint.ToString prints it. */
export function taintString(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** The first untolerated NoSchedule/NoExecute taint, or undefined. */
export function untoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | undefined {
  return taints.find(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerations.some((tol) => toleratesTaint(tol, t)),
  );
}

/** The TaintToleration plugin. */
export const taintTolerationPlugin: FilterPlugin = {
  name: 'TaintToleration',
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict {
    const name = cluster.metadata.name ?? '';
    const taints = cluster.spec?.taints ?? [];
    if (taints.length === 0) return { ok: true };
    if (ctx.targets.has(name)) return { ok: true, notes: ['already a target: taints not checked'] };
    const tolerations = ctx.placement.clusterTolerations ?? [];
    const taint = untoleratedTaint(taints, tolerations);
    if (taint) return { ok: false, reason: `cluster(s) had untolerated taint {${taintString(taint)}}` };
    const notes: string[] = [];
    for (const t of taints) {
      if (t.effect !== 'NoExecute') continue;
      const tol = tolerations.find((x) => toleratesTaint(x, t));
      if (tol?.tolerationSeconds !== undefined)
        notes.push(`taint {${taintString(t)}} tolerated for ${tol.tolerationSeconds}s`);
    }
    return notes.length > 0 ? { ok: true, notes } : { ok: true };
  },
};
