/**
 * Structured logging for every component, on pino. Libraries take a Logger in their options;
 * only `cmd/` decides where logs go and at what level.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** A logger writing JSON lines to stderr (or `destination`), at `level` (default `info`). */
export function createLogger(options: { name?: string; level?: string; destination?: string } = {}): Logger {
  const dest = options.destination
    ? pino.destination({ dest: options.destination, sync: false, mkdir: true })
    : pino.destination(2);
  return pino({ name: options.name ?? 'flotilla', level: options.level ?? 'info', base: null }, dest);
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
