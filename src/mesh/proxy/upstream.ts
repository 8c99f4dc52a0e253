/**
 * Upstream connections and one attempt of a request. Keep-alive pools (undici `Pool`) per
 * endpoint and pool settings, shared by every cluster that reaches the endpoint and closed once
 * no cluster uses them; an attempt streams the response to the client with backpressure, or
 * hands a retriable status back to the router without touching the client.
 */
import type { ServerResponse } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import type { ConnectionPool } from '../routing/types.ts';

/** Why an attempt produced no response. */
export type FailureKind = 'connect-failure' | 'reset' | 'timeout';

/** How one attempt ended. */
export type AttemptResult =
  | { kind: 'streamed'; status: number; bytes: number; complete: boolean }
  | { kind: 'retry'; status: number }
  /** The client went away first; the upstream request was abandoned. */
  | { kind: 'cancelled' }
  | { kind: 'failure'; failure: FailureKind; message: string };

/** Endpoint pools by origin and settings. */
export class Upstreams {
  private readonly pools = new Map<string, { pool: Pool; origin: string }>();

  /** The pool for `origin` under the cluster's connection-pool settings (created on first use). */
  pool(origin: string, cp: ConnectionPool): Pool {
    const key = `${origin}|${cp.maxConnections ?? ''}|${cp.maxRequestsPerConnection ?? ''}|${cp.connectTimeoutMs}|${cp.idleTimeoutMs ?? ''}`;
    const hit = this.pools.get(key);
    if (hit) return hit.pool;
    const pool = new Pool(origin, {
      ...(cp.maxConnections !== undefined ? { connections: cp.maxConnections } : {}),
      ...(cp.maxRequestsPerConnection !== undefined
        ? { maxRequestsPerClient: cp.maxRequestsPerConnection }
        : {}),
      connect: { timeout: cp.connectTimeoutMs },
      keepAliveTimeout: Math.min(cp.idleTimeoutMs ?? 4000, 60_000),
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: 1,
    });
    this.pools.set(key, { pool, origin });
    return pool;
  }

  /** Closes (gracefully) the pools whose origin `keep` rejects, e.g. endpoints gone from the mesh. */
  sweep(keep: (origin: string) => boolean): void {
    for (const [key, { pool, origin }] of this.pools) {
      if (keep(origin)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => {});
    }
  }

  /** Closes every pool, aborting requests still in flight. */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.pool.destroy().catch(() => {})));
  }
}

/** The origin URL of an endpoint (`http://10.0.0.1:9080`, IPv6 bracketed). */
export function originOf(address: string, port: number, tls = false): string {
  return `${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** What an attempt needs. */
export interface AttemptOptions {
  dispatcher: Dispatcher;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | null;
  /** Decides at response headers whether this response goes to the client (true) or is retried. */
  accept(status: number): boolean;
  /** Writes the response head to the client (called once, only for accepted responses). */
  writeHead(status: number, headers: Record<string, string | string[] | undefined>): void;
  res: ServerResponse;
  /** Aborts the attempt when fired (per-try or route timeout); the result is then `timeout`. */
  signal: { onAbort?: (() => void) | undefined };
}

function classify(err: Error & { code?: string }): FailureKind {
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect-failure';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'timeout';
    default:
      return 'reset';
  }
}

/** The dispatch handler of one attempt: a class, so an attempt allocates one object, not a closure set. */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private readonly o: AttemptOptions;
  private readonly resolve: (r: AttemptResult) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private streaming = false;
  private discarding = false;
  timedOut = false;
  private status = 0;
  private bytes = 0;
  private cancelled = false;
  private readonly onDrain = (): void => this.controller?.resume();
  /** The client closed before its response finished: abandon the upstream request, as Envoy resets it. */
  private readonly onClose = (): void => {
    if (this.settled || this.o.res.writableFinished) return;
    this.cancelled = true;
    this.controller?.abort(new Error('downstream closed'));
  };

  constructor(o: AttemptOptions, resolve: (r: AttemptResult) => void) {
    this.o = o;
    this.resolve = resolve;
    o.res.once('close', this.onClose);
  }

  done(r: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.o.signal.onAbort = undefined;
    this.o.res.off('close', this.onClose);
    this.resolve(r);
  }

  abort(): void {
    this.timedOut = true;
    this.controller?.abort(new Error('upstream request timeout'));
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    if (this.timedOut) c.abort(new Error('upstream request timeout'));
    else if (this.o.res.destroyed) this.onClose();
  }

  onResponseStart(
    c: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    if (!this.o.accept(statusCode)) {
      this.discarding = true;
      this.done({ kind: 'retry', status: statusCode });
      return;
    }
    this.streaming = true;
    this.o.writeHead(statusCode, headers);
    if (this.o.res.destroyed) c.abort(new Error('downstream closed'));
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding || !this.streaming) return;
    this.bytes += chunk.length;
    if (!this.o.res.write(chunk)) {
      c.pause();
      this.o.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.discarding) return;
    this.o.res.end();
    this.done({ kind: 'streamed', status: this.status, bytes: this.bytes, complete: true });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.discarding) return;
    if (this.cancelled) {
      this.done({ kind: 'cancelled' });
      return;
    }
    if (this.streaming) {
      this.o.res.destroy();
      this.done({ kind: 'streamed', status: this.status, bytes: this.bytes, complete: false });
      return;
    }
    if (this.timedOut)
      this.done({ kind: 'failure', failure: 'timeout', message: 'upstream request timeout' });
    else
      this.done({
        kind: 'failure',
        failure: classify(err as Error & { code?: string }),
        message: err.message,
      });
  }
}

/** Sends one attempt; never rejects. */
export function attempt(o: AttemptOptions): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const handler = new AttemptHandler(o, resolve);
    o.signal.onAbort = () => handler.abort();
    try {
      o.dispatcher.dispatch({ path: o.path, method: o.method, headers: o.headers, body: o.body }, handler);
    } catch (err) {
      handler.done({ kind: 'failure', failure: 'reset', message: (err as Error).message });
    }
  });
}
