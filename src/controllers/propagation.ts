/**
 * Karmada's propagation path in one call: the resource detector (templates → claims and
 * bindings), the binding controller (scheduled bindings → Works) and the dependencies
 * distributor (`propagateDeps`: ConfigMaps, Secrets, … follow their workload), on one informer
 * factory and one event recorder.
 */
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import { EventRecorder } from '../controller/events.ts';
import { InformerFactory } from '../controller/factory.ts';
import { silentLogger } from '../log/index.ts';
import { newBindingController } from './binding/index.ts';
import { newDependenciesDistributor } from './dependencies/index.ts';
import { ResourceDetector } from './detector/index.ts';

/** Options for {@link startPropagationControllers}. */
export interface PropagationControllersOptions {
  client: Client;
  logger?: Logger | undefined;
  /** Detector discovery interval; default 30 s. */
  discoveryIntervalMs?: number | undefined;
  /**
   * Karmada's `PropagateDeps` gate: run the dependencies distributor, so bindings with
   * `propagateDeps: true` carry their ConfigMaps, Secrets, ServiceAccounts and PVCs; default true.
   */
  propagateDeps?: boolean | undefined;
}

/** Running propagation controllers; `stop` ends them, their informers and pending events. */
export interface RunningPropagationControllers {
  detector: ResourceDetector;
  stop(): Promise<void>;
}

/**
 * Starts the detector, the binding controller and (unless disabled) the dependencies distributor,
 * and resolves once all run (informers synced).
 * Rejects when discovery or an informer fails before that; nothing is left running then.
 */
export async function startPropagationControllers(
  options: PropagationControllersOptions,
): Promise<RunningPropagationControllers> {
  const logger = options.logger ?? silentLogger();
  const { client } = options;
  const factory = new InformerFactory({ client, logger });
  const events = new EventRecorder({ client, component: 'karmada-controller-manager', logger });
  const detector = new ResourceDetector({
    client,
    factory,
    logger,
    events,
    discoveryIntervalMs: options.discoveryIntervalMs,
  });
  const binding = newBindingController({ client, factory, logger, events });
  const controllers = [binding];
  if (options.propagateDeps ?? true)
    controllers.push(newDependenciesDistributor({ client, factory, logger, events }));
  factory.start();
  const stop = async () => {
    await Promise.all([detector.stop(), ...controllers.map((c) => c.stop())]);
    await factory.stop();
    await events.flush();
  };
  try {
    await Promise.all([detector.start(), ...controllers.map((c) => c.start())]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { detector, stop };
}
