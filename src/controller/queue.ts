/**
 * A de-duplicating, rate-limited work queue with client-go's semantics: a key is queued at most
 * once; a key being processed is never handed to a second worker, and one re-added meanwhile is
 * handed out again after `done`. `addRateLimited` delays a key by per-key exponential back-off
 * combined with an overall token bucket.
 */
import { TokenBucket } from '../client/rate-limit.ts';

/** Options for {@link RateLimiter}: client-go's default controller rate limiter. */
export interface RateLimiterOptions {
  /** First per-key delay; doubles per failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Per-key delay cap; default 1000 s. */
  maxDelayMs?: number;
  /** Overall retries per second across keys; default 10. */
  qps?: number;
  /** Overall burst; default 100. */
  burst?: number;
}

/** Decides how long a failing key waits: max(per-key exponential, overall token bucket). */
export class RateLimiter<K = string> {
  readonly #base: number;
  readonly #max: number;
  readonly #bucket: TokenBucket;
  readonly #failures = new Map<K, number>();

  constructor(options: RateLimiterOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1_000_000;
    this.#bucket = new TokenBucket({ qps: options.qps ?? 10, burst: options.burst ?? 100 });
  }

  /** Records one more failure of `key` and returns the delay in milliseconds before its retry. */
  when(key: K): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const exp = Math.min(this.#max, this.#base * 2 ** n);
    return Math.max(exp, this.#bucket.reserve());
  }

  /** How many failures `key` has had since it was last forgotten. */
  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Resets `key`'s back-off (call after it succeeds). */
  forget(key: K): void {
    this.#failures.delete(key);
  }
}

/** Options for {@link WorkQueue}. */
export interface WorkQueueOptions {
  rateLimiter?: RateLimiterOptions;
  /** Called with the number of queued keys whenever it changes (for a depth gauge). */
  onDepth?: (depth: number) => void;
}

/** A work queue of keys; workers loop on `get` / `done`. */
export class WorkQueue<K = string> {
  readonly #limiter: RateLimiter<K>;
  readonly #onDepth: ((depth: number) => void) | undefined;
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #timers = new Map<K, { at: number; timer: ReturnType<typeof setTimeout> }>();
  #waiters: ((key: K | undefined) => void)[] = [];
  #drained: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#limiter = new RateLimiter<K>(options.rateLimiter);
    this.#onDepth = options.onDepth;
  }

  /** Keys waiting to be handed out (not those being processed or delayed). */
  get len(): number {
    return this.#queue.length;
  }

  /** True once `shutdown` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `key` unless it is already queued; ignored after shutdown. Never blocks. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#handOut(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#onDepth?.(this.#queue.length);
  }

  /** Queues `key` after `ms`; a pending earlier delay for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    this.#timers.set(key, { at, timer });
  }

  /** Queues `key` after its rate-limited back-off (see {@link RateLimiter.when}). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets `key`'s back-off; call when it was processed successfully. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** How many times `key` was rate-limited since it was last forgotten. */
  retries(key: K): number {
    return this.#limiter.retries(key);
  }

  /**
   * Waits for a key and marks it as processing; the caller must call `done(key)`. Resolves
   * undefined once the queue is shut down and empty.
   */
  get(): Promise<K | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#onDepth?.(this.#queue.length);
      this.#handOut(key);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of `key`; if it was re-added meanwhile it is queued again. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      const shuttingDown = this.#shuttingDown;
      this.#shuttingDown = false;
      this.add(key);
      this.#shuttingDown = shuttingDown;
    }
    this.#checkDrained();
  }

  /**
   * Stops accepting keys and drops delayed ones; keys already queued are still handed out.
   * Resolves once the queue is empty and every handed-out key is done.
   */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    const done = new Promise<void>((resolve) => this.#drained.push(resolve));
    this.#checkDrained();
    return done;
  }

  #handOut(key: K): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
  }

  #checkDrained(): void {
    if (!this.#shuttingDown || this.#queue.length > 0 || this.#processing.size > 0) return;
    for (const w of this.#waiters) w(undefined);
    this.#waiters = [];
    for (const d of this.#drained) d();
    this.#drained = [];
  }
}
