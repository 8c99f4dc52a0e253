/**
 * Replica assignment (K:pkg/scheduler/core/assignment.go, division_algorithm.go): Duplicated,
 * static weights (Webster over max matching weights, recomputed each time), and the dynamic
 * strategies — DynamicWeight and Aggregated — which in Steady mode divide only the delta
 * against the previous result (or shrink by it), and in Fresh mode recompute from scratch.
 */
import type { Placement, ResourceBindingSpec, TargetCluster } from '../../api/karmada/types.ts';
import { clusterMatches } from '../plugins/cluster-affinity/match.ts';
import type { AssignmentDiagnosis, AssignmentMode, Strategy } from '../types.ts';
import type { ClusterDetail } from './select.ts';
import { allocateWebster } from './webster.ts';

/** The strategy a placement resolves to; a nil replicaScheduling means Duplicated. */
export function strategyOf(placement: Placement | undefined): Strategy {
  const rs = placement?.replicaScheduling;
  if (!rs || (rs.replicaSchedulingType ?? 'Divided') === 'Duplicated') return 'Duplicated';
  if (rs.replicaDivisionPreference === 'Aggregated') return 'Aggregated';
  return rs.weightPreference?.dynamicWeight ? 'DynamicWeight' : 'StaticWeight';
}

/** Karmada's `RescheduleRequired`: triggered after the last successful schedule. */
export function rescheduleRequired(
  triggeredAt: string | undefined,
  lastScheduled: string | undefined,
): boolean {
  if (!triggeredAt || !lastScheduled) return false;
  return Date.parse(triggeredAt) > Date.parse(lastScheduled);
}

/** The outcome of assignment: target clusters, or an Unschedulable message. */
export type AssignOutcome =
  | { clusters: TargetCluster[]; diagnosis: AssignmentDiagnosis }
  | { unschedulable: string; diagnosis: AssignmentDiagnosis };

function toTargets(result: Record<string, number>): TargetCluster[] {
  return Object.entries(result).map(([name, replicas]) => ({ name, replicas }));
}

function merge(old: TargetCluster[], add: TargetCluster[]): TargetCluster[] {
  const out = new Map<string, number>();
  for (const t of [...old, ...add]) out.set(t.name, (out.get(t.name) ?? 0) + (t.replicas ?? 0));
  return [...out].map(([name, replicas]) => ({ name, replicas }));
}

function byReplicasDesc(list: TargetCluster[]): TargetCluster[] {
  return list.sort((a, b) => (b.replicas ?? 0) - (a.replicas ?? 0) || (a.name < b.name ? -1 : 1));
}

