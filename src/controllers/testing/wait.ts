/** Test-only polling helper for the controllers' integration tests. */

/**
 * Calls `probe` every 20 ms until it returns a value other than `undefined`/`false`, and returns
 * it; throws with `what` and the last value seen after `timeoutMs` (default 10 s).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
