/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) driven by a `PatchSchema`, with
 * the server-side semantics of apimachinery's `StrategicMergeMapPatch`: maps merge, `null`
 * deletes, lists whose schema says `merge` are merged by `mergeKey` (objects) or as sets
 * (scalars), other lists are replaced; directives `$patch: replace|delete|merge`,
 * `$setElementOrder/<list>`, `$retainKeys` and `$deleteFromPrimitiveList/<list>` are honoured.
 *
 * Deliberate differences from apimachinery, all for inputs it rejects or mangles:
 * `$patch: merge` is accepted as a no-op (apimachinery rejects it); a `$patch: replace` map under
 * a key the live object lacks yields the map's content (apimachinery drops it); errors that
 * apimachinery reports as 500 (missing merge key, unknown `$patch`) are 400 BadRequest here.
 */
import { ApiError, errors } from '../../api/errors.ts';
import type { Json, JsonObject } from '../../api/meta.ts';
import type { PatchSchema } from '../../api/patch-schema.ts';
import { clone, goKind, isObject, jsonKind } from './json-value.ts';
import { indexOf, normalizeOrder, partition } from './strategic-order.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder';
const DELETE_FROM = '$deleteFromPrimitiveList';

/** The message kube-apiserver gives for SMP errors it reports through a generic 422. */
const GENERIC_422 = 'the server rejected our request due to an error in our request';

function bad(message: string): never {
  throw errors.badRequest(message);
}

function unprocessable(detail: string): never {
  throw new ApiError(422, 'Invalid', GENERIC_422, {
    cause: new Error(detail),
    details: { causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'patch' }] },
  });
}

function goMap(m: JsonObject): string {
  const body = Object.keys(m)
    .sort()
    .map((k) => `${k}:${isObject(m[k]) ? goMap(m[k] as JsonObject) : JSON.stringify(m[k])}`)
    .join(' ');
  return `map[${body}]`;
}

function childSchema(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  return schema?.fields?.[key] ?? schema?.values;
}

function merges(schema: PatchSchema | undefined): boolean {
  return schema?.strategy === 'merge' || schema?.strategy === 'merge,retainKeys';
}

function suffix(key: string, prefix: string, problem: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) bad(problem);
  return key.slice(slash + 1);
}

/** A value for a key the live object lacks: directives are resolved against nothing, nulls dropped. */
function fresh(value: Json, schema: PatchSchema | undefined): Json | undefined {
  if (isObject(value)) return value[PATCH] === 'delete' ? undefined : mergeMap({}, value, schema);
  if (Array.isArray(value)) return mergeListField([], value, schema);
  return value;
}

function checkElements(lists: Json[][]): 'map' | 'scalar' | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) unprocessable('lists of lists are not supported');
      const k = goKind(v);
      if (kind === undefined) kind = k;
      else if (kind !== k) bad(`list element types are not identical: ${JSON.stringify(lists)}`);
    }
  }
  return kind === undefined ? undefined : kind === 'map' ? 'map' : 'scalar';
}

