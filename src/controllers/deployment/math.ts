/**
 * The arithmetic of Deployment rollouts, pure and as Kubernetes' deployment util does it:
 * maxSurge/maxUnavailable fenceposts (surge rounds up, unavailable down, never both 0), the new
 * ReplicaSet's next size, and proportional scaling of several ReplicaSets.
 */
import type { KubeObject } from '../../api/meta.ts';

/** `deployment.kubernetes.io/revision` on ReplicaSets. */
export const REVISION = 'deployment.kubernetes.io/revision';
/** `deployment.kubernetes.io/desired-replicas`: the Deployment's replicas when the RS was last scaled. */
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
/** `deployment.kubernetes.io/max-replicas`: replicas + maxSurge when the RS was last scaled. */
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

/** An int-or-percent (`2`, `'25%'`) scaled against `total`, rounding up or down; throws on garbage. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Math.max(0, Math.trunc(value));
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(
      `invalid value for IntOrString: invalid value "${value}": must be an integer or percentage`,
    );
  }
  const v = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(v) : Math.floor(v);
}

/** `[maxSurge, maxUnavailable]` for a Deployment; a Recreate Deployment gets `[0, 0]`. */
export function fenceposts(d: KubeObject): [number, number] {
  if (d.spec?.strategy?.type === 'Recreate') return [0, 0];
  const replicas = Number(d.spec?.replicas ?? 1);
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? '25%', replicas, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** Replicas the Deployment may be scaled to while rolling (`replicas + maxSurge`). */
export function maxReplicas(d: KubeObject): number {
  return Number(d.spec?.replicas ?? 1) + fenceposts(d)[0];
}

/** `spec.replicas` of a ReplicaSet. */
export function specReplicas(rs: KubeObject | undefined): number {
  return rs ? Number(rs.spec?.replicas ?? 0) : 0;
}

/** The RS's revision annotation as a number (0 when absent). */
export function revisionOf(rs: KubeObject): number {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/**
 * The new RS's size for the next rolling step: grow towards `replicas` without the pods of all
 * ReplicaSets (`current`) exceeding `replicas + maxSurge`. Recreate jumps to `replicas`.
 */
export function newRSNewReplicas(d: KubeObject, current: number, newRSReplicas: number): number {
  const replicas = Number(d.spec?.replicas ?? 1);
  if (d.spec?.strategy?.type === 'Recreate') return replicas;
  const maxTotal = replicas + fenceposts(d)[0];
  if (current >= maxTotal) return newRSReplicas;
  const up = Math.min(maxTotal - current, replicas - newRSReplicas);
  return newRSReplicas + Math.max(0, up);
}

/**
 * Target sizes for active ReplicaSets when the Deployment is resized mid-rollout: the
 * difference between `replicas + maxSurge` and their sum is spread in proportion to each RS's
 * share of the `max-replicas` it was last scaled for; the rounding leftover goes to the first
 * (largest; newest on scale-up, oldest on scale-down). Returns name → size.
 */
export function proportionalSizes(d: KubeObject, active: readonly KubeObject[]): Map<string, number> {
  const replicas = Number(d.spec?.replicas ?? 1);
  const allowed = replicas > 0 ? maxReplicas(d) : 0;
  const total = active.reduce((n, rs) => n + specReplicas(rs), 0);
  const toAdd = allowed - total;
  const created = (rs: KubeObject) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  const sorted = [...active].sort((a, b) => {
    const bySize = specReplicas(b) - specReplicas(a);
    if (bySize !== 0) return bySize;
    return toAdd > 0 ? created(b) - created(a) : created(a) - created(b);
  });
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    const size = specReplicas(rs);
    let proportion = 0;
    if (toAdd !== 0 && size > 0 && added !== toAdd) {
      let fraction: number;
      if (replicas === 0) fraction = -size;
      else {
        const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS]);
        const base = Number.isFinite(annotated) && annotated > 0 ? annotated : Math.max(total, 1);
        fraction = Math.round((size * allowed) / base) - size;
      }
      const left = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    }
    sizes.set(rs.metadata.name ?? '', size + proportion);
    added += proportion;
  }
  const first = sorted[0];
  if (first && added !== toAdd) {
    const name = first.metadata.name ?? '';
    sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
  }
  return sizes;
}
