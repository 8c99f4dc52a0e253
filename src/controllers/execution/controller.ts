/**
 * The execution controller (Karmada's `execution` controller), for Push clusters in the control
 * plane and for its own cluster in the pull-mode agent (`federation/scope.ts`): each Work in
 * `karmada-es-<cluster>` is applied to that member through `src/federation/apply.ts`, with the
 * finalizer `karmada.io/execution-controller` so deleting the Work deletes (or, with
 * `preserveResourcesOnDeletion`, releases) the member objects. Drift is reverted by watching the
 * managed member objects (`MemberWatcher`): a content change or a delete re-enqueues the Work.
 * A not-Ready or unreachable member is retried with the queue's back-off; in the control plane
 * Works of Pull clusters are left to their agent.
 */
import { clusterOfExecutionNamespace, FINALIZERS } from '../../api/karmada/names.ts';
import type { Cluster, Work } from '../../api/karmada/types.ts';
import type { Condition, KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import { byNamespace } from '../../controller/store.ts';
import { applyWork, type MemberTarget, refOf, removeWork } from '../../federation/apply.ts';
import type { FederationContext } from '../../federation/context.ts';
import { clustersInformer, handlesCluster, worksInformer } from '../../federation/scope.ts';
import { conditionOf, setCondition, writeStatus } from '../../federation/status-write.ts';

const BY_NS = 'namespace';

/** True when the Cluster's Ready condition is True. */
export function clusterReady(cluster: Cluster | undefined): boolean {
  return conditionOf(cluster, 'Ready')?.status === 'True';
}

/** The spec-ish content of a member object: what a drift check compares. */
function content(obj: KubeObject): string {
  const { status: _s, metadata, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = metadata;
  return JSON.stringify({ ...rest, metadata: meta });
}

const DISPATCHING: Record<'on' | 'off', Condition> = {
  on: {
    type: 'Dispatching',
    status: 'True',
    reason: 'DispatchingSucceed',
    message: 'Work is being dispatched to member clusters.',
  },
  off: {
    type: 'Dispatching',
    status: 'False',
    reason: 'SuspendDispatching',
    message: 'Work dispatching is in a suspended state.',
  },
};

/** Builds the execution controller; keys are Work keys (`karmada-es-<cluster>/<name>`). */
export function newExecutionController(ctx: FederationContext): Controller {
  const { client, members, watcher } = ctx;
  const works = worksInformer(ctx);
  const clusters = clustersInformer(ctx);
  works.addIndex(BY_NS, byNamespace);

  const writeConditions = (work: Work, conds: Condition[]) =>
    writeStatus<Work>(
      client,
      resources.works,
      { name: work.metadata.name ?? '', namespace: work.metadata.namespace },
      (fresh) => {
        let list = fresh.status?.conditions;
        for (const c of conds) list = setCondition(list, c);
        if (list === undefined || list === fresh.status?.conditions) return undefined;
        return { ...fresh, status: { ...(fresh.status ?? {}), conditions: list } };
      },
      works.store.get(`${work.metadata.namespace}/${work.metadata.name}`),
    );

  const setFinalizer = async (work: Work, present: boolean) => {
    const list = work.metadata.finalizers ?? [];
    const has = list.includes(FINALIZERS.executionController);
    if (has === present) return;
    const finalizers = present
      ? [...list, FINALIZERS.executionController]
      : list.filter((f) => f !== FINALIZERS.executionController);
    const next = structuredClone(work) as Work;
    next.metadata.finalizers = finalizers;
    await client.update(resources.works, next);
  };

  const target = async (cluster: string): Promise<MemberTarget> => {
    const m = await members.get(cluster);
    return { cluster, client: m.client, discovery: m.discovery };
  };

  const reconcile = async (key: string) => {
    const work = works.store.get(key);
    if (!work) return;
    const clusterName = clusterOfExecutionNamespace(work.metadata.namespace ?? '');
    if (clusterName === undefined) return;
    const cluster = clusters.store.get(clusterName);
    if (work.metadata.deletionTimestamp) {
      if (!work.metadata.finalizers?.includes(FINALIZERS.executionController)) return;
      if (cluster && !handlesCluster(ctx, clusterName, cluster)) return;
      if (cluster && clusterReady(cluster)) {
        await removeWork(await target(clusterName), work);
      } else if (cluster && !cluster.metadata.deletionTimestamp) {
        throw new Error(`cluster ${clusterName} is not ready; cannot remove the objects of Work ${key} yet`);
      }
      await setFinalizer(work, false);
      return;
    }
    if (!cluster || !handlesCluster(ctx, clusterName, cluster)) return;
    await setFinalizer(work, true);
    const suspended = work.spec.suspendDispatching === true;
    if (suspended) {
      await writeConditions(work, [DISPATCHING.off]);
      return;
    }
    if (!clusterReady(cluster)) {
      await writeConditions(work, [DISPATCHING.on]);
      throw new Error(`cluster ${clusterName} is not ready; Work ${key} waits`);
    }
    const member = await target(clusterName);
    const result = await applyWork(member, work);
    await writeConditions(work, [DISPATCHING.on, result.condition]);
    for (const m of work.spec.workload?.manifests ?? []) {
      try {
        await watcher.ensure(clusterName, await refOf(member, m));
      } catch {
        // the kind is not served; the Applied condition already says so
      }
    }
    if (result.retryable) {
      const firstError = result.outcomes.find((o): o is Error => o instanceof Error);
      throw new Error(`applying Work ${key} to ${clusterName} failed`, { cause: firstError });
    }
  };

  const controller = new Controller({
    name: 'execution',
    reconcile,
    workers: ctx.workers ?? 5,
    informers: [works, clusters],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  works.addHandlers({
    onAdd: (w) => controller.enqueue(w),
    onUpdate: (old, w) => {
      // Status-only changes (our own condition writes) are not work for this controller.
      if (
        old === w ||
        old.metadata.generation !== w.metadata.generation ||
        old.metadata.deletionTimestamp !== w.metadata.deletionTimestamp ||
        JSON.stringify(old.metadata.finalizers) !== JSON.stringify(w.metadata.finalizers) ||
        JSON.stringify(old.metadata.annotations) !== JSON.stringify(w.metadata.annotations)
      )
        controller.enqueue(w);
    },
  });
  const enqueueCluster = (name: string) => {
    for (const w of works.store.byIndex(BY_NS, `karmada-es-${name}`)) controller.enqueue(w);
  };
  clusters.addHandlers({
    onAdd: (c) => enqueueCluster(c.metadata.name ?? ''),
    onUpdate: (old, c) => {
      if (
        old === c ||
        clusterReady(old) !== clusterReady(c) ||
        old.metadata.generation !== c.metadata.generation ||
        old.metadata.deletionTimestamp !== c.metadata.deletionTimestamp
      )
        enqueueCluster(c.metadata.name ?? '');
    },
    onDelete: (c) => enqueueCluster(c.metadata.name ?? ''),
  });
  watcher.subscribe((e) => {
    if (e.type === 'delete' || (e.type === 'update' && e.oldObj && content(e.oldObj) !== content(e.obj))) {
      controller.enqueue(e.workKey);
    }
  });
  return controller;
}
