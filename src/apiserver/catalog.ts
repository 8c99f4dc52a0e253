/**
 * Catalog: the kinds an API server serves right now. Built-in kinds are fixed; custom kinds come
 * and go with their CustomResourceDefinitions. Every change bumps `generation`, which discovery
 * and OpenAPI use to know when to rebuild.
 */
import type { ResourceDef } from '../api/resource-def.ts';

export class Catalog {
  #byPath = new Map<string, ResourceDef>();
  #byKind = new Map<string, ResourceDef>();
  #byResource = new Map<string, ResourceDef>();
  #builtin: ResourceDef[];
  #custom = new Map<string, ResourceDef>();
  #listeners = new Set<() => void>();
  generation = 0;

  constructor(builtin: ResourceDef[]) {
    this.#builtin = builtin;
    this.#rebuild();
  }

  /** Every served kind, built-in first. */
  all(): ResourceDef[] {
    return [...this.#builtin, ...this.#custom.values()];
  }

  /** The kind served at `group/version/plural` (or by its singular or short name), if any. */
  lookup(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.#byPath.get(`${group}/${version}/${resource}`);
  }

  /** The kind with this group and plural resource name, whatever its version. */
  byResource(group: string, plural: string): ResourceDef | undefined {
    return this.#byResource.get(`${group}/${plural}`);
  }

  /** The kind with this group and Kind name, whatever its version. */
  byKind(group: string, kind: string): ResourceDef | undefined {
    return this.#byKind.get(`${group}/${kind}`);
  }

  /** Adds or replaces the kind defined by the named CRD; built-in kinds cannot be shadowed. */
  setCustom(crdName: string, def: ResourceDef): void {
    const existing = this.byKind(def.group, def.kind);
    if (existing && existing.fromCRD === undefined) return;
    this.#custom.set(crdName, def);
    this.#rebuild();
  }

  /** Removes the kind defined by the named CRD. */
  removeCustom(crdName: string): void {
    if (this.#custom.delete(crdName)) this.#rebuild();
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #rebuild(): void {
    this.#byPath.clear();
    this.#byKind.clear();
    this.#byResource.clear();
    for (const def of this.all()) {
      this.#byKind.set(`${def.group}/${def.kind}`, def);
      this.#byResource.set(`${def.group}/${def.plural}`, def);
      for (const v of def.versions) this.#byPath.set(`${def.group}/${v}/${def.plural}`, def);
    }
    this.generation++;
    for (const l of this.#listeners) l();
  }
}
