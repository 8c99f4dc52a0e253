/**
 * productpage's calls to details, reviews and ratings, with upstream's timeouts and retries:
 * details and ratings once with a 3 s deadline; reviews up to twice, 3 s each (upstream's
 * deliberate "bug" that the fault-injection task relies on). Never rejects: failures become the
 * upstream error bodies with the backend's status, or 500 when there was no reply.
 */
import type http from 'node:http';
import { getJson, pickHeaders } from '../common/client.ts';
import { B3_HEADERS, PRODUCTPAGE_COPIED_HEADERS } from '../common/headers.ts';
import type { ServiceLog } from '../common/http.ts';

/** Error text when details fails. */
export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.';
/** Error text when reviews fails. */
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';
/** Error text when ratings fails. */
export const RATINGS_UNAVAILABLE = 'Sorry, product ratings are currently unavailable for this book.';

/** A backend answer as productpage uses it: the status to report and the JSON body. */
export interface BackendReply {
  readonly status: number;
  readonly body: unknown;
}

/** Where the backends are and how patient to be with them. */
export interface UpstreamConfig {
  /** `http://<DETAILS_HOSTNAME><.SERVICES_DOMAIN>:<DETAILS_SERVICE_PORT>`. */
  readonly detailsBase: string;
  /** `http://<REVIEWS_HOSTNAME><.SERVICES_DOMAIN>:<REVIEWS_SERVICE_PORT>`. */
  readonly reviewsBase: string;
  /** `http://<RATINGS_HOSTNAME><.SERVICES_DOMAIN>:<RATINGS_SERVICE_PORT>`. */
  readonly ratingsBase: string;
  /** Per-attempt deadline, ms (upstream 3000). */
  readonly timeoutMs: number;
  /** Attempts at reviews (upstream 2). */
  readonly reviewsAttempts: number;
  readonly log: ServiceLog;
  /** Called once per attempt with the backend's name and status (0 when no reply), for /metrics. */
  readonly record?: (app: string, status: number) => void;
}

/**
 * The headers productpage sends upstream (upstream `getForwardHeaders`): `end-user` from the
 * session, B3 tracing headers, then the verbatim-copied list.
 */
export function forwardHeaders(
  incoming: http.IncomingHttpHeaders,
  user: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers['end-user'] = user;
  Object.assign(
    headers,
    pickHeaders(incoming, B3_HEADERS),
    pickHeaders(incoming, PRODUCTPAGE_COPIED_HEADERS),
  );
  return headers;
}

async function call(
  config: UpstreamConfig,
  app: string,
  url: string,
  headers: Record<string, string>,
  attempts: number,
  error: string,
): Promise<BackendReply> {
  let status = 500;
  for (let i = 0; i < attempts; i++) {
    const result = await getJson(url, { headers, timeoutMs: config.timeoutMs });
    config.record?.(app, result.kind === 'response' ? result.status : 0);
    if (result.kind === 'response' && result.status === 200 && result.json !== undefined) {
      return { status: 200, body: result.json };
    }
    if (result.kind === 'failure') {
      status = 500;
      config.log.error(`upstream call failed (attempt ${i + 1}/${attempts}): ${result.reason}`);
    } else {
      status = result.status === 200 ? 500 : result.status; // 200 with a non-JSON body counts as failed
      config.log.error(`upstream ${url} answered ${result.status} (attempt ${i + 1}/${attempts})`);
    }
  }
  return { status, body: { error } };
}

/** Fetches `/details/<id>` once. */
export function getProductDetails(config: UpstreamConfig, id: string, headers: Record<string, string>) {
  return call(
    config,
    'details',
    `${config.detailsBase}/details/${encodeURIComponent(id)}`,
    headers,
    1,
    DETAILS_UNAVAILABLE,
  );
}

/** Fetches `/reviews/<id>`, retrying once on any failure. */
export function getProductReviews(config: UpstreamConfig, id: string, headers: Record<string, string>) {
  const url = `${config.reviewsBase}/reviews/${encodeURIComponent(id)}`;
  return call(config, 'reviews', url, headers, config.reviewsAttempts, REVIEWS_UNAVAILABLE);
}

/** Fetches `/ratings/<id>` once. */
export function getProductRatings(config: UpstreamConfig, id: string, headers: Record<string, string>) {
  return call(
    config,
    'ratings',
    `${config.ratingsBase}/ratings/${encodeURIComponent(id)}`,
    headers,
    1,
    RATINGS_UNAVAILABLE,
  );
}
