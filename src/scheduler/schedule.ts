/**
 * `schedule`: the pure scheduling core. With `clusterAffinities` it tries the terms in order,
 * starting at the observed term (index 0 after `rescheduleTriggeredAt`), and the first term that
 * schedules wins; when all fail the first failure is returned. Otherwise one pass over the inline
 * (or absent) affinity. No I/O; the result is typed and carries the full diagnosis.
 */
import type { Placement, ResourceBindingSpec } from '../api/karmada/types.ts';
import { rescheduleRequired, strategyOf } from './core/assign.ts';
import { scheduleTerm } from './core/generic.ts';
import type { PluginSet } from './plugins/registry.ts';
import type { Diagnosis, ScheduleInput, ScheduleResult } from './types.ts';

function resourceName(spec: ResourceBindingSpec): string {
  const r = spec.resource;
  return `${r.apiVersion}/${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function affinityKind(p: Placement): Diagnosis['affinity'] {
  if (p.clusterAffinity) return 'inline';
  return p.clusterAffinities && p.clusterAffinities.length > 0 ? 'terms' : 'none';
}

/** Schedules one binding over a cluster snapshot; see the module comment for the term order. */
export function schedule(input: ScheduleInput, plugins?: PluginSet): ScheduleResult {
  const spec = input.spec;
  const placement = spec.placement ?? {};
  const previous = input.previous ?? spec.clusters ?? [];
  const status = input.status ?? {};
  const fresh = rescheduleRequired(spec.rescheduleTriggeredAt, status.lastScheduledTime);
  const workload = (spec.replicas ?? 0) > 0 || spec.replicaRequirements !== undefined;
  const diagnosis: Diagnosis = {
    resource: resourceName(spec),
    replicas: spec.replicas ?? 0,
    strategy: workload ? strategyOf(placement) : 'NonWorkload',
    mode: fresh ? 'Fresh' : 'Steady',
    affinity: affinityKind(placement),
    terms: [],
  };
  const terms =
    diagnosis.affinity === 'terms' && !placement.clusterAffinity ? (placement.clusterAffinities ?? []) : [];
  if (terms.length === 0) {
    const { term, clusters } = scheduleTerm(input, spec, previous, diagnosis.mode, undefined, plugins);
    diagnosis.terms.push(term);
    if (clusters) return { kind: 'Success', clusters, diagnosis };
    return {
      kind: term.outcome as Exclude<ScheduleResult['kind'], 'Success'>,
      reason: term.message ?? '',
      diagnosis,
    };
  }
  let index = 0;
  if (!fresh && status.schedulerObservingAffinityName) {
    const i = terms.findIndex((t) => t.affinityName === status.schedulerObservingAffinityName);
    index = Math.max(i, 0);
  }
  for (; index < terms.length; index++) {
    const name = terms[index]!.affinityName;
    const { term, clusters } = scheduleTerm(input, spec, previous, diagnosis.mode, name, plugins);
    term.index = index;
    diagnosis.terms.push(term);
    diagnosis.chosenAffinity = name;
    if (clusters) return { kind: 'Success', clusters, affinityName: name, diagnosis };
  }
  const first = diagnosis.terms[0]!;
  if (status.schedulerObservingAffinityName) diagnosis.chosenAffinity = status.schedulerObservingAffinityName;
  else delete diagnosis.chosenAffinity;
  return {
    kind: first.outcome as Exclude<ScheduleResult['kind'], 'Success'>,
    reason: first.message ?? '',
    diagnosis,
  };
}
