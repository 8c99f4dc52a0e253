/**
 * Federation: Karmada's cluster lifecycle and push-mode propagation over REST. `joinCluster` /
 * `unjoinCluster` register members; `startFederationControllers` runs the cluster, cluster
 * status, execution, work-status, binding-status and namespace-sync controllers against a
 * control plane, reaching members through the `MemberClients` cache. `apply.ts`, `health.ts`
 * and `interpret.ts` hold the semantics the pull-mode agent (`src/agent`) shares; `scope.ts` says
 * whom a set of controllers acts for.
 */
import type { Logger } from 'pino';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { InformerFactory } from '../controller/factory.ts';
import type { Controller } from '../controller/reconciler.ts';
import { newClusterController } from '../controllers/cluster/controller.ts';
import { newClusterMonitor } from '../controllers/cluster/monitor.ts';
import { newExecutionController } from '../controllers/execution/controller.ts';
import { newNamespaceSyncController } from '../controllers/namespace-sync/controller.ts';
import { newBindingStatusController } from '../controllers/status/binding-status.ts';
import {
  type ClusterStatusTiming,
  newClusterStatusController,
} from '../controllers/status/cluster-status.ts';
import { newWorkStatusController } from '../controllers/status/work-status.ts';
import { silentLogger } from '../log/index.ts';
import type { FederationContext } from './context.ts';
import { MemberWatcher } from './member-watch.ts';
import { MemberClients } from './members.ts';

export {
  type ApplyOutcome,
  type ApplyResult,
  applyManifest,
  applyWork,
  type MemberTarget,
  removeWork,
} from './apply.ts';
export type { FederationContext } from './context.ts';
export { type ProbeResult, probeHealth, readyCondition } from './health.ts';
export {
  credentialsFromKubeConfig,
  JoinError,
  type JoinOptions,
  joinCluster,
  type UnjoinOptions,
  unjoinCluster,
} from './join.ts';
export { type MemberEvent, MemberWatcher } from './member-watch.ts';
export { type MemberClient, MemberClients, type MemberCredentials } from './members.ts';

/** Options for {@link startFederationControllers}. */
export interface FederationOptions {
  /** Client of the control plane. */
  client: Client;
  logger?: Logger | undefined;
  /** Concurrent reconciles per controller; default 5. */
  workers?: number | undefined;
  /** Cluster health timing (probe period and debounce thresholds); Karmada's defaults otherwise. */
  health?: ClusterStatusTiming | undefined;
}

/** Running federation controllers; `stop` ends them, their informers and member connections. */
export interface RunningFederation {
  members: MemberClients;
  stop(): Promise<void>;
}

/**
 * Builds the federation controllers on one shared control-plane InformerFactory, starts it, and
 * resolves once every controller has synced and runs. Rejects (after cleaning up) if one cannot.
 */
export async function startFederationControllers(options: FederationOptions): Promise<RunningFederation> {
  const logger = options.logger ?? silentLogger();
  const factory = new InformerFactory({ client: options.client, logger });
  const clusters = factory.informer<Cluster>(resources.clusters);
  const secrets = factory.informer(resources.secrets, { namespace: CLUSTER_SECRET_NAMESPACE });
  const members = new MemberClients({
    controlPlane: options.client,
    lookup: {
      cluster: (name) => clusters.store.get(name),
      secret: (ns, name) =>
        ns === CLUSTER_SECRET_NAMESPACE
          ? secrets.store.get(`${ns}/${name}`)
          : options.client.get(resources.secrets, { namespace: ns, name }).catch(() => undefined),
    },
  });
  const watcher = new MemberWatcher({ members, logger });
  const ctx: FederationContext = {
    client: options.client,
    factory,
    members,
    watcher,
    logger,
    workers: options.workers,
  };
  const controllers: Controller[] = [
    newClusterController(ctx),
    newClusterMonitor({ ...ctx, ...(options.health ?? {}) }),
    newClusterStatusController({ ...ctx, ...(options.health ?? {}) }),
    newExecutionController(ctx),
    newWorkStatusController(ctx),
    newBindingStatusController(ctx),
    newNamespaceSyncController(ctx),
  ];
  const stop = async () => {
    await Promise.all(controllers.map((c) => c.stop()));
    await watcher.stop();
    await factory.stop();
    await members.close();
  };
  factory.start();
  try {
    await secrets.waitForSync();
    await Promise.all(controllers.map((c) => c.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  return { members, stop };
}
