/**
 * The garbage collector, following Kubernetes' rules for `ownerReferences`: a dependent whose
 * owners are all gone is deleted; references to owners that are gone are dropped when other
 * owners remain; an owner deleted with `Orphan` has its dependents released first; an owner
 * deleted with `Foreground` waits until its dependents are gone.
 */
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Catalog } from '../catalog.ts';
import { parseKey } from '../keys.ts';
import type { Registry } from '../registry.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../registry-delete.ts';
import type { CacheEvent } from '../watch-cache.ts';
import type { ObjectIndex } from './object-index.ts';
import { SerialQueue } from './queue.ts';

export class GarbageCollector {
  readonly #index: ObjectIndex;
  readonly #registry: Registry;
  readonly #catalog: Catalog;
  readonly #queue: SerialQueue;

  constructor(deps: { index: ObjectIndex; registry: Registry; catalog: Catalog; logger: Logger }) {
    this.#index = deps.index;
    this.#registry = deps.registry;
    this.#catalog = deps.catalog;
    this.#queue = new SerialQueue('garbage-collector', (key) => this.#reconcile(key), deps.logger);
  }

  /** Checks every object once (after start-up, to catch deletions that happened while down). */
  resyncAll(): void {
    for (const [key, entry] of this.#index.byKey) {
      if (entry.owners.length > 0 || entry.deleting) this.#queue.add(key);
    }
  }

  /** Reacts to a change seen by the watch cache (after the index has applied it). */
  observe(e: CacheEvent): void {
    if (e.type === 'DELETED') {
      for (const dep of this.#index.dependents.get(e.object.metadata.uid ?? '') ?? []) this.#queue.add(dep);
      this.#recheckDeletingOwners(e.object.metadata.ownerReferences);
      return;
    }
    const m = e.object.metadata;
    if (
      m.deletionTimestamp &&
      m.finalizers?.some((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER)
    ) {
      this.#queue.add(e.key);
    }
    if (m.ownerReferences?.length) this.#queue.add(e.key);
    // A dependent released from an owner may let a foreground-deleting owner finish.
    this.#recheckDeletingOwners(e.prev?.metadata.ownerReferences);
  }

  #recheckDeletingOwners(owners: readonly { uid: string }[] | undefined): void {
    for (const o of owners ?? []) {
      const owner = this.#index.byUid.get(o.uid);
      if (owner?.deleting) this.#queue.add(owner.key);
    }
  }

  stop(): void {
    this.#queue.stop();
  }

  async #reconcile(key: string): Promise<void> {
    const entry = this.#index.byKey.get(key);
    const where = parseKey(key);
    if (!entry || !where) return;
    const def = this.#catalog.byResource(where.group, where.plural);
    if (!def) return;
    if (entry.deleting && entry.finalizers.includes(ORPHAN_FINALIZER)) {
      await this.#orphanDependents(entry.uid);
      await this.#removeFinalizer(key, ORPHAN_FINALIZER);
      return;
    }
    if (entry.deleting && entry.finalizers.includes(FOREGROUND_FINALIZER)) {
      const deps = [...(this.#index.dependents.get(entry.uid) ?? [])];
      if (deps.length === 0) {
        await this.#removeFinalizer(key, FOREGROUND_FINALIZER);
        return;
      }
      for (const dep of deps) await this.#deleteKey(dep, 'Background');
      return;
    }
    if (entry.owners.length === 0) return;
    const gone = entry.owners.filter((o) => !this.#index.byUid.has(o.uid));
    if (gone.length === 0) {
      // Owners being deleted in the foreground take their dependents with them.
      const fg = entry.owners.some((o) => {
        const owner = this.#index.byUid.get(o.uid);
        return owner?.deleting && owner.finalizers.includes(FOREGROUND_FINALIZER);
      });
      if (fg && !entry.deleting) await this.#deleteKey(key, 'Background');
      return;
    }
    if (gone.length === entry.owners.length) {
      await this.#deleteKey(key, 'Background');
      return;
    }
    const goneUids = new Set(gone.map((o) => o.uid));
    await this.#registry.guaranteedUpdate(def, where.namespace, where.name, (o) => {
      o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !goneUids.has(r.uid));
      return o;
    });
  }

  async #orphanDependents(uid: string): Promise<void> {
    for (const dep of [...(this.#index.dependents.get(uid) ?? [])]) {
      const where = parseKey(dep);
      const def = where && this.#catalog.byResource(where.group, where.plural);
      if (!where || !def) continue;
      await ignoreNotFound(
        this.#registry.guaranteedUpdate(def, where.namespace, where.name, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          return o;
        }),
      );
    }
  }

  async #removeFinalizer(key: string, finalizer: string): Promise<void> {
    const where = parseKey(key);
    const def = where && this.#catalog.byResource(where.group, where.plural);
    if (!where || !def) return;
    await ignoreNotFound(
      this.#registry.guaranteedUpdate(def, where.namespace, where.name, (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        return o;
      }),
    );
  }

  async #deleteKey(key: string, propagationPolicy: 'Background' | 'Foreground'): Promise<void> {
    const where = parseKey(key);
    const def = where && this.#catalog.byResource(where.group, where.plural);
    if (!where || !def) return;
    await ignoreNotFound(this.#registry.delete(def, where.namespace, where.name, { propagationPolicy }));
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
