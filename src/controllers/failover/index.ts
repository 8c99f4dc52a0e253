/**
 * Failover in one call (Karmada §4.6): the NoExecute taint manager and application failover
 * behind the `Failover` gate (on by default in Flotilla, off in Karmada), the graceful eviction
 * controller behind `GracefulEviction` (on), and the ClusterTaintPolicy controller (always), on
 * one informer factory and one event recorder. The scheduler's ClusterEviction filter and the
 * binding controller (which keeps an evicted cluster's Work while its task lasts, except with
 * purgeMode Directly) are the other half and run elsewhere.
 */
import type { Logger } from 'pino';
import type { Client } from '../../client/client.ts';
import { EventRecorder } from '../../controller/events.ts';
import { InformerFactory } from '../../controller/factory.ts';
import type { Controller } from '../../controller/reconciler.ts';
import { silentLogger } from '../../log/index.ts';
import { newApplicationFailoverController } from './application-failover.ts';
import type { FailoverContext } from './context.ts';
import { newGracefulEvictionController } from './graceful-eviction.ts';
import { newTaintManager } from './taint-manager.ts';
import { newClusterTaintPolicyController } from './taint-policy.ts';

export {
  type Assessment,
  allTargetsHealthy,
  assessTasks,
  EVICTION,
  gracefulEvictCluster,
} from './eviction.ts';
export {
  type ClusterTaintPolicy,
  conditionsMatch,
  type MatchCondition,
  taintsAfterPolicies,
} from './taint-policy.ts';
export {
  appliedPlacement,
  type EvictionDecision,
  EvictionRateLimiter,
  evictionDecision,
} from './tolerations.ts';

/** Failover tuning: Karmada's gates and flags, with Flotilla's defaults. */
export interface FailoverOptions {
  /** The `Failover` gate: taint-based eviction and application failover; default true. */
  failover?: boolean | undefined;
  /** The `GracefulEviction` gate: eviction tasks instead of immediate removal; default true. */
  gracefulEviction?: boolean | undefined;
  /** `--resource-eviction-rate`, evictions per second; default 0.5. */
  evictionRate?: number | undefined;
  /** `--graceful-eviction-timeout` in ms; default 600 000. */
  gracefulEvictionTimeoutMs?: number | undefined;
  /** `--no-execute-taint-eviction-purge-mode`; default Gracefully. */
  noExecutePurgeMode?: 'Directly' | 'Gracefully' | undefined;
  /** The clock, for tests. */
  now?: (() => number) | undefined;
}

/** Running failover controllers; `stop` ends them, their informers and pending events. */
export interface RunningFailover {
  /** Names of the controllers that run (for logs and tests). */
  controllers: string[];
  stop(): Promise<void>;
}

/**
 * Starts the failover controllers against the control plane and resolves once they run
 * (informers synced). Rejects, with nothing left running, when one cannot start.
 */
export async function startFailoverControllers(
  options: FailoverOptions & { client: Client; logger?: Logger | undefined },
): Promise<RunningFailover> {
  const logger = options.logger ?? silentLogger();
  const { client } = options;
  const factory = new InformerFactory({ client, logger });
  const events = new EventRecorder({ client, component: 'karmada-controller-manager', logger });
  const ctx: FailoverContext = { client, factory, events, logger, now: options.now };
  const graceful = options.gracefulEviction !== false;
  const controllers: Controller[] = [newClusterTaintPolicyController(ctx)];
  if (graceful) {
    controllers.push(newGracefulEvictionController({ ...ctx, timeoutMs: options.gracefulEvictionTimeoutMs }));
  }
  if (options.failover !== false) {
    controllers.push(
      ...newTaintManager({
        ...ctx,
        evictionRate: options.evictionRate,
        purgeMode: options.noExecutePurgeMode,
        gracefulEviction: graceful,
      }),
      newApplicationFailoverController({ ...ctx, gracefulEviction: graceful }),
    );
  }
  factory.start();
  const stop = async () => {
    await Promise.all(controllers.map((c) => c.stop()));
    await factory.stop();
    await events.flush();
  };
  try {
    await Promise.all(controllers.map((c) => c.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info({ controllers: controllers.map((c) => c.name) }, 'failover controllers running');
  return { controllers: controllers.map((c) => c.name), stop };
}
