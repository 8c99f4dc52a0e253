/**
 * The Bookinfo reviews service (upstream: Java/Open Liberty `LibertyRestEndpoint`): two reviews per
 * product, with star ratings fetched from the ratings service when ratings are enabled.
 * v1 = ratings disabled; v2 = enabled, black stars; v3 = enabled, red stars.
 */
import type http from 'node:http';
import { getJson, pickHeaders } from '../common/client.ts';
import { REVIEWS_FORWARDED_HEADERS } from '../common/headers.ts';
import {
  consoleLog,
  createHttpServer,
  methodNotAllowed,
  pathOf,
  type ServiceLog,
  sendJson,
} from '../common/http.ts';

/** Options for {@link createServer}; `main.ts` derives them from the upstream env vars. */
export interface ReviewsOptions {
  /** Call ratings and include a `rating` per review (upstream `ENABLE_RATINGS`). */
  readonly enableRatings: boolean;
  /** Star colour reported in each rating (upstream `STAR_COLOR`); default `black`. */
  readonly starColor?: string;
  /** Ratings base URL, `http://<RATINGS_HOSTNAME><.SERVICES_DOMAIN>:<RATINGS_SERVICE_PORT>`. */
  readonly ratingsBase?: string;
  /** Reported as `podname` (upstream `HOSTNAME`); `undefined` prints `null` as Java does. */
  readonly podName?: string | undefined;
  /** Reported as `clustername` (upstream `CLUSTER_NAME`); `undefined` prints `null`. */
  readonly clusterName?: string | undefined;
  /** Ratings timeout override in ms; default 10000 for black stars, else 2500 (as upstream). */
  readonly ratingsTimeoutMs?: number;
  /** Access and error log; defaults to stdout/stderr. */
  readonly log?: ServiceLog;
}

/** The error a rating carries when ratings could not be fetched. */
export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';

const REVIEWS = [
  {
    reviewer: 'Reviewer1',
    text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!',
  },
  {
    reviewer: 'Reviewer2',
    text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
  },
] as const;

/** Parses a JAX-RS `int` path parameter (Java `Integer.parseInt`); `undefined` when it would 404. */
function parseIntParam(segment: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(segment)) return undefined;
  const n = Number(segment);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** Reads an integer star count for `reviewer` from a ratings reply, or -1 as upstream does. */
function starsOf(reply: unknown, reviewer: string): number {
  if (typeof reply !== 'object' || reply === null) return -1;
  const ratings = (reply as { ratings?: unknown }).ratings;
  if (typeof ratings !== 'object' || ratings === null) return -1;
  const stars = (ratings as Record<string, unknown>)[reviewer];
  return typeof stars === 'number' && Number.isInteger(stars) ? stars : -1;
}

/** Creates (does not start) the reviews HTTP server; each `/reviews/<id>` may call ratings once. */
export function createServer(options: ReviewsOptions): http.Server {
  const log = options.log ?? consoleLog;
  const starColor = options.starColor ?? 'black';
  const ratingsService = `${options.ratingsBase ?? 'http://ratings:9080'}/ratings`;
  const timeoutMs = options.ratingsTimeoutMs ?? (starColor === 'black' ? 10_000 : 2_500);
  const podName = options.podName ?? 'null';
  const clusterName = options.clusterName ?? 'null';

  const fetchRatings = async (id: number, incoming: http.IncomingHttpHeaders): Promise<unknown> => {
    const headers = pickHeaders(incoming, REVIEWS_FORWARDED_HEADERS);
    const result = await getJson(`${ratingsService}/${id}`, { headers, timeoutMs });
    if (result.kind === 'failure') {
      log.error(`Error: unable to contact ${ratingsService} got exception ${result.reason}`);
      return undefined;
    }
    if (result.status !== 200) {
      log.info(`Error: unable to contact ${ratingsService} got status of ${result.status}`);
      return undefined;
    }
    return result.json;
  };

  return createHttpServer(async (req, res) => {
    const path = pathOf(req);
    const match = /^\/reviews\/([^/]+)$/.exec(path);
    if (path !== '/health' && !match) {
      sendJson(res, 404, { error: `no route for ${path}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
    if (path === '/health') {
      sendJson(res, 200, '{"status": "Reviews is healthy"}');
      return;
    }
    const id = parseIntParam(match?.[1] ?? '');
    if (id === undefined) {
      sendJson(res, 404, { error: 'product id must be an integer' });
      return;
    }
    const reply = options.enableRatings ? await fetchRatings(id, req.headers) : undefined;
    const reviews = REVIEWS.map((review) => {
      if (!options.enableRatings) return { ...review };
      const stars = starsOf(reply, review.reviewer);
      const rating = stars !== -1 ? { stars, color: starColor } : { error: RATINGS_UNAVAILABLE };
      return { ...review, rating };
    });
    // Upstream hand-builds this JSON; the id is a string, podname/clustername may be "null".
    sendJson(res, 200, { id: String(id), podname: podName, clustername: clusterName, reviews });
  }, log);
}
