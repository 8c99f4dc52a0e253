/**
 * Translation between etcd's wire types (via the `etcd3` package) and the storage contract:
 * key prefixing, key-value and event mapping, and the error mapping.
 */
import type { IEvent, IKeyValue } from 'etcd3';
import { compactedError, futureRevisionError } from '../keys.ts';
import { type KeyValue, StorageError, type StorageEvent } from '../types.ts';

/** Keys of one store live under a fixed prefix in etcd. */
export interface KeyCodec {
  /** The etcd key for a storage key. */
  encode(key: string): Buffer;
  /** The storage key for an etcd key under the prefix. */
  decode(key: Buffer): string;
}

/** A codec that prepends `prefix` verbatim. */
export function keyCodec(prefix: string): KeyCodec {
  const prefixBytes = Buffer.byteLength(prefix);
  return {
    encode: (key) => Buffer.from(prefix + key),
    decode: (key) => key.subarray(prefixBytes).toString(),
  };
}

/** The exclusive end of etcd's key range for everything starting with `start` (etcd's "prefix" range). */
export function byteRangeEnd(start: Buffer): Buffer {
  const end = Buffer.from(start);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  // No end: etcd reads "\0" as "to the end of the keyspace".
  return Buffer.from([0]);
}

/** Maps an etcd key-value to the contract's. */
export function toKeyValue(codec: KeyCodec, kv: IKeyValue): KeyValue {
  return {
    key: codec.decode(kv.key),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

/**
 * Maps a watch event. etcd's delete event carries only the key and revision; the contract wants
 * the last value, which comes from `prev_kv` (requested with every watch).
 */
export function toEvent(codec: KeyCodec, ev: IEvent): StorageEvent {
  const kv = toKeyValue(codec, ev.kv);
  const prev = ev.prev_kv ? toKeyValue(codec, ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    const last = { ...kv, value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0 };
    return prev
      ? { type: 'delete', kv: last, prev, created: false }
      : { type: 'delete', kv: last, created: false };
  }
  const created = kv.createRevision === kv.modRevision;
  return prev && !created ? { type: 'put', kv, prev, created } : { type: 'put', kv, created };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Maps an error from etcd to a `StorageError`: "required revision has been compacted" to
 * `Compacted`, "future revision" to `Unavailable` (retry later), everything else (unreachable,
 * deadline, closed client, unexpected server errors) to `Unavailable`. `revision` is the revision
 * the call asked for, for the message.
 */
export function mapEtcdError(err: unknown, what: string, revision = 0): StorageError {
  if (err instanceof StorageError) return err;
  const message = messageOf(err);
  if (message.includes('required revision has been compacted'))
    return compactedError(revision, undefined, err);
  if (message.includes('required revision is a future revision'))
    return futureRevisionError(revision, undefined, err);
  return new StorageError('Unavailable', `etcd ${what} failed: ${message}`, { cause: err });
}
