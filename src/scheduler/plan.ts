/**
 * `planPlacement`: what the scheduler would do for a template under a policy, without writing
 * anything — for `flotilla plan`. Builds the binding spec the detector would build (or takes the
 * current binding's), runs the same core, and lists the per-cluster changes.
 */

import type {
  Cluster,
  PropagationPolicy,
  ResourceBinding,
  ResourceBindingSpec,
} from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { schedule } from './schedule.ts';
import type { Diagnosis, ScheduleResult } from './types.ts';

/** Input of {@link planPlacement}. */
export interface PlanInput {
  template: KubeObject;
  policy: Pick<PropagationPolicy, 'spec'>;
  clusters: readonly Cluster[];
  /** The existing binding: its previous result, status and UID-based tie-break are used. */
  currentBinding?: ResourceBinding | undefined;
}

/** One cluster's change between the current binding and the plan. */
export interface PlacementChange {
  cluster: string;
  kind: 'add' | 'remove' | 'scale' | 'keep';
  from: number;
  to: number;
}

/** Output of {@link planPlacement}. */
export interface PlanOutput {
  result: ScheduleResult;
  diagnosis: Diagnosis;
  changes: PlacementChange[];
}

function templateReplicas(t: KubeObject): number {
  const r = (t as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (typeof r === 'number') return r;
  // Workload kinds default to 1 replica when unset.
  return ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(t.kind ?? '') ? 1 : 0;
}

/** Runs the scheduler core over the template and policy; pure, never writes. */
export function planPlacement(input: PlanInput): PlanOutput {
  const { template, policy, clusters, currentBinding } = input;
  const current = currentBinding?.spec.clusters ?? [];
  const spec: ResourceBindingSpec = {
    ...(currentBinding?.spec ?? {}),
    resource: {
      apiVersion: template.apiVersion ?? '',
      kind: template.kind ?? '',
      ...(template.metadata.namespace ? { namespace: template.metadata.namespace } : {}),
      name: template.metadata.name ?? '',
      ...(template.metadata.uid ? { uid: template.metadata.uid } : {}),
    },
    replicas: templateReplicas(template),
    ...(policy.spec.placement ? { placement: policy.spec.placement } : {}),
    clusters: current,
  };
  const result = schedule({ spec, status: currentBinding?.status, clusters });
  const before = new Map(current.map((t) => [t.name, t.replicas ?? 0]));
  // NoClusterFit empties the result (as Karmada patches it); other failures keep the current one.
  const planned = result.kind === 'Success' ? result.clusters : result.kind === 'NoClusterFit' ? [] : current;
  const after = new Map(planned.map((t) => [t.name, t.replicas ?? 0]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes = names.map((cluster): PlacementChange => {
    const from = before.get(cluster) ?? 0;
    const to = after.get(cluster) ?? 0;
    const kind = !before.has(cluster)
      ? 'add'
      : !after.has(cluster)
        ? 'remove'
        : from !== to
          ? 'scale'
          : 'keep';
    return { cluster, kind, from, to };
  });
  return { result, diagnosis: result.diagnosis, changes };
}
