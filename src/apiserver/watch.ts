/**
 * Watch streams: newline-delimited `{"type","object"}` events, flushed at once, optionally as
 * one-row Tables. A watch starts with the current objects (resourceVersion "" or "0", or
 * sendInitialEvents=true), or resumes after a resourceVersion from the watch cache (or from
 * storage when that revision is older than the cache); history that was compacted away ends
 * the stream with an `ERROR` event carrying 410 Expired, as Kubernetes does.
 */
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import { isStorageError } from '../storage/types.ts';
import type { RequestContext } from './context.ts';
import { negotiateRepresentation } from './http-util.ts';
import { atVersion, kindPrefix } from './keys.ts';
import { compileFilter } from './registry-list.ts';
import { type IncludeObject, partialMetadata, toTable } from './tables.ts';
import { type CacheEvent, toCacheEvent } from './watch-cache.ts';

const BOOKMARK_INTERVAL_MS = 30_000;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Serves `?watch=true` until the client leaves, `timeoutSeconds` passes or the server stops. */
export async function serveWatch(ctx: RequestContext): Promise<void> {
  const { def, info, query, res, server } = ctx;
  const filter = compileFilter(def, {
    ...(query.get('labelSelector') ? { labelSelector: query.get('labelSelector')! } : {}),
    ...(query.get('fieldSelector') ? { fieldSelector: query.get('fieldSelector')! } : {}),
  });
  const accept = negotiateRepresentation(ctx.req.headers.accept);
  const include = (query.get('includeObject') ?? 'Metadata') as IncludeObject;
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const rvParam = query.get('resourceVersion') ?? '';
  const sendInitial = query.get('sendInitialEvents');
  const initial = sendInitial === 'true' || (sendInitial !== 'false' && (rvParam === '' || rvParam === '0'));
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  if (rvParam !== '' && !/^\d+$/.test(rvParam))
    throw errors.badRequest(`invalid resourceVersion "${rvParam}"`);
  const prefix = kindPrefix(def, def.namespaced ? info.namespace : '');

  let columnsSent = false;
  let lastRevision = 0;
  /** Events at or below this revision were covered by the initial list or the client's resourceVersion. */
  let floor = Number.POSITIVE_INFINITY;
  const encode = (type: EventType, obj: KubeObject): string => {
    let out: unknown = obj;
    if (type !== 'BOOKMARK' && type !== 'ERROR') {
      const versioned = atVersion(obj, def, info.version);
      if (accept.as === 'table') {
        out = toTable(def, [versioned], {
          include,
          metaVersion: accept.metaVersion,
          withColumns: !columnsSent,
          ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        });
        columnsSent = true;
      } else if (accept.as === 'partialMetadata') {
        out = partialMetadata(versioned, accept.metaVersion);
      } else out = versioned;
    }
    return `${JSON.stringify({ type, object: out })}\n`;
  };

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();
  server.watches.add(res);

  let closed = false;
  const cleanups: (() => void)[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    server.watches.delete(res);
    for (const c of cleanups) c();
    if (!res.writableEnded) res.end();
  };
  res.on('close', finish);
  ctx.req.on('close', finish);

  const bookmark = (extra?: Record<string, string>): string =>
    encode('BOOKMARK', {
      kind: def.kind,
      apiVersion: atVersion({ apiVersion: '', kind: def.kind, metadata: {} }, def, info.version).apiVersion,
      metadata: { resourceVersion: String(lastRevision), ...(extra ? { annotations: extra } : {}) },
    });

  const deliver = (events: CacheEvent[]): void => {
    if (closed) return;
    let chunk = '';
    for (const e of events) {
      if (e.revision <= floor) continue;
      lastRevision = e.revision;
      const now = e.type === 'DELETED' ? false : filter(e.object);
      const before = e.prev ? filter(e.prev) : false;
      if (e.type === 'ADDED' && now) chunk += encode('ADDED', e.object);
      else if (e.type === 'MODIFIED') {
        if (now && before) chunk += encode('MODIFIED', e.object);
        else if (now) chunk += encode('ADDED', e.object);
        else if (before) chunk += encode('DELETED', e.object);
      } else if (e.type === 'DELETED' && (e.prev ? before : filter(e.object))) {
        chunk += encode('DELETED', deletedObject(e));
      }
    }
    if (chunk) res.write(chunk);
  };

  const fail = (err: unknown): void => {
    if (closed) return;
    const apiErr = isStorageError(err, 'Compacted')
      ? errors.expired(`too old resource version: ${rvParam}`)
      : errors.internal((err as Error).message ?? String(err));
    res.write(encode('ERROR', apiErr.toStatus() as unknown as KubeObject));
    finish();
  };

  try {
    let from: number;
    if (initial || rvParam === '' || rvParam === '0') {
      const list = await server.registry.list(def, info.namespace, {});
      from = Number(list.metadata.resourceVersion);
      lastRevision = from;
      if (initial) {
        let chunk = '';
        for (const obj of list.items) if (filter(obj)) chunk += encode('ADDED', obj);
        if (sendInitial === 'true' && bookmarks) chunk += bookmark({ 'k8s.io/initial-events-end': 'true' });
        if (chunk) res.write(chunk);
      }
    } else {
      from = Number(rvParam);
      lastRevision = from;
    }
    if (closed) return;
    floor = from;
    if (server.cache.covers(from)) {
      const sub = server.cache.subscribe(prefix, from, deliver);
      cleanups.push(() => sub.close());
    } else {
      const handle = await server.registry.storage.watch(prefix, from, {
        onEvents: (events) => deliver(events.map(toCacheEvent)),
        onError: fail,
      });
      cleanups.push(() => void handle.close());
      if (closed) void handle.close();
    }
  } catch (err) {
    fail(err);
    return;
  }
  if (bookmarks) {
    const timer = setInterval(() => {
      if (!closed) res.write(bookmark());
    }, BOOKMARK_INTERVAL_MS);
    cleanups.push(() => clearInterval(timer));
  }
  if (timeoutSeconds > 0) {
    const timer = setTimeout(finish, timeoutSeconds * 1000);
    cleanups.push(() => clearTimeout(timer));
  }
}

/** The object a DELETED event carries: the last state, at the deletion's resourceVersion. */
function deletedObject(e: CacheEvent): KubeObject {
  return { ...e.object, metadata: { ...e.object.metadata, resourceVersion: String(e.revision) } };
}
