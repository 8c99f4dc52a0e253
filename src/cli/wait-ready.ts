/**
 * Polls an API server's `GET /readyz` until it answers 200, trusting only the given CA and sending
 * the bearer token, as kubectl would. Used by `flotilla up` (in-process and `--detach`) before it
 * prints its `ready` line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

/** Options for {@link waitForReady}. */
export interface WaitForReadyOptions {
  /** Base URL, `https://HOST:PORT` (or `http://` for an insecure server). */
  url: string;
  /** PEM CA the server's certificate must chain to. */
  caCert?: string;
  token?: string;
  /** Give up after this long; default 60 s. */
  timeoutMs?: number;
  /** Pause between attempts; default 200 ms. */
  intervalMs?: number;
  /** Called after each failed attempt with what went wrong and the time spent so far. */
  onProgress?: (status: { attempt: number; elapsedMs: number; lastError: string }) => void;
  /** Stops waiting early (e.g. the child process died); the promise then rejects with the reason. */
  signal?: AbortSignal;
}

/** Thrown when the deadline passes before `/readyz` answers 200. */
export class NotReadyError extends Error {
  readonly code = 'NotReady';
}

/**
 * Resolves once `GET {url}/readyz` returns 200; retries connection errors and non-200 answers
 * every `intervalMs`; rejects with `NotReadyError` at the deadline, or with the signal's reason.
 */
export async function waitForReady(options: WaitForReadyOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 200;
  const started = Date.now();
  const agent = new Agent({
    connect: { ...(options.caCert === undefined ? {} : { ca: options.caCert }), timeout: 2_000 },
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  const headers: Record<string, string> = { accept: 'text/plain, application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const readyz = new URL('/readyz', options.url).toString();
  try {
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      let lastError: string;
      try {
        const res = await request(readyz, {
          dispatcher: agent,
          headers,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const body = await res.body.text();
        if (res.statusCode === 200) return;
        lastError = `HTTP ${res.statusCode}${body ? `: ${body.trim().slice(0, 200)}` : ''}`;
      } catch (err) {
        options.signal?.throwIfAborted();
        lastError = describeError(err);
      }
      const elapsedMs = Date.now() - started;
      if (elapsedMs >= timeoutMs) {
        throw new NotReadyError(`${readyz} not ready after ${Math.round(elapsedMs / 1000)}s: ${lastError}`);
      }
      options.onProgress?.({ attempt, elapsedMs, lastError });
      try {
        await sleep(
          Math.min(intervalMs, timeoutMs - elapsedMs),
          undefined,
          options.signal ? { signal: options.signal } : {},
        );
      } catch (err) {
        options.signal?.throwIfAborted();
        throw err;
      }
    }
  } finally {
    await agent.close();
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
}
