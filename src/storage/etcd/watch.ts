/**
 * One etcd watch per `Storage.watch` call, on its own gRPC watch stream (streams multiplex over
 * the client's connection). The `etcd3` package's resilient watcher is deliberately not used: it
 * resumes after a reconnect from a revision it guesses from response headers, which can skip
 * events; the contract instead ends the watch (`onError`) and lets the caller resume from the
 * last revision it saw.
 */
import type { Etcd3, IWatchResponse } from 'etcd3';
import { compactedError } from '../keys.ts';
import { StorageError, type WatchCallbacks, type WatchHandle } from '../types.ts';
import { type KeyCodec, mapEtcdError, toEvent } from './codec.ts';

/** What `openEtcdWatch` needs. */
export interface EtcdWatchRequest {
  client: Etcd3;
  codec: KeyCodec;
  /** etcd key range [start, end). */
  start: Buffer;
  end: Buffer;
  /** Deliver changes with revision > this; 0 means "from now". */
  fromRevision: number;
  callbacks: WatchCallbacks;
}

/** A watch the store can also end itself (when the store closes). */
export interface EtcdWatchHandle extends WatchHandle {
  /** Ends the watch with `err` delivered once through `onError` (unless the caller closed it). */
  fail(err: StorageError): void;
}

/**
 * Opens the stream and resolves once etcd has created the watch. Rejects with `Compacted` when
 * etcd cancels it at creation for compaction and `Unavailable` when the stream cannot be opened.
 * Later failures arrive once through `onError`.
 */
export async function openEtcdWatch(req: EtcdWatchRequest): Promise<EtcdWatchHandle> {
  let stream: Awaited<ReturnType<Etcd3['watchClient']['watch']>>;
  try {
    stream = await req.client.watchClient.watch();
  } catch (err) {
    throw mapEtcdError(err, 'watch', req.fromRevision);
  }
  let created = false;
  let ended = false;
  let closed = false;
  const { callbacks } = req;

  return new Promise<EtcdWatchHandle>((resolve, reject) => {
    const end = (err: StorageError): void => {
      if (ended) return;
      ended = true;
      stream.cancel();
      if (!created) {
        reject(err);
        return;
      }
      queueMicrotask(() => {
        if (!closed) callbacks.onError(err);
      });
    };
    const handle: EtcdWatchHandle = {
      fail: end,
      close: async () => {
        closed = true;
        if (!ended) {
          ended = true;
          stream.cancel();
        }
      },
    };

    stream.on('data', (res: IWatchResponse) => {
      if (ended) return;
      if (res.compact_revision !== undefined && Number(res.compact_revision) > 0) {
        end(compactedError(req.fromRevision, Number(res.compact_revision)));
        return;
      }
      if (res.canceled) {
        end(
          new StorageError(
            'Unavailable',
            `etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`,
          ),
        );
        return;
      }
      if (res.created && !created) {
        created = true;
        resolve(handle);
      }
      if (res.events.length === 0) return;
      // etcd sends all events of one revision in one response (it splits batches only between
      // revisions unless fragmentation is requested, which it is not).
      const events = res.events.map((ev) => toEvent(req.codec, ev));
      queueMicrotask(() => {
        if (!closed) callbacks.onEvents(events);
      });
    });
    stream.on('error', (err: Error) => end(mapEtcdError(err, 'watch', req.fromRevision)));
    stream.on('end', () => end(new StorageError('Unavailable', 'etcd watch stream ended')));
    stream.write({
      create_request: {
        key: req.start,
        range_end: req.end,
        start_revision: req.fromRevision > 0 ? req.fromRevision + 1 : 0,
        prev_kv: true,
      },
    });
  });
}
