/**
 * CustomResourceDefinitions come alive: each stored CRD becomes a served kind in the catalog,
 * its status gets `NamesAccepted` and `Established`, and deleting it deletes its objects.
 */
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resourceDefFromCRD } from '../../api/resources/index.ts';
import type { Catalog } from '../catalog.ts';
import { kindPrefix } from '../keys.ts';
import { nowTimestamp } from '../object-meta.ts';
import type { Registry } from '../registry.ts';
import type { CacheEvent } from '../watch-cache.ts';

export class CrdController {
  readonly #registry: Registry;
  readonly #catalog: Catalog;
  readonly #logger: Logger;

  constructor(deps: { registry: Registry; catalog: Catalog; logger: Logger }) {
    this.#registry = deps.registry;
    this.#catalog = deps.catalog;
    this.#logger = deps.logger;
  }

  /** Registers a CRD found in storage; returns false when it cannot be served. */
  register(crd: KubeObject): boolean {
    try {
      const def = resourceDefFromCRD(crd);
      this.#catalog.setCustom(crd.metadata.name!, def);
      return true;
    } catch (err) {
      this.#logger.warn({ err, crd: crd.metadata.name }, 'cannot serve CustomResourceDefinition');
      return false;
    }
  }

  /** Reacts to CRD changes seen by the watch cache. */
  observe(e: CacheEvent): void {
    if (e.object.kind !== 'CustomResourceDefinition') return;
    const name = e.object.metadata.name!;
    if (e.type === 'DELETED') {
      const def = this.#catalog.byKind(e.object.spec?.group ?? '', e.object.spec?.names?.kind ?? '');
      this.#catalog.removeCustom(name);
      if (def) void this.#deleteInstances(def);
      return;
    }
    if (this.register(e.object) && !isEstablished(e.object)) void this.#establish(name);
  }

  async #establish(name: string): Promise<void> {
    const crdDef = this.#catalog.byResource('apiextensions.k8s.io', 'customresourcedefinitions')!;
    try {
      await this.#registry.guaranteedUpdate(
        crdDef,
        '',
        name,
        (o) => {
          const now = nowTimestamp();
          o.status = {
            ...(o.status ?? {}),
            acceptedNames: o.spec?.names ?? {},
            storedVersions: [
              (o.spec?.versions ?? []).find((v: { storage?: boolean }) => v.storage)?.name ?? '',
            ],
            conditions: [
              {
                type: 'NamesAccepted',
                status: 'True',
                reason: 'NoConflicts',
                message: 'no conflicts found',
                lastTransitionTime: now,
              },
              {
                type: 'Established',
                status: 'True',
                reason: 'InitialNamesAccepted',
                message: 'the initial names have been accepted',
                lastTransitionTime: now,
              },
            ],
          };
          return o;
        },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isNotFound(err))
        this.#logger.warn({ err, crd: name }, 'cannot set CustomResourceDefinition status');
    }
  }

  async #deleteInstances(def: { group: string; plural: string; namespaced: boolean }): Promise<void> {
    const prefix = kindPrefix(def);
    try {
      const page = await this.#registry.storage.list(prefix);
      for (const kv of page.items) await this.#registry.storage.delete(kv.key).catch(() => undefined);
    } catch (err) {
      this.#logger.warn({ err, prefix }, 'cannot delete custom resources of a deleted CRD');
    }
  }
}

function isEstablished(crd: KubeObject): boolean {
  return (crd.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True',
  );
}
