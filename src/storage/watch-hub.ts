/**
 * In-process watch fan-out for the backends that own their data (memory, sqlite). The backend
 * calls `publish` right after each commit; a new watcher first replays history from the backend
 * in pages (asynchronously, so a long replay does not block writers) while buffering live events,
 * then follows. Callbacks run on a later macrotask, never inside the write that caused them.
 */
import { compactedError } from './keys.ts';
import { StorageError, type StorageEvent, type WatchCallbacks, type WatchHandle } from './types.ts';

/** Where the hub reads history from while a watcher catches up. */
export interface HistorySource {
  /** Events under `prefix` with revision in `(after, upTo]`, oldest first, at most `limit`. */
  readEvents(prefix: string, after: number, upTo: number, limit: number): StorageEvent[];
  /** The current compaction point: events at or below it are gone. */
  compactRevision(): number;
}

/** An event with the revision it happened at (its `kv.modRevision`). */
function revisionOf(event: StorageEvent): number {
  return event.kv.modRevision;
}

const replayPageSize = 512;

interface Watcher {
  prefix: string;
  callbacks: WatchCallbacks;
  /** Last revision queued for delivery (replay) or the revision replay must reach. */
  cursor: number;
  /** Replay runs until `cursor` reaches this; live events at or below it are ignored. */
  replayTarget: number;
  replaying: boolean;
  /** Live events that arrived during replay. */
  buffered: StorageEvent[];
  /** Events waiting for the next delivery tick. */
  pending: StorageEvent[];
  scheduled: boolean;
  /** The caller closed the watch: nothing more is delivered. */
  closed: boolean;
  /** The watch ended with an error: events queued before it still go out, then `onError`. */
  failed: boolean;
}

/**
 * Fans committed events out to watchers. One per backend instance; `publish` must be called in
 * revision order, synchronously after the commit that produced the event.
 */
export class WatchHub {
  readonly #source: HistorySource;
  readonly #watchers = new Set<Watcher>();

  constructor(source: HistorySource) {
    this.#source = source;
  }

  /**
   * Registers a watcher for changes under `prefix` after `fromRevision` (0: after `current`).
   * Throws `Compacted` synchronously if the history it needs is gone.
   */
  add(prefix: string, fromRevision: number, current: number, callbacks: WatchCallbacks): WatchHandle {
    const from = fromRevision <= 0 ? current : fromRevision;
    const compact = this.#source.compactRevision();
    if (from < compact) throw compactedError(from, compact);
    const w: Watcher = {
      prefix,
      callbacks,
      cursor: from,
      // A watch from a future revision skips live events up to it.
      replayTarget: Math.max(current, from),
      replaying: from < current,
      buffered: [],
      pending: [],
      scheduled: false,
      closed: false,
      failed: false,
    };
    this.#watchers.add(w);
    if (w.replaying) setImmediate(() => this.#replayStep(w));
    return {
      close: async () => {
        w.closed = true;
        this.#watchers.delete(w);
      },
    };
  }

  /** Offers one committed event to every watcher whose prefix matches. */
  publish(event: StorageEvent): void {
    const rev = revisionOf(event);
    for (const w of this.#watchers) {
      if (rev <= w.replayTarget || !event.kv.key.startsWith(w.prefix)) continue;
      if (w.replaying) w.buffered.push(event);
      else this.#enqueue(w, [event]);
    }
  }

  /** Ends every watcher with `err` (the store is closing). */
  closeAll(err: Error): void {
    for (const w of this.#watchers) this.#fail(w, err);
  }

  /** The number of open watchers (for tests and metrics). */
  get size(): number {
    return this.#watchers.size;
  }

  #replayStep(w: Watcher): void {
    if (w.closed || w.failed) return;
    const compact = this.#source.compactRevision();
    if (w.cursor < compact) {
      this.#fail(w, compactedError(w.cursor, compact));
      return;
    }
    let page: StorageEvent[];
    try {
      page = this.#source.readEvents(w.prefix, w.cursor, w.replayTarget, replayPageSize);
    } catch (err) {
      this.#fail(w, new StorageError('Unavailable', 'watch replay failed', { cause: err }));
      return;
    }
    const last = page.at(-1);
    if (page.length === replayPageSize && last !== undefined) {
      w.cursor = revisionOf(last);
      this.#enqueue(w, page);
      setImmediate(() => this.#replayStep(w));
      return;
    }
    w.cursor = w.replayTarget;
    w.replaying = false;
    const all = page.concat(w.buffered);
    w.buffered = [];
    if (all.length > 0) this.#enqueue(w, all);
  }

  #enqueue(w: Watcher, events: StorageEvent[]): void {
    for (const e of events) w.pending.push(e);
    if (w.scheduled) return;
    w.scheduled = true;
    setImmediate(() => {
      w.scheduled = false;
      if (w.closed || w.pending.length === 0) return;
      const batch = w.pending;
      w.pending = [];
      // A throwing callback is the caller's bug; it surfaces as an uncaught exception.
      w.callbacks.onEvents(batch);
    });
  }

  #fail(w: Watcher, err: Error): void {
    if (w.closed || w.failed) return;
    w.failed = true;
    this.#watchers.delete(w);
    setImmediate(() => {
      if (!w.closed) w.callbacks.onError(err);
    });
  }
}
