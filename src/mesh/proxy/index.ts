/**
 * The mesh proxy: one HTTP proxy engine serving as the ingress gateway or as a pod's sidecar.
 * It takes compiled route tables (`CompiledMesh`) through `update` — the mesh stream client calls
 * it on every new version — and applies Istio's routing, resilience and telemetry semantics.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { CompiledMesh } from '../routing/types.ts';
import type { ClusterState } from './cluster.ts';
import { compose, localReply } from './exchange.ts';
import { cors, fault, localActions, mirror, rewrite, splitAuthority } from './filters.ts';
import { gatewayTable, SidecarTable, sidecarTable } from './listeners.ts';
import type { ProxyLocality } from './locality.ts';
import { router } from './router.ts';
import { gatewayRouting, hasBody, newExchange, readBody, sidecarRouting } from './server.ts';
import { buildClusters, type DomainTable } from './tables.ts';
import { ProxyMetrics, telemetry } from './telemetry.ts';
import { originOf, Upstreams } from './upstream.ts';

/** Who the proxy is: used for sourceLabels matching, locality preference, metrics and logs. */
export interface ProxyIdentity {
  /** Member cluster the proxy runs in (`member1`); `''` for the gateway outside every cluster. */
  cluster: string;
  namespace: string;
  /** Workload name (`productpage-v1`, `istio-ingressgateway`). */
  workload: string;
  /** `version` label, for metrics. */
  version?: string;
  /** Pod labels (sidecars: `sourceLabels` matching). */
  labels?: Record<string, string>;
  pod?: string;
  /** Locality for locality-aware load balancing. */
  locality?: { region?: string; zone?: string; subzone?: string };
}

/** One listening socket of the proxy. */
export interface ProxyListen {
  host: string;
  /** Local port; 0 picks a free one (see `Proxy.urls`). */
  port: number;
  /**
   * Gateways only: which Gateway server port this socket serves (`80` → served on 8080 locally).
   * Absent means `port`; `'any'` serves the servers of every port on this socket.
   */
  serverPort?: number | 'any';
}

/** Options of `startProxy`. */
export interface ProxyOptions {
  role: 'gateway' | 'sidecar';
  /** Sockets to serve; a sidecar normally has one outbound listener. */
  listen: ProxyListen[];
  identity: ProxyIdentity;
  /** Gateways only: the gateway's labels; it serves Gateways whose `spec.selector` matches them. */
  gatewayLabels?: Record<string, string>;
  /** Config to start with; without it every request answers 503/404 until `update`. */
  initial?: CompiledMesh;
  logger?: Logger;
  /** Where to serve `/stats/prometheus`; absent serves no metrics socket (see `Proxy.metrics`). */
  metricsListen?: { host: string; port: number };
}

/** A running proxy. */
export interface Proxy {
  /** Swaps in a new compiled mesh; in-flight requests finish on the config they started with. */
  update(mesh: CompiledMesh): void;
  /** Base URL of each listener, in `listen` order (`http://127.0.0.1:8080`). */
  readonly urls: string[];
  /** Base URL of the metrics socket, when `metricsListen` was given. */
  readonly metricsUrl: string | undefined;
  /** Prometheus text exposition of this proxy's registry. */
  metrics(): Promise<string>;
  /** Stops listening, closes upstream connections; resolves once closed. */
  close(): Promise<void>;
}

