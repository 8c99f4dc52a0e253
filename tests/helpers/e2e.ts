/**
 * Helpers for end-to-end tests that drive the real `flotilla` CLI and `kubectl` as processes.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The checkout's root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The CLI entry point, run with `process.execPath`. */
export const CLI = join(ROOT, 'src/cmd/flotilla.ts');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion and collects its output; never rejects. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 60_000): Promise<Result> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

/** Polls `fn` until it returns a value (errors count as "not yet"); throws after `ms` naming `what`. */
export async function until<T>(
  what: string,
  ms: number,
  fn: () => Promise<T | undefined>,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
