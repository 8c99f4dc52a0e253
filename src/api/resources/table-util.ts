/**
 * Building blocks for server-side tables: column constructors, the standard Name and Age
 * columns, and the label/selector formatting kubectl's printers use.
 */
import type { KubeObject } from '../meta.ts';
import type { TableColumn, TableDef } from '../resource-def.ts';
import { translateTimestampSince } from './age.ts';

/** The description Kubernetes gives the Name column (ObjectMeta `name`). */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** The description Kubernetes gives the Age column (ObjectMeta `creationTimestamp`). */
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column definition; `priority` 1 marks an `-o wide` column. */
export function column(
  name: string,
  type: TableColumn['type'] = 'string',
  description = '',
  priority = 0,
  format = '',
): TableColumn {
  return { name, type, format, description, priority };
}

/** The `Name` column, `format: "name"` so kubectl prefixes `kind.group/` in multi-type output. */
export function nameColumn(priority = 0): TableColumn {
  return column('Name', 'string', NAME_DESCRIPTION, priority, 'name');
}

/** The `Age` column as the built-in printers declare it (type string). */
export function ageColumn(): TableColumn {
  return column('Age', 'string', AGE_DESCRIPTION);
}

/** A wide (`priority: 1`) string column. */
export function wide(name: string, description = '', type: TableColumn['type'] = 'string'): TableColumn {
  return column(name, type, description, 1);
}

/** The age cell of an object. */
export function ageOf(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

/** The default table of a kind without printers: `Name`, `Age`. */
export function nameAgeTable(): TableDef {
  return {
    columns: [nameColumn(), ageColumn()],
    cells: (obj, now) => [obj.metadata.name ?? '', ageOf(obj, now)],
  };
}

/** `labels.FormatLabels`: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k]}`).join(',');
}

interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** A `metav1.LabelSelector` as JSON. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, `k=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`; `<none>` for a missing selector and `` for an
 * empty one (which selects everything).
 */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  if (sel === undefined || sel === null) return '<none>';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    let text = e.key;
    if (e.operator === 'In') text = `${e.key} in (${values})`;
    else if (e.operator === 'NotIn') text = `${e.key} notin (${values})`;
    else if (e.operator === 'DoesNotExist') text = `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** Comma-joined container names and images of a pod spec (`layoutContainerCells`). */
export function containerCells(
  podSpec: { containers?: { name?: string; image?: string }[] } | undefined,
): [string, string] {
  const cs = podSpec?.containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** The integer value of a possibly missing count, as Go's zero value. */
export function int(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}
