/**
 * Informer: a list-then-watch cache of one collection. It lists (paged), then watches from the
 * list's resourceVersion with bookmarks; a watch that ends normally resumes from the last seen
 * resourceVersion, 410 Expired (as HTTP status or ERROR event) relists, and any other failure
 * (server down, connection refused, reset) retries with jittered exponential back-off capped at
 * 10 s, resuming from the last resourceVersion. Handlers run synchronously, in event order.
 */
import type { Logger } from 'pino';
import { isExpired } from '../api/errors.ts';
import type { KubeList, KubeObject, Status } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import type { ResourceRef } from '../client/resources.ts';
import { statusToError } from '../client/transport.ts';
import { silentLogger } from '../log/index.ts';
import { sleep } from './sleep.ts';
import { deepFreeze, type IndexFunc, objectKey, type ReadonlyStore, Store } from './store.ts';

/** Callbacks for cache changes; they must not block (typically they enqueue keys). */
export interface EventHandlers<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  /** Also called by resync with `oldObj === newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** `obj` is the last state seen; after a relist it may be older than the deletion. */
  onDelete?(obj: T): void;
}

/** What an informer watches: one collection, optionally narrowed. */
export interface InformerScope {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** Options for {@link Informer}. */
export interface InformerOptions<T extends KubeObject = KubeObject> extends InformerScope {
  client: Client;
  resource: ResourceRef;
  /** Re-deliver every cached object as an update this often; 0 (default) never. */
  resyncMs?: number | undefined;
  /** List page size; default 500. */
  pageSize?: number | undefined;
  indexers?: Record<string, IndexFunc<T>> | undefined;
  /** Server-side watch timeout; default random in [300, 600) s, as client-go. */
  watchTimeoutSeconds?: number | undefined;
  /** Back-off after failures: first delay and cap; default 200 ms and 10 s. */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
  logger?: Logger | undefined;
}

/** A list-watch cache of one collection; create through `InformerFactory` to share it. */
export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef;
  readonly #opts: InformerOptions<T>;
  readonly #store: Store<T>;
  readonly #handlers = new Set<EventHandlers<T>>();
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #syncWaiters: (() => void)[] = [];
  #run: Promise<void> | undefined;
  #resync: ReturnType<typeof setInterval> | undefined;
  #synced = false;
  /** The resourceVersion to watch from; undefined means list first. */
  #rv: string | undefined;

  constructor(options: InformerOptions<T>) {
    this.resource = options.resource;
    this.#opts = options;
    this.#store = new Store<T>(options.indexers ? { indexers: options.indexers } : {});
    this.#log = (options.logger ?? silentLogger()).child({ informer: options.resource.resource });
  }

  /** The cache; objects in it are frozen. */
  get store(): ReadonlyStore<T> {
    return this.#store;
  }

