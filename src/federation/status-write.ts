/**
 * Status writes shared by the federation controllers: read the object fresh, let the caller
 * compute the next object, write it through the status subresource, and retry on 409 Conflict
 * (several controllers write different parts of the same status). Plus condition helpers.
 */
import { isConflict, isNotFound } from '../api/errors.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import type { Client, ObjectKey } from '../client/client.ts';
import type { ResourceRef } from '../client/resources.ts';

/**
 * Reads `key` fresh, calls `mutate` on a copy, and PUTs `…/status` when it returns an object;
 * `undefined` means nothing to write. Retries conflicts up to 5 times; resolves `undefined`
 * when the object is gone. With `cached` (an informer's copy), the first attempt starts from it
 * instead of a GET: nothing is read when nothing changes, and a stale copy costs one Conflict.
 */
export async function writeStatus<T extends KubeObject>(
  client: Client,
  ref: ResourceRef,
  key: ObjectKey,
  mutate: (fresh: T) => T | undefined,
  cached?: T,
): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    let fresh: T;
    if (attempt === 0 && cached) {
      fresh = cached;
    } else {
      try {
        fresh = await client.get<T>(ref, key);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }
    const next = mutate(structuredClone(fresh));
    if (next === undefined) return fresh;
    try {
      return await client.updateStatus<T>(ref, next);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err) || attempt >= 4) throw err;
    }
  }
}

/** A timestamp as Kubernetes writes them (seconds precision). */
export function now(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `conditions` with `cond` set: `lastTransitionTime` kept when the status did not change.
 * Returns the same array when nothing changed (so callers can skip the write).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  cond: Condition,
  at = now(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? list[i] : undefined;
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) {
    return conditions as Condition[];
  }
  const next: Condition = {
    ...cond,
    lastTransitionTime: old && old.status === cond.status ? (old.lastTransitionTime ?? at) : at,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** The condition of `type`, if present. */
export function conditionOf(obj: { status?: { conditions?: Condition[] } } | undefined, type: string) {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
