/**
 * The one place where storage errors become API errors.
 */
import { ApiError, errors } from '../api/errors.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import { isStorageError } from '../storage/types.ts';

/** Maps a storage failure on `def`/`name` to the ApiError a client should see; ApiErrors pass through. */
export function storageToApiError(
  err: unknown,
  def: Pick<ResourceDef, 'group' | 'plural'>,
  name: string,
): ApiError {
  if (err instanceof ApiError) return err;
  const t = { group: def.group, resource: def.plural, name };
  if (isStorageError(err, 'KeyExists')) return errors.alreadyExists(t);
  if (isStorageError(err, 'NotFound')) return errors.notFound(t);
  if (isStorageError(err, 'Conflict')) return errors.conflict(t);
  if (isStorageError(err, 'Compacted')) {
    return errors.expired('The resourceVersion for the provided list is too old.');
  }
  if (isStorageError(err, 'Unavailable'))
    return errors.unavailable(`storage is unavailable: ${(err as Error).message}`);
  return errors.internal((err as Error)?.message ?? String(err), err);
}
