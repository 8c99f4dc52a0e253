/**
 * ResourceDef: everything the API server needs to serve one kind (group, versions, names,
 * scope, subresources, table columns, field selectors, patch schema, defaulting, validation).
 * Built-in kinds are declared in `resources/`; custom kinds are derived from their
 * CustomResourceDefinition by `resourceDefFromCRD`.
 */
import type { KubeObject, StatusCause } from './meta.ts';
import type { PatchSchema } from './patch-schema.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** Server-side printing for `kubectl get`: the column definitions and one row's cells. */
export interface TableDef {
  /** Columns, `Name` first with `format: "name"`; `Age` is usually last. */
  columns: TableColumn[];
  /** The cells of one row in column order; `now` lets Age be computed deterministically. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Where the scale subresource reads and writes, as a CRD's `subresources.scale`. */
export interface ScaleDef {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Context handed to validation: the previous object on update, absent on create. */
export interface ValidationContext {
  old?: KubeObject;
  /** `true` for writes to the status subresource. */
  status?: boolean;
}

export interface ResourceDef {
  /** API group, `''` for core. */
  group: string;
  /** Served versions, preferred (and storage) version first. Objects are identical across versions. */
  versions: string[];
  kind: string;
  listKind: string;
  /** Lower-case plural: the resource name in URLs. */
  plural: string;
  singular: string;
  shortNames: string[];
  /** e.g. `['all']` makes `kubectl get all` include the kind. */
  categories: string[];
  namespaced: boolean;
  subresources: { status?: boolean; scale?: ScaleDef };
  /** Extra virtual subresources served by special handlers (e.g. `pods/log`), for discovery only. */
  extraSubresources?: string[];
  table: TableDef;
  /**
   * Field selector keys beyond `metadata.name` and `metadata.namespace`, each extracting the
   * field's string value (`spec.nodeName`, `status.phase`, `involvedObject.kind`, …).
   */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** Present for built-in kinds that accept strategic merge patch; custom kinds get 415. */
  patchSchema?: PatchSchema;
  /** Fills defaults in place on a fresh copy before validation, on create and update. */
  defaulting?(obj: KubeObject): void;
  /** Field-level problems; non-empty means 422 Invalid. Generic metadata checks are the server's. */
  validate?(obj: KubeObject, ctx: ValidationContext): StatusCause[];
  /** `true` for kinds whose every update bumps generation (no spec/status split, e.g. ConfigMap never does). */
  generationOnAnyChange?: boolean;
  /** The CRD this definition came from, if any. */
  fromCRD?: string;
}

/** `kind.group` or `kind` for core, used in messages. */
export function qualifiedKind(def: Pick<ResourceDef, 'kind' | 'group'>): string {
  return def.group === '' ? def.kind : `${def.kind}.${def.group}`;
}
