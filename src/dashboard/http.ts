/**
 * The dashboard's HTTP server (node:http): the page's static files from `web/` without
 * authentication (they hold no data), and under `/api/` the views as JSON, a workload's
 * explanation, and `/api/events`, a Server-Sent Events stream that sends every view at once and
 * then each view again whenever it changes. Every `/api/` request carries the user's bearer
 * token, checked against the API server by {@link TokenVerifier}; its 401/403 pass through.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isNotFound } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { bearerToken, type TokenVerifier } from './auth.ts';
import { explainWorkload } from './explain.ts';
import type { FleetState, FleetTopic } from './state.ts';
import { serveStatic } from './static.ts';
import { failure } from './status.ts';
import type { TrafficSource } from './traffic-source.ts';

/** Every view the page subscribes to. */
export const TOPICS = ['clusters', 'placement', 'policies', 'traffic'] as const;
/** One of {@link TOPICS}. */
export type Topic = (typeof TOPICS)[number];

/** What the server serves from. */
export interface DashboardHttpDeps {
  state: FleetState;
  traffic: TrafficSource;
  verifier: TokenVerifier;
  /** Reads explanations (the dashboard's own client). */
  client: Client;
  webDir: string;
  logger: Logger;
  /** Comment lines keep idle streams open through proxies; default every 15 s. */
  heartbeatMs?: number;
  /** How often an open stream's token is checked again; default 60 s. */
  recheckMs?: number;
}

/** The running server plus what it needs to stop. */
export interface DashboardHttp {
  server: Server;
  /** Ends every event stream and stops pushing. */
  closeStreams(): void;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

/** The server; call `listen` on `server`. */
export function createDashboardServer(deps: DashboardHttpDeps): DashboardHttp {
  const streams = new Set<{ res: ServerResponse; close(): void }>();
  const view = (topic: Topic): unknown =>
    topic === 'traffic' ? deps.traffic.view() : deps.state.view(topic);
  // The last payload sent per view: a rebuild that changes nothing is not sent.
  const last = new Map<Topic, string>();
  const push = (topics: Iterable<Topic>) => {
    for (const topic of topics) {
      const data = JSON.stringify(view(topic));
      if (last.get(topic) === data) continue;
      last.set(topic, data);
      for (const s of streams) s.res.write(`event: ${topic}\ndata: ${data}\n\n`);
    }
  };
  const offState = deps.state.onChange((topics) => {
    if (streams.size > 0) push(topics as ReadonlySet<FleetTopic>);
  });
  const offTraffic = deps.traffic.onChange(() => {
    if (streams.size > 0) push(['traffic']);
  });

  const openStream = (req: IncomingMessage, res: ServerResponse, token: string) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const topic of TOPICS) {
      const data = JSON.stringify(view(topic));
      res.write(`event: ${topic}\ndata: ${data}\n\n`);
    }
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
    const recheck = setInterval(async () => {
      const verdict = await deps.verifier.verify(token);
      if (!verdict.ok) {
        res.write(`event: unauthorized\ndata: ${JSON.stringify(verdict.status)}\n\n`);
        entry.close();
      }
    }, deps.recheckMs ?? 60_000);
    const entry = {
      res,
      close() {
        clearInterval(heartbeat);
        clearInterval(recheck);
        streams.delete(entry);
        res.end();
      },
    };
    streams.add(entry);
    req.on('close', () => entry.close());
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const token = bearerToken(req.headers.authorization);
    const verdict = await deps.verifier.verify(token);
    if (!verdict.ok) return sendStatus(res, verdict.status);
    const path = url.pathname;
    if (path === '/api/events') return openStream(req, res, token ?? '');
    const topic = /^\/api\/views\/([a-z]+)$/.exec(path)?.[1];
    if (topic !== undefined) {
      if (!(TOPICS as readonly string[]).includes(topic)) {
        return sendStatus(
          res,
          failure(404, 'NotFound', `no view "${topic}"; views are ${TOPICS.join(', ')}`),
        );
      }
      return sendJson(res, 200, view(topic as Topic));
    }
    if (path === '/api/explain') {
      const q = url.searchParams;
      const missing = ['apiVersion', 'kind', 'name'].filter((k) => !q.get(k));
      if (missing.length > 0) {
        return sendStatus(
          res,
          failure(
            400,
            'BadRequest',
            `explain needs ${missing.join(', ')}`,
            missing.map((field) => ({ reason: 'FieldValueRequired', message: 'Required value', field })),
          ),
        );
      }
      const ref = {
        apiVersion: q.get('apiVersion') ?? '',
        kind: q.get('kind') ?? '',
        name: q.get('name') ?? '',
        namespace: q.get('namespace') || undefined,
      };
      try {
        return sendJson(res, 200, await explainWorkload(deps.client, ref));
      } catch (err) {
        const message = (err as Error).message;
        if (isNotFound(err) || /not found|doesn't have a resource type/.test(message)) {
          return sendStatus(res, failure(404, 'NotFound', message));
        }
        throw err;
      }
    }
    return sendStatus(res, failure(404, 'NotFound', `no API path ${path}`));
  };

  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://dashboard');
    } catch {
      return sendStatus(res, failure(400, 'BadRequest', 'malformed request URL'));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendStatus(
        res,
        failure(405, 'MethodNotAllowed', `${req.method} is not allowed; the dashboard only reads`),
      );
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    }
    const handle = url.pathname.startsWith('/api/')
      ? api(req, res, url)
      : serveStatic(deps.webDir, url.pathname, req, res, SECURITY_HEADERS);
    handle.catch((err: unknown) => {
      deps.logger.error({ err, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) sendStatus(res, failure(500, 'InternalError', (err as Error).message));
      else res.end();
    });
  });

  return {
    server,
    closeStreams() {
      offState();
      offTraffic();
      for (const s of [...streams]) s.close();
    },
  };
}
