/**
 * The control plane's controllers in one call — what Karmada splits across
 * karmada-controller-manager and karmada-scheduler: the resource detector and binding controller
 * (`controllers/propagation.ts`), the scheduler (`scheduler/`), and the federation controllers
 * (cluster lifecycle and health, push execution, work and binding status, namespace sync) and
 * failover (taint manager, graceful eviction, application failover, ClusterTaintPolicy). They
 * talk to the control plane only through the `Client` they are given, so `flotilla up` runs
 * them in-process beside its API server and `flotilla controllers` runs them against any
 * control plane.
 */
import type { Logger } from 'pino';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { type FailoverOptions, startFailoverControllers } from '../controllers/failover/index.ts';
import { startPropagationControllers } from '../controllers/propagation.ts';
import type { ClusterStatusTiming } from '../controllers/status/cluster-status.ts';
import { startFederationControllers } from '../federation/index.ts';
import { silentLogger } from '../log/index.ts';
import { startScheduler } from '../scheduler/index.ts';

export { type EnsureJoinedOptions, ensureJoined, waitForClustersReady } from './join-local.ts';
export { type ApplyManifestsOptions, applyManifests, parseManifests } from './manifests.ts';
export {
  type DemoProgress,
  type SettleOptions,
  waitForPlacement,
} from './settle.ts';

/** Options for {@link startControlPlaneControllers}. */
export interface ControlPlaneControllersOptions {
  /** An admin client of the control plane. Not closed by `stop`. */
  client: Client;
  logger?: Logger | undefined;
  /** Cluster health timing; Karmada's defaults (10 s probes, 30 s debounce) otherwise. */
  health?: ClusterStatusTiming | undefined;
  /** Concurrent reconciles per federation controller and the scheduler; defaults of each. */
  workers?: number | undefined;
  /** Failover gates and tuning (taint manager, graceful eviction); Flotilla's defaults otherwise. */
  failover?: FailoverOptions | undefined;
}

/** Running control plane controllers; `stop` ends all of them (in reverse start order). */
export interface RunningControlPlaneControllers {
  stop(): Promise<void>;
}

/**
 * Starts federation, scheduler and propagation controllers and resolves once all of them have
 * synced their informers and run. Rejects (after stopping what started) if one cannot start.
 */
export async function startControlPlaneControllers(
  options: ControlPlaneControllersOptions,
): Promise<RunningControlPlaneControllers> {
  const logger = options.logger ?? silentLogger();
  const { client } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    stops.length = 0;
  };
  try {
    const federation = await startFederationControllers({
      client,
      logger: logger.child({ component: 'federation' }),
      health: options.health,
      workers: options.workers,
    });
    stops.push(() => federation.stop());
    const scheduler = startScheduler({ client, logger, workers: options.workers });
    stops.push(() => scheduler.stop());
    await scheduler.ready;
    const propagation = await startPropagationControllers({
      client,
      logger: logger.child({ component: 'karmada-controller-manager' }),
    });
    stops.push(() => propagation.stop());
    const failover = await startFailoverControllers({
      ...(options.failover ?? {}),
      client,
      logger: logger.child({ component: 'failover' }),
    });
    stops.push(() => failover.stop());
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info('control plane controllers running');
  return { stop };
}

/**
 * An admin client of the control plane from its kubeconfig (`DIR/karmada-apiserver.config`),
 * with Karmada's controller-manager rate limits (200 QPS, burst 400) unless given.
 */
export function controlPlaneClient(
  kubeconfigPath: string,
  options: { qps?: number; burst?: number; logger?: Logger } = {},
): Client {
  return new Client({
    kubeConfig: kubeConfigFromFile(kubeconfigPath),
    qps: options.qps ?? 200,
    burst: options.burst ?? 400,
    userAgent: 'flotilla-controller-manager',
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
