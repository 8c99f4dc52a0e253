/**
 * Server-side apply (`application/apply-patch+yaml`): merges an applied configuration into the
 * live object and records what each Apply manager owns in `metadata.managedFields`, the way
 * kube-apiserver's field manager does for the cases kubectl exercises.
 *
 * - Fields in the applied configuration are set. Maps merge; lists with a merge key (per the
 *   schema) merge by key; scalar lists with the `merge` strategy merge as sets; other lists and
 *   scalars are replaced. Without a schema every list is atomic.
 * - Fields this manager applied before but no longer applies are removed, unless another
 *   manager owns them too.
 * - Setting a field another Apply manager owns to a different value is a 409 Conflict, unless
 *   `force`, which moves ownership to this manager.
 * - Only `operation: Apply` entries are written; other entries are carried over untouched.
 */
import { ApiError, errors } from '../../api/errors.ts';
import type { Json, JsonObject, ManagedFieldsEntry } from '../../api/meta.ts';
import type { PatchSchema } from '../../api/patch-schema.ts';
import {
  type FieldPath,
  FieldSet,
  fieldsOf,
  formatPath,
  fromFieldsV1,
  isSetList,
  listMergeKey,
  memberSchema,
  toFieldsV1,
  valueAt,
} from './field-set.ts';
import { clone, isObject, jsonEqual, jsonKind } from './json-value.ts';

/** Options for one apply request. */
export interface ApplyOptions {
  /** The `fieldManager` query parameter; required for apply. */
  manager: string;
  /** The `force` query parameter: take over conflicting fields instead of failing. */
  force?: boolean;
  /** Patch schema of the kind; without one, every list is atomic. */
  schema?: PatchSchema;
  /** Clock for `managedFields[].time`; defaults to now. */
  now?: () => Date;
}

/** The outcome of an apply: the merged object, `metadata.managedFields` already updated. */
export interface ApplyResult<T> {
  object: T;
  managedFields: ManagedFieldsEntry[];
}

interface Conflict {
  manager: string;
  path: FieldPath;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${JSON.stringify(c.manager)}`,
    field: formatPath(c.path),
  }));
  let message: string;
  const [only] = conflicts;
  if (conflicts.length === 1 && only !== undefined) {
    message = `Apply failed with 1 conflict: conflict with ${JSON.stringify(only.manager)}: ${formatPath(only.path)}`;
  } else {
    const managers = [...new Set(conflicts.map((c) => c.manager))].sort();
    const lines = managers.flatMap((m) => [
      `conflicts with ${JSON.stringify(m)}:`,
      ...conflicts.filter((c) => c.manager === m).map((c) => `- ${formatPath(c.path)}`),
    ]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { details: { causes } });
}

/** Whether a path names a leaf whose value can conflict (not list-element or set membership). */
function isValueField(path: FieldPath): boolean {
  const last = path.at(-1) ?? '';
  return !last.startsWith('k:') && !last.startsWith('v:');
}

function removePath(obj: Json, path: FieldPath): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path.at(-1) ?? '';
  const body = last.slice(2);
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[body];
  } else if (Array.isArray(parent)) {
    // valueAt returns the element itself (same reference for objects), so indexOf finds it.
    const target = valueAt(obj, path);
    const i = target === undefined ? -1 : parent.indexOf(target);
    if (i >= 0) parent.splice(i, 1);
  }
}

function mergeApplied(live: Json | undefined, applied: Json, schema: PatchSchema | undefined): Json {
  if (isObject(applied)) {
    const out: JsonObject = isObject(live) ? live : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) continue;
      out[k] = mergeApplied(out[k], v, memberSchema(schema, k));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const mergeKey = listMergeKey(schema);
    if (mergeKey !== undefined && applied.every(isObject) && live.every(isObject)) {
      const out = [...live] as JsonObject[];
      for (const el of applied as JsonObject[]) {
        const i = out.findIndex((x) => jsonEqual(x[mergeKey], el[mergeKey]));
        if (i >= 0) out[i] = mergeApplied(out[i], el, schema?.items) as JsonObject;
        else out.push(mergeApplied(undefined, el, schema?.items) as JsonObject);
      }
      return out;
    }
    if (isSetList(schema)) return [...live, ...applied.filter((v) => !live.includes(v))];
  }
  return clone(applied);
}

function entrySet(e: ManagedFieldsEntry): FieldSet {
  return fromFieldsV1(e.fieldsV1);
}

/**
 * Applies `applied` on behalf of `options.manager` to `live` (undefined when creating) and returns
 * the merged object with its new `managedFields`. Neither input is modified. Throws 400 for a
 * non-object configuration or a missing manager, and 409 Conflict (reason Conflict, one
 * `FieldManagerConflict` cause per field) when another Apply manager owns a field being changed.
 */
export function applyPatch<T extends JsonObject = JsonObject>(
  live: T | undefined,
  applied: unknown,
  options: ApplyOptions,
): ApplyResult<T> {
  if (!isObject(applied))
    throw errors.badRequest(`error decoding YAML: cannot apply a ${jsonKind(applied)}, want an object`);
  if (typeof options.manager !== 'string' || options.manager === '') {
    throw errors.badRequest('PATCH requests of type application/apply-patch+yaml must have fieldManager set');
  }
  const { manager, force = false, schema } = options;
  const base = (live === undefined ? {} : clone(live)) as JsonObject;
  const entries = (
    isObject(base.metadata) && Array.isArray(base.metadata.managedFields) ? base.metadata.managedFields : []
  ) as ManagedFieldsEntry[];
  const appliedSet = fieldsOf(applied, schema);
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const previous = mine === undefined ? new FieldSet() : entrySet(mine);
  const others = entries
    .filter((e) => e !== mine && e.operation === 'Apply')
    .map((entry) => ({ entry, set: entrySet(entry) }));

  const conflicts: Conflict[] = [];
  for (const { entry, set } of others) {
    for (const path of appliedSet.paths()) {
      if (!set.has(path) || !isValueField(path)) continue;
      if (jsonEqual(valueAt(base, path), valueAt(applied, path))) continue;
      conflicts.push({ manager: entry.manager ?? '', path });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const c of conflicts) others.find((o) => o.entry.manager === c.manager)?.set.delete(c.path);

  const ownedElsewhere = (path: FieldPath): boolean => others.some((o) => o.set.has(path));
  const stale = previous.paths().filter((p) => !appliedSet.has(p) && !ownedElsewhere(p));
  // Shallowest first: a list element is found by its key field, so it must go before its fields do.
  for (const path of stale.sort((a, b) => a.length - b.length)) removePath(base, path);

  const merged = mergeApplied(base, applied, schema) as JsonObject;
  const time = (options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const mineNow: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    ...(typeof applied.apiVersion === 'string' ? { apiVersion: applied.apiVersion } : {}),
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(appliedSet),
  };
  const managedFields: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (e === mine) {
      if (appliedSet.size > 0) managedFields.push(mineNow);
      continue;
    }
    const other = others.find((o) => o.entry === e);
    const lost = conflicts.some((c) => c.manager === e.manager);
    if (other === undefined || !lost) managedFields.push(e);
    else if (other.set.size > 0) managedFields.push({ ...e, fieldsV1: toFieldsV1(other.set) });
  }
  if (mine === undefined && appliedSet.size > 0) managedFields.push(mineNow);

  const metadata = (isObject(merged.metadata) ? merged.metadata : {}) as JsonObject;
  if (managedFields.length > 0) metadata.managedFields = managedFields as unknown as Json;
  else delete metadata.managedFields;
  merged.metadata = metadata;
  return { object: merged as T, managedFields };
}
