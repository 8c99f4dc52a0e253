/**
 * Feeds the traffic view: polls the mesh's Prometheus endpoint (`GET …/stats/prometheus`, every
 * proxy's `istio_requests_total` in one exposition) every `intervalMs`, hands each scrape to a
 * {@link TrafficTracker}, and tells listeners after each poll. The endpoint's URL is asked for
 * on every poll, so a mesh that starts after the dashboard is picked up without a restart.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../log/index.ts';
import { parseExposition } from './prometheus.ts';
import { TrafficTracker, type TrafficView } from './traffic.ts';

/** Where the numbers come from and whether the last poll worked. */
export interface TrafficSourceStatus {
  /** `none`: no mesh endpoint known; `ok`: the last poll parsed; `error`: it failed. */
  state: 'none' | 'ok' | 'error';
  url?: string | undefined;
  message?: string | undefined;
}

/** The traffic view plus its source's status: what the page receives. */
export interface TrafficPayload extends TrafficView {
  source: TrafficSourceStatus;
}

/** Options for {@link TrafficSource}. */
export interface TrafficSourceOptions {
  /** The metrics URL, or a function asked on every poll (undefined: no mesh yet). */
  url: string | undefined | (() => Promise<string | undefined> | string | undefined);
  /** Poll period; default 2 s. */
  intervalMs?: number;
  /** Rate window; default 10 s. */
  windowMs?: number;
  /** Per-poll timeout; default 5 s. */
  timeoutMs?: number;
  logger?: Logger;
}

/** Polls the mesh's metrics and keeps the rates; `start` once, `stop` at the end. */
export class TrafficSource {
  readonly #opts: TrafficSourceOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<() => void>();
  #tracker: TrafficTracker;
  #status: TrafficSourceStatus = {
    state: 'none',
    message: 'no mesh metrics endpoint is running yet',
  };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort = new AbortController();
  #lastUrl: string | undefined;

  constructor(options: TrafficSourceOptions) {
    this.#opts = options;
    this.#log = options.logger ?? silentLogger();
    this.#tracker = this.#newTracker();
  }

  #newTracker(): TrafficTracker {
    return new TrafficTracker(this.#opts.windowMs !== undefined ? { windowMs: this.#opts.windowMs } : {});
  }

  /** Polls now and then every interval; returns at once. */
  start(): void {
    if (this.#timer !== undefined || this.#abort.signal.aborted) return;
    const loop = async () => {
      await this.poll();
      if (!this.#abort.signal.aborted) this.#timer = setTimeout(loop, this.#opts.intervalMs ?? 2000);
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops polling (an in-flight poll is aborted). */
  stop(): void {
    this.#abort.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Calls `fn` after every poll; returns a function removing it. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The current view and source status. */
  view(): TrafficPayload {
    return { ...this.#tracker.view(), source: { ...this.#status } };
  }

  /** One poll: fetch, parse, record. Never throws. */
  async poll(): Promise<void> {
    const u = this.#opts.url;
    let url: string | undefined;
    try {
      url = typeof u === 'function' ? await u() : u;
    } catch (err) {
      this.#log.warn({ err }, 'could not resolve the mesh metrics URL');
    }
    if (url !== this.#lastUrl) {
      // Another endpoint means other counters: rates restart from it.
      this.#tracker = this.#newTracker();
      this.#lastUrl = url;
    }
    if (url === undefined) {
      this.#status = { state: 'none', message: 'no mesh metrics endpoint is running yet' };
    } else {
      try {
        const res = await fetch(url, {
          signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#opts.timeoutMs ?? 5000)]),
          headers: { accept: 'text/plain' },
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${url} answered ${res.status}`);
        const parsed = parseExposition(text);
        this.#tracker.observe(Date.now(), parsed.samples);
        this.#status = {
          state: 'ok',
          url,
          ...(parsed.errors.length > 0
            ? {
                message: `${parsed.errors.length} line(s) did not parse, e.g. line ${parsed.errors[0]?.line}: ${parsed.errors[0]?.message}`,
              }
            : {}),
        };
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        const e = err as Error & { cause?: Error };
        this.#status = {
          state: 'error',
          url,
          message: e.cause?.message ? `${e.message}: ${e.cause.message}` : e.message,
        };
      }
    }
    for (const fn of this.#listeners) fn();
  }
}
