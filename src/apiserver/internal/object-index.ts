/**
 * ObjectIndex: the API server's own in-memory view of every stored object's identity and owners,
 * fed by the watch cache. The garbage collector and namespace controller read it instead of
 * listing storage.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import type { CacheEvent } from '../watch-cache.ts';

export interface IndexedObject {
  key: string;
  uid: string;
  namespace: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export class ObjectIndex {
  readonly byKey = new Map<string, IndexedObject>();
  readonly byUid = new Map<string, IndexedObject>();
  /** owner uid → keys of objects naming it in ownerReferences */
  readonly dependents = new Map<string, Set<string>>();

  /** Records an object's current state. */
  put(key: string, obj: KubeObject): IndexedObject {
    this.remove(key);
    const entry: IndexedObject = {
      key,
      uid: obj.metadata.uid ?? '',
      namespace: obj.metadata.namespace ?? '',
      owners: obj.metadata.ownerReferences ?? [],
      deleting: !!obj.metadata.deletionTimestamp,
      finalizers: obj.metadata.finalizers ?? [],
    };
    this.byKey.set(key, entry);
    if (entry.uid) this.byUid.set(entry.uid, entry);
    for (const o of entry.owners) {
      let set = this.dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(o.uid, set);
      }
      set.add(key);
    }
    return entry;
  }

  /** Forgets an object. */
  remove(key: string): IndexedObject | undefined {
    const entry = this.byKey.get(key);
    if (!entry) return undefined;
    this.byKey.delete(key);
    if (this.byUid.get(entry.uid) === entry) this.byUid.delete(entry.uid);
    for (const o of entry.owners) {
      const set = this.dependents.get(o.uid);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(o.uid);
    }
    return entry;
  }

  /** Applies one watch-cache event. */
  apply(e: CacheEvent): void {
    if (e.type === 'DELETED') this.remove(e.key);
    else this.put(e.key, e.object);
  }
}
