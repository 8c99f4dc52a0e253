/**
 * The router: the terminal stage that sends a request to its upstream cluster with Envoy's
 * semantics — load-balanced host choice (a different host on each retry), circuit breakers,
 * route and per-try timeouts (504 `upstream request timeout`), retries by `retryOn` with
 * exponential back-off, outlier detection fed with every outcome, and Envoy's local replies when
 * nothing answers (`no healthy upstream`, `upstream connect error …`).
 */
import type { Dispatcher } from 'undici';
import type { RetryPolicy } from '../routing/types.ts';
import { hash32 } from './balancer.ts';
import type { HostState } from './cluster.ts';
import { type Exchange, finalResponseHeaders, type Handler, HOP_BY_HOP, localReply } from './exchange.ts';
import { parseQuery } from './matchers.ts';
import { type AttemptResult, attempt, type FailureKind, originOf, type Upstreams } from './upstream.ts';

const RESET_TEXT: Record<FailureKind, string> = {
  'connect-failure': 'connection failure',
  reset: 'connection termination',
  timeout: 'timeout',
};
const FLAG: Record<FailureKind, string> = { 'connect-failure': 'UF', reset: 'UC', timeout: 'UT' };

function retriableStatus(p: RetryPolicy, status: number): boolean {
  const on = p.retryOn;
  if (on.includes('5xx') && status >= 500) return true;
  if (on.includes('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
  if (on.includes('retriable-4xx') && status === 409) return true;
  return on.includes('retriable-status-codes') && p.retriableStatusCodes.includes(status);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a failed attempt may be retried. Beyond Envoy's conditions, a connection reset before
 * any response byte of an idempotent, body-less request counts as a connect failure: that is a
 * keep-alive race or an endpoint that died mid-request (a deleted pod), and the request is
 * safe to send elsewhere.
 */
function retriableFailure(p: RetryPolicy, f: FailureKind, x: Exchange): boolean {
  const on = p.retryOn;
  if (on.includes('5xx') || on.includes('gateway-error')) return true;
  const connect =
    on.includes('connect-failure') || on.includes('reset') || on.includes('reset-before-request');
  if (f === 'connect-failure') return connect;
  if (f === 'reset') return on.includes('reset') || (connect && x.body === null && IDEMPOTENT.has(x.method));
  return false;
}

function hashFor(x: Exchange, lb: NonNullable<Exchange['cluster']>['spec']['lb']): number | undefined {
  if (!('consistentHash' in lb)) return undefined;
  const key = lb.consistentHash.key;
  let v: string | undefined;
  if ('header' in key) {
    const h = x.req.headers[key.header];
    v = Array.isArray(h) ? h.join(',') : h;
  } else if ('queryParameter' in key) {
    x.query ??= parseQuery(x.rawQuery);
    v = x.query.get(key.queryParameter);
  } else if ('cookie' in key) {
    const m = new RegExp(`(?:^|;\\s*)${key.cookie.name.replace(/[^\w-]/g, '\\$&')}=([^;]*)`).exec(
      String(x.req.headers.cookie ?? ''),
    );
    v = m?.[1];
    if (v === undefined && key.cookie.ttlMs !== undefined) {
      v = x.requestId;
      const attrs = [
        `${key.cookie.name}="${v}"`,
        `Max-Age=${Math.floor(key.cookie.ttlMs / 1000)}`,
        ...(key.cookie.path ? [`Path=${key.cookie.path}`] : []),
        'HttpOnly',
      ];
      x.responseExtra = { ...x.responseExtra, 'set-cookie': attrs.join('; ') };
    }
  } else v = x.remoteAddress;
  return v === undefined ? (Math.random() * 0x100000000) >>> 0 : hash32(v);
}

function backoff(n: number, baseMs: number): Promise<void> {
  const cap = Math.max(baseMs * 10, baseMs);
  const ms = Math.random() * Math.min(cap, baseMs * 2 ** n);
  return new Promise((r) => setTimeout(r, ms));
}

function upstreamHead(x: Exchange, sentAt: number) {
  return (status: number, headers: Record<string, string | string[] | undefined>): void => {
    const out: Record<string, string | string[] | undefined> = {};
    for (const k in headers) if (!HOP_BY_HOP.has(k)) out[k] = headers[k];
    x.upstreamMs = Math.round(performance.now() - sentAt);
    out['x-envoy-upstream-service-time'] = String(x.upstreamMs);
    x.status = status;
    x.res.writeHead(status, finalResponseHeaders(x, out));
  };
}

/** The terminal handler: forwards `x` to its destination cluster (or passthrough target). */
export function router(upstreams: Upstreams): Handler {
  return async (x) => {
    if (x.passthrough) return passthrough(x, upstreams);
    const d = x.destination;
    const route = x.route?.spec;
    const cluster = d ? x.clusters.get(d.cluster) : undefined;
    if (!d || !route || !cluster) return localReply(x, 503, '', 'NC');
    x.cluster = cluster;
    const policy = route.retries;
    const override = Number(x.req.headers['x-envoy-upstream-rq-timeout-ms']);
    const timeoutMs = Number.isFinite(override) && override > 0 ? override : route.timeoutMs;
    const signal: { onAbort?: (() => void) | undefined } = {};
    let timedOut = false;
    const routeTimer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          signal.onAbort?.();
        }, timeoutMs)
      : undefined;
    const hash = hashFor(x, cluster.spec.lb);
    let tried: Set<HostState> | undefined;
    let last: AttemptResult | undefined;
    try {
      for (let n = 0; ; n++) {
        if (timedOut) return localReply(x, 504, 'upstream request timeout', 'UT');
        const host = cluster.pick(hash, policy.ignorePreviousHosts ? tried : undefined);
        if (!host) {
          if (!last) return localReply(x, 503, 'no healthy upstream', 'UH');
          break;
        }
        const admission = cluster.admit();
        if ((typeof admission === 'string' ? admission : await admission) === 'overflow') {
          return localReply(
            x,
            503,
            'upstream connect error or disconnect/reset before headers. reset reason: overflow',
            'UO',
          );
        }
        if (timedOut) {
          cluster.release();
          return localReply(x, 504, 'upstream request timeout', 'UT');
        }
        const final = n >= policy.attempts || !cluster.canRetry();
        x.host = host;
        x.attempts = n + 1;
        x.headers['x-envoy-attempt-count'] = String(n + 1);
        host.active++;
        const perTry = policy.perTryTimeoutMs;
        let tryTimedOut = false;
        const tryTimer = perTry
          ? setTimeout(() => {
              tryTimedOut = true;
              signal.onAbort?.();
            }, perTry)
          : undefined;
        const sentAt = performance.now();
        const ep = host.endpoint;
        host.dispatcher ??= upstreams.pool(
          originOf(ep.address, ep.port, cluster.spec.tlsMode === 'SIMPLE'),
          cluster.spec.connectionPool,
        );
        const dispatcher: Dispatcher = host.dispatcher;
        last = await attempt({
          dispatcher,
          method: x.method,
          path: x.forwardPath,
          headers: x.headers,
          body: x.body,
          accept: (status) => final || !retriableStatus(policy, status),
          writeHead: upstreamHead(x, sentAt),
          res: x.res,
          signal,
        });
        if (tryTimer) clearTimeout(tryTimer);
        host.active--;
        cluster.release();
        if (last.kind === 'cancelled') {
          x.flags.push('DC');
          return;
        }
        cluster.record(host, last.kind === 'failure' ? { failure: last.failure } : { status: last.status });
        if (last.kind === 'streamed') {
          if (!last.complete) x.flags.push(timedOut ? 'UT' : 'UR');
          x.bytesSent += last.bytes;
          return;
        }
        if (timedOut) return localReply(x, 504, 'upstream request timeout', 'UT');
        const again =
          last.kind === 'retry' ||
          (!final && retriableFailure(policy, tryTimedOut ? 'timeout' : last.failure, x));
        if (!again || final) break;
        tried ??= new Set();
        tried.add(host);
        cluster.retriesActive++;
        try {
          await backoff(n, policy.backoffMs);
        } finally {
          cluster.retriesActive--;
        }
      }
      // Every host left is ejected: the retry has nowhere to go (the discarded answer is gone).
      if (!last || last.kind === 'retry') return localReply(x, 503, 'no healthy upstream', 'UH');
      if (last.kind === 'failure') {
        const retried = x.attempts > 1;
        if (last.failure === 'timeout') return localReply(x, 504, 'upstream request timeout', 'UT');
        const reason = `${retried ? 'retried and the latest reset reason' : 'reset reason'}: ${RESET_TEXT[last.failure]}`;
        if (retried) x.flags.push('URX');
        return localReply(
          x,
          503,
          `upstream connect error or disconnect/reset before headers. ${reason}`,
          FLAG[last.failure],
        );
      }
    } finally {
      if (routeTimer) clearTimeout(routeTimer);
    }
  };
}

async function passthrough(x: Exchange, upstreams: Upstreams): Promise<void> {
  const origin = `http://${x.passthrough}`;
  const sentAt = performance.now();
  x.attempts = 1;
  const r = await attempt({
    dispatcher: upstreams.pool(origin, { connectTimeoutMs: 10_000 }),
    method: x.method,
    path: x.forwardPath,
    headers: x.headers,
    body: x.body,
    accept: () => true,
    writeHead: upstreamHead(x, sentAt),
    res: x.res,
    signal: {},
  });
  if (r.kind === 'streamed') {
    x.bytesSent += r.bytes;
    if (!r.complete) x.flags.push('UR');
    return;
  }
  if (r.kind === 'failure') {
    localReply(
      x,
      503,
      `upstream connect error or disconnect/reset before headers. reset reason: ${RESET_TEXT[r.failure]}`,
      FLAG[r.failure],
    );
  }
}