  /** Adds an index to the store (existing objects are filed at once). */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.#store.addIndex(name, fn);
  }

  /** The last resourceVersion the cache reflects; undefined before the first list. */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /**
   * Registers handlers; returns a function removing them. Added after sync, the handlers first
   * get `onAdd` for every cached object. A throwing handler is logged and skipped.
   */
  addHandlers(handlers: EventHandlers<T>): () => void {
    this.#handlers.add(handlers);
    if (this.#synced) for (const obj of this.#store.list()) this.#call(handlers, 'onAdd', obj);
    return () => this.#handlers.delete(handlers);
  }

  /** True once the first list has been applied to the store. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once synced; rejects when `signal` aborts or the informer stops first. */
  waitForSync(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const fail = () => reject(new Error(`informer for ${this.resource.resource} stopped before it synced`));
      if (options.signal?.aborted || this.#abort.signal.aborted) return fail();
      options.signal?.addEventListener('abort', fail, { once: true });
      this.#abort.signal.addEventListener('abort', fail, { once: true });
      this.#syncWaiters.push(resolve);
    });
  }

  /** Starts listing and watching in the background; returns at once. Idempotent. */
  start(): void {
    if (this.#run || this.#abort.signal.aborted) return;
    this.#run = this.#loop();
    const resyncMs = this.#opts.resyncMs ?? 0;
    if (resyncMs > 0) {
      this.#resync = setInterval(() => {
        if (!this.#synced) return;
        for (const obj of this.#store.list()) this.#emit('onUpdate', obj, obj);
      }, resyncMs);
    }
  }

  /** Stops watching and resolves once the background loop has ended; the store stays readable. */
  async stop(): Promise<void> {
    this.#abort.abort();
    if (this.#resync) clearInterval(this.#resync);
    await this.#run;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    const initialMs = this.#opts.backoff?.initialMs ?? 200;
    const maxMs = this.#opts.backoff?.maxMs ?? 10_000;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#rv === undefined) await this.#relist();
        const healthy = await this.#watch();
        failures = healthy ? 0 : failures + 1;
        if (failures > 0)
          await sleep(Math.min(maxMs, initialMs * 2 ** failures) * (0.5 + Math.random() / 2), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isExpired(err)) {
          this.#log.info({ rv: this.#rv }, 'resourceVersion expired; relisting');
          this.#rv = undefined;
          continue;
        }
        failures++;
        const delay = Math.min(maxMs, initialMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
        this.#log.warn({ err, rv: this.#rv, delayMs: Math.round(delay) }, 'list/watch failed; retrying');
        await sleep(delay, signal);
      }
    }
  }

  async #relist(): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#opts;
    const scope = { namespace, labelSelector, fieldSelector, signal: this.#abort.signal };
    let list: KubeList<T>;
    try {
      list = await client.listAll<T>(resource, { ...scope, limit: this.#opts.pageSize ?? 500 });
    } catch (err) {
      if (!isExpired(err)) throw err;
      // The continue token outlived the server's history: one unpaged list instead.
      list = await client.list<T>(resource, scope);
    }
    if (this.#abort.signal.aborted) return;
    const seen = new Set<string>();
    for (const obj of list.items) {
      // List items omit apiVersion/kind; fill them so handlers see whole objects.
      obj.apiVersion ??= list.apiVersion;
      obj.kind ??= list.kind.replace(/List$/, '');
      const key = objectKey(obj);
      seen.add(key);
      const old = this.#store.set(key, obj);
      if (!old) this.#emit('onAdd', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.#emit('onUpdate', old, obj);
    }
    for (const key of this.#store.keys()) {
      if (seen.has(key)) continue;
      const old = this.#store.delete(key);
      if (old) this.#emit('onDelete', old);
    }
    this.#rv = list.metadata.resourceVersion;
    this.#log.debug({ rv: this.#rv, items: list.items.length }, 'listed');
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters) resolve();
      this.#syncWaiters = [];
    }
  }

  /** Watches until the stream ends; true when it delivered anything or lasted a second. */
  async #watch(): Promise<boolean> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#opts;
    const timeoutSeconds = this.#opts.watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    // Guards against a peer that vanished without closing the connection.
    const guard = AbortSignal.timeout((timeoutSeconds + 30) * 1000);
    const started = Date.now();
    let delivered = false;
    const events = client.watch<T>(resource, {
      namespace,
      labelSelector,
      fieldSelector,
      resourceVersion: this.#rv,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal: AbortSignal.any([this.#abort.signal, guard]),
    });
    for await (const event of events) {
      delivered = true;
      if (event.type === 'ERROR') throw statusToError(event.object as unknown as Status, 500);
      const rv = event.object.metadata?.resourceVersion;
      if (event.type === 'BOOKMARK') {
        if (rv) this.#rv = rv;
        continue;
      }
      const obj = event.object;
      const key = objectKey(obj);
      if (event.type === 'DELETED') {
        this.#store.delete(key);
        this.#emit('onDelete', deepFreeze(obj));
      } else {
        const old = this.#store.set(key, obj);
        if (old) this.#emit('onUpdate', old, obj);
        else this.#emit('onAdd', obj);
      }
      if (rv) this.#rv = rv;
    }
    return delivered || Date.now() - started > 1000;
  }

  #emit(kind: keyof EventHandlers<T>, a: T, b?: T): void {
    for (const h of this.#handlers) this.#call(h, kind, a, b);
  }

  #call(h: EventHandlers<T>, kind: keyof EventHandlers<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') h.onUpdate?.(a, b ?? a);
      else h[kind]?.(a);
    } catch (err) {
      this.#log.error({ err, event: kind, key: objectKey(a) }, 'event handler threw');
    }
  }
}
