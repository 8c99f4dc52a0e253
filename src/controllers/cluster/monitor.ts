/**
 * The cluster monitor (the health half of Karmada's cluster controller, §4.5): every
 * `monitorPeriodMs` (5 s) it checks each Pull cluster for a heartbeat — a change of its Ready
 * condition or a renewal of its Lease `karmada-cluster/<cluster>` — and when none arrived within
 * `monitorGracePeriodMs` (40 s; `startupGracePeriodMs`, 60 s, while status was never posted) it
 * sets `Ready=Unknown` (`ClusterStatusUnknown`, or `ClusterStatusNeverUpdated`). Push clusters
 * are tracked but never timed out here: their probe (`cluster-status.ts`) owns their readiness.
 * The cluster controller then turns Unknown into the `unreachable:NoSchedule` taint.
 */
import { CLUSTER_SECRET_NAMESPACE } from '../../api/karmada/names.ts';
import type { Cluster } from '../../api/karmada/types.ts';
import type { Condition, KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { FederationContext } from '../../federation/context.ts';
import { conditionOf, now, setCondition, writeStatus } from '../../federation/status-write.ts';

/** Timing of the cluster monitor (Karmada's `--cluster-monitor-*` and startup grace flags). */
export interface ClusterMonitorTiming {
  /** How often Pull clusters are checked; default 5 000 ms (`--cluster-monitor-period`). */
  monitorPeriodMs?: number | undefined;
  /** Heartbeat silence that makes a Pull cluster Unknown; default 40 000 ms. */
  monitorGracePeriodMs?: number | undefined;
  /** The same while the cluster never posted status; default 60 000 ms. */
  startupGracePeriodMs?: number | undefined;
  /** The clock, for tests; default `Date.now`. */
  now?: (() => number) | undefined;
}

/** A coordination.k8s.io Lease, as far as the monitor reads it. */
export interface ClusterLease extends KubeObject {
  spec?: { renewTime?: string; leaseDurationSeconds?: number; holderIdentity?: string };
}

interface Heartbeat {
  /** When the last heartbeat was seen (ms). */
  probeAt: number;
  /** The Ready condition as last seen, as a comparable string. */
  ready: string | undefined;
  /** The Lease's renewTime as last seen (ms). */
  renewedAt: number | undefined;
}

function readyKey(cluster: Cluster): string | undefined {
  const c = conditionOf(cluster, 'Ready');
  return c ? `${c.status}|${c.reason ?? ''}|${c.lastTransitionTime ?? ''}` : undefined;
}

/**
 * The heartbeat bookkeeping and the timeout rule, without I/O: `observe` is called with the
 * cluster and its Lease as currently cached and returns the Ready condition to publish, or
 * undefined when nothing is to be written.
 */
export class HeartbeatMonitor {
  readonly #seen = new Map<string, Heartbeat>();
  readonly #graceMs: number;
  readonly #startupGraceMs: number;

  constructor(timing: Pick<ClusterMonitorTiming, 'monitorGracePeriodMs' | 'startupGracePeriodMs'> = {}) {
    this.#graceMs = timing.monitorGracePeriodMs ?? 40_000;
    this.#startupGraceMs = timing.startupGracePeriodMs ?? 60_000;
  }

  /** Records what `cluster` and `lease` show at `at`; returns a Ready=Unknown condition once overdue. */
  observe(cluster: Cluster, lease: ClusterLease | undefined, at: number): Condition | undefined {
    const name = cluster.metadata.name ?? '';
    const ready = readyKey(cluster);
    let hb = this.#seen.get(name);
    if (!hb) {
      const created = Date.parse(cluster.metadata.creationTimestamp ?? '');
      // Never posted: the startup grace counts from creation; otherwise from first sight.
      hb = {
        probeAt: ready === undefined && !Number.isNaN(created) ? created : at,
        ready,
        renewedAt: undefined,
      };
      this.#seen.set(name, hb);
    } else if (hb.ready !== ready) {
      hb.ready = ready;
      hb.probeAt = at;
    }
    if (cluster.spec.syncMode !== 'Pull') return undefined;
    const renewed = Date.parse(lease?.spec?.renewTime ?? '');
    if (!Number.isNaN(renewed) && (hb.renewedAt === undefined || renewed > hb.renewedAt)) {
      hb.renewedAt = renewed;
      hb.probeAt = at;
    }
    const current = conditionOf(cluster, 'Ready');
    const grace = current ? this.#graceMs : this.#startupGraceMs;
    if (at <= hb.probeAt + grace) return undefined;
    if (!current) {
      return {
        type: 'Ready',
        status: 'Unknown',
        reason: 'ClusterStatusNeverUpdated',
        message: 'Cluster status controller never posted cluster status.',
      };
    }
    if (current.status === 'Unknown') return undefined;
    return {
      type: 'Ready',
      status: 'Unknown',
      reason: 'ClusterStatusUnknown',
      message: 'Cluster status controller stopped posting cluster status.',
    };
  }

  /** Milliseconds until `cluster` would be overdue (for scheduling the next check). */
  remainingMs(name: string, hasReady: boolean, at: number): number {
    const hb = this.#seen.get(name);
    if (!hb) return 0;
    return Math.max(0, hb.probeAt + (hasReady ? this.#graceMs : this.#startupGraceMs) - at);
  }

  /** Forgets a cluster (deleted). */
  forget(name: string): void {
    this.#seen.delete(name);
  }
}

/** Builds the cluster monitor; keys are Cluster names. */
export function newClusterMonitor(ctx: FederationContext & ClusterMonitorTiming): Controller {
  const { client } = ctx;
  const clusters = ctx.factory.informer<Cluster>(resources.clusters);
  const leases = ctx.factory.informer<ClusterLease>(resources.leases, {
    namespace: CLUSTER_SECRET_NAMESPACE,
  });
  const period = ctx.monitorPeriodMs ?? 5_000;
  const clock = ctx.now ?? Date.now;
  const monitor = new HeartbeatMonitor(ctx);

  const reconcile = async (name: string) => {
    const cluster = clusters.store.get(name);
    if (!cluster || cluster.metadata.deletionTimestamp) {
      monitor.forget(name);
      return undefined;
    }
    const lease = leases.store.get(`${CLUSTER_SECRET_NAMESPACE}/${name}`);
    const cond = monitor.observe(cluster, lease, clock());
    if (cluster.spec.syncMode !== 'Pull') return undefined;
    if (cond) {
      const seen = readyKey(cluster);
      await writeStatus<Cluster>(client, resources.clusters, { name }, (fresh) => {
        // A status posted since the cache was read is a heartbeat: do not overwrite it.
        if (readyKey(fresh) !== seen) return undefined;
        const conditions = setCondition(fresh.status?.conditions, cond, now(clock()));
        return { ...fresh, status: { ...(fresh.status ?? {}), conditions } };
      });
      ctx.logger?.warn({ cluster: name, reason: cond.reason }, 'cluster heartbeat overdue; Ready=Unknown');
    }
    return { requeueAfter: period };
  };

  const controller = new Controller({
    name: 'cluster-monitor',
    reconcile,
    workers: 1,
    informers: [clusters, leases],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  // Every cluster event refreshes the bookkeeping; the periodic pass comes from requeueAfter.
  controller.watch(clusters);
  leases.addHandlers({
    onAdd: (l) => controller.enqueue(l.metadata.name ?? ''),
    onUpdate: (_o, l) => controller.enqueue(l.metadata.name ?? ''),
  });
  return controller;
}
