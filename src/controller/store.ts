/**
 * The informer's cache: objects by key (`namespace/name`, or `name` for cluster-scoped kinds),
 * with named secondary indexes. Objects are deep-frozen on the way in, so callers can share them
 * freely and must copy (`structuredClone`) before mutating.
 */
import type { KubeObject } from '../api/meta.ts';

/** Maps an object to the index values it is filed under (none, one or many). */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => readonly string[];

/** `namespace/name`, or `name` for a cluster-scoped object: the key the store and queues use. */
export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by {@link objectKey} back into namespace (`''` when cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Freezes a JSON value and everything inside it; returns it. Mutation then throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Index by namespace (`''` for cluster-scoped objects). */
export const byNamespace: IndexFunc = (obj) => [obj.metadata.namespace ?? ''];

/** Index by the uid of every owner reference. */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);

/** Index by the uid of the controlling owner reference only. */
export const byControllerUid: IndexFunc = (obj) =>
  (obj.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid);

/** What readers of a store may do; the informer alone writes. */
export interface ReadonlyStore<T extends KubeObject = KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  readonly size: number;
  /** Objects filed under `value` in the named index; throws for an unknown index. */
  byIndex(index: string, value: string): T[];
}

/** A keyed, indexed store of frozen objects; written by one informer, read by anyone. */
export class Store<T extends KubeObject = KubeObject> implements ReadonlyStore<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(options: { indexers?: Record<string, IndexFunc<T>> } = {}) {
    for (const [name, fn] of Object.entries(options.indexers ?? {})) this.addIndex(name, fn);
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.#indexes.get(index);
    if (!idx) throw new Error(`no index named "${index}"`);
    return [...(idx.get(value) ?? [])].map((k) => this.#items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Adds a named index, filing existing objects at once; replaces one of the same name. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.#indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.#indexes.set(name, idx);
    for (const [key, obj] of this.#items) this.#file(idx, fn, key, obj, true);
  }

  /** Stores a frozen copy-free object under `key`; returns the previous one. Informer only. */
  set(key: string, obj: T): T | undefined {
    const old = this.#items.get(key);
    deepFreeze(obj);
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indexes.get(name)!;
      if (old) this.#file(idx, fn, key, old, false);
      this.#file(idx, fn, key, obj, true);
    }
    this.#items.set(key, obj);
    return old;
  }

  /** Removes `key`; returns what was stored. Informer only. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    for (const [name, fn] of this.#indexers) this.#file(this.#indexes.get(name)!, fn, key, old, false);
    this.#items.delete(key);
    return old;
  }

  #file(idx: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T, add: boolean): void {
    for (const value of fn(obj)) {
      let keys = idx.get(value);
      if (add) {
        if (!keys) {
          keys = new Set();
          idx.set(value, keys);
        }
        keys.add(key);
      } else if (keys) {
        keys.delete(key);
        if (keys.size === 0) idx.delete(value);
      }
    }
  }
}
