/**
 * From a Node request to an Exchange, and the routing stage: the virtual host by authority (and
 * port, for sidecars), the first matching route, Envoy's 404 when none matches, the 301 of an
 * `httpsRedirect` server, and PassthroughCluster for sidecar calls to hosts outside the mesh.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterState } from './cluster.ts';
import { DONE, type Exchange, type Filter, type Headers, HOP_BY_HOP, localReply } from './exchange.ts';
import { splitAuthority } from './filters.ts';
import type { SidecarTable } from './listeners.ts';
import type { DomainTable, RuntimeVirtualHost } from './tables.ts';

/** Largest request body buffered (for retries and mirrors); larger bodies get 413. */
export const MAX_BODY = 16 * 1024 * 1024;

/** Builds the exchange of a request that arrived on a listener serving `port`. */
export function newExchange(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  clusters: ReadonlyMap<string, ClusterState>,
): Exchange {
  const url = req.url ?? '/';
  let authority = req.headers.host ?? '';
  let target = url;
  if (url.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(url)) {
    const from = url.indexOf('//') + 2;
    const slash = url.indexOf('/', from);
    const q = url.indexOf('?', from);
    const end = slash < 0 ? (q < 0 ? url.length : q) : q < 0 ? slash : Math.min(slash, q);
    authority = url.slice(from, end);
    target = url.slice(end) || '/';
    if (target.charCodeAt(0) === 63 /* ? */) target = `/${target}`;
  }
  const qi = target.indexOf('?');
  const path = qi < 0 ? target : target.slice(0, qi);
  const rawQuery = qi < 0 ? '' : target.slice(qi + 1);
  const headers: Headers = {};
  const inHeaders = req.headers;
  for (const k in inHeaders) if (!HOP_BY_HOP.has(k)) headers[k] = inHeaders[k];
  headers.host = authority;
  let requestId = inHeaders['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') {
    requestId = randomUUID();
    headers['x-request-id'] = requestId;
  }
  const remoteAddress = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const xff = inHeaders['x-forwarded-for'];
  headers['x-forwarded-for'] = xff ? `${xff}, ${remoteAddress}` : remoteAddress;
  headers['x-forwarded-proto'] ??= 'http';
  return {
    req,
    res,
    start: performance.now(),
    startedAt: Date.now(),
    requestId,
    method: req.method ?? 'GET',
    path,
    rawQuery,
    authority,
    scheme: 'http',
    headers,
    port,
    forwardPath: target,
    clusters,
    remoteAddress,
    body: null,
    responseOps: [],
    status: 0,
    flags: [],
    bytesSent: 0,
    attempts: 0,
  };
}

/** Whether a request carries a body (content-length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Reads the request body into memory (413 past MAX_BODY); false when the request is over. */
export function readBody(x: Exchange): Promise<boolean> {
  const req = x.req;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        localReply(x, 413, 'payload too large');
        resolve(false);
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => {
      if (size > MAX_BODY) return;
      x.body = Buffer.concat(chunks, size);
      resolve(true);
    });
    req.once('error', () => resolve(false));
  });
}

function chooseRoute(x: Exchange, vh: RuntimeVirtualHost): boolean {
  x.vhost = vh;
  for (const r of vh.routes) {
    const m = r.match(x);
    if (m !== undefined) {
      x.route = r;
      x.matched = m;
      return true;
    }
  }
  return false;
}

/** Gateway routing over the listener's domain table. */
export function gatewayRouting(table: () => DomainTable): Filter {
  return (next) => (x) => {
    const host = splitAuthority(x.authority)[0].toLowerCase();
    const vh = table().find(host);
    if (!vh) return notFound(x);
    if (vh.httpsRedirect) {
      x.vhost = vh;
      x.status = 301;
      x.res.writeHead(301, {
        location: `https://${host}${x.forwardPath}`,
        'content-length': 0,
        server: 'istio-envoy',
      });
      x.res.end();
      return DONE;
    }
    if (!chooseRoute(x, vh)) return notFound(x);
    return next(x);
  };
}

function notFound(x: Exchange): Promise<void> {
  localReply(x, 404, '', 'NR');
  return DONE;
}

/**
 * Sidecar routing by `host:port`; unknown hosts pass through (Istio's ALLOW_ANY), except the
 * proxy's own listeners (`self`, `host:port`), which would loop.
 */
export function sidecarRouting(table: () => SidecarTable, self: ReadonlySet<string>): Filter {
  return (next) => (x) => {
    const [h, p] = splitAuthority(x.authority);
    let host = h.toLowerCase();
    if (host.endsWith('.')) host = host.slice(0, -1);
    if (host.startsWith('[')) host = host.slice(1, -1);
    const port = p ? Number(p) : 80;
    x.port = port;
    const vh = table().find(host, port);
    if (!vh) {
      if (host === '' || self.has(`${host}:${port}`)) return notFound(x);
      x.passthrough = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      return next(x);
    }
    if (!chooseRoute(x, vh)) return notFound(x);
    return next(x);
  };
}
