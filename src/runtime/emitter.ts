/**
 * Listener plumbing shared by the runtimes: change notifications coalesced per pod (one call per
 * pod per turn of the event loop) and events fanned out as they happen. A throwing listener is
 * isolated from the runtime and the other listeners.
 */
import type { RuntimeEvent } from './types.ts';

/** Change and event listeners of one runtime. */
export class RuntimeEmitter {
  readonly #change = new Set<(uid: string) => void>();
  readonly #event = new Set<(e: RuntimeEvent) => void>();
  #pending = new Set<string>();
  #scheduled = false;

  /** Adds a change listener; returns its removal. */
  onChange(fn: (uid: string) => void): () => void {
    this.#change.add(fn);
    return () => this.#change.delete(fn);
  }

  /** Adds an event listener; returns its removal. */
  onEvent(fn: (e: RuntimeEvent) => void): () => void {
    this.#event.add(fn);
    return () => this.#event.delete(fn);
  }

  /** True when someone listens for events (lets callers skip building them). */
  get hasEventListeners(): boolean {
    return this.#event.size > 0;
  }

  /** Marks `uid` changed; listeners hear of it once, on the next turn. */
  changed(uid: string): void {
    if (this.#change.size === 0) return;
    this.#pending.add(uid);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      const batch = this.#pending;
      this.#pending = new Set();
      this.#scheduled = false;
      for (const id of batch) for (const fn of this.#change) safe(() => fn(id));
    });
  }

  /** Delivers `e` to every event listener now. */
  event(e: RuntimeEvent): void {
    for (const fn of this.#event) safe(() => fn(e));
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // a listener's failure is its own; the runtime keeps going
  }
}
