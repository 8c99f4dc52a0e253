/**
 * InformerFactory: hands every controller in a process the same informer for the same
 * resource and scope, so one list-watch feeds them all. Controllers ask for informers while
 * being built, then the process calls `start` once.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import type { ResourceRef } from '../client/resources.ts';
import { Informer, type InformerScope } from './informer.ts';

/** Options for {@link InformerFactory}. */
export interface InformerFactoryOptions {
  client: Client;
  /** Default resync period for informers it creates; default 0 (none). */
  resyncMs?: number;
  logger?: Logger;
}

/** A registry of shared informers over one client. */
export class InformerFactory {
  readonly #opts: InformerFactoryOptions;
  readonly #informers = new Map<string, Informer>();
  #started = false;

  constructor(options: InformerFactoryOptions) {
    this.#opts = options;
  }

  /**
   * The shared informer for `resource` narrowed by `scope`, created on first request; started at
   * once when the factory already runs. Never blocks.
   */
  informer<T extends KubeObject = KubeObject>(resource: ResourceRef, scope: InformerScope = {}): Informer<T> {
    const key = JSON.stringify([
      resource.group,
      resource.version,
      resource.resource,
      scope.namespace ?? '',
      scope.labelSelector ?? '',
      scope.fieldSelector ?? '',
    ]);
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>({
        client: this.#opts.client,
        resource,
        ...scope,
        resyncMs: this.#opts.resyncMs,
        logger: this.#opts.logger,
      });
      this.#informers.set(key, informer);
      if (this.#started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer, and any created later; returns at once. */
  start(): void {
    this.#started = true;
    for (const i of this.#informers.values()) i.start();
  }

  /** Resolves once every informer created so far has synced. */
  async waitForSync(options: { signal?: AbortSignal } = {}): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(options)));
  }

  /** Stops every informer and waits for their loops to end. */
  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
