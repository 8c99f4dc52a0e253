/**
 * Where objects live in storage and how they are encoded there. Keys are
 * `/registry/<group|core>/<plural>/[<namespace>/]<name>`; values are the object's JSON without
 * `metadata.resourceVersion`, which is always the storage modRevision.
 */
import { formatApiVersion, type KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import type { KeyValue } from '../storage/types.ts';

/** The root under which every object is stored. */
export const REGISTRY_PREFIX = '/registry/';

/** The key prefix of a kind, optionally narrowed to one namespace. Always ends in `/`. */
export function kindPrefix(def: Pick<ResourceDef, 'group' | 'plural'>, namespace = ''): string {
  const base = `${REGISTRY_PREFIX}${def.group || 'core'}/${def.plural}/`;
  return namespace ? `${base}${namespace}/` : base;
}

/** The storage key of one object. */
export function objectKey(
  def: Pick<ResourceDef, 'group' | 'plural' | 'namespaced'>,
  namespace: string,
  name: string,
): string {
  return def.namespaced ? `${kindPrefix(def)}${namespace}/${name}` : `${kindPrefix(def)}${name}`;
}

/** Encodes an object for storage. */
export function encode(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

/** Decodes a stored value, stamping resourceVersion and the requested apiVersion. */
export function decode(
  kv: KeyValue,
  def: Pick<ResourceDef, 'group' | 'versions'>,
  version?: string,
): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  obj.apiVersion = formatApiVersion(def.group, version ?? def.versions[0]!);
  return obj;
}

/** Re-stamps an object for a different served version of the same kind (all versions share one schema). */
export function atVersion(obj: KubeObject, def: Pick<ResourceDef, 'group'>, version: string): KubeObject {
  const apiVersion = formatApiVersion(def.group, version);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

/** Splits a storage key into group, plural, namespace and name (namespace empty for cluster-scoped keys). */
export function parseKey(
  key: string,
): { group: string; plural: string; namespace: string; name: string } | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const group = parts[0] === 'core' ? '' : parts[0]!;
  if (parts.length === 3) return { group, plural: parts[1]!, namespace: '', name: parts[2]! };
  return { group, plural: parts[1]!, namespace: parts[2]!, name: parts[3]! };
}
