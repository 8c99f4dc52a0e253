/**
 * Deletion: preconditions, propagation policy (Orphan and Foreground become finalizers the
 * garbage collector acts on), finalizers that hold an object in `deletionTimestamp` until they are
 * removed, Namespace's spec finalizers, and dry runs.
 */
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import { decode, objectKey } from './keys.ts';
import { nowTimestamp } from './object-meta.ts';
import type { Registry } from './registry.ts';
import { storageToApiError } from './storage-errors.ts';
import type { UserInfo } from './types.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  user?: UserInfo;
}

/** Finalizer that makes the garbage collector orphan dependents before the owner goes. */
export const ORPHAN_FINALIZER = 'orphan';
/** Finalizer that makes the garbage collector delete dependents before the owner goes. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

const MAX_RETRIES = 8;

/** Deletes or marks for deletion; `deleted` tells which happened (200 vs 202 for the handler). */
export async function deleteObject(
  registry: Registry,
  def: ResourceDef,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<{ object: KubeObject; deleted: boolean }> {
  const key = objectKey(def, namespace, name);
  for (let attempt = 0; ; attempt++) {
    let kv: Awaited<ReturnType<typeof registry.storage.get>>;
    try {
      kv = await registry.storage.get(key);
    } catch (err) {
      throw storageToApiError(err, def, name);
    }
    if (!kv) throw errors.notFound({ group: def.group, resource: def.plural, name });
    const old = decode(kv, def);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(
        { group: def.group, resource: def.plural, name },
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        { group: def.group, resource: def.plural, name },
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const req = {
      operation: 'DELETE' as const,
      def,
      subresource: '',
      object: old,
      dryRun: !!options.dryRun,
      ...(options.user ? { user: options.user } : {}),
    };
    await registry.admitDelete(req);

    const finalizers = new Set(old.metadata.finalizers ?? []);
    if (options.propagationPolicy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
    if (options.propagationPolicy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    const specFinalizers = old.kind === 'Namespace' && (old.spec?.finalizers?.length ?? 0) > 0;

    if (finalizers.size > 0 || specFinalizers) {
      return markDeleting(registry, def, namespace, name, [...finalizers], !!options.dryRun);
    }
    if (options.dryRun) return { object: old, deleted: true };
    try {
      await registry.storage.delete(key, kv.modRevision);
      registry.notifyCommitted(req);
      return { object: old, deleted: true };
    } catch (err) {
      if ((err as { code?: string }).code === 'Conflict' && attempt < MAX_RETRIES) continue;
      throw storageToApiError(err, def, name);
    }
  }
}

async function markDeleting(
  registry: Registry,
  def: ResourceDef,
  namespace: string,
  name: string,
  finalizers: string[],
  dryRun: boolean,
): Promise<{ object: KubeObject; deleted: boolean }> {
  const key = objectKey(def, namespace, name);
  for (let attempt = 0; ; attempt++) {
    const kv = await registry.storage.get(key);
    if (!kv) throw errors.notFound({ group: def.group, resource: def.plural, name });
    const obj = decode(kv, def);
    const had = new Set(obj.metadata.finalizers ?? []);
    if (obj.metadata.deletionTimestamp && finalizers.every((f) => had.has(f)))
      return { object: obj, deleted: false };
    obj.metadata.deletionTimestamp ??= nowTimestamp();
    obj.metadata.deletionGracePeriodSeconds ??= 0;
    obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), ...finalizers])];
    if (obj.kind === 'Namespace') obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    if (dryRun) return { object: obj, deleted: false };
    if (obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers;
    try {
      const { resourceVersion: _rv, ...meta } = obj.metadata;
      const written = await registry.storage.update(
        key,
        JSON.stringify({ ...obj, metadata: meta }),
        kv.modRevision,
      );
      return { object: decode(written, def), deleted: false };
    } catch (err) {
      if ((err as { code?: string }).code === 'Conflict' && attempt < MAX_RETRIES) continue;
      throw storageToApiError(err, def, name);
    }
  }
}
