/**
 * The mesh's view of one member cluster: informers on its Services, EndpointSlices and Pods
 * (all namespaces) over a client built from the Cluster's credentials. A change calls `onChange`;
 * `view()` reads the caches. An unreachable member keeps its last cached state while the
 * informers retry with back-off.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import type { Logger } from '../../log/index.ts';
import type { ClusterView, Locality } from './merge.ts';

/** Options of {@link MemberWatch}. */
export interface MemberWatchOptions {
  cluster: string;
  client: Client;
  onChange(): void;
  logger?: Logger | undefined;
}

/** Watches one member cluster; see the file comment. */
export class MemberWatch {
  readonly cluster: string;
  readonly client: Client;
  /** When the watch started (ms since epoch). */
  readonly startedAt = Date.now();
  readonly #factory: InformerFactory;
  readonly #services: Informer;
  readonly #slices: Informer;
  readonly #pods: Informer;

  /** Builds the informers; does no I/O until {@link start}. */
  constructor(options: MemberWatchOptions) {
    this.cluster = options.cluster;
    this.client = options.client;
    const logger = options.logger?.child({ member: options.cluster });
    this.#factory = new InformerFactory({ client: options.client, ...(logger ? { logger } : {}) });
    this.#services = this.#factory.informer(resources.services);
    this.#slices = this.#factory.informer(resources.endpointslices);
    this.#pods = this.#factory.informer(resources.pods);
    const changed = () => options.onChange();
    // Pods matter only for their labels and owner: status churn (probes, restarts) is ignored.
    const podChanged = (a: KubeObject, b: KubeObject) => {
      if (
        JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels) ||
        a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp
      )
        options.onChange();
    };
    for (const i of [this.#services, this.#slices]) {
      i.addHandlers({ onAdd: changed, onUpdate: (a, b) => a !== b && changed(), onDelete: changed });
    }
    this.#pods.addHandlers({ onAdd: changed, onUpdate: podChanged, onDelete: changed });
  }

  /** Starts listing and watching; returns at once. */
  start(): void {
    this.#factory.start();
  }

  /** True once every cache has its first list. */
  synced(): boolean {
    return this.#services.hasSynced() && this.#slices.hasSynced() && this.#pods.hasSynced();
  }

  /** The cluster's objects as a {@link ClusterView} (frozen cache objects, not copies). */
  view(locality: Locality | undefined): ClusterView {
    return {
      name: this.cluster,
      locality,
      services: this.#services.store.list(),
      endpointSlices: this.#slices.store.list(),
      pods: this.#pods.store.list(),
    };
  }

  /** Stops the informers (the client belongs to the caller). */
  async stop(): Promise<void> {
    await this.#factory.stop();
  }
}
