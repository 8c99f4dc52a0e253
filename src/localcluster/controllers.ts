/**
 * Starts the workload controllers (Deployment, ReplicaSet, EndpointSlice, ServiceAccount,
 * scheduler) of `src/controllers` against a local cluster. The module is loaded on demand so
 * that a checkout where it is still being written starts a cluster without them (logged).
 */
import type { Client } from '../client/client.ts';
import type { Logger } from '../log/index.ts';

/** Running controllers; `stop` ends them. */
export interface RunningControllers {
  stop(): Promise<void>;
}

interface ControllersModule {
  startWorkloadControllers(options: { client: Client; logger?: Logger }): Promise<RunningControllers>;
}

const MODULE = '../controllers/index.ts';

/** Starts the workload controllers; resolves once they run (or at once when the module is absent). */
export async function startControllers(client: Client, logger: Logger): Promise<RunningControllers> {
  let mod: ControllersModule;
  try {
    mod = (await import(MODULE)) as ControllersModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    logger.warn('workload controllers are not available in this build; Deployments will not create pods');
    return { stop: async () => {} };
  }
  return mod.startWorkloadControllers({ client, logger });
}
