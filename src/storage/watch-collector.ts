/**
 * A test helper that records what a watch delivers and waits for it: used by the conformance
 * suite and by anyone testing code built on `Storage.watch`.
 */
import type { Storage, StorageEvent, WatchHandle } from './types.ts';

/** The deliveries of one watch, in order. */
export interface WatchCollector {
  /** Every event delivered so far, flattened. */
  readonly events: StorageEvent[];
  /** Every `onEvents` call's batch, as delivered. */
  readonly batches: StorageEvent[][];
  /** The error the watch ended with, if it did. */
  readonly error: Error | undefined;
  handle: WatchHandle;
  /** Resolves once at least `n` events arrived; rejects after `timeoutMs` (default 5 s). */
  waitForEvents(n: number, timeoutMs?: number): Promise<StorageEvent[]>;
  /** Resolves with the error once the watch ended; rejects after `timeoutMs`. */
  waitForError(timeoutMs?: number): Promise<Error>;
}

/** Opens a watch on `storage` that records into a collector. Rejects as `watch` does. */
export async function collectWatch(
  storage: Storage,
  prefix: string,
  fromRevision: number,
): Promise<WatchCollector> {
  const events: StorageEvent[] = [];
  const batches: StorageEvent[][] = [];
  let error: Error | undefined;
  let wake: () => void = () => {};
  const changed = (): void => wake();
  const until = async (done: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; have ${events.length} events, error ${error}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const handle = await storage.watch(prefix, fromRevision, {
    onEvents(batch) {
      batches.push(batch);
      events.push(...batch);
      changed();
    },
    onError(err) {
      error = err;
      changed();
    },
  });
  return {
    events,
    batches,
    get error() {
      return error;
    },
    handle,
    async waitForEvents(n, timeoutMs = 5000) {
      await until(() => events.length >= n || error !== undefined, `${n} events`, timeoutMs);
      if (events.length < n)
        throw new Error(`watch ended with ${events.length}/${n} events`, { cause: error });
      return events;
    },
    async waitForError(timeoutMs = 5000) {
      await until(() => error !== undefined, 'the watch to end', timeoutMs);
      return error as Error;
    },
  };
}
