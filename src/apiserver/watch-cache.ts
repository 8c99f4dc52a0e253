/**
 * WatchCache: one storage watch over the whole registry, fanned out to every API watch.
 * It keeps a ring of recent events so that watches resuming from a recent resourceVersion are
 * served from memory; older ones fall back to a storage watch (which fails with Compacted when
 * history is gone). Events are decoded once and shared, frozen, by all subscribers.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../api/meta.ts';
import type { Storage, StorageEvent, WatchHandle } from '../storage/types.ts';
import { REGISTRY_PREFIX } from './keys.ts';

/** One change to one object, decoded. `object` carries the event's resourceVersion. */
export interface CacheEvent {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  object: KubeObject;
  /** The object before this change (absent for ADDED). */
  prev?: KubeObject;
}

export interface Subscription {
  close(): void;
}

interface Subscriber {
  prefix: string;
  deliver(events: CacheEvent[]): void;
}

/** Converts a storage event into a cache event; the object's resourceVersion is the event revision. */
export function toCacheEvent(e: StorageEvent): CacheEvent {
  const object = JSON.parse(e.kv.value) as KubeObject;
  object.metadata.resourceVersion = String(e.kv.modRevision);
  const event: CacheEvent = {
    revision: e.kv.modRevision,
    type: e.type === 'delete' ? 'DELETED' : e.created ? 'ADDED' : 'MODIFIED',
    key: e.kv.key,
    object,
  };
  if (e.prev) {
    const prev = JSON.parse(e.prev.value) as KubeObject;
    prev.metadata.resourceVersion = String(e.prev.modRevision);
    event.prev = prev;
  }
  return event;
}

export class WatchCache {
  readonly #storage: Storage;
  readonly #capacity: number;
  readonly #logger: Logger | undefined;
  #ring: CacheEvent[] = [];
  /** Every event with revision > #floor is in the ring. */
  #floor = 0;
  #revision = 0;
  #handle: WatchHandle | undefined;
  #subscribers = new Set<Subscriber>();
  #waiters: { revision: number; resolve: () => void }[] = [];
  #failed: Error | undefined;

  constructor(storage: Storage, options: { capacity?: number; logger?: Logger } = {}) {
    this.#storage = storage;
    this.#capacity = options.capacity ?? 20_000;
    this.#logger = options.logger;
  }

  /** The newest revision the cache has seen. */
  get revision(): number {
    return this.#revision;
  }

  /** Starts following storage from its current revision. */
  async start(): Promise<void> {
    this.#revision = await this.#storage.currentRevision();
    this.#floor = this.#revision;
    this.#handle = await this.#storage.watch(REGISTRY_PREFIX, this.#revision, {
      onEvents: (events) => this.#ingest(events.map(toCacheEvent)),
      onError: (err) => {
        this.#failed = err;
        this.#logger?.error({ err }, 'storage watch ended; the API server cannot serve watches');
      },
    });
  }

  /** Resolves once the cache has seen `revision` (or after `timeoutMs`, resolving false). */
  waitFor(revision: number, timeoutMs = 3000): Promise<boolean> {
    if (this.#revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Whether events after `revision` can be replayed from memory. */
  covers(revision: number): boolean {
    return this.#failed === undefined && revision >= this.#floor;
  }

  /**
   * Delivers events under `prefix` with revision > `fromRevision`: first those buffered, then live
   * ones. Callers check `covers(fromRevision)` first; uncovered revisions throw.
   */
  subscribe(prefix: string, fromRevision: number, deliver: (events: CacheEvent[]) => void): Subscription {
    if (!this.covers(fromRevision)) throw new Error(`revision ${fromRevision} is older than the watch cache`);
    const backlog = this.#ring.filter((e) => e.revision > fromRevision && e.key.startsWith(prefix));
    const sub: Subscriber = { prefix, deliver };
    this.#subscribers.add(sub);
    if (backlog.length > 0) deliver(backlog);
    return { close: () => this.#subscribers.delete(sub) };
  }

  /** Number of live subscribers, for metrics. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  async stop(): Promise<void> {
    this.#subscribers.clear();
    await this.#handle?.close();
  }

  #ingest(events: CacheEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) {
      Object.freeze(e.object);
      this.#ring.push(e);
    }
    if (this.#ring.length > this.#capacity) {
      const drop = this.#ring.length - this.#capacity;
      this.#floor = this.#ring[drop - 1]!.revision;
      this.#ring.splice(0, drop);
    }
    this.#revision = events[events.length - 1]!.revision;
    for (const sub of this.#subscribers) {
      const mine = events.filter((e) => e.key.startsWith(sub.prefix));
      if (mine.length > 0) {
        try {
          sub.deliver(mine);
        } catch (err) {
          this.#logger?.warn({ err }, 'watch subscriber failed');
          this.#subscribers.delete(sub);
        }
      }
    }
    if (this.#waiters.length > 0) {
      const ready = this.#waiters.filter((w) => w.revision <= this.#revision);
      this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision);
      for (const w of ready) w.resolve();
    }
  }
}
