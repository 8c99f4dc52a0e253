/**
 * The CLI's two failure kinds. Both print as one line on stderr, never a stack trace:
 * `UsageError` (bad flags or values, exit 2) and `CliError` (could not do it, exit 1).
 */

/** The command line is wrong: a flag, value or argument; `flotilla` exits 2. */
export class UsageError extends Error {
  readonly code = 'Usage';
  readonly exitCode = 2;
}

/** The command was understood but failed (port taken, already running, …); `flotilla` exits 1. */
export class CliError extends Error {
  readonly code = 'CliFailed';
  readonly exitCode = 1;
}

/** The exit code an error maps to: 2 for usage errors, 1 for everything else. */
export function exitCodeOf(err: unknown): number {
  return err instanceof Error && (err as { code?: unknown }).code === 'Usage' ? 2 : 1;
}

/** What went wrong in one line: the message of the error and of its causes, joined by `: `. */
export function oneLine(err: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = err;
    e !== undefined && parts.length < 4;
    e = e instanceof Error ? e.cause : undefined
  ) {
    const message = e instanceof Error ? e.message : String(e);
    if (message !== '' && !parts.some((p) => p.includes(message))) parts.push(message);
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}

/** The terminal: human lines for the user, separate from the JSON log. */
export interface Terminal {
  out(line: string): void;
  err(line: string): void;
}
