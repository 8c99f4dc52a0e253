/**
 * Watches the objects Karmada manages in member clusters: one informer per (cluster, resource),
 * label selector `karmada.io/managed=true`, started lazily the first time a Work with that kind
 * is reconciled. Events are mapped to the owning Work through the `work.karmada.io/namespace`
 * and `/name` annotations and handed to subscribers (the execution controller reverts drift and
 * recreates deleted objects; the work-status controller reflects status). Informers retry with
 * back-off while a member is unreachable; they are dropped when its client is rebuilt.
 */
import type { Logger } from 'pino';
import { ANNOTATIONS, LABELS } from '../api/karmada/names.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceRef } from '../client/resources.ts';
import { Informer } from '../controller/informer.ts';
import type { MemberSource } from './members.ts';

/** One member-object event, already mapped to the Work that owns the object. */
export interface MemberEvent {
  cluster: string;
  /** `namespace/name` of the owning Work. */
  workKey: string;
  type: 'add' | 'update' | 'delete';
  oldObj?: KubeObject;
  obj: KubeObject;
}

/** Options for {@link MemberWatcher}. */
export interface MemberWatcherOptions {
  members: MemberSource;
  logger?: Logger | undefined;
}

function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}

/** Per-cluster informers over managed member objects; `stop` ends them all. */
export class MemberWatcher {
  readonly #opts: MemberWatcherOptions;
  readonly #informers = new Map<string, Map<string, Informer>>();
  readonly #subscribers = new Set<(e: MemberEvent) => void>();
  readonly #unsubscribe: () => void;

  constructor(options: MemberWatcherOptions) {
    this.#opts = options;
    this.#unsubscribe = options.members.onChange((cluster) => void this.forget(cluster));
  }

  /** Registers a handler for member events; it must not block. Returns the unsubscribe. */
  subscribe(handler: (e: MemberEvent) => void): () => void {
    this.#subscribers.add(handler);
    return () => this.#subscribers.delete(handler);
  }

  #emit(cluster: string, type: MemberEvent['type'], obj: KubeObject, oldObj?: KubeObject): void {
    const a = obj.metadata.annotations ?? {};
    const ns = a[ANNOTATIONS.workNamespace];
    const name = a[ANNOTATIONS.workName];
    if (!ns || !name) return;
    const event: MemberEvent = {
      cluster,
      workKey: `${ns}/${name}`,
      type,
      obj,
      ...(oldObj ? { oldObj } : {}),
    };
    for (const s of this.#subscribers) s(event);
  }

  /** Starts watching `ref` in `cluster` if not yet watched; never blocks on the member. */
  async ensure(cluster: string, ref: ResourceRef): Promise<void> {
    let byRef = this.#informers.get(cluster);
    if (byRef?.has(refKey(ref))) return;
    const { client } = await this.#opts.members.get(cluster);
    byRef = this.#informers.get(cluster) ?? new Map<string, Informer>();
    this.#informers.set(cluster, byRef);
    if (byRef.has(refKey(ref))) return;
    const informer = new Informer({
      client,
      resource: ref,
      labelSelector: `${LABELS.managed}=true`,
      backoff: { initialMs: 500, maxMs: 10_000 },
      ...(this.#opts.logger ? { logger: this.#opts.logger.child({ cluster }) } : {}),
    });
    informer.addHandlers({
      onAdd: (o) => this.#emit(cluster, 'add', o),
      onUpdate: (old, o) => this.#emit(cluster, 'update', o, old),
      onDelete: (o) => this.#emit(cluster, 'delete', o),
    });
    byRef.set(refKey(ref), informer);
    informer.start();
  }

  /** The cached member object, when its informer has synced; undefined otherwise. */
  cached(
    cluster: string,
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const informer = this.#informers.get(cluster)?.get(refKey(ref));
    if (!informer?.hasSynced()) return undefined;
    return informer.store.get(namespace ? `${namespace}/${name}` : name);
  }

  /** True when `ref` in `cluster` is watched and synced (so a cache miss means absent). */
  synced(cluster: string, ref: ResourceRef): boolean {
    return this.#informers.get(cluster)?.get(refKey(ref))?.hasSynced() ?? false;
  }

  /** Stops a cluster's informers (its client changed or it left). */
  async forget(cluster: string): Promise<void> {
    const byRef = this.#informers.get(cluster);
    this.#informers.delete(cluster);
    await Promise.all([...(byRef?.values() ?? [])].map((i) => i.stop()));
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    this.#unsubscribe();
    await Promise.all([...this.#informers.keys()].map((c) => this.forget(c)));
  }
}
