/**
 * The namespace lifecycle: a Namespace being deleted (`Terminating`) has all its contents deleted;
 * once nothing is left, its `kubernetes` spec finalizer is removed and the Namespace goes.
 */
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Catalog } from '../catalog.ts';
import { kindPrefix } from '../keys.ts';
import type { Registry } from '../registry.ts';
import type { CacheEvent } from '../watch-cache.ts';
import type { ObjectIndex } from './object-index.ts';
import { SerialQueue } from './queue.ts';

export class NamespaceController {
  readonly #index: ObjectIndex;
  readonly #registry: Registry;
  readonly #catalog: Catalog;
  readonly #queue: SerialQueue;

  constructor(deps: { index: ObjectIndex; registry: Registry; catalog: Catalog; logger: Logger }) {
    this.#index = deps.index;
    this.#registry = deps.registry;
    this.#catalog = deps.catalog;
    this.#queue = new SerialQueue('namespace', (name) => this.#reconcile(name), deps.logger);
  }

  /** Queues every terminating namespace (after start-up). */
  resyncAll(): void {
    const prefix = kindPrefix({ group: '', plural: 'namespaces' });
    for (const [key, entry] of this.#index.byKey) {
      if (key.startsWith(prefix) && entry.deleting) this.#queue.add(key.slice(prefix.length));
    }
  }

  /** Reacts to a change: a Namespace marked for deletion, or content leaving a terminating one. */
  observe(e: CacheEvent): void {
    if (e.object.kind === 'Namespace') {
      if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp)
        this.#queue.add(e.object.metadata.name!);
      return;
    }
    const ns = e.object.metadata.namespace;
    if (e.type === 'DELETED' && ns) {
      const nsEntry = this.#index.byKey.get(`${kindPrefix({ group: '', plural: 'namespaces' })}${ns}`);
      if (nsEntry?.deleting) this.#queue.add(ns);
    }
  }

  stop(): void {
    this.#queue.stop();
  }

  async #reconcile(name: string): Promise<void> {
    const nsDef = this.#catalog.byResource('', 'namespaces')!;
    let remaining = 0;
    for (const def of this.#catalog.all()) {
      if (!def.namespaced) continue;
      const prefix = kindPrefix(def, name);
      for (const [key, entry] of this.#index.byKey) {
        if (!key.startsWith(prefix)) continue;
        remaining++;
        if (entry.deleting) continue;
        try {
          await this.#registry.delete(def, name, key.slice(prefix.length), {
            propagationPolicy: 'Background',
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      this.#queue.addAfter(name, 1000);
      return;
    }
    try {
      await this.#registry.guaranteedUpdate(nsDef, '', name, (o) => {
        if (o.spec?.finalizers) o.spec = { ...o.spec, finalizers: [] };
        return o;
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
