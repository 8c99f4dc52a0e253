/** Comparing resourceVersions of cached objects, for controllers that read through a cache. */

/**
 * Whether resourceVersion `have` is at least `want`: numerically when both are decimal (as every
 * Flotilla store and etcd issues them), else only when equal. An empty `want` is always met.
 */
export function atLeastVersion(have: string | undefined, want: string | undefined): boolean {
  if (!want) return true;
  if (!have) return false;
  if (/^\d+$/.test(have) && /^\d+$/.test(want)) return BigInt(have) >= BigInt(want);
  return have === want;
}
