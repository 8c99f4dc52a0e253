/**
 * The etcd backend, on the `etcd3` package's raw gRPC clients. Keys live under an optional
 * prefix; revisions are etcd's own (global to the etcd cluster, so writes by other users of the
 * cluster advance them too, and `compact` compacts the whole cluster's history).
 */
import { handleWhen, noop, retry } from 'cockatiel';
import {
  Etcd3,
  type IKeyValue,
  type IRangeRequest,
  type IRangeResponse,
  type ITxnRequest,
  isRecoverableError,
} from 'etcd3';
import { closedError, normaliseRevision, prefixEnd, rangeStart } from '../keys.ts';
import {
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type WatchCallbacks,
  type WatchHandle,
} from '../types.ts';
import { byteRangeEnd, type KeyCodec, keyCodec, mapEtcdError, toKeyValue } from './codec.ts';
import { type EtcdWatchHandle, openEtcdWatch } from './watch.ts';

/** Options for `EtcdStorage`. */
export interface EtcdStorageOptions {
  /** Client endpoints, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Prepended verbatim to every key. */
  prefix?: string;
  /** Deadline for each unary call in milliseconds (default 10 s); streams have none. */
  callTimeoutMs?: number;
}

/** A `Storage` on an etcd v3 cluster. Construction does no I/O; the first call connects. */
export class EtcdStorage implements Storage {
  readonly #client: Etcd3;
  readonly #codec: KeyCodec;
  readonly #prefix: string;
  readonly #watches = new Set<EtcdWatchHandle>();
  #closed = false;

  constructor(options: EtcdStorageOptions) {
    const timeout = options.callTimeoutMs ?? 10_000;
    this.#client = new Etcd3({
      hosts: options.endpoints,
      // Cancelling a watch stream surfaces as a recoverable gRPC error; etcd3's default per-host
      // circuit breaker counts those and, after three closed watches, refuses every call for 5 s.
      // Calls are retried on genuine unavailability only, and failures reach our callers.
      faultHandling: {
        host: () => noop,
        global: retry(
          handleWhen((err) => isRecoverableError(err) && !/cancel/i.test(err.message)),
          { maxAttempts: 2 },
        ),
      },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.#prefix = options.prefix ?? '';
    this.#codec = keyCodec(this.#prefix);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.#range({ key: this.#codec.encode(key) }, 'get');
    const kv = res.kvs[0];
    return kv === undefined ? undefined : toKeyValue(this.#codec, kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const revision = normaliseRevision(options.revision);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : 0;
    const end = prefixEnd(prefix);
    const res = await this.#range(
      {
        key: this.#codec.encode(rangeStart(prefix, options.startKey)),
        range_end: end === undefined ? byteRangeEnd(this.#codec.encode('')) : this.#codec.encode(end),
        revision,
        limit,
        sort_order: 'Ascend',
        sort_target: 'Key',
      },
      'list',
      revision,
    );
    return {
      items: res.kvs.map((kv) => toKeyValue(this.#codec, kv)),
      revision: revision || Number(res.header.revision),
      more: res.more,
    };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.#codec.encode(key);
    const res = await this.#txn(
      {
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      },
      'create',
    );
    if (!res.succeeded) throw new StorageError('KeyExists', `key ${key} exists`, { key });
    const revision = Number(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = this.#codec.encode(key);
    const res = await this.#txn(
      {
        compare: [
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
          { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
        ],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      },
      'update',
    );
    if (!res.succeeded) throw this.#mismatch(key, expectedRevision, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]?.response_put.prev_kv;
    const revision = Number(res.header.revision);
    return { key, value, createRevision: Number(prev?.create_revision ?? revision), modRevision: revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const k = this.#codec.encode(key);
    const compare: ITxnRequest['compare'] = [
      { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
    ];
    if (expectedRevision !== undefined)
      compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision });
    const res = await this.#txn(
      {
        compare,
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      },
      'delete',
    );
    if (!res.succeeded) throw this.#mismatch(key, expectedRevision, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]?.response_delete_range.prev_kvs[0];
    if (prev === undefined) throw new StorageError('NotFound', `key ${key} not found`, { key });
    return { ...toKeyValue(this.#codec, prev), modRevision: Number(res.header.revision) };
  }

  async watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Promise<WatchHandle> {
    this.#check();
    const from = normaliseRevision(fromRevision);
    const start = this.#codec.encode(prefix);
    const endKey = prefixEnd(prefix);
    const end = endKey === undefined ? byteRangeEnd(this.#codec.encode('')) : this.#codec.encode(endKey);
    if (from > 0) {
      // etcd accepts a watch below the compaction point and cancels it a moment later; a
      // count-only read at `from` fails at once instead, matching the other backends.
      try {
        await this.#client.kv.range({ key: start, range_end: end, revision: from, count_only: true });
      } catch (err) {
        const mapped = mapEtcdError(err, 'watch', from);
        if (mapped.code === 'Compacted' || !mapped.message.includes('future')) throw mapped;
      }
    }
    const handle = await openEtcdWatch({
      client: this.#client,
      codec: this.#codec,
      start,
      end,
      fromRevision: from,
      callbacks,
    });
    this.#watches.add(handle);
    return {
      close: async () => {
        this.#watches.delete(handle);
        await handle.close();
      },
    };
  }

  async currentRevision(): Promise<number> {
    const res = await this.#range({ key: this.#codec.encode('\u0000'), count_only: true }, 'currentRevision');
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    this.#check();
    try {
      await this.#client.kv.compact({ revision });
    } catch (err) {
      const mapped = mapEtcdError(err, 'compact', revision);
      // Compacting to or below the current compaction point is a no-op, as in the other backends.
      if (mapped.code !== 'Compacted') throw mapped;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watches) w.fail(closedError());
    this.#watches.clear();
    this.#client.close();
  }

  #check(): void {
    if (this.#closed) throw closedError();
  }

  async #range(req: IRangeRequest, what: string, revision = 0): Promise<IRangeResponse> {
    this.#check();
    try {
      return await this.#client.kv.range(req);
    } catch (err) {
      throw mapEtcdError(err, what, revision);
    }
  }

  async #txn(req: ITxnRequest, what: string) {
    this.#check();
    try {
      return await this.#client.kv.txn(req);
    } catch (err) {
      throw mapEtcdError(err, what);
    }
  }

  /** The error for a failed compare: `NotFound` if the key is absent, else `Conflict`. */
  #mismatch(key: string, expected: number | undefined, current: IKeyValue | undefined): StorageError {
    if (current === undefined) return new StorageError('NotFound', `key ${key} not found`, { key });
    return new StorageError(
      'Conflict',
      `key ${key} is at revision ${current.mod_revision}, not ${expected}`,
      { key },
    );
  }
}
