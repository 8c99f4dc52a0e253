/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively, `null`
 * deletes a key, anything else (arrays included) replaces. Used for custom kinds, where kubectl
 * sends merge patches instead of strategic ones.
 */
import { ApiError, errors } from '../../api/errors.ts';
import type { Json, JsonObject } from '../../api/meta.ts';
import { clone, isObject, jsonKind } from './json-value.ts';

function mergeInto(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}

/**
 * Applies a merge patch (already JSON-parsed) to `doc` and returns a new object; `doc` is not
 * modified. A `null` patch is 400 `Invalid JSON Patch` and a patch that is not an object is 422,
 * as kube-apiserver answers (it cannot decode the non-object result into the kind).
 */
export function applyMergePatch<T = Json>(doc: T, patch: unknown): T {
  if (patch === null || patch === undefined) throw errors.badRequest('Invalid JSON Patch');
  if (!isObject(patch)) {
    throw new ApiError(422, 'Invalid', `the patch must be a JSON object, got ${jsonKind(patch)}`, {
      details: {
        causes: [{ reason: 'FieldValueInvalid', message: 'must be a JSON object', field: 'patch' }],
      },
    });
  }
  return mergeInto(doc as Json, patch) as T;
}
