/**
 * The work-status controller (Karmada's `workStatus`, §4.3), for Push clusters in the control
 * plane and for its own cluster in the pull-mode agent (`federation/scope.ts`): reflects each
 * member object's status and health (built-in interpreters, `src/federation/interpret.ts`) into
 * `Work.status.manifestStatuses`. Triggered by member-object events from the `MemberWatcher`
 * and by Work changes; reads the member object from the watcher's cache, else with a GET.
 * Objects that do not belong to the Work (a conflicting unmanaged object) are not reflected.
 */
import { isNotFound } from '../../api/errors.ts';
import { clusterOfExecutionNamespace } from '../../api/karmada/names.ts';
import type { ManifestStatus, Work } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import { belongsToWork, refOf } from '../../federation/apply.ts';
import type { FederationContext } from '../../federation/context.ts';
import { interpretHealth, reflectStatus } from '../../federation/interpret.ts';
import { clustersInformer, handlesCluster, worksInformer } from '../../federation/scope.ts';
import { jsonEqual, writeStatus } from '../../federation/status-write.ts';
import { clusterReady } from '../execution/controller.ts';

/** Builds the work-status controller; keys are Work keys. */
export function newWorkStatusController(ctx: FederationContext): Controller {
  const { client, members, watcher } = ctx;
  const works = worksInformer(ctx);
  const clusters = clustersInformer(ctx);

  const reconcile = async (key: string) => {
    const work = works.store.get(key);
    if (!work || work.metadata.deletionTimestamp) return;
    const clusterName = clusterOfExecutionNamespace(work.metadata.namespace ?? '');
    const cluster = clusterName === undefined ? undefined : clusters.store.get(clusterName);
    if (
      !cluster ||
      clusterName === undefined ||
      !handlesCluster(ctx, clusterName, cluster) ||
      !clusterReady(cluster)
    )
      return;
    const m = await members.get(clusterName);
    const target = { cluster: clusterName, client: m.client, discovery: m.discovery };
    const statuses: ManifestStatus[] = [];
    const manifests = work.spec.workload?.manifests ?? [];
    for (const [ordinal, manifest] of manifests.entries()) {
      let ref: Awaited<ReturnType<typeof refOf>>;
      try {
        ref = await refOf(target, manifest);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const namespace = ref.namespaced ? manifest.metadata.namespace : undefined;
      const name = manifest.metadata.name ?? '';
      let obj: KubeObject | undefined = watcher.cached(clusterName, ref, namespace, name);
      if (!obj && !watcher.synced(clusterName, ref)) {
        obj = await m.client.get(ref, { name, namespace }).catch((err) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      }
      if (!obj || !belongsToWork(obj, work)) continue;
      const status = reflectStatus(obj);
      statuses.push({
        identifier: {
          ordinal,
          group: ref.group,
          version: ref.version,
          kind: manifest.kind,
          resource: ref.resource,
          ...(namespace ? { namespace } : {}),
          name,
        },
        ...(status !== undefined ? { status } : {}),
        health: interpretHealth(obj),
      });
    }
    await writeStatus<Work>(
      client,
      resources.works,
      { name: work.metadata.name ?? '', namespace: work.metadata.namespace },
      (fresh) => {
        const old = fresh.status?.manifestStatuses ?? [];
        if (jsonEqual(old, statuses)) return undefined;
        return { ...fresh, status: { ...(fresh.status ?? {}), manifestStatuses: statuses } };
      },
      works.store.get(`${work.metadata.namespace}/${work.metadata.name}`),
    );
  };

  const controller = new Controller({
    name: 'work-status',
    reconcile,
    workers: ctx.workers ?? 5,
    informers: [works, clusters],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  works.addHandlers({
    onAdd: (w) => controller.enqueue(w),
    onUpdate: (old, w) => {
      const applied = (x: Work) => JSON.stringify(x.status?.conditions?.find((c) => c.type === 'Applied'));
      if (old.metadata.generation !== w.metadata.generation || applied(old) !== applied(w))
        controller.enqueue(w);
    },
  });
  watcher.subscribe((e) => {
    if (
      e.type !== 'update' ||
      !e.oldObj ||
      !jsonEqual(e.oldObj.status, e.obj.status) ||
      e.oldObj.metadata.generation !== e.obj.metadata.generation
    )
      controller.enqueue(e.workKey);
  });
  return controller;
}
