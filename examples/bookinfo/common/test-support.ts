/**
 * Test helpers: start a real server on loopback and tear it down, and a stub upstream that
 * records every request it receives (a real HTTP server, not a mock function).
 */
import http from 'node:http';
import { close, listen } from './http.ts';

/** A started server and how to reach and stop it. */
export interface Started {
  /** `http://host:port` of the server. */
  readonly base: string;
  /** The bound port. */
  readonly port: number;
  /** Closes the server. */
  stop(): Promise<void>;
}

/** Binds `server` on `host` (default 127.0.0.1) at a free port. */
export async function start(server: http.Server, host = '127.0.0.1', port = 0): Promise<Started> {
  const addr = await listen(server, host, port);
  return {
    base: `http://${host}:${addr.port}`,
    port: addr.port,
    stop: () => {
      server.closeAllConnections();
      return close(server);
    },
  };
}

/** One request seen by a {@link startStub} server. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A stub upstream: answers every request with `reply` and records what it saw. */
export interface Stub extends Started {
  readonly requests: Recorded[];
}

/** Starts a stub answering `status` with JSON `body` after `delayMs`, recording requests. */
export async function startStub(
  reply: { status: number; body: unknown; delayMs?: number },
  host = '127.0.0.1',
  port = 0,
): Promise<Stub> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const send = (): void => {
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
    else send();
  });
  const started = await start(server, host, port);
  return { ...started, requests };
}

/** GETs or POSTs `url` and returns status, headers and body text. */
export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(init.body);
  });
}
