/**
 * EventRecorder: writes core/v1 Events about objects, as client-go's recorder does. A repeat of
 * the same (object, type, reason, message) bumps `count` and `lastTimestamp` on the existing
 * Event instead of creating another; each object may emit a burst of 25 events, then one per
 * five minutes (client-go's spam filter). Recording never throws and never blocks: writes run in
 * the background, one at a time, and failures are logged.
 */
import type { Logger } from 'pino';
import { isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { silentLogger } from '../log/index.ts';

/** The two event types Kubernetes defines. */
export type EventType = 'Normal' | 'Warning';

/** What one call to {@link EventRecorder.event} records. */
export interface EventInit {
  type: EventType;
  /** UpperCamelCase, machine-readable (`ScalingReplicaSet`). */
  reason: string;
  /** Human-readable; at most 1 KiB is kept. */
  message: string;
  /** What was done (`Scaling`, `Binding`); optional. */
  action?: string;
}

/** Options for {@link EventRecorder}. */
export interface EventRecorderOptions {
  client: Client;
  /** `source.component` and `reportingComponent` (`deployment-controller`). */
  component: string;
  /** `reportingInstance` and `source.host`; default the component. */
  instance?: string;
  /** Per-object burst; default 25. */
  burst?: number;
  /** Per-object refill rate, events per second; default 1/300. */
  qps?: number;
  /** Events queued beyond this are dropped (logged); default 1000. */
  maxQueue?: number;
  logger?: Logger | undefined;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

const MAX_SEEN = 4096;
const MAX_MESSAGE = 1024;

/** A recorder of Events for one component; share one per controller. */
export class EventRecorder {
  readonly #opts: EventRecorderOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, { tokens: number; last: number }>();
  #queue: (() => Promise<void>)[] = [];
  #running: Promise<void> | undefined;
  #seq = 0;

  constructor(options: EventRecorderOptions) {
    this.#opts = options;
    this.#log = (options.logger ?? silentLogger()).child({ events: options.component });
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records an event about `obj` in the background; returns at once. Events beyond the
   * object's rate limit or the queue bound are dropped and logged.
   */
  event(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, init: EventInit): void {
    try {
      const objKey = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}/${obj.metadata.uid ?? ''}`;
      if (!this.#allow(objKey)) {
        this.#log.debug({ obj: objKey, reason: init.reason }, 'event dropped by rate limit');
        return;
      }
      if (this.#queue.length >= (this.#opts.maxQueue ?? 1000)) {
        this.#log.warn({ obj: objKey, reason: init.reason }, 'event queue full; dropping event');
        return;
      }
      const message = init.message.slice(0, MAX_MESSAGE);
      const at = new Date(this.#now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const seq = this.#seq++;
      this.#queue.push(() =>
        this.#write(obj, { ...init, message }, `${objKey}/${init.type}/${init.reason}/${message}`, at, seq),
      );
      this.#running ??= this.#drain();
    } catch (err) {
      this.#log.warn({ err }, 'recording an event failed');
    }
  }

  /** Resolves once every queued event has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** A per-object token bucket that, unlike the client's, never lends future tokens. */
  #allow(objKey: string): boolean {
    const burst = this.#opts.burst ?? 25;
    const qps = this.#opts.qps ?? 1 / 300;
    const now = this.#now();
    let b = this.#buckets.get(objKey);
    if (!b) {
      if (this.#buckets.size >= MAX_SEEN) this.#buckets.delete(this.#buckets.keys().next().value as string);
      b = { tokens: burst, last: now };
      this.#buckets.set(objKey, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * qps);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  async #drain(): Promise<void> {
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) await job();
    } finally {
      this.#running = undefined;
    }
  }

  async #write(
    obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    init: EventInit,
    key: string,
    at: string,
    seq: number,
  ): Promise<void> {
    const { client } = this.#opts;
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        const count = seen.count + 1;
        try {
          await client.patch(resources.events, {
            name: seen.name,
            namespace: seen.namespace,
            type: 'merge',
            patch: { count, lastTimestamp: at },
          });
          seen.count = count;
          this.#touch(key, seen);
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.#seen.delete(key);
        }
      }
      const created = await client.create(resources.events, this.#build(obj, init, at, seq));
      this.#touch(key, {
        name: created.metadata.name ?? '',
        namespace: created.metadata.namespace ?? '',
        count: 1,
      });
    } catch (err) {
      this.#log.warn({ err, reason: init.reason, object: obj.metadata.name }, 'writing an event failed');
    }
  }

  #touch(key: string, seen: Seen): void {
    this.#seen.delete(key);
    this.#seen.set(key, seen);
    if (this.#seen.size > MAX_SEEN) this.#seen.delete(this.#seen.keys().next().value as string);
  }

  #build(
    obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    init: EventInit,
    at: string,
    seq: number,
  ): KubeObject {
    const m = obj.metadata;
    const namespace = m.namespace || 'default';
    // client-go names events `<object>.<UnixNano in hex>`; the sequence keeps names unique.
    const nanos = BigInt(this.#now()) * 1_000_000n + BigInt(seq % 1_000_000);
    const instance = this.#opts.instance ?? this.#opts.component;
    const involved: Record<string, string> = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: m.name ?? '',
    };
    if (m.namespace) involved.namespace = m.namespace;
    if (m.uid) involved.uid = m.uid;
    if (m.resourceVersion) involved.resourceVersion = m.resourceVersion;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'object'}.${nanos.toString(16)}`, namespace },
      involvedObject: involved,
      reason: init.reason,
      message: init.message,
      type: init.type,
      source: {
        component: this.#opts.component,
        ...(this.#opts.instance ? { host: this.#opts.instance } : {}),
      },
      reportingComponent: this.#opts.component,
      reportingInstance: instance,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
    };
    if (init.action) event.action = init.action;
    return event;
  }
}
