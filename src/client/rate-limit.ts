/**
 * A token bucket like client-go's `flowcontrol` limiter: `qps` tokens per second, holding at
 * most `burst`. Used by the client for request pacing and by the work queue's overall limiter.
 */

/** Options for {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second; `Infinity` or `<= 0` disables limiting. */
  qps: number;
  /** Bucket size, and the number of tokens it starts with. */
  burst: number;
  /** The clock in milliseconds, for tests. */
  now?: () => number;
}

/** A token bucket; `reserve` never blocks, `take` waits for its token. */
export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions) {
    this.#qps = options.qps;
    this.#burst = Math.max(1, options.burst);
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /**
   * Takes one token, possibly borrowed from the future, and returns how many milliseconds the
   * caller must wait before acting (0 when a token was available). Never blocks.
   */
  reserve(): number {
    if (!(this.#qps > 0) || this.#qps === Number.POSITIVE_INFINITY) return 0;
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  /** Resolves once a token is available; callers are served in call order. */
  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
