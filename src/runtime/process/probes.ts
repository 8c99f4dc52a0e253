/**
 * Container probes as kubelet runs them: one check (`runProbe`: httpGet, tcpSocket, exec; grpc is
 * checked as a TCP connect) and a worker per probe (`ProbeWorker`) applying initialDelaySeconds,
 * periodSeconds, timeoutSeconds and the success/failure thresholds.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: probe specs are open JSON
type Obj = Record<string, any>;

/** Which probe: the kubelet name used in event messages is capitalised (`Liveness probe failed`). */
export type ProbeKind = 'startup' | 'liveness' | 'readiness';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const MAX_OUTPUT = 10 * 1024;

/** A problem with a probe spec that stops the container being created, or undefined when valid. */
export function validateProbe(kind: ProbeKind, probe: unknown): string | undefined {
  if (probe === undefined || probe === null) return undefined;
  const what = `invalid ${kind}Probe`;
  if (typeof probe !== 'object') return `${what}: not an object`;
  const p = probe as Obj;
  const set = HANDLERS.filter((h) => p[h] !== undefined && p[h] !== null);
  if (set.length !== 1) {
    const found = set.length === 0 ? 'none' : set.join(' and ');
    return `${what}: must specify exactly one handler (exec, httpGet, tcpSocket or grpc), found ${found}`;
  }
  for (const f of [
    'initialDelaySeconds',
    'periodSeconds',
    'timeoutSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    const v = p[f];
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      return `${what}: ${f} must be a non-negative integer`;
  }
  if (
    (kind === 'liveness' || kind === 'startup') &&
    p.successThreshold !== undefined &&
    p.successThreshold !== 1
  ) {
    return `${what}: successThreshold must be 1`;
  }
  if (set[0] === 'exec' && (!Array.isArray(p.exec.command) || p.exec.command.length === 0)) {
    return `${what}: exec.command must be a non-empty list`;
  }
  const port = (p.httpGet ?? p.tcpSocket ?? p.grpc)?.port;
  if (set[0] !== 'exec' && (port === undefined || port === '' || port === 0))
    return `${what}: ${set[0]}.port is required`;
  return undefined;
}

/** Where a probe runs: the pod's IP, the container's ports (for named ports) and its environment. */
export interface ProbeTarget {
  podIP: string;
  ports: readonly Obj[];
  env: Readonly<Record<string, string>>;
  cwd: string;
}

/** The outcome of one probe run; `output` is what kubelet puts after `… probe failed: `. */
export interface ProbeResult {
  ok: boolean;
  output: string;
}

function resolvePort(port: unknown, ports: readonly Obj[]): number | string {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const named = ports.find((p) => p?.name === port);
  return typeof named?.containerPort === 'number'
    ? named.containerPort
    : `unable to resolve named port "${port}"`;
}

function httpProbe(spec: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(spec.port, target.ports);
  if (typeof port === 'string') return Promise.resolve({ ok: false, output: port });
  const scheme = String(spec.scheme ?? 'HTTP').toLowerCase();
  const host = spec.host || target.podIP;
  let p = String(spec.path ?? '/');
  if (!p.startsWith('/')) p = `/${p}`;
  const url = `${scheme}://${host}:${port}${p}`;
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.34', accept: '*/*' };
  for (const h of Array.isArray(spec.httpHeaders) ? spec.httpHeaders : [])
    headers[String(h.name).toLowerCase()] = String(h.value);
  const mod = scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    const req = mod.get(
      url,
      { headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false },
      (res) => {
        const code = res.statusCode ?? 0;
        res.resume();
        res.on('error', () => {});
        resolve(
          code >= 200 && code < 400
            ? { ok: true, output: '' }
            : { ok: false, output: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({
        ok: false,
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, output: `Get "${url}": ${dialError(host, port, err)}` }),
    );
  });
}

function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const reason =
    err.code === 'ECONNREFUSED'
      ? 'connection refused'
      : err.code === 'ECONNRESET'
        ? 'connection reset by peer'
        : err.message;
  return `dial tcp ${host}:${port}: connect: ${reason}`;
}

function tcpProbe(spec: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(spec.port, target.ports);
  if (typeof port === 'string') return Promise.resolve({ ok: false, output: port });
  const host = spec.host || target.podIP;
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    });
    sock.once('connect', () => {
      sock.destroy();
      resolve({ ok: true, output: '' });
    });
    sock.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, output: dialError(host, port, err) }),
    );
  });
}

function execProbe(
  command: string[],
  target: ProbeTarget,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const [file = '', ...args] = command;
  return new Promise((resolve) => {
    const opts = {
      env: target.env,
      cwd: target.cwd,
      timeout: timeoutMs,
      killSignal: 'SIGKILL' as const,
      signal,
      maxBuffer: MAX_OUTPUT,
    };
    execFile(file, args, opts, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.slice(0, MAX_OUTPUT);
      if (!err) return resolve({ ok: true, output });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      if (e.killed && !signal.aborted)
        return resolve({ ok: false, output: `command ${JSON.stringify(command.join(' '))} timed out` });
      if (e.code === 'ENOENT')
        return resolve({ ok: false, output: `exec: "${file}": executable file not found in $PATH` });
      resolve({
        ok: false,
        output: output || `command ${JSON.stringify(command.join(' '))} exited with ${e.code}`,
      });
    });
  });
}

/** Runs one check of a validated probe; never rejects. */
export function runProbe(probe: Obj, target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, Number(probe.timeoutSeconds ?? 1)) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, target, timeoutMs);
  if (probe.grpc) return tcpProbe(probe.grpc, target, timeoutMs);
  return execProbe((probe.exec?.command ?? []).map(String), target, timeoutMs, signal);
}

