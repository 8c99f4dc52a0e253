/**
 * The outbound HTTP client of the Bookinfo services. It uses `http.request` with Node's default
 * global agent on purpose: with `NODE_USE_ENV_PROXY=1` and `HTTP_PROXY` set, Node 24 routes the
 * default agent through the proxy, which is how the Flotilla pod runtime puts a sidecar in the
 * path. A custom agent (or `agent: false`) would bypass that, so none is ever passed.
 */
import http from 'node:http';

/** The outcome of one upstream call: a reply (any status) or a transport failure. */
export type UpstreamResult =
  | { readonly kind: 'response'; readonly status: number; readonly body: string; readonly json: unknown }
  | { readonly kind: 'failure'; readonly reason: string };

/** Options for {@link getJson}. */
export interface GetJsonOptions {
  /** Headers to send besides `accept: application/json` and `connection: close`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline for the whole exchange (connect, headers and body), in milliseconds. */
  readonly timeoutMs: number;
}

/** Largest upstream body read, in bytes; a larger reply counts as a failure. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * GETs `url` once and resolves with its status and body (parsed as JSON when it parses, else
 * `undefined`); never rejects. Connections are not pooled (`connection: close`), as upstream
 * productpage does "so that we can easily test load distribution".
 */
export function getJson(url: string, options: GetJsonOptions): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: UpstreamResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let req: http.ClientRequest;
    try {
      req = http.request(url, {
        method: 'GET',
        headers: { ...options.headers, accept: 'application/json', connection: 'close' },
      });
    } catch (err) {
      resolve({ kind: 'failure', reason: `invalid request to ${url}: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      settle({ kind: 'failure', reason: `timed out after ${options.timeoutMs}ms calling ${url}` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err) => settle({ kind: 'failure', reason: `${url}: ${err.message}` }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          settle({ kind: 'failure', reason: `${url}: reply larger than ${MAX_BODY} bytes` });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => settle({ kind: 'failure', reason: `${url}: ${err.message}` }));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        settle({ kind: 'response', status: res.statusCode ?? 0, body, json });
      });
    });
    req.end();
  });
}

/** Picks the headers named in `names` (lower-case) from `incoming`, joining repeated values. */
export function pickHeaders(
  incoming: http.IncomingHttpHeaders,
  names: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = incoming[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  return out;
}
