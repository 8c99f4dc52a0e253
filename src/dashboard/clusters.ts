/**
 * The clusters view: one row per Cluster with its sync mode, Ready condition and the history of
 * that condition, Kubernetes version, capacity used and free (from `status.resourceSummary`) and
 * taints. The history lives in memory: it starts from each Ready condition's lastTransitionTime
 * and grows with every transition the dashboard's watch sees.
 */
import type { Cluster, Taint } from '../api/karmada/types.ts';
import { parseQuantity } from '../api/quantity.ts';

/** One point of a cluster's readiness history. */
export interface ReadyEvent {
  /** ISO time the condition changed (its lastTransitionTime, else when the dashboard saw it). */
  at: string;
  /** `True`, `False`, `Unknown`, or `Removed` once the Cluster is deleted. */
  status: string;
  reason?: string | undefined;
}

/** One resource's capacity: allocatable, used (allocated + allocating) and free, in base units. */
export interface Capacity {
  resource: string;
  allocatable: number;
  used: number;
  free: number;
}

/** What the clusters view shows for one Cluster. */
export interface ClusterRow {
  name: string;
  mode: string;
  ready: string;
  reason?: string | undefined;
  message?: string | undefined;
  since?: string | undefined;
  version?: string | undefined;
  region?: string | undefined;
  zone?: string | undefined;
  provider?: string | undefined;
  apiEndpoint?: string | undefined;
  nodes?: { ready: number; total: number } | undefined;
  capacity: Capacity[];
  taints: Taint[];
  labels: Record<string, string>;
  deleting: boolean;
  history: ReadyEvent[];
}

/** The clusters view. */
export interface ClustersView {
  clusters: ClusterRow[];
}

const MAX_EVENTS = 100;

/** Readiness transitions per cluster, kept in memory (at most 100 per cluster). */
export class ReadinessHistory {
  readonly #events = new Map<string, ReadyEvent[]>();

  /** Records the cluster's Ready condition if it differs from the last recorded one. */
  observe(cluster: Cluster, now: Date = new Date()): boolean {
    const name = cluster.metadata.name ?? '';
    const cond = cluster.status?.conditions?.find((c) => c.type === 'Ready');
    const status = cond?.status ?? 'Unknown';
    const list = this.#events.get(name) ?? [];
    // A Cluster that has not reported yet has no history to start.
    if (!cond && list.length === 0) return false;
    const last = list[list.length - 1];
    if (last && last.status === status) return false;
    // A transition the watch sees as it happens is stamped by the condition when that is newer.
    const stamped = cond?.lastTransitionTime;
    const at = stamped && (!last || Date.parse(stamped) > Date.parse(last.at)) ? stamped : now.toISOString();
    list.push({ at, status, ...(cond?.reason ? { reason: cond.reason } : {}) });
    if (list.length > MAX_EVENTS) list.splice(0, list.length - MAX_EVENTS);
    this.#events.set(name, list);
    return true;
  }

  /** Records that the Cluster is gone. */
  removed(name: string, now: Date = new Date()): void {
    const list = this.#events.get(name);
    if (!list) return;
    list.push({ at: now.toISOString(), status: 'Removed' });
  }

  /** The recorded events of one cluster, oldest first. */
  of(name: string): ReadyEvent[] {
    return [...(this.#events.get(name) ?? [])];
  }
}

function capacity(summary: NonNullable<Cluster['status']>['resourceSummary']): Capacity[] {
  const allocatable = summary?.allocatable ?? {};
  const order = ['cpu', 'memory', 'pods'];
  const names = Object.keys(allocatable).sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return names.map((resource) => {
    const total = parseQuantity(allocatable[resource]) ?? 0;
    const used =
      (parseQuantity(summary?.allocated?.[resource]) ?? 0) +
      (parseQuantity(summary?.allocating?.[resource]) ?? 0);
    return { resource, allocatable: total, used, free: Math.max(0, total - used) };
  });
}

/** Builds the clusters view from the cached Clusters and their readiness history. */
export function clustersView(clusters: readonly Cluster[], history: ReadinessHistory): ClustersView {
  const rows = clusters.map((c): ClusterRow => {
    const name = c.metadata.name ?? '';
    const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
    return {
      name,
      mode: c.spec?.syncMode ?? 'Push',
      ready: ready?.status ?? 'Unknown',
      reason: ready?.reason,
      message: ready?.message,
      since: ready?.lastTransitionTime,
      version: c.status?.kubernetesVersion,
      region: c.spec?.region,
      zone: c.spec?.zone,
      provider: c.spec?.provider,
      apiEndpoint: c.spec?.apiEndpoint,
      nodes:
        c.status?.nodeSummary === undefined
          ? undefined
          : { ready: c.status.nodeSummary.readyNum ?? 0, total: c.status.nodeSummary.totalNum ?? 0 },
      capacity: capacity(c.status?.resourceSummary),
      taints: [...(c.spec?.taints ?? [])],
      labels: { ...(c.metadata.labels ?? {}) },
      deleting: c.metadata.deletionTimestamp !== undefined,
      history: history.of(name),
    };
  });
  rows.sort((a, b) => a.name.localeCompare(b.name));
  return { clusters: rows };
}
