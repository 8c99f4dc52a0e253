/**
 * Selection by spread constraints (K:pkg/scheduler/core/spreadconstraint/*): orders the feasible
 * clusters (score desc, available desc, name), then picks by `cluster` (top maxGroups, swapping
 * in capacity for Divided workloads) or by `region` (best region set, its best cluster each,
 * filled up by availability). Ignored for static weights; availability ignored for Duplicated.
 */
import type { Cluster, Placement, ResourceBindingSpec, SpreadConstraint } from '../../api/karmada/types.ts';
import type { SelectionDiagnosis } from '../types.ts';
import { selectGroups } from './groups.ts';

/** A feasible cluster with what selection and division need. */
export interface ClusterDetail {
  name: string;
  cluster: Cluster;
  score: number;
  /** Estimate + replicas already assigned to it. */
  available: number;
  /** The estimate alone. */
  allocatable: number;
}

/** Thrown-free failure of selection. */
export interface SelectFailure {
  error: string;
}

const WEIGHT_UNIT = 1000;

/** Sorts by score desc, then available desc, then name (Karmada's `sortClusters`). */
export function sortDetails(list: ClusterDetail[]): ClusterDetail[] {
  return list.sort(
    (a, b) =>
      b.score - a.score || b.available - a.available || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** Static-weight division ignores spread constraints (`shouldIgnoreSpreadConstraint`). */
export function spreadIgnored(placement: Placement): boolean {
  const rs = placement.replicaScheduling;
  if (!rs || (rs.replicaSchedulingType ?? 'Divided') !== 'Divided') return false;
  if ((rs.replicaDivisionPreference ?? 'Weighted') !== 'Weighted') return false;
  const wp = rs.weightPreference;
  return !wp || ((wp.staticWeightList ?? []).length > 0 && !wp.dynamicWeight);
}

function field(sc: SpreadConstraint): string {
  return sc.spreadByField ?? (sc.spreadByLabel ? `label:${sc.spreadByLabel}` : 'cluster');
}

function groupScore(
  clusters: ClusterDetail[],
  spec: ResourceBindingSpec,
  minGroups: number,
  clusterMin: number,
): number {
  const placement = spec.placement ?? {};
  const duplicated =
    !placement.replicaScheduling || placement.replicaScheduling.replicaSchedulingType === 'Duplicated';
  const replicas = spec.replicas ?? 0;
  if (duplicated) {
    let valid = 0;
    let sum = 0;
    for (const c of clusters) {
      if (c.available >= replicas) {
        valid++;
        sum += c.score;
      }
    }
    return valid === 0 ? 0 : valid * WEIGHT_UNIT + Math.trunc(sum / valid);
  }
  const target = Math.ceil(replicas / (minGroups || 1));
  const need = Math.max(clusterMin, minGroups);
  let avail = 0;
  let score = 0;
  let valid = 0;
  for (const c of clusters) {
    avail += c.available;
    score += c.score;
    valid++;
    if (valid >= need && avail >= target) break;
  }
  if (avail < target) return avail * WEIGHT_UNIT + Math.trunc(score / clusters.length);
  return target * WEIGHT_UNIT + Math.trunc(score / valid);
}

/** Picks the clusters to divide over; `ordered` must come from {@link sortDetails}. */
export function selectClusters(
  ordered: ClusterDetail[],
  spec: ResourceBindingSpec,
): { selected: ClusterDetail[]; diagnosis: SelectionDiagnosis } | SelectFailure {
  const placement = spec.placement ?? {};
  const constraints = placement.spreadConstraints ?? [];
  const order = ordered.map((c) => c.name);
  const done = (selected: ClusterDetail[], d: Omit<SelectionDiagnosis, 'order' | 'selected'>) => ({
    selected,
    diagnosis: { ...d, order, selected: selected.map((c) => c.name) },
  });
  if (constraints.length === 0) return done(ordered, { by: 'none' });
  if (spreadIgnored(placement))
    return done(ordered, {
      by: 'ignored',
      note: 'spread constraints are ignored for static-weight division',
    });
  const byField = new Map<string, SpreadConstraint>();
  for (const sc of constraints) byField.set(field(sc), sc);
  const ignoreAvailable =
    !placement.replicaScheduling || placement.replicaScheduling.replicaSchedulingType === 'Duplicated';
  const need = ignoreAvailable ? -1 : (spec.replicas ?? 0);
  const clusterSc = byField.get('cluster');
  const clusterMin = clusterSc?.minGroups ?? 0;
  const clusterMax = clusterSc ? (clusterSc.maxGroups ?? Number.POSITIVE_INFINITY) : 0;
  const regionSc = byField.get('region');
  if (regionSc) {
    const regions = new Map<string, ClusterDetail[]>();
    for (const c of ordered) {
      const r = c.cluster.spec?.region;
      if (!r) continue;
      regions.set(r, [...(regions.get(r) ?? []), c]);
    }
    const regionMin = regionSc.minGroups ?? 1;
    const groups = [...regions].map(([name, cs]) => ({
      name,
      clusters: cs.map((c) => c.name),
      score: groupScore(cs, spec, regionMin, clusterMin),
      available: cs.reduce((s, c) => s + c.available, 0),
    }));
    if (regions.size < regionMin)
      return { error: 'the number of feasible region is less than spreadConstraint.MinGroups' };
    const chosen = selectGroups(
      groups.map((g) => ({ name: g.name, value: g.clusters.length, weight: g.score })),
      regionMin,
      regionSc.maxGroups ?? Number.POSITIVE_INFINITY,
      clusterMin,
    );
    if (chosen.length === 0)
      return { error: 'the number of clusters is less than the cluster spreadConstraint.MinGroups' };
    const selected: ClusterDetail[] = [];
    const rest: ClusterDetail[] = [];
    for (const g of chosen) {
      const cs = regions.get(g.name) ?? [];
      selected.push(cs[0]!);
      rest.push(...cs.slice(1));
    }
    const restCnt = Math.min(rest.length + selected.length, clusterMax) - selected.length;
    if (restCnt > 0) selected.push(...sortDetails(rest).slice(0, restCnt));
    return done(selected, { by: 'region', groups, chosenGroups: chosen.map((g) => g.name) });
  }
  if (!clusterSc) return { error: 'just support cluster and region spread constraint' };
  if (ordered.length < clusterMin)
    return { error: 'the number of feasible clusters is less than spreadConstraint.MinGroups' };
  const n = Math.min(ordered.length, clusterMax);
  if (need < 0) return done(ordered.slice(0, n), { by: 'cluster' });
  const picked = ordered.slice(0, n);
  const rest = ordered.slice(n);
  const swaps: [string, string][] = [];
  const total = () => picked.reduce((s, c) => s + c.available, 0);
  for (let at = picked.length - 1; total() < need && at >= 0; at--) {
    let best = -1;
    let max = picked[at]!.available;
    rest.forEach((c, i) => {
      if (c.available > max) {
        best = i;
        max = c.available;
      }
    });
    if (best < 0) continue;
    const out = picked[at]!;
    picked[at] = rest[best]!;
    rest[best] = out;
    swaps.push([out.name, picked[at]!.name]);
  }
  if (total() < need) return { error: `no enough resource when selecting ${n} clusters` };
  return done(picked, { by: 'cluster', ...(swaps.length > 0 ? { swaps } : {}) });
}