/** Starts a proxy; resolves once every listener is bound. */
export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const id = options.identity;
  const labels = {
    ...(id.labels ?? {}),
    ...(options.role === 'gateway' ? (options.gatewayLabels ?? {}) : {}),
  };
  const me: ProxyLocality = { cluster: id.cluster, ...id.locality, labels };
  const upstreams = new Upstreams();
  const metrics = new ProxyMetrics(id);
  const log = options.logger;
  let state: State = build(options, options.initial ?? EMPTY, me, new Map(), labels);
  let ready = options.initial !== undefined;

  /** This proxy's own listeners (`host:port`): passthrough to them would loop. */
  const self = new Set<string>();
  const tail = [cors, fault, localActions, mirror(upstreams), rewrite];
  const handlers = options.listen.map((l, i) => {
    const routing =
      options.role === 'gateway'
        ? gatewayRouting(() => state.gateway[i] as DomainTable)
        : sidecarRouting(() => state.sidecar, self);
    return {
      port: servedPort(l),
      handle: compose([telemetry(metrics, log), routing, ...tail], router(upstreams)),
    };
  });

  const servers: http.Server[] = [];
  const urls: string[] = [];
  try {
    for (const [i, l] of options.listen.entries()) {
      const h = handlers[i] as (typeof handlers)[number];
      const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
        const x = newExchange(req, res, h.port, state.clusters);
        res.on('error', ignore);
        const failed = (err: Error): void => {
          log?.error({ err, path: x.path }, 'proxy: request failed');
          localReply(x, 500, 'internal proxy error');
        };
        if (!hasBody(req)) {
          try {
            h.handle(x).catch(failed);
          } catch (err) {
            failed(err as Error);
          }
        } else {
          readBody(x)
            .then((ok) => (ok ? h.handle(x) : undefined))
            .catch(failed);
        }
      });
      if (options.role === 'sidecar') server.on('connect', tunnel);
      servers.push(server);
      await listen(server, l.host, l.port);
      const bound = (server.address() as AddressInfo).port;
      urls.push(`http://${hostForUrl(l.host)}:${bound}`);
      self.add(`${l.host}:${bound}`);
      if (l.host === '0.0.0.0' || l.host === '::') self.add(`127.0.0.1:${bound}`).add(`localhost:${bound}`);
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw new Error(`proxy: cannot listen: ${(err as Error).message}`, { cause: err });
  }

  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  if (options.metricsListen) {
    metricsServer = http.createServer((req, res) => {
      if (req.url === '/stats/prometheus' || req.url === '/metrics') {
        void metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        });
      } else if (req.url === '/healthz/ready') {
        res.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'no config yet');
      } else res.writeHead(404).end();
    });
    await listen(metricsServer, options.metricsListen.host, options.metricsListen.port);
    metricsUrl = `http://${hostForUrl(options.metricsListen.host)}:${(metricsServer.address() as AddressInfo).port}`;
  }

  return {
    update(mesh) {
      state = build(options, mesh, me, state.clusters, labels);
      ready = true;
      const live = new Set<string>();
      for (const c of state.clusters.values()) {
        for (const e of c.spec.endpoints) live.add(originOf(e.address, e.port, c.spec.tlsMode === 'SIMPLE'));
      }
      upstreams.sweep((origin) => live.has(origin));
    },
    urls,
    metricsUrl,
    metrics: () => metrics.registry.metrics(),
    async close() {
      await Promise.all(
        [...servers, ...(metricsServer ? [metricsServer] : [])].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      await upstreams.close();
    },
  };
}

function ignore(): void {}

interface State {
  clusters: Map<string, ClusterState>;
  gateway: DomainTable[];
  sidecar: SidecarTable;
}

const EMPTY: CompiledMesh = { gatewayServers: [], mesh: [], clusters: {}, diagnostics: [] };

function servedPort(l: ProxyListen): number {
  return typeof l.serverPort === 'number' ? l.serverPort : l.port;
}

function build(
  options: ProxyOptions,
  mesh: CompiledMesh,
  me: ProxyLocality,
  previous: ReadonlyMap<string, ClusterState>,
  labels: Record<string, string>,
): State {
  const ns = options.identity.namespace;
  const clusters = buildClusters(mesh, me, previous);
  if (options.role === 'gateway') {
    const gateway = options.listen.map((l) =>
      gatewayTable(mesh, l.serverPort === 'any' ? 'any' : servedPort(l), options.gatewayLabels ?? {}, ns),
    );
    return { clusters, gateway, sidecar: new SidecarTable() };
  }
  return { clusters, gateway: [], sidecar: sidecarTable(mesh, labels, ns) };
}

function listen(server: http.Server | net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** CONNECT tunnels (https through HTTP_PROXY) pass through to their target unchanged. */
function tunnel(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const [host, port] = splitAuthority(req.url ?? '');
  const upstream = net.connect(Number(port ?? 443), host.replace(/^\[|\]$/g, ''), () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const fail = (): void => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', () => {
    if (socket.writable) socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
    fail();
  });
  socket.on('error', fail);
}
