/**
 * The Bookinfo details service (upstream: Ruby/WEBrick `details.rb`): book metadata by product id.
 * `GET /details/<id>` answers the fixed record for any integer id; `GET /health` reports health.
 */
import type http from 'node:http';
import {
  consoleLog,
  createHttpServer,
  methodNotAllowed,
  pathOf,
  type ServiceLog,
  sendJson,
} from '../common/http.ts';

/** Options for {@link createServer}. */
export interface DetailsOptions {
  /** Access and error log; defaults to stdout/stderr. */
  readonly log?: ServiceLog;
}

/** The book record upstream details v1 returns, for product `id`. */
export function bookDetails(id: number): Record<string, string | number> {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

/** Parses an id as Ruby's `Integer()` would for decimal input; `undefined` when not numeric. */
function parseId(segment: string): number | undefined {
  if (!/^[+-]?\d{1,15}$/.test(segment)) return undefined;
  return Number(segment);
}

/** Creates (does not start) the details HTTP server; the caller binds it with `listen`. */
export function createServer(options: DetailsOptions = {}): http.Server {
  const log = options.log ?? consoleLog;
  return createHttpServer((req, res) => {
    const path = pathOf(req);
    const isDetails = path === '/details' || path.startsWith('/details/');
    if (path !== '/health' && !isDetails) {
      sendJson(res, 404, { error: `no route for ${path}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      methodNotAllowed(res, ['GET', 'HEAD']);
      return;
    }
    if (path === '/health') {
      sendJson(res, 200, { status: 'Details is healthy' });
      return;
    }
    // WEBrick prefix mount: the id is the last path segment.
    const id = parseId(path.split('/').pop() ?? '');
    if (id === undefined) {
      sendJson(res, 400, { error: 'please provide numeric product id' });
      return;
    }
    sendJson(res, 200, bookDetails(id));
  }, log);
}
