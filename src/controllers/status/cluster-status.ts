/**
 * The cluster status controller (Karmada's `clusterStatus`, §4.4), for Push clusters in the
 * control plane and for its own cluster in the pull-mode agent (`federation/scope.ts`): every
 * `intervalMs` (default 10 s) it probes the member's `/readyz` (then `/healthz`), debounces the
 * Ready flip (`failureThresholdMs` True→not-True, `successThresholdMs` not-True→True, 30 s
 * each by default; the first condition is published at once), and while the member answers
 * collects version, API enablements, node and resource summaries. Writes the Cluster's status
 * subresource only when something changed.
 */
import type { Cluster } from '../../api/karmada/types.ts';
import type { Condition } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { FederationContext } from '../../federation/context.ts';
import {
  collectApiEnablements,
  collectSummaries,
  collectVersion,
  probeHealth,
  readyCondition,
} from '../../federation/health.ts';
import { clustersInformer, handlesCluster } from '../../federation/scope.ts';
import { conditionOf, jsonEqual, setCondition, writeStatus } from '../../federation/status-write.ts';
import type { ClusterMonitorTiming } from '../cluster/monitor.ts';

/**
 * Health timing: the cluster status controller's probe period and debounce thresholds, plus the
 * cluster monitor's heartbeat periods (Pull clusters), so one object tunes both.
 */
export interface ClusterStatusTiming extends ClusterMonitorTiming {
  /** Probe period; default 10 000 ms (`--cluster-status-update-frequency`). */
  intervalMs?: number | undefined;
  /** How long a True→not-True flip must persist; default 30 000 ms. */
  failureThresholdMs?: number | undefined;
  /** How long a not-True→True flip must persist; default 30 000 ms. */
  successThresholdMs?: number | undefined;
  /** Probe timeout; default min(5 s, interval). */
  probeTimeoutMs?: number | undefined;
  /** The clock, for tests; default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Decides which Ready condition to publish (Karmada's cluster condition cache): an observed
 * status different from the published one is held until it has persisted for its threshold.
 */
export class ReadyDebouncer {
  readonly #pending = new Map<string, { status: string; since: number }>();
  readonly #failureMs: number;
  readonly #successMs: number;

  constructor(failureMs: number, successMs: number) {
    this.#failureMs = failureMs;
    this.#successMs = successMs;
  }

  /** The condition to publish now for `cluster`, given the current one and the observation. */
  decide(cluster: string, current: Condition | undefined, observed: Condition, at: number): Condition {
    if (!current || current.status === observed.status) {
      this.#pending.delete(cluster);
      return observed;
    }
    const pending = this.#pending.get(cluster);
    if (!pending || pending.status !== observed.status) {
      this.#pending.set(cluster, { status: observed.status, since: at });
      return current;
    }
    const threshold = observed.status === 'True' ? this.#successMs : this.#failureMs;
    if (at - pending.since >= threshold) {
      this.#pending.delete(cluster);
      return observed;
    }
    return current;
  }

  /** Forgets a cluster. */
  forget(cluster: string): void {
    this.#pending.delete(cluster);
  }
}

/** Builds the cluster status controller; keys are Cluster names. */
export function newClusterStatusController(ctx: FederationContext & ClusterStatusTiming): Controller {
  const { client, members } = ctx;
  const clusters = clustersInformer(ctx);
  const interval = ctx.intervalMs ?? 10_000;
  const clock = ctx.now ?? Date.now;
  const debounce = new ReadyDebouncer(ctx.failureThresholdMs ?? 30_000, ctx.successThresholdMs ?? 30_000);
  const log = ctx.logger?.child({ controller: 'cluster-status' });

  const reconcile = async (name: string) => {
    const cluster = clusters.store.get(name);
    if (
      !cluster ||
      cluster.metadata.deletionTimestamp ||
      !handlesCluster(ctx, name, cluster) ||
      // The control plane reaches members through the endpoint; an agent through its kubeconfig.
      (ctx.agentFor === undefined && !cluster.spec.apiEndpoint)
    ) {
      debounce.forget(name);
      return;
    }
    const member = await members.get(name);
    const result = await probeHealth(member.client, ctx.probeTimeoutMs ?? Math.min(5_000, interval));
    const observed = readyCondition(result);
    const published = debounce.decide(name, conditionOf(cluster, 'Ready'), observed, clock());
    const extra: Partial<Cluster['status']> = {};
    const conds: Condition[] = [published];
    if (result === 'ready') {
      try {
        extra.kubernetesVersion = await collectVersion(member.client);
        const apis = await collectApiEnablements(member.discovery);
        extra.apiEnablements = apis.apiEnablements;
        conds.push(apis.condition);
        Object.assign(extra, await collectSummaries(member.client));
      } catch (err) {
        log?.warn({ err, cluster: name }, 'collecting cluster status failed');
      }
    }
    await writeStatus<Cluster>(client, resources.clusters, { name }, (fresh) => {
      let list = fresh.status?.conditions ?? [];
      for (const c of conds) list = setCondition(list, c);
      const status = { ...(fresh.status ?? {}), ...extra, conditions: list };
      return jsonEqual(status, fresh.status) ? undefined : { ...fresh, status };
    });
    return { requeueAfter: interval };
  };

  const controller = new Controller({
    name: 'cluster-status',
    reconcile,
    workers: ctx.workers ?? 5,
    informers: [clusters],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  clusters.addHandlers({
    onAdd: (c) => controller.enqueue(c),
    onUpdate: (old, c) => {
      // Re-probe at once when the connection details change; status writes alone do not.
      if (old.metadata.generation !== c.metadata.generation) controller.enqueue(c);
    },
  });
  return controller;
}
