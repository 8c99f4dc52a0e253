/**
 * The Deployment controller: owns ReplicaSets named `<deployment>-<pod-template-hash>` and moves
 * them towards the Deployment's template by its strategy (RollingUpdate or Recreate), scales
 * proportionally when resized mid-rollout, leaves a paused Deployment's rollout alone, deletes
 * history beyond `revisionHistoryLimit`, adopts orphan ReplicaSets its selector matches and
 * releases those it stops matching, and writes status through the status subresource.
 * Records `ScalingReplicaSet` events.
 */
import { isDeepStrictEqual } from 'node:util';
import { isConflict } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import { EventRecorder } from '../../controller/events.ts';
import { Controller } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import { type ControllerContext, indexedInformer } from '../common/context.ts';
import {
  BY_CONTROLLER,
  BY_NAMESPACE,
  controllerRef,
  isPodActive,
  newControllerRef,
  selects,
} from '../common/pods.ts';
import { isScalingEvent, rolloutRecreate, rolloutRolling, syncScale } from './rollout.ts';
import { deploymentStatus } from './status.ts';
import { DeploymentSync, HashCollisionError } from './sync.ts';

/** Builds the Deployment controller on the shared factory; the caller starts it. */
export function newDeploymentController(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const now = ctx.now ?? Date.now;
  const deployments = ctx.factory.informer(resources.deployments);
  deployments.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
  const rsInformer = indexedInformer(ctx.factory, resources.replicasets);
  const podInformer = indexedInformer(ctx.factory, resources.pods);
  const recorder = new EventRecorder({ client, component: 'deployment-controller', logger: ctx.logger });

  const reconcile = async (key: string) => {
    const cached = deployments.store.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const selector = cached.spec?.selector;
    if (
      !selector ||
      (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
    ) {
      recorder.event(cached, {
        type: 'Warning',
        reason: 'SelectingAll',
        message: 'This deployment is selecting all pods. A non-empty selector is required.',
      });
      return;
    }
    const owned = await claimReplicaSets(
      client,
      cached,
      rsInformer.store.byIndex(BY_NAMESPACE, cached.metadata.namespace ?? ''),
    );
    const podCounts = new Map<string, number>();
    for (const rs of owned) {
      const uid = rs.metadata.uid ?? '';
      podCounts.set(uid, podInformer.store.byIndex(BY_CONTROLLER, uid).filter(isPodActive).length);
    }
    const s = new DeploymentSync({
      client,
      recorder,
      deployment: cached,
      replicaSets: owned,
      podCounts,
      now: now(),
    });
    try {
      if (s.d.spec?.paused || isScalingEvent(s)) await syncScale(s);
      else if (s.d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(s);
      else await rolloutRolling(s);
      if (!s.d.spec?.paused && isSettled(s)) await s.cleanup();
    } catch (err) {
      if (err instanceof HashCollisionError) return { requeue: true };
      throw err;
    }
    const { status, recheckMs } = deploymentStatus(s);
    if (!isDeepStrictEqual(status, cached.status ?? {})) await writeStatus(client, cached, status);
    return recheckMs !== undefined ? { requeueAfter: recheckMs + 100 } : {};
  };

  const controller = new Controller({
    name: 'deployment',
    reconcile,
    workers: ctx.workers ?? 2,
    informers: [deployments, rsInformer, podInformer],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  controller.watch(deployments);
  const ownerOf = (rs: KubeObject): string[] => {
    const ref = controllerRef(rs);
    if (ref?.kind === 'Deployment') return [`${rs.metadata.namespace}/${ref.name}`];
    if (ref) return [];
    return deployments.store
      .byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '')
      .filter((d) => selects(d.spec?.selector, rs.metadata.labels))
      .map(objectKey);
  };
  controller.watch(rsInformer, ownerOf);
  podInformer.addHandlers({
    onDelete(pod) {
      const ref = controllerRef(pod);
      const rs =
        ref?.kind === 'ReplicaSet'
          ? rsInformer.store.get(`${pod.metadata.namespace}/${ref.name}`)
          : undefined;
      if (rs) for (const k of ownerOf(rs)) controller.enqueue(k);
    },
  });
  return controller;
}

/** No old ReplicaSet has replicas left and the new one is fully available. */
function isSettled(s: DeploymentSync): boolean {
  const replicas = Number(s.d.spec?.replicas ?? 1);
  return (
    s.newRS !== undefined &&
    Number(s.newRS.spec?.replicas ?? 0) === replicas &&
    Number(s.newRS.status?.availableReplicas ?? 0) >= replicas &&
    s.oldRSs.every((rs) => Number(rs.spec?.replicas ?? 0) === 0)
  );
}

/** The ReplicaSets `d` controls after adopting matching orphans and releasing non-matching ones. */
async function claimReplicaSets(
  client: Client,
  d: KubeObject,
  inNamespace: readonly KubeObject[],
): Promise<KubeObject[]> {
  const uid = d.metadata.uid ?? '';
  const owned: KubeObject[] = [];
  for (const rs of inNamespace) {
    const ref = controllerRef(rs);
    const matches = selects(d.spec?.selector, rs.metadata.labels);
    if (ref?.uid === uid) {
      if (matches) owned.push(rs);
      else if (!rs.metadata.deletionTimestamp) {
        await setOwners(
          client,
          rs,
          (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
        );
      }
    } else if (!ref && matches && !rs.metadata.deletionTimestamp) {
      owned.push(await setOwners(client, rs, [...(rs.metadata.ownerReferences ?? []), newControllerRef(d)]));
    }
  }
  return owned;
}

function setOwners(client: Client, rs: KubeObject, refs: OwnerReference[]): Promise<KubeObject> {
  return client.patch(resources.replicasets, {
    name: rs.metadata.name ?? '',
    namespace: rs.metadata.namespace,
    type: 'json',
    patch: [
      { op: 'test', path: '/metadata/resourceVersion', value: rs.metadata.resourceVersion },
      { op: 'add', path: '/metadata/ownerReferences', value: refs },
    ],
  });
}

async function writeStatus(client: Client, d: KubeObject, status: Record<string, unknown>): Promise<void> {
  try {
    await client.updateStatus(resources.deployments, { ...structuredClone(d), status });
  } catch (err) {
    if (!isConflict(err)) throw err;
    // Only status fields are ours; a newer spec gets its own pass when the informer delivers it.
    const fresh = await client.get(resources.deployments, {
      name: d.metadata.name ?? '',
      namespace: d.metadata.namespace,
    });
    if (fresh.metadata.generation !== d.metadata.generation) return;
    await client.updateStatus(resources.deployments, {
      ...fresh,
      status: { ...status, collisionCount: fresh.status?.collisionCount },
    });
  }
}
