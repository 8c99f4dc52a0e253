/**
 * What every workload controller is built from: the client it writes through, the shared
 * informer factory it reads from, and optional logger, worker count and clock.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import type { ResourceRef } from '../../client/resources.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { byControllerUid, byNamespace } from '../../controller/store.ts';
import { BY_CONTROLLER, BY_NAMESPACE } from './pods.ts';

/** Options shared by the workload controllers' constructors. */
export interface ControllerContext {
  client: Client;
  /** The shared factory; the caller starts it after building the controllers. */
  factory: InformerFactory;
  logger?: Logger | undefined;
  /** Concurrent reconciles per controller; default 2. */
  workers?: number | undefined;
  /** The clock in milliseconds, for tests; default `Date.now`. */
  now?: (() => number) | undefined;
}

/** The shared informer for `ref` with the by-namespace and by-controller-uid indexes added. */
export function indexedInformer<T extends KubeObject = KubeObject>(
  factory: InformerFactory,
  ref: ResourceRef,
): Informer<T> {
  const informer = factory.informer<T>(ref);
  informer.addIndex(BY_NAMESPACE, byNamespace);
  informer.addIndex(BY_CONTROLLER, byControllerUid);
  return informer;
}
