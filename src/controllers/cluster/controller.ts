/**
 * The cluster controller (Karmada's `cluster`, §4.5): adds the finalizer
 * `karmada.io/cluster-controller` and creates the execution namespace `karmada-es-<name>`; keeps
 * the automatic NoSchedule taints in step with the Ready condition (False → `not-ready`,
 * Unknown → `unreachable`, missing → `not-ready`, True → neither; NoExecute is never automatic);
 * on deletion removes the Cluster's Works, then the execution namespace, waits for it to be
 * gone, deletes the credentials Secret, forgets the member client and drops the finalizer.
 */
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import {
  CLUSTER_SECRET_NAMESPACE,
  clusterOfExecutionNamespace,
  executionNamespace,
  FINALIZERS,
  TAINTS,
} from '../../api/karmada/names.ts';
import type { Cluster, Taint, Work } from '../../api/karmada/types.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { FederationContext } from '../../federation/context.ts';
import { conditionOf, now } from '../../federation/status-write.ts';

/** The taints a Cluster should carry given its Ready condition: its own, with the automatic ones adjusted. */
export function desiredTaints(cluster: Cluster, at = now()): Taint[] {
  const ready = conditionOf(cluster, 'Ready')?.status;
  const want = new Set<string>();
  if (ready === undefined || ready === 'False') want.add(TAINTS.notReady);
  if (ready === 'Unknown') want.add(TAINTS.unreachable);
  const auto = [TAINTS.notReady, TAINTS.unreachable] as string[];
  const taints = (cluster.spec.taints ?? []).filter(
    (t) => !(auto.includes(t.key) && t.effect === 'NoSchedule' && !want.has(t.key)),
  );
  for (const key of want) {
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule'))
      taints.push({ key, effect: 'NoSchedule', timeAdded: at });
  }
  return taints;
}

/** Builds the cluster controller; keys are Cluster names. */
export function newClusterController(ctx: FederationContext): Controller {
  const { client } = ctx;
  const clusters = ctx.factory.informer<Cluster>(resources.clusters);
  const namespaces = ctx.factory.informer(resources.namespaces);

  const finalize = async (cluster: Cluster): Promise<{ requeueAfter: number } | undefined> => {
    const name = cluster.metadata.name ?? '';
    const ns = executionNamespace(name);
    const works = await client.list<Work>(resources.works, { namespace: ns });
    for (const w of works.items) {
      if (w.metadata.deletionTimestamp) continue;
      await client.delete(resources.works, { name: w.metadata.name ?? '', namespace: ns }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
    if (works.items.length > 0) return { requeueAfter: 500 };
    try {
      await client.delete(resources.namespaces, { name: ns });
      return { requeueAfter: 500 };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const ref = cluster.spec.secretRef;
    if (ref && ref.namespace === CLUSTER_SECRET_NAMESPACE) {
      await client.delete(resources.secrets, { name: ref.name, namespace: ref.namespace }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
    await ctx.watcher.forget(name);
    await ctx.members.forget(name);
    const next = structuredClone(cluster) as Cluster;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter(
      (f) => f !== FINALIZERS.clusterController,
    );
    await client.update(resources.clusters, next);
    return undefined;
  };

  const reconcile = async (name: string) => {
    const cluster = clusters.store.get(name);
    if (!cluster) return;
    if (cluster.metadata.deletionTimestamp) {
      if (!cluster.metadata.finalizers?.includes(FINALIZERS.clusterController)) return;
      return finalize(cluster);
    }
    const taints = desiredTaints(cluster);
    const hasFinalizer = cluster.metadata.finalizers?.includes(FINALIZERS.clusterController) ?? false;
    const sameTaints =
      JSON.stringify((cluster.spec.taints ?? []).map((t) => [t.key, t.effect])) ===
      JSON.stringify(taints.map((t) => [t.key, t.effect]));
    if (!hasFinalizer || !sameTaints) {
      const next = structuredClone(cluster) as Cluster;
      if (!hasFinalizer)
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), FINALIZERS.clusterController];
      next.spec.taints = taints;
      await client.update(resources.clusters, next);
    }
    if (namespaces.store.get(executionNamespace(name))) return undefined;
    try {
      await client.create(resources.namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: executionNamespace(name) },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return undefined;
  };

  const controller = new Controller({
    name: 'cluster',
    reconcile,
    workers: ctx.workers ?? 5,
    informers: [clusters, namespaces],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  controller.watch(clusters);
  namespaces.addHandlers({
    onDelete: (ns) => {
      const cluster = clusterOfExecutionNamespace(ns.metadata.name ?? '');
      if (cluster !== undefined) controller.enqueue(cluster);
    },
  });
  return controller;
}
