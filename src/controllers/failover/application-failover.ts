/**
 * Application failover (Karmada §4.6, K:pkg/controllers/applicationfailover): for bindings with
 * `failover.application`, remembers when each target cluster's `aggregatedStatus.health` was
 * first seen Unhealthy; once that lasted `decisionConditions.tolerationSeconds` (0: at once) the
 * cluster is evicted with reason ApplicationFailure and the policy's purgeMode — Gracefully with
 * its `gracePeriodSeconds`, Never with `suppressDeletion: true`, Directly as it is. A cluster that
 * turns healthy again, or leaves the targets, is forgotten.
 */
import type { ResourceBinding } from '../../api/karmada/types.ts';
import { Controller } from '../../controller/reconciler.ts';
import { bindingKey, bindingsOf, type FailoverContext, timestamp, updateBindingSpec } from './context.ts';
import { EVICTION, gracefulEvictCluster } from './eviction.ts';

/**
 * Per binding and cluster, when the workload was first seen unhealthy. `observe` returns the
 * clusters to evict now and the milliseconds until the next one would be due.
 */
export class UnhealthyTracker {
  readonly #since = new Map<string, Map<string, number>>();

  /** Records `binding`'s unhealthy clusters at `now` and decides which are overdue. */
  observe(
    key: string,
    binding: ResourceBinding,
    now: number,
  ): { evict: string[]; nextMs: number | undefined } {
    const tolerationMs =
      Math.max(0, binding.spec.failover?.application?.decisionConditions?.tolerationSeconds ?? 300) * 1000;
    const targets = new Set((binding.spec.clusters ?? []).map((c) => c.name));
    const evicting = new Set((binding.spec.gracefulEvictionTasks ?? []).map((t) => t.fromCluster));
    const unhealthy = new Set(
      (binding.status?.aggregatedStatus ?? [])
        .filter((i) => i.health === 'Unhealthy' && targets.has(i.clusterName) && !evicting.has(i.clusterName))
        .map((i) => i.clusterName),
    );
    const since = this.#since.get(key) ?? new Map<string, number>();
    for (const c of since.keys()) if (!unhealthy.has(c)) since.delete(c);
    const evict: string[] = [];
    let nextMs: number | undefined;
    for (const c of unhealthy) {
      const first = since.get(c) ?? now;
      since.set(c, first);
      const left = first + tolerationMs - now;
      if (left <= 0) evict.push(c);
      else nextMs = Math.min(nextMs ?? Number.POSITIVE_INFINITY, left);
    }
    if (since.size > 0) this.#since.set(key, since);
    else this.#since.delete(key);
    return { evict, nextMs };
  }

  /** Forgets a binding. */
  forget(key: string): void {
    this.#since.delete(key);
  }
}

/** Builds the application failover controller; keys are binding keys. */
export function newApplicationFailoverController(
  options: FailoverContext & { gracefulEviction?: boolean },
): Controller {
  const clock = options.now ?? Date.now;
  const bindings = bindingsOf(options.factory);
  const tracker = new UnhealthyTracker();
  const log = options.logger?.child({ controller: 'application-failover' });

  const controller = new Controller({
    name: 'application-failover',
    workers: 2,
    informers: [bindings.rbs, bindings.crbs],
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (key) => {
      const binding = bindings.get(key);
      const app = binding?.spec.failover?.application;
      if (!binding || !app || binding.metadata.deletionTimestamp) {
        tracker.forget(key);
        return undefined;
      }
      const { evict, nextMs } = tracker.observe(key, binding, clock());
      if (evict.length > 0) {
        const producer = key.startsWith('crb|')
          ? EVICTION.producerCrbApplicationFailover
          : EVICTION.producerRbApplicationFailover;
        const purgeMode = app.purgeMode ?? 'Gracefully';
        if (purgeMode !== 'Directly' && options.gracefulEviction === false) {
          log?.error({ binding: key, purgeMode }, 'GracefulEviction gate must be on for this purgeMode');
          return undefined;
        }
        const written = await updateBindingSpec(options.client, key, (fresh) => {
          let spec: ResourceBinding['spec'] | undefined;
          for (const cluster of evict) {
            spec =
              gracefulEvictCluster(spec ?? fresh.spec, cluster, {
                producer,
                reason: EVICTION.reasonApplicationFailure,
                message: `the workload stayed unhealthy in cluster ${cluster} beyond tolerationSeconds`,
                purgeMode,
                ...(purgeMode === 'Gracefully' ? { gracePeriodSeconds: app.gracePeriodSeconds ?? 600 } : {}),
                ...(purgeMode === 'Never' ? { suppressDeletion: true } : {}),
                now: timestamp(clock()),
              }) ?? spec;
          }
          return spec;
        });
        if (written) {
          log?.info({ binding: key, clusters: evict }, 'application failover');
          for (const cluster of evict) {
            options.events?.event(written, {
              type: 'Normal',
              reason: 'EvictWorkloadFromClusterSucceed',
              message: `Evict from cluster ${cluster} succeed.`,
            });
          }
        }
      }
      return nextMs === undefined ? undefined : { requeueAfter: nextMs };
    },
  });
  const onBinding = (b: ResourceBinding) => {
    if (b.spec.failover?.application) controller.enqueue(bindingKey(b));
  };
  for (const inf of [bindings.rbs, bindings.crbs]) {
    inf.addHandlers({
      onAdd: onBinding,
      onUpdate: (_o, b) => onBinding(b),
      onDelete: (b) => controller.enqueue(bindingKey(b)),
    });
  }
  return controller;
}
