/**
 * The patch package's public face: `applyPatchByContentType` picks the mechanism from the PATCH
 * request's Content-Type, as kube-apiserver does, and answers 415 for types the kind does not
 * accept (strategic merge on a kind without a PatchSchema, i.e. a custom resource).
 */
import { errors } from '../../api/errors.ts';
import type { JsonObject } from '../../api/meta.ts';
import type { PatchSchema } from '../../api/patch-schema.ts';
import { applyPatch } from './apply.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge.ts';

export { type ApplyOptions, type ApplyResult, applyPatch } from './apply.ts';
export { fieldsOf, formatPath, fromFieldsV1, toFieldsV1 } from './field-set.ts';
export { applyJsonPatch, JSON_PATCH_REJECTED, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge.ts';

/** The PATCH content types kube-apiserver understands. */
export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Options for `applyPatchByContentType`. */
export interface PatchOptions {
  /** The kind's PatchSchema; absent for custom kinds, which then refuse strategic merge. */
  schema?: PatchSchema;
  /** The `fieldManager` query parameter; required for apply. */
  manager: string;
  /** The `force` query parameter, for apply. */
  force?: boolean;
  /** Clock for apply's `managedFields[].time`. */
  now?: () => Date;
}

/** The content types a kind accepts, in the order kube-apiserver lists them in its 415 message. */
export function acceptedPatchTypes(hasSchema: boolean): string[] {
  const { json, merge, strategic, apply } = PATCH_CONTENT_TYPES;
  return hasSchema ? [json, merge, strategic, apply] : [json, merge, apply];
}

/**
 * Applies a PATCH body (already parsed) to `live` according to `contentType` (parameters such as
 * `; charset=utf-8` ignored) and returns the new object; `live` is not modified. `live` may be
 * undefined only for apply, which then creates; for the other types the caller answers 404 first.
 * Throws 415 UnsupportedMediaType with kube-apiserver's message for unknown types and for
 * strategic merge without a schema, and the mechanisms' own 400/409/413/422 ApiErrors.
 */
export function applyPatchByContentType<T extends JsonObject = JsonObject>(
  contentType: string,
  live: T | undefined,
  patchBody: unknown,
  options: PatchOptions,
): T {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const accepted = acceptedPatchTypes(options.schema !== undefined);
  if (!accepted.includes(type)) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
  if (type === PATCH_CONTENT_TYPES.apply) {
    const { manager, force, schema, now } = options;
    return applyPatch(live, patchBody, {
      manager,
      ...(force !== undefined ? { force } : {}),
      ...(schema !== undefined ? { schema } : {}),
      ...(now !== undefined ? { now } : {}),
    }).object;
  }
  const doc = live ?? ({} as T);
  if (type === PATCH_CONTENT_TYPES.json) return applyJsonPatch(doc, patchBody);
  if (type === PATCH_CONTENT_TYPES.merge) return applyMergePatch(doc, patchBody);
  return applyStrategicMergePatch(doc, patchBody, options.schema as PatchSchema);
}
