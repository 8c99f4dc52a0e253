/**
 * Controller: the reconcile loop. N workers take keys from a `WorkQueue` and call
 * `reconcile(key)`, which reads current state from informer caches (never trusting event
 * contents) and converges the world. Items are processed only once the controller's informers
 * have synced. A thrown `TerminalError` is logged and not retried; any other error retries the
 * key with rate-limited back-off; `{requeueAfter}` and `{requeue}` schedule another pass.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../api/meta.ts';
import { silentLogger } from '../log/index.ts';
import type { EventHandlers } from './informer.ts';
import { WorkQueue, type WorkQueueOptions } from './queue.ts';
import { objectKey } from './store.ts';

/** What `reconcile` may ask for: another pass after a delay, or a rate-limited one. */
export interface Result {
  requeueAfter?: number;
  requeue?: boolean;
}

/** Thrown by `reconcile` for errors retrying cannot fix (invalid spec); logged, not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** The slice of an informer a controller needs: sync state and event registration. */
export interface InformerLike<T extends KubeObject = KubeObject> {
  hasSynced(): boolean;
  waitForSync(options?: { signal?: AbortSignal }): Promise<void>;
  addHandlers(handlers: EventHandlers<T>): () => void;
}

/** Optional metrics, shaped like prom-client's Counter, Histogram and Gauge. */
export interface ControllerMetrics {
  /** Labels `controller`, `result` (`success` | `error` | `terminal` | `requeue` | `requeue_after`). */
  reconcileTotal?: { inc(labels: { controller: string; result: string }): void };
  /** Seconds per reconcile; label `controller`. */
  reconcileDuration?: { observe(labels: { controller: string }, seconds: number): void };
  /** Queued keys; label `controller`. */
  queueDepth?: { set(labels: { controller: string }, value: number): void };
}

/** Options for {@link Controller}. */
export interface ControllerOptions {
  name: string;
  /** Converges one key; may return a {@link Result}. */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets reconcilers that return nothing type-check
  reconcile: (key: string) => Promise<Result | void>;
  /** Concurrent workers; default 1. A key is never processed by two at once. */
  workers?: number;
  /** Informers that must have synced before any key is processed. */
  informers?: readonly InformerLike[];
  rateLimiter?: WorkQueueOptions['rateLimiter'];
  metrics?: ControllerMetrics;
  logger?: Logger;
}

/** A reconcile loop over a work queue; `start` it once, `stop` it on shutdown. */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly #opts: ControllerOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #workers: Promise<void>[] = [];
  #started: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#opts = options;
    this.#log = (options.logger ?? silentLogger()).child({ controller: options.name });
    const depth = options.metrics?.queueDepth;
    this.queue = new WorkQueue<string>({
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
      ...(depth ? { onDepth: (n: number) => depth.set({ controller: options.name }, n) } : {}),
    });
  }

  /** Queues a key (`namespace/name`) or an object's key. Never blocks. */
  enqueue(target: string | Pick<KubeObject, 'metadata'>): void {
    this.queue.add(typeof target === 'string' ? target : objectKey(target));
  }

  /**
   * Enqueues keys on an informer's add, update and delete events: the object's own key, or the
   * keys `map` returns (e.g. the owner's key for a child). Returns a function that unregisters.
   */
  watch<T extends KubeObject>(informer: InformerLike<T>, map?: (obj: T) => readonly string[]): () => void {
    const push = (obj: T) => {
      for (const key of map ? map(obj) : [objectKey(obj)]) this.queue.add(key);
    };
    return informer.addHandlers({ onAdd: push, onUpdate: (_old, obj) => push(obj), onDelete: push });
  }

  /**
   * Waits for the informers to sync, then starts the workers; resolves once they run. Rejects if
   * `stop` is called before the informers sync. Idempotent.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const signal = this.#abort.signal;
      await Promise.all((this.#opts.informers ?? []).map((i) => i.waitForSync({ signal })));
      if (signal.aborted) throw new Error(`controller ${this.name} stopped before its informers synced`);
      const n = Math.max(1, this.#opts.workers ?? 1);
      for (let i = 0; i < n; i++) this.#workers.push(this.#worker());
      this.#log.info({ workers: n }, 'started');
    })();
    return this.#started;
  }

  /** Stops taking new keys, lets in-flight reconciles finish, and resolves when workers exit. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.queue.shutdown();
    await Promise.all(this.#workers);
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#process(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string): Promise<void> {
    const { metrics } = this.#opts;
    const labels = { controller: this.name };
    const start = performance.now();
    let result: string;
    try {
      const r = (await this.#opts.reconcile(key)) ?? {};
      if (r.requeueAfter !== undefined && r.requeueAfter > 0) {
        result = 'requeue_after';
        this.queue.forget(key);
        this.queue.addAfter(key, r.requeueAfter);
      } else if (r.requeue) {
        result = 'requeue';
        this.queue.addRateLimited(key);
      } else {
        result = 'success';
        this.queue.forget(key);
      }
    } catch (err) {
      if (err instanceof TerminalError || (err as Error | undefined)?.name === 'TerminalError') {
        result = 'terminal';
        this.queue.forget(key);
        this.#log.error({ err, key }, 'reconcile failed terminally; not retrying');
      } else {
        result = 'error';
        this.#log.warn({ err, key, retries: this.queue.retries(key) }, 'reconcile failed; retrying');
        this.queue.addRateLimited(key);
      }
    }
    metrics?.reconcileDuration?.observe(labels, (performance.now() - start) / 1000);
    metrics?.reconcileTotal?.inc({ ...labels, result });
  }
}
