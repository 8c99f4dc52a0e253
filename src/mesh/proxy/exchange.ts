/**
 * One request through the proxy: what the filters read and write, local replies in Envoy's
 * shape (status, text body, `server: istio-envoy`), header operations, and the filter type —
 * `(next) => handler`, composed like undici's dispatch interceptors.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CompiledMatch, HeaderOps, WeightedDestination } from '../routing/types.ts';
import type { ClusterState, HostState } from './cluster.ts';
import type { RequestView } from './matchers.ts';
import type { RuntimeRoute, RuntimeVirtualHost } from './tables.ts';

/** Request headers forwarded upstream (lower-case names). */
export type Headers = Record<string, string | string[] | undefined>;

/** The state of one request. */
export interface Exchange extends RequestView {
  req: IncomingMessage;
  res: ServerResponse;
  /** `performance.now()` at arrival. */
  start: number;
  /** Wall clock at arrival, for the access log. */
  startedAt: number;
  requestId: string;
  /** Port the request was addressed to (gateway server port or service port). */
  port: number;
  /** Headers to send upstream; filters edit them. */
  headers: Headers;
  /** Path and query sent upstream (after rewrites). */
  forwardPath: string;
  /** Cluster states of the config version the request started on. */
  clusters: ReadonlyMap<string, ClusterState>;
  /** Client address, for x-forwarded-for and source-IP hashing. */
  remoteAddress: string;
  body: Buffer | null;
  vhost?: RuntimeVirtualHost;
  route?: RuntimeRoute;
  matched?: CompiledMatch | true;
  destination?: WeightedDestination;
  cluster?: ClusterState;
  host?: HostState;
  /** Passthrough target (`host:port`) for sidecar requests to hosts outside the mesh. */
  passthrough?: string;
  /** Response header operations to apply, in order. */
  responseOps: HeaderOps[];
  /** Extra response headers (CORS). */
  responseExtra?: Record<string, string>;
  // Outcome, for telemetry.
  status: number;
  flags: string[];
  bytesSent: number;
  attempts: number;
  upstreamMs?: number;
}

/** A stage of the request pipeline. */
export type Handler = (x: Exchange) => Promise<void>;

/** Wraps a handler with behaviour before and/or after it (undici-interceptor style). */
export type Filter = (next: Handler) => Handler;

/** An already-settled handler result, for filters that answer synchronously. */
export const DONE: Promise<void> = Promise.resolve();

/** Composes filters outermost-first around a terminal handler. */
export function compose(filters: readonly Filter[], terminal: Handler): Handler {
  return filters.reduceRight<Handler>((next, f) => f(next), terminal);
}

/** Hop-by-hop headers, never forwarded in either direction. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Applies header operations (remove, then set, then add — Envoy's order) to a header map. */
export function applyOps(h: Record<string, unknown>, ops: HeaderOps | undefined): void {
  if (!ops) return;
  if (ops.remove) for (const k of ops.remove) delete h[k];
  if (ops.set) for (const k in ops.set) h[k] = ops.set[k];
  if (ops.add) {
    for (const k in ops.add) {
      const v = ops.add[k] as string;
      const cur = h[k];
      h[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [String(cur), v];
    }
  }
}

/** Response headers for a reply: extras and route/destination operations applied, Envoy's server header. */
export function finalResponseHeaders(x: Exchange, base: OutgoingHttpHeaders): OutgoingHttpHeaders {
  if (x.responseExtra) Object.assign(base, x.responseExtra);
  for (const ops of x.responseOps) applyOps(base as Record<string, unknown>, ops);
  base.server = 'istio-envoy';
  return base;
}

/**
 * Sends a local reply (fault abort, timeout, no route…) as Envoy does: `status`, a plain-text
 * body, the response flag recorded for logs and metrics.
 */
export function localReply(
  x: Exchange,
  status: number,
  body: string,
  flag?: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (flag) x.flags.push(flag);
  x.status = status;
  if (x.res.headersSent) {
    x.res.destroy();
    return;
  }
  const h: OutgoingHttpHeaders = { ...headers, date: new Date().toUTCString() };
  if (body !== '' || status >= 200) {
    h['content-length'] = Buffer.byteLength(body);
    if (body !== '') h['content-type'] = 'text/plain';
  }
  x.res.writeHead(status, finalResponseHeaders(x, h));
  x.res.end(body);
  x.bytesSent += Buffer.byteLength(body);
}
