/**
 * Server-side handling of ObjectMeta shared by every write: system fields set on create, fields
 * kept from the old object on update, generation bumps, and generated names.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A random suffix as Kubernetes' name generator makes (5 characters, no vowels). */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return s;
}

/** Current time as Kubernetes serialises it (RFC 3339, whole seconds, UTC). */
export function nowTimestamp(now = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** Fills the metadata the server owns on create; the object is a private copy. */
/**
 * `keepManagedFields` is for creates through server-side apply, whose field ownership was just
 * computed; plain creates drop client-sent managedFields.
 */
export function prepareForCreate(
  obj: KubeObject,
  def: ResourceDef,
  namespace: string,
  keepManagedFields = false,
): void {
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
  if (def.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  meta.generation = 1;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (!keepManagedFields) delete meta.managedFields;
  if (def.subresources.status) delete obj.status;
}

/** The parts of an object that count as its spec: everything but metadata (and status, when it has a subresource). */
function specOf(obj: KubeObject, def: ResourceDef): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return def.subresources.status ? rest : { ...rest, status };
}

/**
 * Carries over what an update may not change (identity, creation, deletion state) and bumps
 * `generation` when the spec changed.
 */
export function prepareForUpdate(obj: KubeObject, old: KubeObject, def: ResourceDef): void {
  const meta = obj.metadata;
  const was = old.metadata;
  meta.name = was.name!;
  if (def.namespaced) meta.namespace = was.namespace!;
  else delete meta.namespace;
  meta.uid = was.uid!;
  meta.creationTimestamp = was.creationTimestamp!;
  if (was.deletionTimestamp) meta.deletionTimestamp = was.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (was.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = was.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  const generation = was.generation ?? 1;
  meta.generation = isDeepStrictEqual(specOf(obj, def), specOf(old, def)) ? generation : generation + 1;
}

/** Metadata a status write may not change: everything but what the object's owner tracks. */
export function keepMetadataForStatus(obj: KubeObject, old: KubeObject): KubeObject {
  return { ...old, status: obj.status, metadata: { ...old.metadata } };
}

/** Strips empty maps and lists the way Go's `omitempty` would, so no-op writes compare equal. */
export function normaliseMeta(obj: KubeObject): void {
  const meta = obj.metadata;
  for (const f of ['labels', 'annotations'] as const) {
    if (meta[f] && Object.keys(meta[f]).length === 0) delete meta[f];
  }
  for (const f of ['finalizers', 'ownerReferences', 'managedFields'] as const) {
    if (meta[f] && meta[f].length === 0) delete meta[f];
  }
}
