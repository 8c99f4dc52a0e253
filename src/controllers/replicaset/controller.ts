/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods matching each ReplicaSet's
 * selector. It adopts orphan pods the selector matches and releases owned pods it no longer
 * matches; creates missing pods (generateName `<rs>-`, template labels, controller reference)
 * in slow-start batches of 1, 2, 4… capped at 500 per pass; deletes surplus pods ranked by
 * `rankPodsForDeletion`; trusts its cache only once expectations are met; writes status through
 * the status subresource; and records SuccessfulCreate / SuccessfulDelete / FailedCreate events.
 */
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { EventRecorder } from '../../controller/events.ts';
import type { Informer } from '../../controller/informer.ts';
import { Controller } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import { type ControllerContext, indexedInformer } from '../common/context.ts';
import { Expectations } from '../common/expectations.ts';
import {
  BY_NAMESPACE,
  controllerRef,
  isPodActive,
  msUntilAvailable,
  newControllerRef,
  type Pod,
  selects,
} from '../common/pods.ts';
import { rankPodsForDeletion, slowStartBatch } from './rank.ts';
import { type ManageFailure, replicaSetStatus, statusChanged } from './status.ts';

/** Most pods created or deleted in one pass, as Kubernetes' `BurstReplicas`. */
export const BURST_REPLICAS = 500;

