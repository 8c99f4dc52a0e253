/**
 * The dashboard's picture of the fleet: shared informers on Clusters, (Cluster)ResourceBindings,
 * Works, the four policy kinds and, as bindings name them, the templates' kinds (resolved
 * through discovery). Every cache change marks the views it affects as dirty; listeners hear
 * about dirty views at most every `debounceMs`, then rebuild them from the caches.
 */
import type { Logger } from 'pino';
import type {
  Cluster,
  OverridePolicy,
  PropagationPolicy,
  ResourceBinding,
  Work,
} from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import { type ResourceRef, resources } from '../client/resources.ts';
import { type Informer, InformerFactory } from '../controller/index.ts';
import { silentLogger } from '../log/index.ts';
import { type ClustersView, clustersView, ReadinessHistory } from './clusters.ts';
import { type PlacementView, placementView } from './placement.ts';
import { type PoliciesView, policiesView } from './policies.ts';

/** The views built from the control plane's objects. */
export type FleetTopic = 'clusters' | 'placement' | 'policies';

/** Options for {@link FleetState}. */
export interface FleetStateOptions {
  /** A client allowed to list and watch everything the views show. */
  client: Client;
  logger?: Logger;
  /** Coalesce changes for this long before telling listeners; default 150 ms. */
  debounceMs?: number;
}

type Ref = ResourceBinding['spec']['resource'];

function templateKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

/** Live caches of the fleet; `start` once, `stop` at the end. */
export class FleetState {
  readonly history = new ReadinessHistory();
  readonly #factory: InformerFactory;
  readonly #discovery: Discovery;
  readonly #log: Logger;
  readonly #debounceMs: number;
  readonly #listeners = new Set<(topics: ReadonlySet<FleetTopic>) => void>();
  readonly #dirty = new Set<FleetTopic>();
  readonly #templates = new Map<string, Informer | 'pending' | 'unknown'>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly clusters: Informer<Cluster>;
  readonly bindings: Informer<ResourceBinding>;
  readonly clusterBindings: Informer<ResourceBinding>;
  readonly works: Informer<Work>;
  readonly propagation: Informer<PropagationPolicy>;
  readonly clusterPropagation: Informer<PropagationPolicy>;
  readonly override: Informer<OverridePolicy>;
  readonly clusterOverride: Informer<OverridePolicy>;

  constructor(options: FleetStateOptions) {
    this.#log = options.logger ?? silentLogger();
    this.#debounceMs = options.debounceMs ?? 150;
    this.#factory = new InformerFactory({ client: options.client, logger: this.#log });
    this.#discovery = new Discovery({ client: options.client });
    const watch = <T extends KubeObject>(ref: ResourceRef, topics: FleetTopic[]) => {
      const informer = this.#factory.informer<T>(ref);
      const mark = () => this.#mark(topics);
      informer.addHandlers({ onAdd: mark, onUpdate: mark, onDelete: mark });
      return informer;
    };
    this.clusters = watch<Cluster>(resources.clusters, ['clusters', 'placement']);
    this.clusters.addHandlers({
      onAdd: (c) => this.history.observe(c),
      onUpdate: (_old, c) => this.history.observe(c),
      onDelete: (c) => this.history.removed(c.metadata.name ?? ''),
    });
    const onBinding = {
      onAdd: (b: ResourceBinding) => this.#ensureTemplates(b.spec.resource),
      onUpdate: (_o: ResourceBinding, b: ResourceBinding) => this.#ensureTemplates(b.spec.resource),
    };
    this.bindings = watch<ResourceBinding>(resources.resourcebindings, ['placement', 'policies']);
    this.bindings.addHandlers(onBinding);
    this.clusterBindings = watch<ResourceBinding>(resources.clusterresourcebindings, [
      'placement',
      'policies',
    ]);
    this.clusterBindings.addHandlers(onBinding);
    this.works = watch<Work>(resources.works, ['placement']);
    this.propagation = watch<PropagationPolicy>(resources.propagationpolicies, ['policies', 'placement']);
    this.clusterPropagation = watch<PropagationPolicy>(resources.clusterpropagationpolicies, [
      'policies',
      'placement',
    ]);
    this.override = watch<OverridePolicy>(resources.overridepolicies, ['policies']);
    this.clusterOverride = watch<OverridePolicy>(resources.clusteroverridepolicies, ['policies']);
  }

  /** Starts every informer; returns at once. */
  start(): void {
    this.#factory.start();
  }

  /** Resolves once the fixed informers have listed (template informers catch up later). */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await this.#factory.waitForSync(signal ? { signal } : {});
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#factory.stop();
  }

  /** Calls `fn` with the views that changed, debounced; returns a function removing it. */
  onChange(fn: (topics: ReadonlySet<FleetTopic>) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Builds one view from the caches. */
  view(topic: 'clusters'): ClustersView;
  view(topic: 'placement'): PlacementView;
  view(topic: 'policies'): PoliciesView;
  view(topic: FleetTopic): ClustersView | PlacementView | PoliciesView;
  view(topic: FleetTopic): ClustersView | PlacementView | PoliciesView {
    if (topic === 'clusters') return clustersView(this.clusters.store.list(), this.history);
    const placement = placementView({
      bindings: [...this.bindings.store.list(), ...this.clusterBindings.store.list()],
      clusters: this.clusters.store.list().map((c) => c.metadata.name ?? ''),
      work: (namespace, name) => this.works.store.get(`${namespace}/${name}`),
      template: (ref) => this.#template(ref),
    });
    if (topic === 'placement') return placement;
    return policiesView({
      propagation: this.propagation.store.list(),
      clusterPropagation: this.clusterPropagation.store.list(),
      override: this.override.store.list(),
      clusterOverride: this.clusterOverride.store.list(),
      rows: placement.rows,
      template: (row) => this.#template(row),
    });
  }

  #template(ref: {
    apiVersion: string;
    kind: string;
    namespace?: string | undefined;
    name: string;
  }): KubeObject | undefined {
    const informer = this.#templates.get(templateKey(ref.apiVersion, ref.kind));
    if (typeof informer !== 'object') return undefined;
    return informer.store.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
  }

  /** Starts an informer on the template's kind the first time a binding names it. */
  #ensureTemplates(ref: Ref): void {
    const key = templateKey(ref.apiVersion, ref.kind);
    if (this.#templates.has(key) || this.#stopped) return;
    this.#templates.set(key, 'pending');
    this.#discovery.resolve(ref).then(
      (resolved) => {
        if (this.#stopped) return;
        const informer = this.#factory.informer(resolved);
        const mark = () => this.#mark(['placement', 'policies']);
        informer.addHandlers({ onAdd: mark, onUpdate: mark, onDelete: mark });
        this.#templates.set(key, informer);
      },
      (err: unknown) => {
        // A kind discovery does not know yet (a CRD on its way) is retried 30 s later.
        this.#log.warn({ err, apiVersion: ref.apiVersion, kind: ref.kind }, 'template kind not served');
        this.#templates.set(key, 'unknown');
        setTimeout(() => this.#templates.delete(key), 30_000).unref();
      },
    );
  }

  #mark(topics: readonly FleetTopic[]): void {
    for (const t of topics) this.#dirty.add(t);
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const dirty = new Set(this.#dirty);
      this.#dirty.clear();
      for (const fn of this.#listeners) {
        try {
          fn(dirty);
        } catch (err) {
          this.#log.error({ err }, 'dashboard change listener failed');
        }
      }
    }, this.#debounceMs);
  }
}
