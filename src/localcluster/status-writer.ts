/**
 * Writes the runtime's view of pods back as `status` through the pods/status subresource, as the
 * kubelet's status manager does: changes are coalesced per pod (many runtime changes → one write
 * of the latest status), at most `concurrency` writes are in flight, an unchanged status is never
 * written, and a 409 Conflict re-reads the pod and tries again.
 */
import { isConflict, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import type { Logger } from '../log/index.ts';
import type { PodStatusReport } from '../runtime/types.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod status is open JSON
type Obj = Record<string, any>;

/** Options of {@link StatusWriter}. */
export interface StatusWriterOptions {
  client: Client;
  /** The cached pod for a key (`ns/name`), or undefined once it is gone. */
  cached: (key: string) => KubeObject | undefined;
  /** The runtime's status for a pod UID. */
  report: (uid: string) => PodStatusReport | undefined;
  logger: Logger;
  /** Writes in flight at once; default 16. */
  concurrency?: number;
}

/** The pod's new status: the runtime's fields over the old status, keeping conditions it does not own. */
export function mergeStatus(old: Obj | undefined, report: PodStatusReport): Obj {
  const own = new Set(report.conditions.map((c) => c.type));
  const kept = (Array.isArray(old?.conditions) ? old.conditions : []).filter((c: Obj) => !own.has(c?.type));
  const next: Obj = { ...old, ...report, conditions: [...kept, ...report.conditions] };
  if (report.podIP === undefined) {
    delete next.podIP;
    delete next.podIPs;
  }
  return next;
}

/** Coalescing pod-status writer; see the file comment. `enqueue` never blocks or throws. */
export class StatusWriter {
  readonly #o: StatusWriterOptions;
  readonly #dirty = new Set<string>();
  readonly #inflight = new Set<string>();
  /** What our own last write returned, until the informer's copy catches up with it. */
  readonly #written = new Map<string, KubeObject>();
  #running = 0;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(options: StatusWriterOptions) {
    this.#o = options;
  }

  /** Marks pod `key` for a status write. */
  enqueue(key: string): void {
    if (this.#stopped) return;
    this.#dirty.add(key);
    this.#pump();
  }

  /** Resolves once nothing is queued or in flight (for tests and benchmarks). */
  idle(): Promise<void> {
    if (this.#dirty.size === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops writing; queued writes are dropped. */
  stop(): void {
    this.#stopped = true;
    this.#dirty.clear();
  }

  #pump(): void {
    const limit = this.#o.concurrency ?? 16;
    while (!this.#stopped && this.#running < limit) {
      let key: string | undefined;
      for (const k of this.#dirty) {
        if (!this.#inflight.has(k)) {
          key = k;
          break;
        }
      }
      if (key === undefined) break;
      this.#dirty.delete(key);
      this.#inflight.add(key);
      this.#running++;
      void this.#write(key).finally(() => {
        this.#inflight.delete(key);
        this.#running--;
        this.#pump();
        if (this.#dirty.size === 0 && this.#running === 0) for (const r of this.#idle.splice(0)) r();
      });
    }
  }

  #current(key: string): KubeObject | undefined {
    const cached = this.#o.cached(key);
    const mine = this.#written.get(key);
    if (mine === undefined) return cached;
    if (cached === undefined || cached.metadata.uid !== mine.metadata.uid) {
      this.#written.delete(key);
      return cached;
    }
    if (Number(cached.metadata.resourceVersion) >= Number(mine.metadata.resourceVersion)) {
      this.#written.delete(key);
      return cached;
    }
    return mine;
  }

  async #write(key: string): Promise<void> {
    let pod = this.#current(key);
    for (let attempt = 0; pod !== undefined && !this.#stopped; attempt++) {
      const uid = pod.metadata.uid ?? '';
      const report = this.#o.report(uid);
      if (report === undefined) return;
      const status = mergeStatus(pod.status, report);
      if (JSON.stringify(status) === JSON.stringify(pod.status ?? {})) return;
      try {
        const written = await this.#o.client.updateStatus(resources.pods, { ...pod, status });
        this.#written.set(key, written);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 5) {
          this.#o.logger.warn({ err, pod: key }, 'writing pod status failed');
          return;
        }
        try {
          const [namespace, name = ''] = key.split('/');
          pod = await this.#o.client.get(resources.pods, { namespace, name });
          if (pod.metadata.uid !== uid) return;
        } catch (getErr) {
          if (!isNotFound(getErr)) this.#o.logger.warn({ err: getErr, pod: key }, 'reading pod failed');
          return;
        }
      }
    }
  }
}
