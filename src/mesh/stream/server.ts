/**
 * The mesh controller's endpoint: streams versioned snapshots of the compiled mesh to every
 * proxy and aggregates their metrics. Plain HTTP on loopback, bearer-token authenticated.
 *
 * - `GET /v1/stream?proxy=ID&role=ROLE&metrics=URL` — NDJSON for as long as the client stays:
 *   `{"type":"snapshot","epoch":E,"version":N,"mesh":…}` at once (or as soon as a first snapshot
 *   exists), again on every change, and `{"type":"heartbeat","epoch":E,"version":N}` every
 *   `heartbeatMs`. Versions increase by one per published change within an epoch (one server
 *   lifetime); a new epoch means the controller restarted and its versions start again.
 * - `GET /v1/snapshot` — the current snapshot as one JSON document; `GET /v1/proxies` — who is
 *   connected.
 * - `GET /stats/prometheus` — the metrics of every connected proxy that registered a metrics URL,
 *   scraped in parallel on demand and merged (see `prometheus.ts`), plus the server's own.
 * - `GET /healthz` — `ok`. It and `/stats/prometheus` need no token (scrapers, the dashboard).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../log/index.ts';
import { mergePrometheus } from './prometheus.ts';

/** Options of {@link startMeshServer}. */
export interface MeshServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** The bearer token proxies present. */
  token: string;
  logger?: Logger;
  /** Heartbeat interval on streams; default 10 s. */
  heartbeatMs?: number;
  /** Per-proxy deadline when scraping metrics; default 2 s. */
  scrapeTimeoutMs?: number;
}

/** A proxy connected to the stream. */
export interface ConnectedProxy {
  id: string;
  role: string;
  /** Where the proxy serves its Prometheus metrics, when it said so. */
  metricsUrl?: string;
  /** The version last written to it. */
  version: number;
  connectedAt: string;
}

/** A running mesh server; `publish` hands every connected proxy a new snapshot. */
export interface RunningMeshServer<T> {
  url: string;
  port: number;
  /** This server lifetime's id, sent with every message. */
  readonly epoch: string;
  /** The version of the current snapshot; 0 before the first publish. */
  readonly version: number;
  /** Makes `snapshot` current and streams it; returns its version. */
  publish(snapshot: T): number;
  proxies(): ConnectedProxy[];
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

interface Stream {
  res: ServerResponse;
  info: ConnectedProxy;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function scrape(url: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/** Starts the server; resolves once it listens. */
export async function startMeshServer<T>(options: MeshServerOptions): Promise<RunningMeshServer<T>> {
  const log = options.logger;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const expected = digest(options.token);
  const epoch = randomBytes(6).toString('hex');
  const streams = new Set<Stream>();
  let version = 0;
  let current: string | undefined;

  const authorized = (req: IncomingMessage): boolean => {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]?.trim() ?? ''), expected);
  };
  const write = (s: Stream): void => {
    if (current === undefined || s.info.version === version) return;
    s.info.version = version;
    s.res.write(current);
  };

  const metricsText = async (): Promise<string> => {
    const targets = [...streams].map((s) => s.info).filter((p) => p.metricsUrl !== undefined);
    const results = await Promise.allSettled(
      targets.map((p) => scrape(p.metricsUrl ?? '', options.scrapeTimeoutMs ?? 2_000)),
    );
    const texts: string[] = [];
    let failed = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') texts.push(r.value);
      else {
        failed++;
        log?.debug({ err: r.reason, proxy: targets[i]?.id }, 'scraping a proxy failed');
      }
    });
    texts.push(
      [
        '# HELP flotilla_mesh_config_version Version of the compiled mesh the controller serves.',
        '# TYPE flotilla_mesh_config_version gauge',
        `flotilla_mesh_config_version ${version}`,
        '# HELP flotilla_mesh_proxies_connected Proxies connected to the mesh stream.',
        '# TYPE flotilla_mesh_proxies_connected gauge',
        `flotilla_mesh_proxies_connected ${streams.size}`,
        '# HELP flotilla_mesh_scrape_failures Proxies whose metrics could not be read in this scrape.',
        '# TYPE flotilla_mesh_scrape_failures gauge',
        `flotilla_mesh_scrape_failures ${failed}`,
      ].join('\n'),
    );
    return mergePrometheus(texts);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://mesh');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    // Metrics stay open to scrapers, as Envoy's :15090 is; configuration needs the token.
    if (url.pathname === '/stats/prometheus' && req.method === 'GET') {
      const text = await metricsText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (!authorized(req)) {
      sendJson(res, 401, { error: 'Unauthorized: the mesh endpoint needs its bearer token' });
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      sendJson(res, 405, { error: `method ${req.method} is not allowed` });
      return;
    }
    switch (url.pathname) {
      case '/v1/stream': {
        const id = url.searchParams.get('proxy') ?? '';
        if (id === '') {
          sendJson(res, 400, { error: 'query parameter proxy (the proxy id) is required' });
          return;
        }
        const metrics = url.searchParams.get('metrics') ?? undefined;
        if (metrics !== undefined && !/^https?:\/\//.test(metrics)) {
          sendJson(res, 400, { error: `query parameter metrics must be an http(s) URL, got "${metrics}"` });
          return;
        }
        const info: ConnectedProxy = {
          id,
          role: url.searchParams.get('role') ?? 'sidecar',
          version: 0,
          connectedAt: new Date().toISOString(),
          ...(metrics !== undefined ? { metricsUrl: metrics } : {}),
        };
        res.writeHead(200, {
          'content-type': 'application/x-ndjson',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.flushHeaders();
        const stream: Stream = { res, info };
        streams.add(stream);
        log?.info({ proxy: id, role: info.role }, 'proxy connected');
        const beat = setInterval(
          () => res.write(`${JSON.stringify({ type: 'heartbeat', epoch, version })}\n`),
          heartbeatMs,
        );
        res.on('close', () => {
          clearInterval(beat);
          streams.delete(stream);
          log?.info({ proxy: id }, 'proxy disconnected');
        });
        write(stream);
        return;
      }
      case '/v1/snapshot':
        if (current === undefined) sendJson(res, 503, { error: 'no mesh compiled yet' });
        else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(current);
        }
        return;
      case '/v1/proxies':
        sendJson(
          res,
          200,
          [...streams].map((s) => s.info),
        );
        return;
      default:
        sendJson(res, 404, { error: `no such path ${url.pathname}` });
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.error({ err, path: req.url }, 'mesh endpoint failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    epoch,
    get version() {
      return version;
    },
    publish(snapshot: T): number {
      version++;
      current = `${JSON.stringify({ type: 'snapshot', epoch, version, mesh: snapshot })}\n`;
      for (const s of streams) write(s);
      return version;
    },
    proxies: () => [...streams].map((s) => ({ ...s.info })),
    close: async () => {
      for (const s of streams) s.res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
