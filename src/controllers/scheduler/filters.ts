/**
 * The scheduler's filters and score, pure, after the Kubernetes plugins of the same names:
 * NodeUnschedulable, TaintToleration (a node whose Ready condition is not True carries the
 * `node.kubernetes.io/not-ready` or `unreachable` NoSchedule taint, as the node lifecycle
 * controller would add), NodeAffinity (nodeSelector and required terms), NodeResourcesFit, and
 * LeastAllocated scoring. Each failed filter yields Kubernetes' reason string.
 */
import type { KubeObject } from '../../api/meta.ts';
import { podRequests, quantityOr0, type Requests } from './quantity.ts';

/** What is already requested on a node: summed requests and pod count. */
export interface NodeUsage {
  requested: Requests;
  pods: number;
}

/** Reasons a node is rejected that preemption could not fix. */
export const UNRESOLVABLE = new Set([
  'node(s) were unschedulable',
  "node(s) didn't match Pod's node affinity/selector",
]);

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** The node's taints plus the implicit readiness taint. */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = [...(node.spec?.taints ?? [])];
  const ready = (node.status?.conditions ?? []).find((c: KubeObject) => c.type === 'Ready');
  const key = ready?.status === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
  if (ready?.status !== 'True' && !taints.some((t) => t.key === key))
    taints.push({ key, effect: 'NoSchedule' });
  return taints;
}

/** Whether one toleration tolerates one taint (`Toleration.ToleratesTaint`). */
export function tolerates(tol: KubeObject, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  if (!tol.key) return false;
  return (tol.value ?? '') === (taint.value ?? '');
}

function matchExpression(expr: KubeObject, labels: Record<string, string>): boolean {
  const v = labels[expr.key];
  const values: string[] = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(v);
      const bound = Number(values[0]);
      if (v === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return expr.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/** Whether the node satisfies the pod's nodeSelector and required node affinity terms. */
export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const terms: KubeObject[] = required.nodeSelectorTerms ?? [];
  const fields = { 'metadata.name': node.metadata.name ?? '' };
  return terms.some((term) => {
    const exprs: KubeObject[] = term.matchExpressions ?? [];
    const fieldExprs: KubeObject[] = term.matchFields ?? [];
    if (exprs.length === 0 && fieldExprs.length === 0) return false;
    return (
      exprs.every((e) => matchExpression(e, labels)) && fieldExprs.every((e) => matchExpression(e, fields))
    );
  });
}

/** Why `node` cannot run `pod` given its current usage; an empty list means it fits. */
export function filterNode(pod: KubeObject, node: KubeObject, usage: NodeUsage): string[] {
  const tolerations: KubeObject[] = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable) {
    const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
    if (!tolerations.some((t) => tolerates(t, taint))) return ['node(s) were unschedulable'];
  }
  const untolerated = effectiveTaints(node).find(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerations.some((tol) => tolerates(tol, t)),
  );
  if (untolerated) return [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`];
  if (!matchesNodeAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  const reasons: string[] = [];
  const alloc: Record<string, unknown> = node.status?.allocatable ?? {};
  if (usage.pods + 1 > quantityOr0(alloc.pods ?? 110)) reasons.push('Too many pods');
  const req = podRequests(pod);
  for (const [name, amount] of Object.entries(req)) {
    if (amount <= 0) continue;
    const have = quantityOr0(alloc[name]);
    if ((usage.requested[name] ?? 0) + amount > have + 1e-9) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** LeastAllocated score in [0, 100]: the mean free share of cpu and memory after placing `pod`. */
export function scoreNode(pod: KubeObject, node: KubeObject, usage: NodeUsage): number {
  const alloc: Record<string, unknown> = node.status?.allocatable ?? {};
  const req = podRequests(pod);
  // Kubernetes scores requestless pods as if they asked for 0.1 CPU and 200 MB.
  const want = { cpu: req.cpu || 0.1, memory: req.memory || 200 * 1024 * 1024 };
  let total = 0;
  for (const r of ['cpu', 'memory'] as const) {
    const cap = quantityOr0(alloc[r]);
    const used = (usage.requested[r] ?? 0) + want[r];
    total += cap > 0 && used <= cap ? ((cap - used) * 100) / cap : 0;
  }
  return total / 2;
}

/**
 * Kubernetes' FitError message: `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were
 * unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming
 * pod, 2 Preemption is not helpful for scheduling.`
 */
export function fitErrorMessage(nodeCount: number, diagnosis: ReadonlyMap<string, string[]>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const histogram = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const reasons of diagnosis.values()) {
    for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const helpless = reasons.some(
      (r) => UNRESOLVABLE.has(r) || r.startsWith('node(s) had untolerated taint'),
    );
    const p = helpless
      ? 'Preemption is not helpful for scheduling'
      : 'No preemption victims found for incoming pod';
    preemption.set(p, (preemption.get(p) ?? 0) + 1);
  }
  const render = (h: Map<string, number>) =>
    [...h.entries()]
      .map(([r, n]) => `${n} ${r}`)
      .sort()
      .join(', ');
  return `0/${nodeCount} nodes are available: ${render(histogram)}. preemption: 0/${nodeCount} nodes are available: ${render(preemption)}.`;
}
