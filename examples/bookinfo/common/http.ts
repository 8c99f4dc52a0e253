/**
 * Small HTTP helpers shared by the Bookinfo services: JSON/text replies, bounded body reading,
 * per-request access logging and a `listen` that resolves once the socket is bound.
 * Everything is plain `node:http`; no framework.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a service writes its access log (one line per request) and its errors. */
export interface ServiceLog {
  /** Called once per finished request and for lifecycle messages; goes to stdout by default. */
  info(line: string): void;
  /** Called for failures (upstream errors, handler crashes); goes to stderr by default. */
  error(line: string): void;
}

/** The default log: access lines to stdout, errors to stderr, as `kubectl logs` shows them. */
export const consoleLog: ServiceLog = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};

/** A log that drops everything, for tests. */
export const silentLog: ServiceLog = { info: () => {}, error: () => {} };

/** A request handler; may be async. Errors it throws become a 500 reply. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** Sends `body` as JSON with `status`; `body` may be a pre-serialised JSON string. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends `body` with `status` and the given content type (plain text by default). */
export function sendText(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers 405 with an `Allow` header listing `allowed`. */
export function methodNotAllowed(res: http.ServerResponse, allowed: readonly string[]): void {
  res.setHeader('allow', allowed.join(', '));
  sendJson(res, 405, { error: 'method not allowed' });
}

/** Thrown by {@link readBody} when the body exceeds its limit; callers answer 413. */
export class BodyTooLargeError extends Error {
  /** Stable code for predicates. */
  readonly code = 'BODY_TOO_LARGE';
}

/** Reads the whole request body as UTF-8, rejecting with {@link BodyTooLargeError} past `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body exceeds ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (err) => reject(new Error('request body stream failed', { cause: err })));
  });
}

/** The request's path without its query string, or `/` when the URL cannot be parsed. */
export function pathOf(req: http.IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/**
 * Wraps `handler` so that every request logs one access line when it finishes and a thrown or
 * rejected handler answers 500 (logged to the error stream) instead of crashing the process.
 */
export function withAccessLog(handler: Handler, log: ServiceLog): Handler {
  return (req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = (performance.now() - started).toFixed(1);
      log.info(`${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url}" ${res.statusCode} ${ms}ms`);
    });
    const fail = (err: unknown): void => {
      log.error(`error handling ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
      else res.destroy();
    };
    try {
      const result = handler(req, res);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** Creates a `node:http` server running `handler` behind {@link withAccessLog}. */
export function createHttpServer(handler: Handler, log: ServiceLog): http.Server {
  const server = http.createServer(withAccessLog(handler, log));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  return server;
}

/** Binds `server` to `host:port` and resolves with the bound address (use port 0 for any free port). */
export function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Closes `server`, dropping idle keep-alive connections so the promise settles promptly. */
export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
