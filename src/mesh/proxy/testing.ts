/**
 * Test fixtures for the proxy: real HTTP upstreams on loopback (listen(0)) that answer with
 * who they are and what they received, endpoints pointing at them, and a proxy started on a
 * compiled mesh — all closed by `t.after`-friendly `close()` functions.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Agent, type Dispatcher, request } from 'undici';
import { silentLogger } from '../../log/index.ts';
import type { MeshEndpoint, MeshInput, MeshService } from '../input.ts';
import { compileMesh } from '../routing/index.ts';
import { bookinfoDestinationRules, endpoint, input, istio, service } from '../routing/testing.ts';
import { type Proxy as MeshProxy, type ProxyOptions, startProxy } from './index.ts';

/** What an echo upstream answers: its name and the request it saw. */
export interface Echo {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A running upstream. */
export interface Upstream {
  name: string;
  port: number;
  /** Requests seen, in order. */
  seen: Echo[];
  /** Replaces the handler (default: 200 with the Echo as JSON). */
  handler?: ((req: http.IncomingMessage, res: http.ServerResponse, echo: Echo) => void) | undefined;
  endpoint(labels: Record<string, string>, cluster?: string, extra?: Partial<MeshEndpoint>): MeshEndpoint;
  close(): Promise<void>;
}

/** Starts an echo upstream named `name` on 127.0.0.1. */
export async function startUpstream(name: string): Promise<Upstream> {
  const seen: Echo[] = [];
  const up: Upstream = {
    name,
    port: 0,
    seen,
    endpoint: (labels, cluster = 'member1', extra = {}) =>
      endpoint('127.0.0.1', up.port, labels, cluster, { workload: name, ...extra }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: Echo = {
        name,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(echo);
      if (up.handler) return up.handler(req, res, echo);
      const body = JSON.stringify(echo);
      res.writeHead(200, {
        'content-type': 'application/json',
        server: 'echo',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.port = (server.address() as AddressInfo).port;
  return up;
}

/** Starts a proxy on 127.0.0.1:0 with `input` compiled; a gateway serves server port 80. */
export async function proxyFor(
  input: MeshInput,
  role: 'gateway' | 'sidecar' = 'gateway',
  extra: Partial<ProxyOptions> = {},
): Promise<MeshProxy> {
  return startProxy({
    role,
    listen: [{ host: '127.0.0.1', port: 0, ...(role === 'gateway' ? { serverPort: 80 } : {}) }],
    identity: {
      cluster: 'member1',
      namespace: 'default',
      workload: role === 'gateway' ? 'istio-ingressgateway' : 'productpage-v1',
      labels: { app: 'productpage', version: 'v1' },
    },
    gatewayLabels: { istio: 'ingressgateway' },
    initial: compileMesh(input),
    logger: silentLogger(),
    ...extra,
  });
}

/** A reply as a test reads it. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Echo;
}

/** One request through `base` with a fresh connection (headers may include `host`). */
export async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const res = await request(base + path, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Echo };
}

const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });

/** Counts answers by upstream name over `n` sequential calls. */
export async function tally(
  base: string,
  path: string,
  n: number,
  headers: Record<string, string> = {},
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await call(base, path, { headers });
    const key = r.status === 200 ? r.json().name : String(r.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** A request in absolute form (`GET http://reviews:9080/… HTTP/1.1`), as HTTP_PROXY clients send it. */
export function callViaProxy(
  proxyUrl: string,
  absoluteUrl: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const p = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: p.hostname,
        port: p.port,
        path: absoluteUrl,
        headers: { host: new URL(absoluteUrl).host, connection: 'close', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Echo,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A loopback port with nothing listening (connections to it are refused). */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Bookinfo's upstreams (reviews v1–v3, two ratings), a refused port, and sidecars over them. */
export interface BookinfoBed {
  ups: Record<string, Upstream>;
  /** A port that refuses connections. */
  dead: number;
  /** The reviews service: v1 and v2 in member1, v3 in member2. */
  reviews(): MeshService;
  /** Starts a sidecar with these VirtualService specs (Bookinfo's DestinationRules unless given); its URL. */
  sidecar(vs: unknown[], extra?: { drs?: unknown[]; services?: MeshService[] }): Promise<string>;
  /** Closes every sidecar and upstream. */
  close(): Promise<void>;
}

/** Starts a {@link BookinfoBed}; the caller closes it in `after`. */
export async function startBookinfoBed(): Promise<BookinfoBed> {
  const ups: Record<string, Upstream> = {};
  const proxies: MeshProxy[] = [];
  for (const n of ['reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1', 'ratings-v1b'])
    ups[n] = await startUpstream(n);
  const reviews = (): MeshService =>
    service('reviews', [
      (ups['reviews-v1'] as Upstream).endpoint({ app: 'reviews', version: 'v1' }),
      (ups['reviews-v2'] as Upstream).endpoint({ app: 'reviews', version: 'v2' }),
      (ups['reviews-v3'] as Upstream).endpoint({ app: 'reviews', version: 'v3' }, 'member2'),
    ]);
  return {
    ups,
    dead: await deadPort(),
    reviews,
    async sidecar(vs, extra = {}) {
      const p = await proxyFor(
        input({
          virtualServices: vs.map((spec, i) => istio('VirtualService', `vs${i}`, spec)),
          destinationRules: (extra.drs as never) ?? bookinfoDestinationRules(),
          services: extra.services ?? [reviews()],
        }),
        'sidecar',
      );
      proxies.push(p);
      return p.urls[0] as string;
    },
    async close() {
      for (const p of proxies) await p.close();
      for (const u of Object.values(ups)) await u.close();
    },
  };
}
