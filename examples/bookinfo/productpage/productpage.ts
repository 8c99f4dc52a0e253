/**
 * The Bookinfo productpage service (upstream: Python/Flask `productpage.py`): the web page and
 * JSON API that call details and reviews (and ratings for `/api/v1/products/<id>/ratings`).
 * `/productpage` always answers 200; the API routes pass the backend's status through.
 */
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BodyTooLargeError,
  consoleLog,
  createHttpServer,
  methodNotAllowed,
  pathOf,
  readBody,
  type ServiceLog,
  sendJson,
  sendText,
} from '../common/http.ts';
import { PRODUCTS, renderIndex, renderProductPage, type ServiceNode } from './html.ts';
import { sessionCookie, sessionOf } from './session.ts';
import {
  forwardHeaders,
  getProductDetails,
  getProductRatings,
  getProductReviews,
  type UpstreamConfig,
} from './upstream.ts';

/** Options for {@link createServer}; `main.ts` derives them from the upstream env vars. */
export interface ProductPageOptions {
  /** Details base URL; default `http://details:9080`. */
  readonly detailsBase?: string;
  /** Reviews base URL; default `http://reviews:9080`. */
  readonly reviewsBase?: string;
  /** Ratings base URL; default `http://ratings:9080`. */
  readonly ratingsBase?: string;
  /** Per-attempt upstream deadline, ms; default 3000 (upstream `timeout=3.0`). */
  readonly timeoutMs?: number;
  /** Extra, ignored reviews calls per `/productpage` (upstream `FLOOD_FACTOR`); default 0. */
  readonly floodFactor?: number;
  /** HMAC key for the session cookie; replicas that share it share sessions. */
  readonly sessionSecret: string;
  /** Own pod name and cluster, shown in the page footer when set. */
  readonly podName?: string | undefined;
  readonly clusterName?: string | undefined;
  /** Access and error log; defaults to stdout/stderr. */
  readonly log?: ServiceLog;
}

const STATIC_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.js': 'text/javascript; charset=utf-8',
};

async function serveStatic(res: http.ServerResponse, urlPath: string): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.slice('/static/'.length));
  } catch {
    return sendText(res, 400, 'bad path');
  }
  const file = path.resolve(STATIC_ROOT, rel);
  const type = CONTENT_TYPES[path.extname(file)];
  if (!file.startsWith(STATIC_ROOT + path.sep) || type === undefined || rel.includes('\0')) {
    return sendText(res, 404, 'Not Found');
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return sendText(res, 404, 'Not Found');
  }
  res.writeHead(200, { 'content-type': type, 'content-length': data.length, 'cache-control': 'max-age=300' });
  res.end(data);
}

/** The redirect target after login/logout: the Referer as upstream does, else the product page. */
function backTo(req: http.IncomingMessage): string {
  const referer = req.headers.referer;
  return referer && /^(https?:\/\/[^\s]+|\/[^\s]*)$/.test(referer) ? referer : 'productpage';
}

/** Creates (does not start) the productpage HTTP server. */
export function createServer(options: ProductPageOptions): http.Server {
  const log = options.log ?? consoleLog;
  const secret = options.sessionSecret;
  const results = new Map<string, number>();
  const upstream: UpstreamConfig = {
    detailsBase: options.detailsBase ?? 'http://details:9080',
    reviewsBase: options.reviewsBase ?? 'http://reviews:9080',
    ratingsBase: options.ratingsBase ?? 'http://ratings:9080',
    timeoutMs: options.timeoutMs ?? 3000,
    reviewsAttempts: 2,
    log,
    record: (app, status) => {
      const key = `destination_app="${app}",response_code="${status}"`;
      results.set(key, (results.get(key) ?? 0) + 1);
    },
  };
  const tree: ServiceNode = {
    name: upstream.detailsBase,
    endpoint: 'details',
    children: [
      { name: upstream.detailsBase, endpoint: 'details', children: [] },
      {
        name: upstream.reviewsBase,
        endpoint: 'reviews',
        children: [{ name: upstream.ratingsBase, endpoint: 'ratings', children: [] }],
      },
    ],
  };

  const productPage = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const user = sessionOf(req, secret).user;
    const headers = forwardHeaders(req.headers, user);
    const details = await getProductDetails(upstream, '0', headers);
    for (let i = 0; i < (options.floodFactor ?? 0); i++) void getProductReviews(upstream, '0', headers);
    const reviews = await getProductReviews(upstream, '0', headers);
    const html = renderProductPage({
      product: PRODUCTS[0],
      details,
      reviews,
      user,
      podName: options.podName,
      clusterName: options.clusterName,
    });
    sendText(res, 200, html, 'text/html; charset=utf-8');
  };

  const login = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let body: string;
    try {
      body = await readBody(req, 64 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendText(res, 413, 'Request Entity Too Large');
      throw err;
    }
    // Flask's request.values: query string and form body together; passwd is ignored.
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const user = new URLSearchParams(body).get('username') ?? query.get('username') ?? '';
    // The user travels as the `end-user` header, so it must be a valid header value.
    if (!/^[\x20-\x7e]{0,256}$/.test(user)) return sendText(res, 400, 'invalid username');
    res.writeHead(302, { location: backTo(req), 'set-cookie': sessionCookie(user ? { user } : {}, secret) });
    res.end();
  };

  const metrics = (res: http.ServerResponse): void => {
    const lines = ['# HELP request_result_total Results of requests', '# TYPE request_result_total counter'];
    for (const [labels, n] of results) lines.push(`request_result_total{${labels}} ${n}`);
    sendText(res, 200, `${lines.join('\n')}\n`, 'text/plain; version=0.0.4; charset=utf-8');
  };

  return createHttpServer(async (req, res) => {
    const p = pathOf(req);
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (p === '/login') return req.method === 'POST' ? login(req, res) : methodNotAllowed(res, ['POST']);
    if (!get) return methodNotAllowed(res, ['GET', 'HEAD']);
    if (p === '/' || p === '/index.html')
      return sendText(res, 200, renderIndex(tree), 'text/html; charset=utf-8');
    if (p === '/health') return sendText(res, 200, 'Product page is healthy');
    if (p === '/productpage') return productPage(req, res);
    if (p === '/metrics') return metrics(res);
    if (p.startsWith('/static/')) return serveStatic(res, p);
    if (p === '/logout') {
      res.writeHead(302, { location: backTo(req), 'set-cookie': sessionCookie({}, secret) });
      res.end();
      return;
    }
    if (p === '/api/v1/products') return sendJson(res, 200, PRODUCTS);
    const api = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(p);
    if (api?.[1] !== undefined) {
      let id: string;
      try {
        id = decodeURIComponent(api[1]);
      } catch {
        return sendText(res, 404, 'Not Found');
      }
      const headers = forwardHeaders(req.headers, sessionOf(req, secret).user);
      const fetcher =
        api[2] === 'reviews'
          ? getProductReviews
          : api[2] === 'ratings'
            ? getProductRatings
            : getProductDetails;
      const reply = await fetcher(upstream, id, headers);
      return sendJson(res, reply.status, reply.body);
    }
    sendText(res, 404, 'Not Found');
  }, log);
}
