/**
 * Karmada's built-in resource interpreters for status (§4.3): `reflectStatus` (what a member
 * object's status contributes to `Work.status.manifestStatuses`), `interpretHealth` (Healthy /
 * Unhealthy; kinds without a rule are Healthy) and `aggregateStatus` (the template's status from
 * every cluster's reflected status). All pure.
 */
import { ANNOTATIONS } from '../api/karmada/names.ts';
import type { AggregatedStatusItem } from '../api/karmada/types.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import { jsonEqual, setCondition } from './status-write.ts';

type Obj = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The status a member object reflects into its Work. */
export function reflectStatus(obj: KubeObject): Obj | undefined {
  const s = (obj.status ?? {}) as Obj;
  if (obj.kind === 'Deployment') {
    const out: Obj = {};
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'observedGeneration',
    ]) {
      if (s[k] !== undefined) out[k] = s[k];
    }
    out.generation = obj.metadata.generation ?? 0;
    const g = Number(obj.metadata.annotations?.[ANNOTATIONS.templateGeneration]);
    if (Number.isFinite(g) && obj.metadata.annotations?.[ANNOTATIONS.templateGeneration] !== undefined)
      out.resourceTemplateGeneration = g;
    return out;
  }
  return obj.status === undefined ? undefined : structuredClone(s);
}

function cond(obj: KubeObject, type: string): Condition | undefined {
  return (obj.status?.conditions ?? []).find((c: Condition) => c.type === type);
}

/** Karmada's built-in health rules; `Healthy` for kinds without one. */
export function interpretHealth(obj: KubeObject): 'Healthy' | 'Unhealthy' {
  const s = (obj.status ?? {}) as Obj;
  const spec = (obj.spec ?? {}) as Obj;
  const gen = obj.metadata.generation ?? 0;
  const ok = (b: boolean) => (b ? 'Healthy' : 'Unhealthy');
  switch (obj.kind) {
    case 'Deployment':
      return ok(
        num(s.observedGeneration) === gen &&
          num(s.updatedReplicas) >= num(spec.replicas ?? 1) &&
          num(s.availableReplicas) >= num(s.updatedReplicas),
      );
    case 'StatefulSet':
      return ok(num(s.observedGeneration) === gen && num(s.updatedReplicas) >= num(spec.replicas ?? 1));
    case 'ReplicaSet':
      return ok(num(s.observedGeneration) === gen && num(s.availableReplicas) >= num(spec.replicas ?? 1));
    case 'DaemonSet':
      return ok(
        num(s.observedGeneration) === gen && num(s.updatedNumberScheduled) >= num(s.desiredNumberScheduled),
      );
    case 'Service':
    case 'Ingress': {
      if (obj.kind === 'Service' && spec.type !== 'LoadBalancer') return 'Healthy';
      const ingress = ((s.loadBalancer as Obj | undefined)?.ingress as Obj[] | undefined) ?? [];
      return ok(ingress.some((i) => i.ip || i.hostname));
    }
    case 'PersistentVolumeClaim':
      return ok(s.phase === 'Bound');
    case 'Pod':
      return ok(s.phase === 'Succeeded' || (s.phase === 'Running' && cond(obj, 'Ready')?.status === 'True'));
    case 'PodDisruptionBudget':
      return ok(num(s.currentHealthy) >= num(s.desiredHealthy));
    default:
      return 'Healthy';
  }
}

function deploymentStatus(template: KubeObject, items: readonly AggregatedStatusItem[]): Obj {
  const old = (template.status ?? {}) as Obj;
  const sum: Obj = {
    replicas: 0,
    readyReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    unavailableReplicas: 0,
  };
  let caughtUp = items.length > 0;
  const gen = template.metadata.generation ?? 0;
  for (const item of items) {
    const s = item.status ?? {};
    for (const k of Object.keys(sum)) sum[k] = num(sum[k]) + num(s[k]);
    if (!(num(s.observedGeneration) >= num(s.generation) && num(s.resourceTemplateGeneration) >= gen))
      caughtUp = false;
  }
  const out: Obj = { ...old, ...sum };
  out.observedGeneration = caughtUp ? gen : old.observedGeneration;
  if (out.observedGeneration === undefined) delete out.observedGeneration;
  const desired = num((template.spec as Obj | undefined)?.replicas ?? 1);
  const available: Condition =
    num(sum.availableReplicas) >= desired
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        };
  out.conditions = setCondition(old.conditions as Condition[] | undefined, available);
  return out;
}

function jobStatus(template: KubeObject, items: readonly AggregatedStatusItem[]): Obj {
  const old = (template.status ?? {}) as Obj;
  const out: Obj = { ...old, active: 0, succeeded: 0, failed: 0 };
  let complete = items.length > 0;
  let failed = false;
  for (const item of items) {
    const s = item.status ?? {};
    for (const k of ['active', 'succeeded', 'failed']) out[k] = num(out[k]) + num(s[k]);
    const conds = (s.conditions as Condition[] | undefined) ?? [];
    if (!conds.some((c) => c.type === 'Complete' && c.status === 'True')) complete = false;
    if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) failed = true;
  }
  let conditions = old.conditions as Condition[] | undefined;
  if (complete)
    conditions = setCondition(conditions, {
      type: 'Complete',
      status: 'True',
      reason: 'Completed',
      message: 'Job completed',
    });
  if (failed)
    conditions = setCondition(conditions, {
      type: 'Failed',
      status: 'True',
      reason: 'JobFailed',
      message: 'Job executed failed in member clusters',
    });
  if (conditions) out.conditions = conditions;
  return out;
}

function serviceStatus(template: KubeObject, items: readonly AggregatedStatusItem[]): Obj | undefined {
  if ((template.spec as Obj | undefined)?.type !== 'LoadBalancer') return undefined;
  const ingress: Obj[] = [];
  for (const item of items) {
    for (const i of ((item.status?.loadBalancer as Obj | undefined)?.ingress as Obj[] | undefined) ?? []) {
      if (!ingress.some((x) => jsonEqual(x, i))) ingress.push(i);
    }
  }
  return { ...((template.status ?? {}) as Obj), loadBalancer: { ingress } };
}

function podStatus(template: KubeObject, items: readonly AggregatedStatusItem[]): Obj {
  const phases = items.map((i) => i.status?.phase as string | undefined);
  let phase = 'Pending';
  if (phases.length > 0 && phases.every((p) => p === 'Succeeded')) phase = 'Succeeded';
  else if (phases.some((p) => p === 'Failed')) phase = 'Failed';
  else if (phases.length > 0 && phases.every((p) => p === 'Running' || p === 'Succeeded')) phase = 'Running';
  return { ...((template.status ?? {}) as Obj), phase };
}

/**
 * The template's new status from the per-cluster items, or undefined when the kind has no
 * aggregation (or nothing would change). Deployments: the five counters summed, observedGeneration
 * advanced to the template's generation only when every member caught up, and Available.
 */
export function aggregateStatus(
  template: KubeObject,
  items: readonly AggregatedStatusItem[],
): Obj | undefined {
  let next: Obj | undefined;
  switch (template.kind) {
    case 'Deployment':
      next = deploymentStatus(template, items);
      break;
    case 'Job':
      next = jobStatus(template, items);
      break;
    case 'Service':
      next = serviceStatus(template, items);
      break;
    case 'Pod':
      next = podStatus(template, items);
      break;
    default:
      return undefined;
  }
  return next === undefined || jsonEqual(next, template.status ?? {}) ? undefined : next;
}
