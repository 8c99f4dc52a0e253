/**
 * The graceful eviction controller (Karmada §4.6, K:pkg/controllers/gracefuleviction): for each
 * binding with `spec.gracefulEvictionTasks`, ends the tasks `assessTasks` says are over —
 * confirmed (`suppressDeletion: false`), timed out (`gracePeriodSeconds`, else
 * `--graceful-eviction-timeout`, 10 min), or every target healthy once rescheduled — and keeps
 * `suppressDeletion: true` ones forever. Ending a task lets the binding controller delete the
 * evicted cluster's Work. It wakes on binding changes (status included, so health counts) and at
 * the earliest timeout.
 */
import type { ResourceBinding } from '../../api/karmada/types.ts';
import { Controller } from '../../controller/reconciler.ts';
import { bindingKey, bindingsOf, type FailoverContext, updateBindingSpec } from './context.ts';
import { assessTasks } from './eviction.ts';

/** Options of the graceful eviction controller. */
export interface GracefulEvictionOptions extends FailoverContext {
  /** Timeout of tasks without gracePeriodSeconds; default 600 000 ms. */
  timeoutMs?: number | undefined;
}

/** Builds the graceful eviction controller; keys are binding keys. */
export function newGracefulEvictionController(options: GracefulEvictionOptions): Controller {
  const clock = options.now ?? Date.now;
  const timeout = options.timeoutMs ?? 600_000;
  const bindings = bindingsOf(options.factory);
  const log = options.logger?.child({ controller: 'graceful-eviction' });

  const controller = new Controller({
    name: 'graceful-eviction',
    workers: 2,
    informers: [bindings.rbs, bindings.crbs],
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (key) => {
      const binding = bindings.get(key);
      if (!binding || binding.metadata.deletionTimestamp) return undefined;
      if ((binding.spec.gracefulEvictionTasks ?? []).length === 0) return undefined;
      const first = assessTasks(binding, clock(), timeout);
      let ended: string[] = [];
      await updateBindingSpec(options.client, key, (fresh) => {
        const a = assessTasks(fresh, clock(), timeout);
        const before = fresh.spec.gracefulEvictionTasks ?? [];
        if (a.ended.length === 0 && JSON.stringify(a.kept) === JSON.stringify(before)) return undefined;
        ended = a.ended;
        const { gracefulEvictionTasks: _old, ...rest } = fresh.spec;
        return a.kept.length > 0 ? { ...rest, gracefulEvictionTasks: a.kept } : rest;
      });
      if (ended.length > 0) log?.info({ binding: key, clusters: ended }, 'graceful eviction tasks ended');
      return first.nextCheckMs === undefined ? undefined : { requeueAfter: first.nextCheckMs };
    },
  });
  const onBinding = (b: ResourceBinding) => {
    if ((b.spec.gracefulEvictionTasks ?? []).length > 0) controller.enqueue(bindingKey(b));
  };
  for (const inf of [bindings.rbs, bindings.crbs]) {
    inf.addHandlers({ onAdd: onBinding, onUpdate: (_o, b) => onBinding(b) });
  }
  return controller;
}
