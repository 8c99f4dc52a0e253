/**
 * The API server's public face. `startApiServer` wires the catalog, registry, watch cache, the
 * server's own controllers (CRDs, namespaces, garbage collection, compaction) and the HTTP(S)
 * front, and serves until `close()`.
 */

import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAlreadyExists } from '../api/errors.ts';
import { builtinResources } from '../api/resources/index.ts';
import { silentLogger } from '../log/index.ts';
import { serviceAllocator } from './admission/cluster-ip.ts';
import { serveBinding } from './binding.ts';
import { Catalog } from './catalog.ts';
import type { ServerParts } from './context.ts';
import { startCompaction } from './internal/compaction.ts';
import { CrdController } from './internal/crds.ts';
import { GarbageCollector } from './internal/gc.ts';
import { NamespaceController } from './internal/namespaces.ts';
import { ObjectIndex } from './internal/object-index.ts';
import { REGISTRY_PREFIX } from './keys.ts';
import { ApiMetrics } from './metrics.ts';
import { Registry } from './registry.ts';
import { createHttpServer } from './server.ts';
import type { ApiServerOptions, RunningApiServer } from './types.ts';
import { WatchCache } from './watch-cache.ts';

export type { AdmissionPlugin, AdmissionRequest } from './admission/index.ts';
export type { RequestContext, SubresourceHandler } from './context.ts';
export type * from './types.ts';

const DEFAULT_MAX_BODY = 3 * 1024 * 1024;
const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Starts an API server over `options.storage`; resolves once it is listening. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const logger = options.logger ?? silentLogger();
  const storage = options.storage;
  const catalog = new Catalog([...builtinResources(), ...(options.extraResources ?? [])]);
  const nsDef = catalog.byResource('', 'namespaces');
  if (!nsDef) throw new Error('the built-in catalog has no Namespace kind');
  const registry = new Registry({
    storage,
    logger,
    namespaceDef: nsDef,
    admission: [
      serviceAllocator({ storage, ...(options.serviceCidr ? { serviceCidr: options.serviceCidr } : {}) }),
      ...(options.admission ?? []),
    ],
  });
  const cache = new WatchCache(storage, {
    logger,
    ...(options.watchCacheSize ? { capacity: options.watchCacheSize } : {}),
  });
  await cache.start();

  // The server's own controllers see every object through one index fed by the watch cache.
  const index = new ObjectIndex();
  const crds = new CrdController({ registry, catalog, logger });
  const gc = new GarbageCollector({ index, registry, catalog, logger });
  const namespaces = new NamespaceController({ index, registry, catalog, logger });
  const snapshot = await storage.list(REGISTRY_PREFIX);
  for (const kv of snapshot.items) {
    const obj = JSON.parse(kv.value);
    index.put(kv.key, obj);
    if (obj.kind === 'CustomResourceDefinition') crds.register(obj);
  }
  const internal = cache.subscribe(REGISTRY_PREFIX, snapshot.revision, (events) => {
    for (const e of events) {
      if (e.revision <= snapshot.revision) continue;
      index.apply(e);
      crds.observe(e);
      gc.observe(e);
      namespaces.observe(e);
    }
  });
  gc.resyncAll();
  namespaces.resyncAll();

  for (const name of options.initialNamespaces ?? DEFAULT_NAMESPACES) {
    try {
      await registry.create(nsDef, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const compaction = startCompaction({
    storage,
    logger,
    intervalMs: options.compactionIntervalMs ?? 5 * 60_000,
    keep: options.compactionKeep ?? 10_000,
  });

  const metrics = new ApiMetrics();
  const watches = new Set<ServerResponse>();
  const parts: ServerParts = {
    registry,
    catalog,
    cache,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    subresourceHandlers: new Map(
      Object.entries({ 'pods/binding': serveBinding, ...(options.subresourceHandlers ?? {}) }),
    ),
    watches,
  };
  const ready = async (): Promise<string | undefined> => {
    try {
      await storage.currentRevision();
      return undefined;
    } catch (err) {
      return `storage: ${(err as Error).message}`;
    }
  };
  const server = createHttpServer({ parts, metrics, options, ready });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, name: options.name }, 'API server listening');

  let closed = false;
  return {
    url,
    port,
    async close() {
      if (closed) return;
      closed = true;
      compaction.stop();
      internal.close();
      gc.stop();
      namespaces.stop();
      for (const res of watches) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await cache.stop();
    },
  };
}
