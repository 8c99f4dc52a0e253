/**
 * What the failover controllers share: the control-plane client, one informer factory and event
 * recorder, the clock, and the binding caches with their keys (`rb|<ns>/<name>`, `crb|<name>`)
 * and an index of bindings by target cluster.
 */
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { ResourceBinding } from '../../api/karmada/types.ts';
import type { Client } from '../../client/client.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { objectKey } from '../../controller/store.ts';

/** Options every failover controller is built from. */
export interface FailoverContext {
  client: Client;
  /** The shared factory; the caller starts it after building the controllers. */
  factory: InformerFactory;
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  /** The clock, for tests; default `Date.now`. */
  now?: (() => number) | undefined;
}

const BY_TARGET = 'targetCluster';

/** ResourceBindings and ClusterResourceBindings behind one key space. */
export interface Bindings {
  rbs: Informer<ResourceBinding>;
  crbs: Informer<ResourceBinding>;
  /** The cached binding for a key, if any. */
  get(key: string): ResourceBinding | undefined;
  /** Keys of bindings whose `spec.clusters` names `cluster`. */
  targeting(cluster: string): string[];
  /** Every binding key. */
  all(): string[];
}

/** `rb|<ns>/<name>` or `crb|<name>`. */
export function bindingKey(b: ResourceBinding): string {
  return b.metadata.namespace ? `rb|${objectKey(b)}` : `crb|${b.metadata.name}`;
}

/** The collection and object key behind a binding key. */
export function splitBindingKey(key: string): { ref: ResourceRef; namespace?: string; name: string } {
  const rest = key.slice(key.indexOf('|') + 1);
  if (key.startsWith('crb|')) return { ref: resources.clusterresourcebindings, name: rest };
  const slash = rest.indexOf('/');
  return { ref: resources.resourcebindings, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

const cache = new WeakMap<InformerFactory, Bindings>();

/** The binding informers of `factory` (with the by-target index), created once per factory. */
export function bindingsOf(factory: InformerFactory): Bindings {
  const existing = cache.get(factory);
  if (existing) return existing;
  const rbs = factory.informer<ResourceBinding>(resources.resourcebindings);
  const crbs = factory.informer<ResourceBinding>(resources.clusterresourcebindings);
  const targets = (b: ResourceBinding) => (b.spec.clusters ?? []).map((c) => c.name);
  rbs.addIndex(BY_TARGET, targets);
  crbs.addIndex(BY_TARGET, targets);
  const bindings: Bindings = {
    rbs,
    crbs,
    get: (key) => (key.startsWith('crb|') ? crbs.store.get(key.slice(4)) : rbs.store.get(key.slice(3))),
    targeting: (cluster) =>
      [...rbs.store.byIndex(BY_TARGET, cluster), ...crbs.store.byIndex(BY_TARGET, cluster)].map(bindingKey),
    all: () => [...rbs.store.list(), ...crbs.store.list()].map(bindingKey),
  };
  cache.set(factory, bindings);
  return bindings;
}

/**
 * Reads the binding behind `key` fresh, lets `mutate` return its next spec (undefined: no
 * change), and updates it; retries on 409 Conflict. Resolves with the written binding, or
 * undefined when nothing was written or the binding is gone.
 */
export async function updateBindingSpec(
  client: Client,
  key: string,
  mutate: (binding: ResourceBinding) => ResourceBinding['spec'] | undefined,
): Promise<ResourceBinding | undefined> {
  const { ref, namespace, name } = splitBindingKey(key);
  for (let attempt = 0; ; attempt++) {
    let fresh: ResourceBinding;
    try {
      fresh = await client.get<ResourceBinding>(ref, { name, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (fresh.metadata.deletionTimestamp) return undefined;
    const spec = mutate(fresh);
    if (spec === undefined) return undefined;
    try {
      return await client.update<ResourceBinding>(ref, { ...fresh, spec });
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
    }
  }
}

/** A timestamp as Kubernetes writes them (seconds precision). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
