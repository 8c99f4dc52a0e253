/**
 * Server-side printing: objects become `meta.k8s.io` Tables with the kind's columns, each row
 * carrying the object as PartialObjectMetadata (or in full, or not at all, per `includeObject`).
 */
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The PartialObjectMetadata form of an object. */
export function partialMetadata(obj: KubeObject, metaVersion = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

function rowObject(obj: KubeObject, include: IncludeObject, metaVersion: string): KubeObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return partialMetadata(obj, metaVersion);
}

/** A Table of `objects`; `withColumns` false leaves `columnDefinitions` null (later watch events). */
export function toTable(
  def: ResourceDef,
  objects: readonly KubeObject[],
  options: {
    resourceVersion?: string;
    continue?: string;
    include?: IncludeObject;
    metaVersion?: string;
    withColumns?: boolean;
  },
): Record<string, unknown> {
  const now = new Date();
  const include = options.include ?? 'Metadata';
  const metaVersion = options.metaVersion ?? 'v1';
  const metadata: Record<string, string> = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${metaVersion}`,
    metadata,
    columnDefinitions: options.withColumns === false ? null : def.table.columns,
    rows: objects.map((obj) => {
      const row: Record<string, unknown> = { cells: safeCells(def, obj, now) };
      const o = rowObject(obj, include, metaVersion);
      if (o) row.object = o;
      return row;
    }),
  };
}

/** Cells for one row; a printer that throws on a malformed object yields `<unknown>` cells instead. */
function safeCells(def: ResourceDef, obj: KubeObject, now: Date): unknown[] {
  try {
    return def.table.cells(obj, now);
  } catch {
    return def.table.columns.map((c, i) =>
      i === 0 ? obj.metadata.name : c.type === 'string' ? '<unknown>' : null,
    );
  }
}
