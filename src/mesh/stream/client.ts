/**
 * The proxies' side of the mesh stream: one long-lived `GET /v1/stream` to the mesh controller,
 * read line by line. Every snapshot is handed to `onSnapshot` (the proxy's `update`); when the
 * connection drops, stalls past the heartbeat deadline, or the controller restarts, it reconnects
 * with jittered exponential back-off and the proxy keeps serving the last snapshot meanwhile.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../../log/index.ts';

/** Options of {@link MeshClient}. */
export interface MeshClientOptions<T> {
  /** The mesh controller's URL (`http://127.0.0.1:15010`). */
  url: string;
  token: string;
  /** Who is asking: id (`member1/default/reviews-v1-…` or `gateway`), role, metrics URL to register. */
  proxy: { id: string; role: 'sidecar' | 'gateway'; metricsUrl?: string | undefined };
  /** Called with every snapshot, in order; a throw is logged and the stream goes on. */
  onSnapshot(snapshot: T, version: number): void;
  logger?: Logger | undefined;
  /** Back-off between attempts: first delay and cap; default 200 ms and 5 s. */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
  /** A stream silent this long is dropped and re-opened; default 35 s (three 10 s heartbeats and slack). */
  idleTimeoutMs?: number | undefined;
}

interface Message<T> {
  type: 'snapshot' | 'heartbeat';
  epoch: string;
  version: number;
  mesh?: T;
}

/** A stream subscription; `start` returns at once, `stop` ends it. */
export class MeshClient<T> {
  readonly #o: MeshClientOptions<T>;
  #req: http.ClientRequest | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failures = 0;
  #epoch = '';
  #version = 0;
  #connected = false;
  #waiters: Array<() => void> = [];

  /** Builds the client; does no I/O. */
  constructor(options: MeshClientOptions<T>) {
    this.#o = options;
  }

  /** The version of the last snapshot applied; 0 before the first. */
  get version(): number {
    return this.#version;
  }

  /** True while a stream is open. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the stream (and keeps re-opening it) until {@link stop}. */
  start(): void {
    if (this.#req || this.#stopped) return;
    this.#connect();
  }

  /** Resolves once a first snapshot was applied; rejects when `signal` aborts first. */
  waitForSnapshot(signal?: AbortSignal): Promise<void> {
    if (this.#version > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('stopped waiting for the mesh')), {
        once: true,
      });
      this.#waiters.push(resolve);
    });
  }

  /** Closes the stream; no reconnect follows. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#req?.destroy();
    this.#req = undefined;
  }

  #connect(): void {
    const { url, token, proxy } = this.#o;
    const target = new URL('/v1/stream', url);
    target.searchParams.set('proxy', proxy.id);
    target.searchParams.set('role', proxy.role);
    if (proxy.metricsUrl !== undefined) target.searchParams.set('metrics', proxy.metricsUrl);
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(target, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
      agent: false,
    });
    this.#req = req;
    let healthy = false;
    const idle = this.#o.idleTimeoutMs ?? 35_000;
    req.setTimeout(idle, () => req.destroy(new Error(`no message from the mesh controller for ${idle} ms`)));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        req.destroy(new Error(`the mesh controller answered ${res.statusCode}`));
        return;
      }
      this.#connected = true;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() !== '' && this.#apply(line)) healthy = true;
        }
      });
      res.on('error', () => {});
      res.on('close', () => this.#closed(req, healthy));
    });
    req.on('error', (err) => {
      if (!this.#stopped) this.#o.logger?.debug({ err: err.message }, 'mesh stream failed');
      this.#closed(req, healthy);
    });
    req.end();
  }

  /** Applies one line; true when it was a snapshot that applied. */
  #apply(line: string): boolean {
    let msg: Message<T>;
    try {
      msg = JSON.parse(line) as Message<T>;
    } catch {
      this.#o.logger?.warn({ line: line.slice(0, 200) }, 'unreadable line on the mesh stream');
      return false;
    }
    if (msg.type !== 'snapshot' || msg.mesh === undefined) return false;
    // Within one epoch versions only grow; a new epoch (controller restart) is always taken.
    if (msg.epoch === this.#epoch && msg.version <= this.#version) return false;
    this.#epoch = msg.epoch;
    this.#version = msg.version;
    this.#failures = 0;
    try {
      this.#o.onSnapshot(msg.mesh, msg.version);
    } catch (err) {
      this.#o.logger?.error({ err, version: msg.version }, 'applying a mesh snapshot failed');
    }
    for (const resolve of this.#waiters.splice(0)) resolve();
    return true;
  }

  #closed(req: http.ClientRequest, healthy: boolean): void {
    if (this.#req !== req) return;
    this.#req = undefined;
    this.#connected = false;
    if (this.#stopped) return;
    this.#failures = healthy ? 1 : this.#failures + 1;
    const initial = this.#o.backoff?.initialMs ?? 200;
    const max = this.#o.backoff?.maxMs ?? 5_000;
    const delay = Math.min(max, initial * 2 ** (this.#failures - 1)) * (0.5 + Math.random() / 2);
    if (this.#failures > 1)
      this.#o.logger?.info(
        { delayMs: Math.round(delay), url: this.#o.url },
        'mesh stream lost; reconnecting',
      );
    this.#timer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }
}
