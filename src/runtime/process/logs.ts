/**
 * Container log files in the CRI format kubelet reads (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`),
 * one file per container instance, and the reads behind `kubectl logs` (tail, since, timestamps,
 * limit, follow).
 */
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type { LogOptions } from '../types.ts';

const MAX_LINE = 16 * 1024;

/** RFC 3339 with nanoseconds, as CRI log lines and `kubectl logs --timestamps` show. */
export function nanoTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Writes one container instance's stdout and stderr to a CRI log file; followers see every line. */
export class LogWriter {
  readonly file: string;
  readonly #fd: number;
  readonly #partial = { stdout: '', stderr: '' };
  readonly #followers = new Set<(line: string | null) => void>();
  #closed = false;

  /** Opens (truncates) `file`. Throws when the file cannot be created. */
  constructor(file: string) {
    this.file = file;
    this.#fd = fs.openSync(file, 'w');
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Appends a chunk of the container's output; complete lines are written at once. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    if (this.#closed) return;
    let text = this.#partial[stream] + chunk.toString();
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.#line(stream, 'F', text.slice(0, nl));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    while (text.length > MAX_LINE) {
      this.#line(stream, 'P', text.slice(0, MAX_LINE));
      text = text.slice(MAX_LINE);
    }
    this.#partial[stream] = text;
  }

  /** Flushes unterminated lines, closes the file and ends every follower. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const s of ['stdout', 'stderr'] as const)
      if (this.#partial[s] !== '') this.#line(s, 'F', this.#partial[s]);
    this.#closed = true;
    fs.closeSync(this.#fd);
    for (const f of this.#followers) f(null);
    this.#followers.clear();
  }

  /** Calls `fn` with each raw CRI line written from now on, and `null` at close; returns unsubscribe. */
  subscribe(fn: (line: string | null) => void): () => void {
    if (this.#closed) {
      fn(null);
      return () => {};
    }
    this.#followers.add(fn);
    return () => this.#followers.delete(fn);
  }

  #line(stream: string, tag: 'F' | 'P', text: string): void {
    const raw = `${nanoTime()} ${stream} ${tag} ${text}\n`;
    fs.writeSync(this.#fd, raw);
    for (const f of this.#followers) f(raw);
  }
}

interface Parsed {
  time: string;
  ms: number;
  text: string;
}

function parseLines(raw: string): Parsed[] {
  const out: Parsed[] = [];
  let pending = '';
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const c = line.indexOf(' ', b + 1);
    if (a < 0 || b < 0 || c < 0) continue;
    const time = line.slice(0, a);
    const tag = line.slice(b + 1, c);
    pending += line.slice(c + 1);
    if (tag === 'P') continue;
    out.push({ time, ms: Date.parse(time), text: `${pending}\n` });
    pending = '';
  }
  return out;
}

function select(lines: Parsed[], opts: LogOptions, nowMs: number): Parsed[] {
  let since = opts.sinceTime === undefined ? undefined : Date.parse(opts.sinceTime);
  if (opts.sinceSeconds !== undefined) since = nowMs - opts.sinceSeconds * 1000;
  let out = since === undefined ? lines : lines.filter((l) => l.ms >= since);
  if (opts.tailLines !== undefined && opts.tailLines >= 0)
    out = opts.tailLines === 0 ? [] : out.slice(-opts.tailLines);
  return out;
}

function format(lines: Parsed[], opts: LogOptions): string {
  return lines.map((l) => (opts.timestamps ? `${l.time} ${l.text}` : l.text)).join('');
}

function limit(text: string, opts: LogOptions): string {
  if (opts.limitBytes === undefined) return text;
  return Buffer.from(text).subarray(0, Math.max(0, opts.limitBytes)).toString();
}

/** A log file's content as `kubectl logs` prints it; an unreadable file reads as empty. */
export function readLog(file: string, opts: LogOptions = {}): string {
  let raw = '';
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  return limit(format(select(parseLines(raw), opts, Date.now()), opts), opts);
}

/** `kubectl logs -f`: what is in the file, then every new line until the writer closes. */
export function followLog(file: string, writer: LogWriter | undefined, opts: LogOptions = {}): Readable {
  const out = new PassThrough();
  let budget = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  const push = (text: string): boolean => {
    if (text === '' || budget <= 0) return budget > 0;
    const buf = Buffer.from(text).subarray(0, budget);
    budget -= buf.length;
    out.write(buf);
    return budget > 0;
  };
  let unsubscribe = (): void => {};
  const finish = (): void => {
    unsubscribe();
    out.end();
  };
  // Subscribing and reading the file happen in one tick and writes are synchronous: no line is lost or doubled.
  const { limitBytes: _ignored, ...rest } = opts;
  const open = push(readLog(file, rest));
  if (!open || !writer || writer.closed) {
    finish();
    return out;
  }
  unsubscribe = writer.subscribe((raw) => {
    if (raw === null || !push(format(parseLines(raw), opts))) finish();
  });
  out.on('close', () => unsubscribe());
  return out;
}
