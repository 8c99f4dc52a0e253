/**
 * Storage: one small revision-based key-value interface (the kine/etcd model) that every backend
 * implements. Every write gets the next global revision; reads can ask for a past revision; watches
 * replay from a revision and then follow. Values are opaque strings (the API server stores JSON).
 *
 * Backends are chosen by URL: `sqlite://PATH`, `memory://`, `etcd://HOST:PORT[,HOST:PORT]`.
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (in its current life). */
  createRevision: number;
  /** Revision of the last write to this key. This is the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: the current one). Fails with `Compacted` below the compaction point. */
  revision?: number;
  /** At most this many items (0 or absent: no limit). */
  limit?: number;
  /** Start at this key, inclusive (for continuation). */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** More items follow the last one returned. */
  more: boolean;
}

export interface StorageEvent {
  type: 'put' | 'delete';
  /** For `put` the new value; for `delete` the key with the deletion revision as `modRevision` and the last value. */
  kv: KeyValue;
  /** The previous value, when there was one. */
  prev?: KeyValue;
  /** `true` when a `put` created the key. */
  created: boolean;
}

export interface WatchHandle {
  /** Stops the watch; no callback runs after it resolves. */
  close(): Promise<void>;
}

export interface WatchCallbacks {
  /** Events in revision order; events of one revision arrive together. */
  onEvents(events: StorageEvent[]): void;
  /** The watch ended on its own (backend lost, compacted while behind). It is not restarted. */
  onError(err: Error): void;
}

export interface Storage {
  /** The latest value of a key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys with the prefix in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Creates the key; fails with `KeyExists` if it is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces the value if the key's modRevision equals `expectedRevision`; else `Conflict` (or `NotFound`). */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Deletes the key (only at `expectedRevision` when given); returns the last value with the deletion revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Delivers every change under the prefix after `fromRevision` (exclusive), then follows.
   * Fails with `Compacted` if `fromRevision` is older than the compaction point.
   */
  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Promise<WatchHandle>;
  /** The latest revision written. */
  currentRevision(): Promise<number>;
  /** Forgets history at and below `revision`; later reads and watches below it fail with `Compacted`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export type StorageErrorCode =
  | 'KeyExists'
  | 'NotFound'
  | 'Conflict'
  | 'Compacted'
  | 'Unavailable'
  | 'InvalidURL';

/** The storage layer's own small error, mapped to ApiError in one place by the API server. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string | undefined;
  constructor(code: StorageErrorCode, message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    this.key = options.key;
  }
}

/** Tests a storage error's code without relying on `instanceof`. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return (
    err !== null &&
    typeof err === 'object' &&
    (err as { name?: unknown }).name === 'StorageError' &&
    (code === undefined || (err as { code?: unknown }).code === code)
  );
}
