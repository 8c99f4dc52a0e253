/**
 * The HTTP layer under `Client`: one keep-alive undici `Agent` per client, built from the TLS
 * material client-node's `KubeConfig.applyToHTTPSOptions` yields, auth headers from the same call
 * (re-read per request when the user has an exec or auth-provider plugin), a token-bucket QPS
 * limit, and decoding of non-2xx responses into `ApiError`s.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { ApiError, type StatusReason } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';
import { silentLogger } from '../log/index.ts';
import { TokenBucket } from './rate-limit.ts';

/** Options for {@link Transport}; every `Client` option passes through. */
export interface TransportOptions {
  kubeConfig: KubeConfig;
  /** Requests per second, as client-go's `QPS`; default 50. `Infinity` disables the limit. */
  qps?: number;
  /** Requests allowed at once above `qps`; default 100. */
  burst?: number;
  /** Per-request timeout for non-watch requests; default 60 s. */
  timeoutMs?: number;
  /** Sent as `User-Agent`; default `flotilla`. */
  userAgent?: string;
  logger?: Logger;
}

/** One HTTP request; `query` values that are undefined are left out. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Turns a `Status` (from an error response or a watch `ERROR` event) into an `ApiError`. */
export function statusToError(
  status: Partial<Status> | undefined,
  httpCode: number,
  fallback = '',
): ApiError {
  const code = typeof status?.code === 'number' && status.code > 0 ? status.code : httpCode;
  const reason = (status?.reason || REASONS[code] || 'InternalError') as StatusReason;
  const message = status?.message || fallback || `the server responded with ${code}`;
  return new ApiError(code, reason, message, status?.details ? { details: status.details } : {});
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const MAX_RETRY_AFTER = 3;

/** Sends requests to the current context's server; `close` ends pooled connections and open watches. */
export class Transport {
  readonly server: string;
  readonly #kc: KubeConfig;
  readonly #bucket: TokenBucket;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #log: Logger;
  readonly #dynamicAuth: boolean;
  readonly #streams = new Set<AbortController>();
  #setup: Promise<{ agent: Agent; headers: Record<string, string> }> | undefined;

  constructor(options: TransportOptions) {
    const cluster = options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.#kc = options.kubeConfig;
    this.#bucket = new TokenBucket({ qps: options.qps ?? 50, burst: options.burst ?? 100 });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? 'flotilla';
    this.#log = options.logger ?? silentLogger();
    const user = options.kubeConfig.getCurrentUser();
    this.#dynamicAuth = Boolean(user?.exec || user?.authProvider);
  }

  async #httpsOptions(): Promise<{ headers: Record<string, string>; tls: Record<string, unknown> }> {
    const opts: {
      headers?: Record<string, string>;
      ca?: unknown;
      cert?: unknown;
      key?: unknown;
      rejectUnauthorized?: boolean;
      servername?: string;
    } = {};
    await this.#kc.applyToHTTPSOptions(opts);
    const tls: Record<string, unknown> = {};
    for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const) {
      if (opts[k] !== undefined) tls[k] = opts[k];
    }
    return { headers: { ...(opts.headers ?? {}) }, tls };
  }

  #ready(): Promise<{ agent: Agent; headers: Record<string, string> }> {
    this.#setup ??= this.#httpsOptions().then(({ headers, tls }) => ({
      agent: new Agent({ connect: tls, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 }),
      headers,
    }));
    return this.#setup;
  }

  async #send(req: HttpRequest, signal: AbortSignal | undefined) {
    const { agent, headers: cached } = await this.#ready();
    const auth = this.#dynamicAuth ? (await this.#httpsOptions()).headers : cached;
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      ...auth,
      'user-agent': this.#userAgent,
      accept: req.accept ?? 'application/json',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    for (let attempt = 0; ; attempt++) {
      await this.#bucket.take();
      const res = await request(url, {
        method: req.method,
        headers,
        body: body ?? null,
        dispatcher: agent,
        signal: signal ?? null,
      });
      const retryAfter = Number(res.headers['retry-after']);
      if (res.statusCode === 429 && attempt < MAX_RETRY_AFTER && retryAfter >= 0) {
        await res.body.dump();
        this.#log.debug({ path: req.path, retryAfter }, 'throttled by the server; retrying');
        await new Promise((r) => setTimeout(r, Math.min(retryAfter, 10) * 1000));
        continue;
      }
      return res;
    }
  }

  /**
   * Sends one request and resolves with its decoded JSON body; throws `ApiError` on a non-2xx
   * status (429 is retried up to 3 times after its Retry-After) and the network error on a
   * connection failure. Waits for the QPS limiter.
   */
  async json<T>(req: HttpRequest): Promise<T> {
    const signals = [AbortSignal.timeout(this.#timeoutMs), ...(req.signal ? [req.signal] : [])];
    const res = await this.#send(req, AbortSignal.any(signals));
    const text = await res.body.text();
    const parsed = parseJson(text);
    if (res.statusCode < 200 || res.statusCode > 299) {
      const status =
        parsed && typeof parsed === 'object' && (parsed as Status).kind === 'Status'
          ? (parsed as Status)
          : undefined;
      throw statusToError(status, res.statusCode, status ? '' : text.slice(0, 500));
    }
    if (parsed === undefined) throw statusToError(undefined, 500, `unparseable response from ${req.path}`);
    return parsed as T;
  }

  /**
   * Opens a streaming GET (a watch) and yields its lines until the server ends it, `signal`
   * aborts or the transport closes; throws `ApiError` when the response is not 200. No timeout
   * applies: pass `timeoutSeconds` to the server.
   */
  async *lines(req: HttpRequest): AsyncGenerator<string> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    this.#streams.add(controller);
    try {
      if (req.signal?.aborted) return;
      const res = await this.#send(req, controller.signal);
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        const parsed = parseJson(text) as Status | undefined;
        throw statusToError(
          parsed?.kind === 'Status' ? parsed : undefined,
          res.statusCode,
          text.slice(0, 500),
        );
      }
      let buffered = '';
      for await (const chunk of res.body) {
        buffered += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== '') yield line;
          nl = buffered.indexOf('\n');
        }
      }
      if (buffered.trim() !== '') yield buffered.trim();
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      this.#streams.delete(controller);
      controller.abort();
    }
  }

  /** Aborts open streams and closes pooled connections; later requests fail. */
  async close(): Promise<void> {
    for (const c of this.#streams) c.abort();
    if (this.#setup) await (await this.#setup).agent.close();
  }
}
