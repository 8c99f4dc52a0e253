/**
 * Flotilla's workload controllers for local member clusters, behaving as Kubernetes' own:
 * Deployment → ReplicaSets, ReplicaSet → Pods, Service → EndpointSlices, the `default`
 * ServiceAccount per namespace, and a scheduler binding pods to Nodes. They talk to the API
 * server only over REST, so they run against Flotilla's server and a real kube-apiserver alike.
 */
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import { InformerFactory } from '../controller/factory.ts';
import type { Controller } from '../controller/reconciler.ts';
import { silentLogger } from '../log/index.ts';
import { newDeploymentController } from './deployment/controller.ts';
import { newEndpointSliceController } from './endpointslice/controller.ts';
import { newReplicaSetController } from './replicaset/controller.ts';
import { newScheduler } from './scheduler/controller.ts';
import { newServiceAccountController } from './serviceaccount/controller.ts';

export { EventRecorder, type EventRecorderOptions } from '../controller/events.ts';
export type { ControllerContext } from './common/context.ts';
export { newDeploymentController } from './deployment/controller.ts';
export { newEndpointSliceController } from './endpointslice/controller.ts';
export { newReplicaSetController } from './replicaset/controller.ts';
export { newScheduler, SCHEDULER_NAME } from './scheduler/controller.ts';
export { parseQuantity } from './scheduler/quantity.ts';
export { newServiceAccountController } from './serviceaccount/controller.ts';

/** Options for {@link startWorkloadControllers}. */
export interface WorkloadControllersOptions {
  client: Client;
  logger?: Logger;
  /** Concurrent reconciles per controller; default 2. */
  workers?: number;
}

/** Running workload controllers; `stop` ends them and their informers. */
export interface RunningWorkloadControllers {
  stop(): Promise<void>;
}

/**
 * Builds every workload controller on one shared InformerFactory, starts the informers, and
 * resolves once all controllers have synced and run. Rejects if an informer cannot sync.
 */
export async function startWorkloadControllers(
  options: WorkloadControllersOptions,
): Promise<RunningWorkloadControllers> {
  const logger = options.logger ?? silentLogger();
  const factory = new InformerFactory({ client: options.client, logger });
  const ctx = { client: options.client, factory, logger, workers: options.workers };
  const controllers: Controller[] = [
    newDeploymentController(ctx),
    newReplicaSetController(ctx),
    newEndpointSliceController(ctx),
    newServiceAccountController(ctx),
    newScheduler(ctx),
  ];
  factory.start();
  try {
    await Promise.all(controllers.map((c) => c.start()));
  } catch (err) {
    await Promise.all(controllers.map((c) => c.stop()));
    await factory.stop();
    throw err;
  }
  return {
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      await factory.stop();
    },
  };
}
