/**
 * The in-memory backend: full per-key version history (for reads at past revisions), an event
 * log (for watch replay), and compaction that drops both below the compaction point. Revisions
 * mirror etcd: a fresh store is at revision 1 and the first write gets revision 2.
 */
import { closedError, compactedError, futureRevisionError, normaliseRevision, rangeStart } from '../keys.ts';
import {
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageEvent,
  type WatchCallbacks,
  type WatchHandle,
} from '../types.ts';
import { WatchHub } from '../watch-hub.ts';

/** One write to a key: a value, or a tombstone (`deleted`). */
interface Version {
  revision: number;
  createRevision: number;
  value: string;
  deleted: boolean;
}

/** Index of the first element of sorted `keys` that is >= `key`. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The latest version at or below `revision` (versions are in revision order). */
function versionAt(versions: Version[], revision: number): Version | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i] as Version;
    if (v.revision <= revision) return v;
  }
  return undefined;
}

function toKeyValue(key: string, v: Version): KeyValue {
  return { key, value: v.value, createRevision: v.createRevision, modRevision: v.revision };
}

/** A `Storage` held entirely in process memory; for tests and single-process experiments. */
export class MemoryStorage implements Storage {
  readonly #versions = new Map<string, Version[]>();
  /** Every key with any retained version, sorted. */
  readonly #keys: string[] = [];
  /** Events with revisions `#logBase`, `#logBase + 1`, …: exactly one event per revision. */
  #log: StorageEvent[] = [];
  #logBase = 2;
  #revision = 1;
  #compactRevision = 0;
  #closed = false;
  readonly #hub: WatchHub;

  constructor() {
    this.#hub = new WatchHub({
      readEvents: (prefix, after, upTo, limit) => this.#readEvents(prefix, after, upTo, limit),
      compactRevision: () => this.#compactRevision,
    });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#check();
    const v = this.#versions.get(key)?.at(-1);
    return v === undefined || v.deleted ? undefined : toKeyValue(key, v);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#check();
    const revision = normaliseRevision(options.revision) || this.#revision;
    if (revision < this.#compactRevision) throw compactedError(revision, this.#compactRevision);
    if (revision > this.#revision) throw futureRevisionError(revision, this.#revision);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const items: KeyValue[] = [];
    let more = false;
    for (let i = lowerBound(this.#keys, rangeStart(prefix, options.startKey)); i < this.#keys.length; i++) {
      const key = this.#keys[i] as string;
      if (!key.startsWith(prefix)) break;
      const v = versionAt(this.#versions.get(key) ?? [], revision);
      if (v === undefined || v.deleted) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(toKeyValue(key, v));
    }
    return { items, revision, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.#check();
    const last = this.#versions.get(key)?.at(-1);
    if (last !== undefined && !last.deleted)
      throw new StorageError('KeyExists', `key ${key} exists`, { key });
    const revision = this.#revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.#commit(
      key,
      { revision, createRevision: revision, value, deleted: false },
      { type: 'put', kv, created: true },
    );
    return { ...kv };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.#check();
    const prev = this.#live(key);
    if (prev.revision !== expectedRevision) {
      throw new StorageError(
        'Conflict',
        `key ${key} is at revision ${prev.revision}, not ${expectedRevision}`,
        { key },
      );
    }
    const revision = this.#revision + 1;
    const kv: KeyValue = { key, value, createRevision: prev.createRevision, modRevision: revision };
    const event: StorageEvent = { type: 'put', kv, prev: toKeyValue(key, prev), created: false };
    this.#commit(key, { revision, createRevision: prev.createRevision, value, deleted: false }, event);
    return { ...kv };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.#check();
    const prev = this.#live(key);
    if (expectedRevision !== undefined && prev.revision !== expectedRevision) {
      throw new StorageError(
        'Conflict',
        `key ${key} is at revision ${prev.revision}, not ${expectedRevision}`,
        { key },
      );
    }
    const revision = this.#revision + 1;
    const kv: KeyValue = {
      key,
      value: prev.value,
      createRevision: prev.createRevision,
      modRevision: revision,
    };
    const event: StorageEvent = { type: 'delete', kv, prev: toKeyValue(key, prev), created: false };
    this.#commit(
      key,
      { revision, createRevision: prev.createRevision, value: prev.value, deleted: true },
      event,
    );
    return { ...kv };
  }

  async watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Promise<WatchHandle> {
    this.#check();
    return this.#hub.add(prefix, fromRevision, this.#revision, callbacks);
  }

  async currentRevision(): Promise<number> {
    this.#check();
    return this.#revision;
  }

  async compact(revision: number): Promise<void> {
    this.#check();
    if (revision > this.#revision) throw futureRevisionError(revision, this.#revision);
    if (revision <= this.#compactRevision) return;
    for (const [key, versions] of this.#versions) {
      let keep = versions.findLastIndex((v) => v.revision <= revision);
      if (keep < 0) continue;
      // A tombstone at or below the compaction point says nothing the absence of the key doesn't.
      if ((versions[keep] as Version).deleted) keep++;
      versions.splice(0, keep);
      if (versions.length === 0) {
        this.#versions.delete(key);
        this.#keys.splice(lowerBound(this.#keys, key), 1);
      }
    }
    const drop = Math.max(0, revision - this.#logBase + 1);
    this.#log = this.#log.slice(drop);
    this.#logBase += drop;
    this.#compactRevision = revision;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.closeAll(closedError());
  }

  #check(): void {
    if (this.#closed) throw closedError();
  }

  /** The key's live (not deleted) latest version, or `NotFound`. */
  #live(key: string): Version {
    const v = this.#versions.get(key)?.at(-1);
    if (v === undefined || v.deleted) throw new StorageError('NotFound', `key ${key} not found`, { key });
    return v;
  }

  #commit(key: string, version: Version, event: StorageEvent): void {
    let versions = this.#versions.get(key);
    if (versions === undefined) {
      versions = [];
      this.#versions.set(key, versions);
      this.#keys.splice(lowerBound(this.#keys, key), 0, key);
    }
    versions.push(version);
    this.#revision = version.revision;
    // Watchers share logged events; freeze them so no consumer can change another's view.
    Object.freeze(event.kv);
    if (event.prev !== undefined) Object.freeze(event.prev);
    Object.freeze(event);
    this.#log.push(event);
    this.#hub.publish(event);
  }

  #readEvents(prefix: string, after: number, upTo: number, limit: number): StorageEvent[] {
    const out: StorageEvent[] = [];
    const end = Math.min(upTo - this.#logBase + 1, this.#log.length);
    for (let i = Math.max(0, after - this.#logBase + 1); i < end && out.length < limit; i++) {
      const e = this.#log[i] as StorageEvent;
      if (e.kv.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }
}
