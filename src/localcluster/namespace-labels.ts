/**
 * A namespace's labels read straight from the cluster's store, for admission plugins that decide
 * by namespace (sidecar injection), as kube-apiserver's webhooks see namespaces through a lister.
 */
import { objectKey } from '../apiserver/keys.ts';
import type { Storage } from '../storage/types.ts';

const NAMESPACES = { group: '', plural: 'namespaces', namespaced: false } as const;

/** A lookup of namespace labels over `storage`; undefined for a namespace that does not exist. */
export function namespaceLabels(
  storage: Storage,
): (name: string) => Promise<Record<string, string> | undefined> {
  return async (name) => {
    const kv = await storage.get(objectKey(NAMESPACES, '', name));
    if (!kv) return undefined;
    const ns = JSON.parse(kv.value) as { metadata?: { labels?: Record<string, string> } };
    return ns.metadata?.labels ?? {};
  };
}
