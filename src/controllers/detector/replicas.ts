/**
 * The built-in replica interpreter (K:pkg/resourceinterpreter/default/native/replica.go):
 * replicas and per-replica requirements for Deployment, ReplicaSet, StatefulSet, Job
 * (parallelism, capped by completions) and Pod. Requests are the pod template's containers'
 * requests summed (limits standing in for missing requests), maxed with each init container,
 * plus overhead; the node claim carries nodeSelector, tolerations and required node affinity.
 */
import type { ResourceBindingSpec } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { parseQuantity } from '../../api/quantity.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

export { parseQuantity };

const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Renders a quantity as Kubernetes does: cpu in millicores, byte amounts in binary units. */
export function formatQuantity(name: string, value: number): string {
  if (name === 'cpu') {
    const milli = Math.ceil(value * 1000 - 1e-9);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  const n = Math.ceil(value - 1e-9);
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    let i = 0;
    let v = n;
    while (v !== 0 && v % 1024 === 0 && i < BINARY.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v}${BINARY[i]}`;
  }
  return String(n);
}

function effectiveRequests(container: Obj): Record<string, number> {
  const out: Record<string, number> = {};
  const limits: Obj = container.resources?.limits ?? {};
  const requests: Obj = { ...limits, ...(container.resources?.requests ?? {}) };
  for (const [k, v] of Object.entries(requests)) {
    const n = parseQuantity(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** The pod spec's effective resource request, or undefined when it requests nothing. */
export function podRequests(podSpec: Obj): Record<string, string> | undefined {
  const total: Record<string, number> = {};
  for (const c of podSpec.containers ?? []) {
    for (const [k, v] of Object.entries(effectiveRequests(c))) total[k] = (total[k] ?? 0) + v;
  }
  for (const c of podSpec.initContainers ?? []) {
    for (const [k, v] of Object.entries(effectiveRequests(c))) total[k] = Math.max(total[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries(podSpec.overhead ?? {})) {
    const n = parseQuantity(v);
    if (n !== undefined) total[k] = (total[k] ?? 0) + n;
  }
  const entries = Object.entries(total).filter(([, v]) => v > 0);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, formatQuantity(k, v)]),
  );
}

type Requirements = NonNullable<ResourceBindingSpec['replicaRequirements']>;

/** Replica requirements of a pod template spec, or undefined when there are none. */
export function replicaRequirements(podSpec: Obj | undefined): Requirements | undefined {
  const spec = podSpec ?? {};
  const nodeClaim: NonNullable<Requirements['nodeClaim']> = {};
  const hard = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (hard) nodeClaim.hardNodeAffinity = structuredClone(hard);
  if (spec.nodeSelector) nodeClaim.nodeSelector = { ...spec.nodeSelector };
  if (Array.isArray(spec.tolerations) && spec.tolerations.length > 0)
    nodeClaim.tolerations = structuredClone(spec.tolerations);
  const resourceRequest = podRequests(spec);
  const hasClaim = Object.keys(nodeClaim).length > 0;
  if (!hasClaim && !resourceRequest) return undefined;
  return { ...(hasClaim ? { nodeClaim } : {}), ...(resourceRequest ? { resourceRequest } : {}) };
}

/**
 * `{replicas, replicaRequirements}` for the kinds with a built-in interpreter; undefined for
 * any other kind (the binding then carries neither).
 */
export function interpretReplicas(
  obj: KubeObject,
): { replicas: number; replicaRequirements: Requirements | undefined } | undefined {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const spec: Obj = obj.spec ?? {};
  const template = spec.template?.spec;
  switch (`${group}/${obj.kind}`) {
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/StatefulSet':
      return { replicas: Number(spec.replicas ?? 0), replicaRequirements: replicaRequirements(template) };
    case 'batch/Job': {
      let replicas = Number(spec.parallelism ?? 0);
      const completions = spec.completions ?? replicas;
      if (replicas > completions) replicas = Number(completions);
      return { replicas, replicaRequirements: replicaRequirements(template) };
    }
    case '/Pod':
      return { replicas: 1, replicaRequirements: replicaRequirements(spec) };
    default:
      return undefined;
  }
}
