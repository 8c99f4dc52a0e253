/**
 * The controller toolkit: informers (list-watch caches) shared through a factory, a
 * de-duplicating rate-limited work queue, the reconcile loop, and Lease-based leader election.
 * A controller reads state from informer stores, reconciles one key at a time, and writes
 * through `src/client`; it never imports storage or the API server.
 */
export { InformerFactory, type InformerFactoryOptions } from './factory.ts';
export { type EventHandlers, Informer, type InformerOptions, type InformerScope } from './informer.ts';
export { LeaderElector, type LeaderElectorOptions } from './leader.ts';
export { RateLimiter, type RateLimiterOptions, WorkQueue, type WorkQueueOptions } from './queue.ts';
export {
  Controller,
  type ControllerMetrics,
  type ControllerOptions,
  type InformerLike,
  type Result,
  TerminalError,
} from './reconciler.ts';
export {
  byControllerUid,
  byNamespace,
  byOwnerUid,
  deepFreeze,
  type IndexFunc,
  objectKey,
  type ReadonlyStore,
  Store,
  splitKey,
} from './store.ts';
