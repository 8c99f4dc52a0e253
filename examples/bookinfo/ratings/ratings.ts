/**
 * The Bookinfo ratings service (upstream: Node.js `ratings.js` on `httpdispatcher`): star ratings
 * per product. `SERVICE_VERSION` selects the variant: `v1` (in-memory, accepts POST), `v2`
 * (database-backed; see README for how Flotilla treats it), and the fault variants `v-faulty`,
 * `v-delayed`, `v-unavailable` and `v-unhealthy`.
 */
import type http from 'node:http';
import {
  BodyTooLargeError,
  consoleLog,
  createHttpServer,
  methodNotAllowed,
  pathOf,
  readBody,
  type ServiceLog,
  sendJson,
} from '../common/http.ts';

/** The ratings variants upstream builds images for. */
export const RATINGS_VERSIONS = [
  'v1',
  'v2',
  'v-faulty',
  'v-delayed',
  'v-unavailable',
  'v-unhealthy',
] as const;

/** One of {@link RATINGS_VERSIONS}. */
export type RatingsVersion = (typeof RATINGS_VERSIONS)[number];

/** Options for {@link createServer}. */
export interface RatingsOptions {
  /** Variant (upstream `SERVICE_VERSION`); default `v1`. */
  readonly version?: RatingsVersion;
  /** Random source in [0,1) for the 50% faults; default `Math.random`. */
  readonly random?: () => number;
  /** Delay of `v-delayed`, ms; default 7000. */
  readonly delayMs?: number;
  /** Flip period of `v-unavailable`, ms; default 60000 (`v-unhealthy` uses 15 min). */
  readonly flipIntervalMs?: number;
  /** Access and error log; defaults to stdout/stderr. */
  readonly log?: ServiceLog;
}

/** Ratings v1 returns these unless a POST replaced them. */
const SEED_RATINGS = { Reviewer1: 5, Reviewer2: 4 } as const;

/** Creates (does not start) the ratings HTTP server; timers it owns stop when it closes. */
export function createServer(options: RatingsOptions = {}): http.Server {
  const version = options.version ?? 'v1';
  const random = options.random ?? Math.random;
  const delayMs = options.delayMs ?? 7000;
  const log = options.log ?? consoleLog;
  const stored = new Map<number, { id: number; ratings: unknown }>();
  let unavailable = false;
  let healthy = true;

  let flipper: NodeJS.Timeout | undefined;
  if (version === 'v-unavailable' || version === 'v-unhealthy') {
    const period = options.flipIntervalMs ?? (version === 'v-unavailable' ? 60_000 : 900_000);
    flipper = setInterval(() => {
      unavailable = !unavailable;
      if (version === 'v-unhealthy') healthy = !healthy;
    }, period);
    flipper.unref();
  }

  const ratingsOf = (id: number): { id: number; ratings: unknown } =>
    stored.get(id) ?? { id, ratings: { ...SEED_RATINGS } };

  const handleGet = (res: http.ServerResponse, id: number): void => {
    const ok = (): void => sendJson(res, 200, ratingsOf(id));
    const fail = (): void => sendJson(res, 503, { error: 'Service unavailable' });
    switch (version) {
      case 'v2':
        // No database runs beside Flotilla's ratings; v2 answers the rows the upstream seed loads.
        sendJson(res, 200, { id, ratings: { ...SEED_RATINGS } });
        return;
      case 'v-faulty':
        if (random() <= 0.5) fail();
        else ok();
        return;
      case 'v-delayed':
        if (random() <= 0.5) {
          const timer = setTimeout(ok, delayMs);
          res.on('close', () => clearTimeout(timer));
        } else ok();
        return;
      case 'v-unavailable':
      case 'v-unhealthy':
        if (unavailable) fail();
        else ok();
        return;
      case 'v1':
        ok();
        return;
    }
  };

  const handlePost = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: number,
  ): Promise<void> => {
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) sendJson(res, 413, { error: err.message });
      else throw err;
      return;
    }
    let ratings: unknown;
    try {
      ratings = JSON.parse(body);
    } catch {
      sendJson(res, 400, { error: 'please provide valid ratings JSON' });
      return;
    }
    if (version === 'v2') {
      sendJson(res, 501, { error: 'Post not implemented for database backed ratings' });
      return;
    }
    stored.set(id, { id, ratings });
    sendJson(res, 200, ratingsOf(id));
  };

  const server = createHttpServer(async (req, res) => {
    const path = pathOf(req);
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
      if (healthy) sendJson(res, 200, { status: 'Ratings is healthy' });
      else sendJson(res, 500, { status: 'Ratings is not healthy' });
      return;
    }
    // Upstream matches /^\/ratings\/[0-9]*/ and parses the last path segment with parseInt.
    if (!/^\/ratings\/[0-9]*/.test(path)) {
      sendJson(res, 404, { error: `no route for ${path}` });
      return;
    }
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (!isGet && req.method !== 'POST') return methodNotAllowed(res, ['GET', 'HEAD', 'POST']);
    const id = Number.parseInt(path.split('/').pop() ?? '', 10);
    if (!Number.isSafeInteger(id)) {
      sendJson(res, 400, { error: 'please provide numeric product ID' });
      return;
    }
    if (isGet) handleGet(res, id);
    else await handlePost(req, res, id);
  }, log);
  server.on('close', () => clearInterval(flipper));
  return server;
}
