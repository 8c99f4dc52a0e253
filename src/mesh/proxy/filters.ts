/**
 * The request filters between routing and the router, each a small `(next) => handler` stage:
 * CORS (preflights answered locally), fault injection (delay, then abort with `fault filter
 * abort`), local actions (redirect, direct response), mirroring (fire-and-forget copies with a
 * `-shadow` authority), and request rewriting with header operations.
 */
import type { RedirectAction } from '../routing/types.ts';
import {
  applyOps,
  DONE,
  type Exchange,
  type Filter,
  finalResponseHeaders,
  type Handler,
  localReply,
} from './exchange.ts';
import { attempt, originOf, type Upstreams } from './upstream.ts';

/** CORS: answers matching preflights, adds CORS headers to matching actual requests. */
export const cors: Filter = (next) => (x) => {
  const policy = x.route?.spec.cors;
  const origin = x.req.headers.origin;
  if (!policy || typeof origin !== 'string') return next(x);
  const ok = x.route?.corsOrigins?.some((t) => t(origin)) ?? false;
  const preflight = x.method === 'OPTIONS' && x.req.headers['access-control-request-method'] !== undefined;
  if (preflight) {
    if (!ok && policy.unmatchedPreflights === 'FORWARD') return next(x);
    const h: Record<string, string> = {};
    if (ok) {
      h['access-control-allow-origin'] = origin;
      if (policy.allowMethods.length > 0) h['access-control-allow-methods'] = policy.allowMethods.join(',');
      if (policy.allowHeaders.length > 0) h['access-control-allow-headers'] = policy.allowHeaders.join(',');
      if (policy.maxAge !== undefined) h['access-control-max-age'] = String(policy.maxAge);
      if (policy.allowCredentials) h['access-control-allow-credentials'] = 'true';
    }
    localReply(x, 200, '', undefined, h);
    return DONE;
  }
  if (ok) {
    x.responseExtra = { ...x.responseExtra, 'access-control-allow-origin': origin };
    if (policy.exposeHeaders.length > 0)
      x.responseExtra['access-control-expose-headers'] = policy.exposeHeaders.join(',');
    if (policy.allowCredentials) x.responseExtra['access-control-allow-credentials'] = 'true';
  }
  return next(x);
};

function sleep(ms: number, x: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      x.res.off('close', done);
      resolve();
    }
    x.res.once('close', done);
  });
}

/** Fault injection: an optional delay, then an optional abort, each by its percentage. */
export const fault: Filter = (next) => (x) => (x.route?.spec.fault ? withFault(x, next) : next(x));

async function withFault(x: Exchange, next: Handler): Promise<void> {
  const f = x.route?.spec.fault;
  if (!f) return next(x);
  if (f.delay && Math.random() * 100 < f.delay.percent) {
    x.flags.push('DI');
    await sleep(f.delay.fixedDelayMs, x);
    if (x.res.destroyed) {
      x.flags.push('DC');
      x.status = 0;
      return;
    }
  }
  if (f.abort && Math.random() * 100 < f.abort.percent)
    return localReply(x, f.abort.httpStatus, 'fault filter abort', 'FI');
  return next(x);
}

function redirectLocation(x: Exchange, a: RedirectAction): string {
  const scheme = a.scheme ?? x.scheme;
  const [reqHost, reqPort] = splitAuthority(x.authority);
  let host = a.authority ?? reqHost;
  let port: string | undefined;
  if (a.authority?.includes(':')) [host, port] = splitAuthority(a.authority);
  if (a.port !== undefined) port = String(a.port);
  else if (a.derivePort === 'FROM_REQUEST_PORT') port = reqPort ?? String(x.port);
  else if (a.derivePort === 'FROM_PROTOCOL_DEFAULT') port = undefined;
  else if (a.authority === undefined && a.scheme === undefined) port = reqPort;
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) port = undefined;
  let path = x.path;
  if (a.uri !== undefined) path = a.uri;
  else if (a.prefixRewrite !== undefined) {
    const m = x.matched;
    const prefix = m !== true && m?.uri && 'prefix' in m.uri ? m.uri.prefix : undefined;
    path = prefix !== undefined ? a.prefixRewrite + path.slice(prefix.length) : a.prefixRewrite;
  }
  const query = path.includes('?') || x.rawQuery === '' ? '' : `?${x.rawQuery}`;
  return `${scheme}://${host}${port ? `:${port}` : ''}${path}${query}`;
}