/** Assigns `spec.replicas` over the selected clusters; `previous` is the last result. */
export function assignReplicas(
  selected: readonly ClusterDetail[],
  spec: ResourceBindingSpec,
  previous: readonly TargetCluster[],
  mode: AssignmentMode,
): AssignOutcome {
  const replicas = spec.replicas ?? 0;
  const uid = spec.resource.uid;
  if (replicas === 0 && spec.replicaRequirements === undefined) {
    return {
      clusters: selected.map((c) => ({ name: c.name })),
      diagnosis: { strategy: 'NonWorkload', mode, replicas },
    };
  }
  const strategy = strategyOf(spec.placement);
  const d: AssignmentDiagnosis = { strategy, mode, replicas };
  if (strategy === 'Duplicated') {
    d.step = 'duplicate';
    return { clusters: selected.map((c) => ({ name: c.name, replicas })), diagnosis: d };
  }
  if (strategy === 'StaticWeight') {
    d.step = 'static';
    const list = spec.placement?.replicaScheduling?.weightPreference?.staticWeightList ?? [];
    const weights: Record<string, number> = {};
    for (const c of selected) {
      let w = 0;
      for (const rule of list)
        if (clusterMatches(c.cluster, rule.targetCluster)) w = Math.max(w, rule.weight);
      if (w > 0) weights[c.name] = w;
    }
    if (Object.keys(weights).length === 0) {
      d.defaultWeights = true;
      for (const c of selected) weights[c.name] = 1;
    }
    d.weights = weights;
    d.webster = allocateWebster(replicas, weights, {}, uid);
    return { clusters: toTargets(d.webster.result), diagnosis: d };
  }
  // Dynamic strategies.
  const candidates = new Set(selected.map((c) => c.name));
  const scheduled = previous.filter((t) => candidates.has(t.name));
  const assigned = scheduled.reduce((s, t) => s + (t.replicas ?? 0), 0);
  d.previous = Object.fromEntries(scheduled.map((t) => [t.name, t.replicas ?? 0]));
  let available: TargetCluster[];
  let base: TargetCluster[] = scheduled;
  let target: number;
  if (mode === 'Fresh') {
    d.step = 'fresh';
    target = replicas;
    const prev = new Map(scheduled.map((t) => [t.name, t.replicas ?? 0]));
    available = byReplicasDesc(
      selected.map((c) => ({ name: c.name, replicas: c.allocatable + (prev.get(c.name) ?? 0) })),
    );
    base = [];
  } else if (assigned > replicas) {
    d.step = 'scaleDown';
    target = replicas;
    available = byReplicasDesc(scheduled.map((t) => ({ ...t })));
    base = [];
  } else if (assigned < replicas) {
    d.step = 'scaleUp';
    target = replicas - assigned;
    available = byReplicasDesc(selected.map((c) => ({ name: c.name, replicas: c.allocatable })));
  } else {
    d.step = 'unchanged';
    return { clusters: scheduled.map((t) => ({ ...t })), diagnosis: d };
  }
  const availableSum = available.reduce((s, t) => s + (t.replicas ?? 0), 0);
  d.target = target;
  d.availableSum = availableSum;
  if (availableSum < target) {
    d.availableWeights = Object.fromEntries(available.map((t) => [t.name, t.replicas ?? 0]));
    return {
      unschedulable: `Clusters available replicas ${availableSum} are not enough to schedule.`,
      diagnosis: d,
    };
  }
  if (strategy === 'Aggregated') {
    const prior = new Set(base.filter((t) => (t.replicas ?? 0) > 0).map((t) => t.name));
    if (prior.size > 0)
      available = [
        ...available.filter((t) => prior.has(t.name)),
        ...available.filter((t) => !prior.has(t.name)),
      ];
    let sum = 0;
    for (let i = 0; i < available.length; i++) {
      sum += available[i]!.replicas ?? 0;
      if (sum >= target) {
        available = available.slice(0, i + 1);
        break;
      }
    }
    d.aggregatedPrefix = available.map((t) => t.name);
  }
  const votes = Object.fromEntries(available.map((t) => [t.name, t.replicas ?? 0]));
  d.availableWeights = votes;
  d.webster = allocateWebster(target, votes, {}, uid);
  return { clusters: merge(base, toTargets(d.webster.result)), diagnosis: d };
}

/** Drops 0-replica clusters (recorded), or keeps every selected one with 0 when asked. */
export function finishTargets(
  targets: TargetCluster[],
  selected: readonly ClusterDetail[],
  keepEmpty: boolean,
  d: AssignmentDiagnosis,
): TargetCluster[] {
  if (d.strategy === 'NonWorkload') return targets;
  let out = targets;
  if (keepEmpty) {
    const have = new Set(out.map((t) => t.name));
    out = [...out, ...selected.filter((c) => !have.has(c.name)).map((c) => ({ name: c.name, replicas: 0 }))];
  } else {
    const dropped = out.filter((t) => (t.replicas ?? 0) === 0).map((t) => t.name);
    if (dropped.length > 0) d.droppedZero = dropped;
    out = out.filter((t) => (t.replicas ?? 0) > 0);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
