/**
 * `defineResource`: builds a ResourceDef from the parts that differ between kinds, deriving
 * `listKind`, `singular` and empty defaults the way most kinds name them.
 */
import type { ResourceDef } from '../resource-def.ts';
import { nameAgeTable } from './table-util.ts';

/** The required parts of a ResourceDef; everything else has a conventional default. */
export type ResourceSpec = Pick<ResourceDef, 'group' | 'versions' | 'kind' | 'plural' | 'namespaced'> &
  Partial<Omit<ResourceDef, 'group' | 'versions' | 'kind' | 'plural' | 'namespaced'>>;

/** A complete ResourceDef: `<Kind>List`, lower-case singular, no short names or categories, Name/Age table. */
export function defineResource(spec: ResourceSpec): ResourceDef {
  return {
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: {},
    table: nameAgeTable(),
    fieldSelectors: {},
    ...spec,
  };
}

/** Reads a nested value by dotted path (`spec.nodeName`), undefined when any step is missing. */
export function pathValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A field-selector extractor returning the field at `path` as a string (`''` when missing, as Go's zero value). */
export function fieldAt(path: string): (obj: Record<string, unknown>) => string {
  return (obj) => {
    const v = pathValue(obj, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : String(v);
  };
}
