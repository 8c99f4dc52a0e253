/**
 * The state one request handler sees: the parsed request, its kind, the query, the user, and the
 * server's shared parts (registry, catalog, watch cache).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ResourceDef } from '../api/resource-def.ts';
import type { Catalog } from './catalog.ts';
import type { Registry } from './registry.ts';
import type { ResourceRequest } from './request-info.ts';
import type { UserInfo } from './types.ts';
import type { WatchCache } from './watch-cache.ts';

/** Serves a special subresource such as `pods/log`; registered by the component that owns it. */
export type SubresourceHandler = (ctx: RequestContext) => Promise<void>;

export interface ServerParts {
  registry: Registry;
  catalog: Catalog;
  cache: WatchCache;
  logger: Logger;
  maxBodyBytes: number;
  subresourceHandlers: Map<string, SubresourceHandler>;
  /** Open watch streams, ended on shutdown. */
  watches: Set<ServerResponse>;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  def: ResourceDef;
  query: URLSearchParams;
  user: UserInfo | undefined;
  server: ServerParts;
}
