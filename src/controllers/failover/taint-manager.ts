/**
 * The NoExecute taint manager (Karmada §4.6, K:pkg/controllers/cluster/taint_manager.go), as two
 * loops. `taint-manager` takes Cluster names: a cluster carrying NoExecute taints fans out one
 * `<cluster>#<binding key>` per binding that targets it. `taint-manager-eviction` takes those:
 * it re-reads both, asks `evictionDecision` (tolerations from the binding's applied placement),
 * and either evicts — removing the cluster from `spec.clusters` with a graceful eviction task
 * (producer TaintManager, reason TaintUntolerated, purgeMode from `failover.cluster.purgeMode`
 * else the configured default) — or comes back when a tolerationSeconds runs out. Evictions pass
 * a rate limiter (`--resource-eviction-rate`, default 0.5/s). Binding changes (new targets, a new
 * applied placement) are re-examined too, so a later-scheduled binding is not forgotten.
 */
import type { Cluster, GracefulEvictionTask, ResourceBinding } from '../../api/karmada/types.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import { taintString } from '../../scheduler/plugins/taint-toleration/index.ts';
import { bindingKey, bindingsOf, type FailoverContext, timestamp, updateBindingSpec } from './context.ts';
import { EVICTION, gracefulEvictCluster } from './eviction.ts';
import { appliedPlacement, EvictionRateLimiter, evictionDecision } from './tolerations.ts';

/** Options of the taint manager. */
export interface TaintManagerOptions extends FailoverContext {
  /** Evictions per second; default 0.5 (0: one per 30 minutes). */
  evictionRate?: number | undefined;
  /** purgeMode when the binding has no `failover.cluster`; default Gracefully. */
  purgeMode?: 'Directly' | 'Gracefully' | undefined;
  /** The GracefulEviction gate; off: the cluster is only removed, without a task. Default on. */
  gracefulEviction?: boolean | undefined;
}

function noExecute(cluster: Cluster | undefined) {
  return (cluster?.spec.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** Builds the taint manager's two controllers (cluster fan-out, then per-binding eviction). */
export function newTaintManager(options: TaintManagerOptions): Controller[] {
  const { client, events } = options;
  const clock = options.now ?? Date.now;
  const clusters = options.factory.informer<Cluster>(resources.clusters);
  const bindings = bindingsOf(options.factory);
  const limiter = new EvictionRateLimiter(options.evictionRate ?? 0.5);
  const log = options.logger?.child({ controller: 'taint-manager' });

  const evictions = new Controller({
    name: 'taint-manager-eviction',
    workers: 1,
    informers: [clusters, bindings.rbs, bindings.crbs],
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (key) => {
      const hash = key.indexOf('#');
      const clusterName = key.slice(0, hash);
      const bkey = key.slice(hash + 1);
      const binding = bindings.get(bkey);
      if (!binding || binding.metadata.deletionTimestamp) return undefined;
      if (!(binding.spec.clusters ?? []).some((c) => c.name === clusterName)) return undefined;
      const taints = noExecute(clusters.store.get(clusterName));
      if (taints.length === 0) return undefined;
      const placement = appliedPlacement(binding);
      // Not scheduled by a scheduler that records its placement: nothing to judge tolerations by.
      if (!placement) return undefined;
      const decision = evictionDecision(taints, placement.clusterTolerations ?? [], clock());
      if (decision.kind === 'tolerated') return undefined;
      if (decision.kind === 'later') return { requeueAfter: decision.afterMs };
      const wait = limiter.take(clock());
      if (wait > 0) return { requeueAfter: wait };
      const message = `cluster ${clusterName} has taint {${taintString(decision.taint)}}, which the placement does not tolerate`;
      const written = await updateBindingSpec(client, bkey, (fresh) => {
        if (options.gracefulEviction === false) {
          const left = (fresh.spec.clusters ?? []).filter((c) => c.name !== clusterName);
          return left.length === (fresh.spec.clusters ?? []).length
            ? undefined
            : { ...fresh.spec, clusters: left };
        }
        const purgeMode: GracefulEvictionTask['purgeMode'] =
          fresh.spec.failover?.cluster?.purgeMode ?? options.purgeMode ?? 'Gracefully';
        return gracefulEvictCluster(fresh.spec, clusterName, {
          producer: EVICTION.producerTaintManager,
          reason: EVICTION.reasonTaintUntolerated,
          message,
          purgeMode,
          now: timestamp(clock()),
        });
      });
      if (written) {
        log?.info({ binding: bkey, cluster: clusterName, taint: taintString(decision.taint) }, 'evicted');
        events?.event(written, {
          type: 'Normal',
          reason: 'EvictWorkloadFromClusterSucceed',
          message: `Evict from cluster ${clusterName} succeed.`,
        });
      }
      return undefined;
    },
  });

  const fanOut = new Controller({
    name: 'taint-manager',
    workers: 1,
    informers: [clusters, bindings.rbs, bindings.crbs],
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (name) => {
      if (noExecute(clusters.store.get(name)).length === 0) return undefined;
      for (const bkey of bindings.targeting(name)) evictions.enqueue(`${name}#${bkey}`);
      return undefined;
    },
  });

  const taintsOf = (c: Cluster) => JSON.stringify(noExecute(c));
  clusters.addHandlers({
    onAdd: (c) => fanOut.enqueue(c.metadata.name ?? ''),
    onUpdate: (old, c) => {
      if (taintsOf(old) !== taintsOf(c)) fanOut.enqueue(c.metadata.name ?? '');
    },
  });
  const onBinding = (b: ResourceBinding) => {
    for (const t of b.spec.clusters ?? []) {
      if (noExecute(clusters.store.get(t.name)).length > 0) evictions.enqueue(`${t.name}#${bindingKey(b)}`);
    }
  };
  const placementOf = (b: ResourceBinding) =>
    JSON.stringify([b.spec.clusters?.map((c) => c.name), appliedPlacement(b)?.clusterTolerations]);
  for (const inf of [bindings.rbs, bindings.crbs]) {
    inf.addHandlers({
      onAdd: onBinding,
      onUpdate: (old, b) => {
        if (placementOf(old) !== placementOf(b)) onBinding(b);
      },
    });
  }
  return [fanOut, evictions];
}