/** Splits `host[:port]` (IPv6 in brackets kept whole). */
export function splitAuthority(authority: string): [string, string | undefined] {
  const i = authority.lastIndexOf(':');
  if (i < 0 || authority.endsWith(']')) return [authority, undefined];
  return [authority.slice(0, i), authority.slice(i + 1)];
}

/** Redirects and direct responses, answered by the proxy itself. */
export const localActions: Filter = (next) => (x) => {
  const action = x.route?.spec.action;
  if (!action || action.kind === 'route') return next(x);
  const routeOps = x.route?.spec.headers?.response;
  if (routeOps) x.responseOps.push(routeOps);
  if (action.kind === 'directResponse') {
    localReply(x, action.status, action.body ?? '');
    return DONE;
  }
  x.status = action.code;
  x.res.writeHead(
    action.code,
    finalResponseHeaders(x, { location: redirectLocation(x, action), 'content-length': 0 }),
  );
  x.res.end();
  return DONE;
};

/** Request rewriting (uri, regex, authority) and route/destination header operations. */
export const rewrite: Filter = (next) => (x) => {
  const route = x.route;
  if (route?.spec.action.kind !== 'route') return next(x);
  const dest = route.pickDestination();
  if (dest) x.destination = dest;
  const rw = route.spec.rewrite;
  if (rw) {
    const query = x.rawQuery === '' ? '' : `?${x.rawQuery}`;
    let path = x.path;
    if (rw.uri !== undefined) {
      const m = x.matched;
      const prefix = m !== true && m?.uri && 'prefix' in m.uri ? m.uri.prefix : undefined;
      path = prefix !== undefined ? rw.uri + path.slice(prefix.length) : rw.uri;
    } else if (route.uriRegex) path = path.replace(route.uriRegex.re, route.uriRegex.rewrite);
    if (path !== x.path) {
      x.headers['x-envoy-original-path'] = x.path + query;
      x.forwardPath = path + query;
    }
    if (rw.authority !== undefined) x.headers.host = rw.authority;
  }
  const dOps = x.destination?.headers;
  applyOps(x.headers, dOps?.request);
  applyOps(x.headers, route.spec.headers?.request);
  if (dOps?.response) x.responseOps.push(dOps.response);
  if (route.spec.headers?.response) x.responseOps.push(route.spec.headers.response);
  return next(x);
};

/** Mirroring: sends a copy to each mirror cluster by its percentage, never waiting for it. */
export function mirror(upstreams: Upstreams): Filter {
  return (next) => (x) => {
    const mirrors = x.route?.spec.mirrors;
    if (mirrors) {
      for (const m of mirrors) {
        if (Math.random() * 100 >= m.percent) continue;
        const cluster = x.clusters.get(m.cluster);
        const host = cluster?.pick(undefined);
        if (!cluster || !host) continue;
        const authority = String(x.headers.host ?? x.authority);
        const [h, p] = splitAuthority(authority);
        const headers = { ...x.headers, host: `${h}-shadow${p ? `:${p}` : ''}` };
        const ep = host.endpoint;
        void attempt({
          dispatcher: upstreams.pool(
            originOf(ep.address, ep.port, cluster.spec.tlsMode === 'SIMPLE'),
            cluster.spec.connectionPool,
          ),
          method: x.method,
          path: x.forwardPath,
          headers,
          body: x.body,
          accept: () => false,
          writeHead: () => {},
          res: x.res,
          signal: {},
        });
      }
    }
    return next(x);
  };
}