/** What a {@link ProbeWorker} reports. */
export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Obj;
  target: ProbeTarget;
  /** Every failed check, for the `Unhealthy` event. */
  onFailure: (output: string) => void;
  /** The thresholded result changed (readiness: ready or not; liveness/startup: `false` = restart). */
  onResult: (ok: boolean) => void;
}

/**
 * Runs one probe periodically until stopped, as kubelet's prober worker: a result is reported once
 * `successThreshold`/`failureThreshold` consecutive checks agree; a startup probe stops after its
 * first success, liveness and startup stop after reporting failure (the container restarts).
 */
export class ProbeWorker {
  readonly #o: ProbeWorkerOptions;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #last: boolean | undefined;
  #run = 0;
  #reported: boolean | undefined;

  /** Creates the worker; nothing runs until {@link start}. */
  constructor(options: ProbeWorkerOptions) {
    this.#o = options;
  }

  /** Schedules the first check after `initialDelaySeconds`. */
  start(): void {
    this.#schedule(Number(this.#o.probe.initialDelaySeconds ?? 0) * 1000);
  }

  /** Stops checking; an in-flight exec probe is killed. */
  stop(): void {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#abort.signal.aborted) return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    const { probe, target, kind } = this.#o;
    const res = await runProbe(probe, target, this.#abort.signal);
    if (this.#abort.signal.aborted) return;
    if (!res.ok) this.#o.onFailure(res.output);
    this.#run = this.#last === res.ok ? this.#run + 1 : 1;
    this.#last = res.ok;
    const threshold = res.ok ? Number(probe.successThreshold ?? 1) : Number(probe.failureThreshold ?? 3);
    if (this.#run >= Math.max(1, threshold) && this.#reported !== res.ok) {
      this.#reported = res.ok;
      this.#o.onResult(res.ok);
      if ((kind === 'startup' && res.ok) || (kind !== 'readiness' && !res.ok)) {
        this.stop();
        return;
      }
    }
    this.#schedule(Math.max(1, Number(probe.periodSeconds ?? 10)) * 1000);
  }
}