function keyOf(item: JsonObject, mergeKey: string): Json {
  if (!Object.hasOwn(item, mergeKey))
    bad(`map: ${goMap(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey] as Json;
}

/** Merges a list field: `merge` strategy merges, anything else is replaced by the patch. */
function mergeListField(original: Json[], patch: Json[], schema: PatchSchema | undefined): Json[] {
  if (merges(schema)) return mergeList(original, patch, schema, false);
  const items = schema?.items;
  const out: Json[] = [];
  for (const el of patch) {
    if (isObject(el) && Object.hasOwn(el, PATCH)) continue;
    out.push(isObject(el) ? mergeMap({}, el, items) : clone(el));
  }
  return out;
}

function mergeList(
  original: Json[],
  patch: Json[],
  schema: PatchSchema | undefined,
  deleting: boolean,
): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = checkElements([original, patch]);
  if (kind === 'scalar') {
    if (deleting) return original.filter((v) => !patch.includes(v));
    const merged = [...original];
    for (const v of patch) if (!merged.includes(v)) merged.push(v);
    const [named, serverOnly] = partition(merged, patch, undefined);
    return normalizeOrder(named, serverOnly, patch, original, undefined);
  }
  const mergeKey = schema?.mergeKey;
  if (mergeKey === undefined) bad('cannot merge lists without merge key');
  let live = [...original];
  let replace = false;
  const plain: JsonObject[] = [];
  for (const el of patch as JsonObject[]) {
    const directive = el[PATCH];
    if (directive === undefined || directive === 'merge') {
      if (directive === undefined) plain.push(el);
    } else if (directive === 'delete') {
      const key = keyOf(el, mergeKey);
      live = live.filter((x) => !isObject(x) || x[mergeKey] !== key);
    } else if (directive === 'replace') {
      replace = true;
    } else {
      bad(`unknown patch type: ${String(directive)} in map: ${goMap(el)}`);
    }
  }
  if (replace) return plain.map((el) => mergeMap({}, el, schema?.items));
  for (const el of plain) {
    keyOf(el, mergeKey);
    const i = indexOf(live, el, mergeKey);
    if (i >= 0) live[i] = mergeMap(live[i] as JsonObject, el, schema?.items);
    else live.push(mergeMap({}, el, schema?.items));
  }
  const [named, serverOnly] = partition(live, plain, mergeKey);
  return normalizeOrder(named, serverOnly, plain, original, mergeKey);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) bad('invalid patch format of retainKeys');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER)) continue;
    if (!keep.includes(k)) bad('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
}

function checkOrderList(patchList: Json[], order: Json[], mergeKey: string | undefined): void {
  const listed = patchList.filter((el) => !(isObject(el) && Object.hasOwn(el, PATCH)));
  let o = 0;
  for (const el of listed) {
    while (o < order.length && indexOf([order[o] as Json], el, mergeKey) < 0) o++;
    if (o >= order.length) {
      bad(
        `The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ORDER} list:\n${JSON.stringify(order)}\n`,
      );
    }
    o++;
  }
}

function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  schema: PatchSchema | undefined,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const field = suffix(key, SET_ORDER, 'invalid patch format of setElementOrder list');
    if (!Array.isArray(order)) bad(`expected a []interface {}, but received a ${goKind(order)}`);
    const sub = childSchema(schema, field);
    const mergeKey = sub?.mergeKey;
    const live = original[field];
    const patchList = patch[field];
    if (patchList === null) continue;
    if (patchList !== undefined && !Array.isArray(patchList))
      bad('invalid patch format of setElementOrder list');
    if (live !== undefined && !Array.isArray(live))
      bad(`expected a []interface {}, but received a ${goKind(live)}`);
    if (patchList !== undefined) checkOrderList(patchList, order, mergeKey);
    let merged: Json[];
    if (live !== undefined && patchList !== undefined) merged = mergeListField(live, patchList, sub);
    else if (live !== undefined) merged = live;
    else if (patchList !== undefined) merged = mergeListField([], patchList, sub);
    else continue;
    if (checkElements([merged]) === 'map' && mergeKey !== undefined) {
      for (const el of merged) keyOf(el as JsonObject, mergeKey);
    }
    const [named, serverOnly] = partition(merged, order, mergeKey);
    original[field] = normalizeOrder(named, serverOnly, order, live ?? [], mergeKey);
    delete patch[field];
  }
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (Object.hasOwn(patch, PATCH)) {
    const { [PATCH]: directive, ...rest } = patch;
    if (directive === 'replace') return mergeMap({}, rest, schema);
    if (directive === 'delete') return {};
    if (directive !== 'merge') bad(`unknown patch type: ${String(directive)} in map: ${goMap(patch)}`);
    patch = rest;
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);
  for (const [rawKey, value] of Object.entries(patch)) {
    const deleting = rawKey.startsWith(DELETE_FROM);
    const key = deleting ? suffix(rawKey, DELETE_FROM, 'invalid patch format of primitive list') : rawKey;
    const sub = childSchema(schema, key);
    const live = original[key];
    if (deleting) {
      if (!Array.isArray(value)) bad(`expected a []interface {}, but received a ${goKind(value)}`);
      if (Array.isArray(live)) original[key] = mergeList(live, value, sub, true);
      continue;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    let next: Json | undefined;
    if (live === undefined || jsonKind(live) !== jsonKind(value)) next = fresh(value, sub);
    else if (isObject(live) && isObject(value)) {
      next = sub?.strategy === 'replace' ? fresh(value, sub) : mergeMap(live, value, sub);
    } else if (Array.isArray(live) && Array.isArray(value)) next = mergeListField(live, value, sub);
    else next = value;
    if (next === undefined) delete original[key];
    else original[key] = next;
  }
  return original;
}

/**
 * Applies a strategic merge patch (already JSON-parsed) to a copy of `doc` using `schema`, and
 * returns the result; neither argument is modified. Throws 400 BadRequest for malformed patches
 * and directives, 422 Invalid where kube-apiserver answers 422 (lists of lists, retainKeys).
 */
export function applyStrategicMergePatch<T = JsonObject>(doc: T, patch: unknown, schema: PatchSchema): T {
  if (!isObject(patch))
    bad(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  const original = isObject(doc) ? clone(doc as JsonObject) : {};
  return mergeMap(original, clone(patch), schema) as T;
}
