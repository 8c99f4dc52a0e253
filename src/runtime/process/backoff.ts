/**
 * Kubelet's restart back-off (`flowcontrol.Backoff`): the first restart is immediate, then the
 * delay starts at `base` and doubles up to `cap`; it resets once a container has run for longer
 * than `resetAfter` (kubelet: twice the cap, 10 minutes).
 */

/** Back-off tuning; kubelet's values are 10 s, 5 min and 10 min. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  resetAfterMs?: number;
}

/** Kubelet's defaults. */
export const KUBELET_BACKOFF: BackoffOptions = { baseMs: 10_000, capMs: 300_000 };

/** Per-container back-off state. */
export class RestartBackoff {
  readonly #opts: Required<BackoffOptions>;
  #next = 0;
  #lastUpdate: number | undefined;

  /** Creates the state for one container. */
  constructor(options: BackoffOptions) {
    this.#opts = { resetAfterMs: options.capMs * 2, ...options };
  }

  /** The delay before restarting a container that finished at `finishedAtMs`; records the restart. */
  delayFor(finishedAtMs: number): number {
    const { baseMs, capMs, resetAfterMs } = this.#opts;
    const expired = this.#lastUpdate === undefined || finishedAtMs - this.#lastUpdate > resetAfterMs;
    const delay = expired ? 0 : this.#next;
    this.#next = expired ? baseMs : Math.min(this.#next * 2, capMs);
    this.#lastUpdate = finishedAtMs;
    return delay;
  }

  /** The delay {@link delayFor} would next return after a failure that is not the first. */
  peek(): number {
    return this.#next === 0 ? this.#opts.baseMs : this.#next;
  }
}

/** Formats milliseconds as Go's `time.Duration.String()` does (`10s`, `1m20s`, `5m0s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalSec = ms / 1000;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = Number((totalSec % 60).toFixed(3));
  let out = `${s}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return out;
}
