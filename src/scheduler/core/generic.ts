/**
 * One scheduling pass for one affinity term (K:pkg/scheduler/core/generic_scheduler.go):
 * filter → score → select → assign, recording every step in a `TermDiagnosis`.
 */
import type { ResourceBindingSpec, TargetCluster } from '../../api/karmada/types.ts';
import { DEFAULT_PLUGINS, type PluginSet } from '../plugins/registry.ts';
import type {
  AssignmentMode,
  ClusterVerdict,
  FilterContext,
  ScheduleInput,
  TermDiagnosis,
} from '../types.ts';
import { assignReplicas, finishTargets } from './assign.ts';
import { allocatableReplicas } from './estimate.ts';
import { type ClusterDetail, selectClusters, sortDetails } from './select.ts';

/** What one term's pass produced. */
export interface TermOutcome {
  term: TermDiagnosis;
  clusters?: TargetCluster[];
}

/** Karmada's FitError text: `0/N clusters are available: <count reason, …>.` */
export function fitErrorMessage(total: number, verdicts: readonly ClusterVerdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts)
    if (v.rejected && v.rejected.plugin !== '-')
      counts.set(v.rejected.reason, (counts.get(v.rejected.reason) ?? 0) + 1);
  if (total === 0 || counts.size === 0) return `0/${total} clusters are available: no cluster exists.`;
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${total} clusters are available: ${parts.join(', ')}.`;
}

/** Runs one pass with `affinityName` as the observed term. Never throws for bad input. */
export function scheduleTerm(
  input: ScheduleInput,
  spec: ResourceBindingSpec,
  previous: readonly TargetCluster[],
  mode: AssignmentMode,
  affinityName: string | undefined,
  plugins: PluginSet = DEFAULT_PLUGINS,
): TermOutcome {
  const placement = spec.placement ?? {};
  const ctx: FilterContext = { spec, placement, affinityName, targets: new Set(previous.map((t) => t.name)) };
  const verdicts: ClusterVerdict[] = [];
  const details: ClusterDetail[] = [];
  const assignedTo = new Map(previous.map((t) => [t.name, t.replicas ?? 0]));
  for (const cluster of input.clusters) {
    const name = cluster.metadata.name ?? '';
    const v: ClusterVerdict = { name };
    verdicts.push(v);
    if (cluster.metadata.deletionTimestamp) {
      v.rejected = { plugin: '-', reason: 'cluster is being deleted' };
      continue;
    }
    for (const p of plugins.filters) {
      const r = p.filter(ctx, cluster);
      if (!r.ok) {
        v.rejected = { plugin: p.name, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}) };
        break;
      }
      if (r.notes) v.notes = [...(v.notes ?? []), ...r.notes];
    }
    if (v.rejected) continue;
    const scores: Record<string, number> = {};
    let score = 0;
    for (const p of plugins.scores) {
      const s = p.score(ctx, cluster);
      scores[p.name] = s;
      score += s;
    }
    v.scores = scores;
    v.score = score;
    const allocatable = allocatableReplicas(cluster, spec);
    const available = allocatable + (assignedTo.get(name) ?? 0);
    if ((spec.replicas ?? 0) > 0) {
      v.allocatable = allocatable;
      v.available = available;
    }
    details.push({ name, cluster, score, allocatable, available });
  }
  const term: TermDiagnosis = {
    ...(affinityName !== undefined ? { affinityName } : {}),
    outcome: 'Success',
    clusters: verdicts,
    feasible: details.map((c) => c.name),
  };
  if (details.length === 0) {
    term.outcome = 'NoClusterFit';
    term.message = fitErrorMessage(input.clusters.length, verdicts);
    return { term };
  }
  const sel = selectClusters(sortDetails(details), spec);
  if ('error' in sel) {
    term.outcome = 'Error';
    term.message = `failed to select clusters: ${sel.error}`;
    return { term };
  }
  term.selection = sel.diagnosis;
  const chosen = new Set(sel.diagnosis.selected);
  for (const v of verdicts) if (chosen.has(v.name)) v.selected = true;
  const out = assignReplicas(sel.selected, spec, previous, mode);
  term.assignment = out.diagnosis;
  if ('unschedulable' in out) {
    term.outcome = 'Unschedulable';
    const step =
      out.diagnosis.step === 'scaleDown'
        ? 'scale down'
        : out.diagnosis.step === 'fresh'
          ? 'do fresh scale'
          : 'scale up';
    term.message = `failed to assign replicas: failed to ${step}: ${out.unschedulable}`;
    return { term };
  }
  return {
    term,
    clusters: finishTargets(
      out.clusters,
      sel.selected,
      input.enableEmptyWorkloadPropagation ?? false,
      out.diagnosis,
    ),
  };
}
