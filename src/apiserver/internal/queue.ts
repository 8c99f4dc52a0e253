/**
 * A small serial work queue for the API server's built-in controllers: keys are de-duplicated
 * while waiting, processed one at a time, and retried with back-off when processing throws.
 */
import type { Logger } from 'pino';

export class SerialQueue {
  readonly #pending = new Set<string>();
  readonly #process: (key: string) => Promise<void>;
  readonly #logger: Logger;
  readonly #name: string;
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #running = false;
  #stopped = false;

  constructor(name: string, process: (key: string) => Promise<void>, logger: Logger) {
    this.#name = name;
    this.#process = process;
    this.#logger = logger;
  }

  /** Queues a key unless it is already waiting. */
  add(key: string): void {
    if (this.#stopped) return;
    this.#pending.add(key);
    if (!this.#running) void this.#drain();
  }

  /** Queues a key after `ms`. */
  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      this.add(key);
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#pending.clear();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#pending.size > 0 && !this.#stopped) {
      const key = this.#pending.values().next().value as string;
      this.#pending.delete(key);
      try {
        await this.#process(key);
        this.#failures.delete(key);
      } catch (err) {
        const n = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, n);
        const delay = Math.min(100 * 2 ** n, 30_000);
        this.#logger.warn(
          { err, key, controller: this.#name, retryInMs: delay },
          'built-in controller failed; retrying',
        );
        this.addAfter(key, delay);
      }
    }
    this.#running = false;
  }
}
