/**
 * Expectations, as in Kubernetes' controller_utils: after a controller creates or deletes pods
 * it records how many adds and which deletions it expects to see through its informer, and
 * does not manage the owner again until they have been observed (or five minutes passed). This
 * keeps a slow cache from making it create or delete twice.
 */

/** How long unobserved expectations are trusted before the controller acts again anyway. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record_ {
  adds: number;
  deletes: Set<string>;
  at: number;
}

/** Per-owner expectations of pod creations (counted) and deletions (by pod key). */
export class Expectations {
  readonly #records = new Map<string, Record_>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Records that `adds` creations and the deletion of `deletes` (pod keys) are under way for `owner`. */
  expect(owner: string, change: { adds?: number; deletes?: readonly string[] }): void {
    this.#records.set(owner, {
      adds: change.adds ?? 0,
      deletes: new Set(change.deletes ?? []),
      at: this.#now(),
    });
  }

  /** One expected creation was seen (or will never happen because it failed). */
  creationObserved(owner: string): void {
    const r = this.#records.get(owner);
    if (r && r.adds > 0) r.adds--;
  }

  /** Lowers the expected creations by `n` (pods never attempted). */
  lowerAdds(owner: string, n: number): void {
    const r = this.#records.get(owner);
    if (r) r.adds = Math.max(0, r.adds - n);
  }

  /** The deletion of pod `podKey` was seen (or failed). */
  deletionObserved(owner: string, podKey: string): void {
    this.#records.get(owner)?.deletes.delete(podKey);
  }

  /** True when nothing is pending for `owner`, or its record has expired. */
  satisfied(owner: string): boolean {
    const r = this.#records.get(owner);
    if (!r) return true;
    return (r.adds <= 0 && r.deletes.size === 0) || this.#now() - r.at > EXPECTATIONS_TTL_MS;
  }

  /** Forgets `owner` (it was deleted). */
  delete(owner: string): void {
    this.#records.delete(owner);
  }
}