/** Builds the ReplicaSet controller on the shared factory; the caller starts it. */
export function newReplicaSetController(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const now = ctx.now ?? Date.now;
  const rsInformer = indexedInformer(ctx.factory, resources.replicasets);
  const podInformer = indexedInformer(ctx.factory, resources.pods);
  const expectations = new Expectations({ now });
  const recorder = new EventRecorder({ client, component: 'replicaset-controller', logger: ctx.logger });
  const failures = new Map<string, ManageFailure>();

  const reconcile = async (key: string) => {
    const rs = rsInformer.store.get(key);
    if (!rs) {
      expectations.delete(key);
      failures.delete(key);
      return;
    }
    const pods = await claimPods(rs);
    if (expectations.satisfied(key) && !rs.metadata.deletionTimestamp) {
      const failure = await manage(key, rs, pods);
      if (failure) failures.set(key, failure);
      else failures.delete(key);
    }
    const minReady = Number(rs.spec?.minReadySeconds ?? 0);
    const t = now();
    const status = replicaSetStatus(rs, pods, failures.get(key), t);
    if (statusChanged(status, rs.status)) await writeStatus(rs, status);
    const waits = pods
      .map((p) => msUntilAvailable(p, minReady, t))
      .filter((w): w is number => w !== undefined);
    return waits.length > 0 ? { requeueAfter: Math.min(...waits) + 50 } : {};
  };

  /** Adopts matching orphans and releases owned pods that stopped matching; returns the owned active pods. */
  async function claimPods(rs: KubeObject): Promise<Pod[]> {
    const uid = rs.metadata.uid ?? '';
    const owned: Pod[] = [];
    for (const pod of podInformer.store.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '')) {
      if (!isPodActive(pod)) continue;
      const ref = controllerRef(pod);
      const matches = selects(rs.spec?.selector, pod.metadata.labels);
      if (ref?.uid === uid) {
        if (matches) owned.push(pod);
        else
          await setOwners(
            pod,
            (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
          );
      } else if (!ref && matches && !rs.metadata.deletionTimestamp) {
        const adopted = await setOwners(pod, [...(pod.metadata.ownerReferences ?? []), newControllerRef(rs)]);
        if (adopted) owned.push(adopted);
      }
    }
    return owned;
  }

  /** Replaces a pod's ownerReferences, guarded by its resourceVersion; undefined if it is gone. */
  async function setOwners(pod: Pod, refs: unknown[]): Promise<Pod | undefined> {
    try {
      return await client.patch(resources.pods, {
        name: pod.metadata.name ?? '',
        namespace: pod.metadata.namespace,
        type: 'json',
        patch: [
          { op: 'test', path: '/metadata/resourceVersion', value: pod.metadata.resourceVersion },
          { op: 'add', path: '/metadata/ownerReferences', value: refs },
        ],
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function manage(key: string, rs: KubeObject, pods: Pod[]): Promise<ManageFailure | undefined> {
    const diff = pods.length - Number(rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      expectations.expect(key, { adds: count });
      const { succeeded, error } = await slowStartBatch(count, 1, async () => {
        try {
          const pod = await client.create(resources.pods, podFromTemplate(rs));
          recorder.event(rs, {
            type: 'Normal',
            reason: 'SuccessfulCreate',
            message: `Created pod: ${pod.metadata.name}`,
          });
        } catch (err) {
          expectations.creationObserved(key);
          recorder.event(rs, {
            type: 'Warning',
            reason: 'FailedCreate',
            message: `Error creating: ${(err as Error).message}`,
          });
          throw err;
        }
      });
      if (error !== undefined) {
        const attempted = succeeded + 1;
        expectations.lowerAdds(key, Math.max(0, count - attempted));
        return { reason: 'FailedCreate', message: (error as Error).message };
      }
    } else if (diff > 0) {
      const victims = rankPodsForDeletion(pods).slice(0, Math.min(diff, BURST_REPLICAS));
      expectations.expect(key, { deletes: victims.map(objectKey) });
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            await client.delete(resources.pods, {
              name: pod.metadata.name ?? '',
              namespace: pod.metadata.namespace,
            });
            recorder.event(rs, {
              type: 'Normal',
              reason: 'SuccessfulDelete',
              message: `Deleted pod: ${pod.metadata.name}`,
            });
          } catch (err) {
            expectations.deletionObserved(key, objectKey(pod));
            if (isNotFound(err)) return;
            recorder.event(rs, {
              type: 'Warning',
              reason: 'FailedDelete',
              message: `Error deleting: ${(err as Error).message}`,
            });
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { reason: 'FailedDelete', message: (failed.reason as Error).message };
    }
    return undefined;
  }

  async function writeStatus(rs: KubeObject, status: Record<string, unknown>): Promise<void> {
    try {
      await client.updateStatus(resources.replicasets, { ...structuredClone(rs), status });
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await client.get(resources.replicasets, {
        name: rs.metadata.name ?? '',
        namespace: rs.metadata.namespace,
      });
      await client.updateStatus(resources.replicasets, {
        ...fresh,
        status: { ...status, observedGeneration: rs.metadata.generation },
      });
    }
  }

  const controller = new Controller({
    name: 'replicaset',
    reconcile,
    workers: ctx.workers ?? 2,
    informers: [rsInformer, podInformer],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  controller.watch(rsInformer);
  watchPods(podInformer, rsInformer, expectations, (k) => controller.enqueue(k));
  return controller;
}

/** The pod a ReplicaSet creates from its template. */
export function podFromTemplate(rs: KubeObject): KubeObject {
  const tmpl = rs.spec?.template ?? {};
  const metadata: KubeObject['metadata'] = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace ?? 'default',
    ownerReferences: [newControllerRef(rs)],
  };
  if (tmpl.metadata?.labels) metadata.labels = structuredClone(tmpl.metadata.labels);
  if (tmpl.metadata?.annotations) metadata.annotations = structuredClone(tmpl.metadata.annotations);
  if (tmpl.metadata?.finalizers) metadata.finalizers = structuredClone(tmpl.metadata.finalizers);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(tmpl.spec ?? {}) };
}

/** Enqueues the owning ReplicaSet (or, for orphans, every one selecting the pod) and records observations. */
function watchPods(
  pods: Informer,
  sets: Informer,
  expectations: Expectations,
  enqueue: (key: string) => void,
): void {
  const ownerKey = (pod: Pod): string | undefined => {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return sets.store.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const enqueueFor = (pod: Pod) => {
    const key = ownerKey(pod);
    if (key) return enqueue(key);
    if (controllerRef(pod)) return;
    for (const rs of sets.store.byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '')) {
      if (selects(rs.spec?.selector, pod.metadata.labels)) enqueue(objectKey(rs));
    }
  };
  pods.addHandlers({
    onAdd(pod) {
      const key = ownerKey(pod);
      if (key && pod.metadata.deletionTimestamp) expectations.deletionObserved(key, objectKey(pod));
      else if (key) expectations.creationObserved(key);
      enqueueFor(pod);
    },
    onUpdate(old, pod) {
      if (old === pod) return;
      const key = ownerKey(pod);
      if (key && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
        expectations.deletionObserved(key, objectKey(pod));
      }
      const oldKey = ownerKey(old);
      if (oldKey && oldKey !== key) enqueue(oldKey);
      enqueueFor(pod);
    },
    onDelete(pod) {
      const key = ownerKey(pod);
      if (key) expectations.deletionObserved(key, objectKey(pod));
      enqueueFor(pod);
    },
  });
}
