/**
 * The placement view: every template with a (Cluster)ResourceBinding against every cluster. A
 * cell holds the replicas the scheduler gave that cluster (`spec.clusters`) and what the member
 * reports back (`status.aggregatedStatus`, else the Work's Applied condition): ready, still
 * progressing, failed to apply, waiting for its Work, or being removed.
 */
import { ANNOTATIONS, executionNamespace, workName } from '../api/karmada/names.ts';
import type { ResourceBinding, Work } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';

/** What a cell says about one template in one cluster. */
export type CellState = 'ready' | 'progressing' | 'failed' | 'pending' | 'evicting' | 'removing';

/** One template in one cluster. */
export interface PlacementCell {
  cluster: string;
  /** Replicas the scheduler assigned; undefined for objects without replicas. */
  replicas?: number | undefined;
  /** Ready replicas the member reports (workloads only). */
  ready?: number | undefined;
  applied?: boolean | undefined;
  health?: string | undefined;
  state: CellState;
  message?: string | undefined;
}

/** The policy that claims a template. */
export interface PolicyRef {
  kind: 'PropagationPolicy' | 'ClusterPropagationPolicy';
  namespace?: string | undefined;
  name: string;
}

/** One template with a binding. */
export interface PlacementRow {
  /** `namespace/Kind/name` (`/Kind/name` when cluster-scoped): unique per template. */
  id: string;
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  binding: string;
  policy?: PolicyRef | undefined;
  /** The Scheduled condition: status and, unless True, its reason and message. */
  scheduled: { status: string; reason?: string | undefined; message?: string | undefined };
  /** Desired replicas of the template (workloads only). */
  replicas?: number | undefined;
  /** The template's status as the control plane aggregates it (members summed), like kubectl's READY. */
  template?: { ready: number; replicas: number } | undefined;
  cells: PlacementCell[];
}

/** The placement view: columns, filter choices and rows. */
export interface PlacementView {
  clusters: string[];
  namespaces: string[];
  policies: string[];
  rows: PlacementRow[];
}

/** Inputs of {@link placementView}, all read from informer caches. */
export interface PlacementInput {
  bindings: readonly ResourceBinding[];
  clusters: readonly string[];
  /** The Work named `name` in namespace `namespace`, if cached. */
  work(namespace: string, name: string): Work | undefined;
  /** The template a binding points at, if its kind is cached. */
  template(ref: ResourceBinding['spec']['resource']): KubeObject | undefined;
}

/** `PropagationPolicy ns/name` or `ClusterPropagationPolicy name`. */
export function policyRefLabel(p: PolicyRef): string {
  return p.kind === 'PropagationPolicy'
    ? `PropagationPolicy ${p.namespace}/${p.name}`
    : `ClusterPropagationPolicy ${p.name}`;
}

function policyOf(meta: KubeObject['metadata'] | undefined): PolicyRef | undefined {
  const a = meta?.annotations ?? {};
  const ppName = a[ANNOTATIONS.ppName];
  if (ppName) return { kind: 'PropagationPolicy', namespace: a[ANNOTATIONS.ppNamespace], name: ppName };
  const cppName = a[ANNOTATIONS.cppName];
  if (cppName) return { kind: 'ClusterPropagationPolicy', name: cppName };
  return undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function cell(
  binding: ResourceBinding,
  cluster: string,
  target: { replicas?: number } | undefined,
  workload: boolean,
  work: Work | undefined,
): PlacementCell | undefined {
  const item = binding.status?.aggregatedStatus?.find((s) => s.clusterName === cluster);
  const eviction = binding.spec.gracefulEvictionTasks?.find((t) => t.fromCluster === cluster);
  if (!target && !item && !eviction) return undefined;
  const out: PlacementCell = { cluster, state: 'pending' };
  if (workload) out.replicas = target?.replicas ?? eviction?.replicas ?? 0;
  if (!target) {
    // A graceful eviction keeps the copy running until its replacement is healthy.
    out.state = eviction ? 'evicting' : 'removing';
    if (eviction) out.message = eviction.message ?? eviction.reason;
    const reported = item?.status ?? work?.status?.manifestStatuses?.[0]?.status;
    if (workload && reported) out.ready = num(reported.readyReplicas) ?? 0;
    return out;
  }
  const applied = work?.status?.conditions?.find((c) => c.type === 'Applied');
  if (item) {
    out.applied = item.applied;
    out.health = item.health;
    if (workload) out.ready = num(item.status?.readyReplicas) ?? 0;
  } else if (applied) {
    out.applied = applied.status === 'True';
  }
  if (out.applied === false && (item?.appliedMessage || applied?.status === 'False')) {
    out.state = 'failed';
    out.message = item?.appliedMessage || applied?.message;
  } else if (out.applied !== true) {
    out.state = 'pending';
    out.message = work ? 'the Work is not applied yet' : 'no Work yet';
  } else if (workload) {
    out.state = (out.ready ?? 0) >= (out.replicas ?? 0) ? 'ready' : 'progressing';
  } else {
    out.state = item?.health === 'Unhealthy' ? 'progressing' : 'ready';
  }
  return out;
}

/** Builds the placement grid. Pure. */
export function placementView(input: PlacementInput): PlacementView {
  const clusters = new Set(input.clusters);
  const namespaces = new Set<string>();
  const policies = new Set<string>();
  const rows = input.bindings.map((b): PlacementRow => {
    const r = b.spec.resource;
    const template = input.template(r);
    const policy = policyOf(b.metadata) ?? policyOf(template?.metadata);
    if (policy) policies.add(policyRefLabel(policy));
    if (r.namespace) namespaces.add(r.namespace);
    const workload = b.spec.replicas !== undefined;
    const work = workName(r.kind, r.name, r.namespace ?? '');
    const targets = new Map((b.spec.clusters ?? []).map((t) => [t.name, t]));
    const names = new Set([
      ...(b.spec.gracefulEvictionTasks ?? []).map((t) => t.fromCluster),
      ...targets.keys(),
      ...(b.status?.aggregatedStatus ?? []).map((s) => s.clusterName),
    ]);
    const cells: PlacementCell[] = [];
    for (const name of [...names].sort()) {
      clusters.add(name);
      const c = cell(b, name, targets.get(name), workload, input.work(executionNamespace(name), work));
      if (c) cells.push(c);
    }
    const sched = b.status?.conditions?.find((c) => c.type === 'Scheduled');
    const status = template?.status as Record<string, unknown> | undefined;
    const templateReplicas = num(status?.replicas) ?? num(template?.spec?.replicas);
    return {
      id: `${r.namespace ?? ''}/${r.kind}/${r.name}`,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      binding: `${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name}`,
      policy,
      scheduled: {
        status: sched?.status ?? 'Unknown',
        ...(sched?.status === 'True' ? {} : { reason: sched?.reason, message: sched?.message }),
      },
      replicas: workload ? b.spec.replicas : undefined,
      template:
        workload && status && templateReplicas !== undefined
          ? { ready: num(status.readyReplicas) ?? 0, replicas: templateReplicas }
          : undefined,
      cells,
    };
  });
  rows.sort(
    (a, b) =>
      (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name),
  );
  return {
    clusters: [...clusters].sort(),
    namespaces: [...namespaces].sort(),
    policies: [...policies].sort(),
    rows,
  };
}
