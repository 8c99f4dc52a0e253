/**
 * The mesh controller: Istio configuration (Gateway, VirtualService, DestinationRule,
 * ServiceEntry at `networking.istio.io/v1`) from the control plane, Services, EndpointSlices and
 * Pods from every member cluster — reached, like the federation controllers, only through the
 * Cluster objects and their credential Secrets — merged by {@link mergeServices} and compiled by
 * `compileMesh`. Changes are coalesced (at most one compile per `debounceMs`); an unchanged
 * result is not published again.
 *
 * Invalid configuration never breaks routes that were valid: an object the compiler reports on
 * is replaced by its last version that compiled cleanly (as if a validating webhook had refused
 * the update), and the problem is written to its status and as a Warning Event.
 *
 * Pull clusters are watched the same way when their Cluster carries an `apiEndpoint` and a
 * credentials Secret the control plane can use; a member the control plane cannot reach keeps
 * its last known endpoints (none, if it was never reached) and is reported once as an Event on
 * its Cluster.
 */
import { CLUSTER_SECRET_NAMESPACE } from '../../api/karmada/names.ts';
import type { Cluster } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import { EventRecorder } from '../../controller/events.ts';
import { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { MemberClients } from '../../federation/members.ts';
import type { Logger } from '../../log/index.ts';
import type { MeshInput } from '../input.ts';
import type { CompiledMesh, Diagnostic } from '../routing/types.ts';
import { MemberWatch } from './member-watch.ts';
import { localityOf, mergeServices } from './merge.ts';
import { diagnosticKey, StatusReporter } from './status.ts';

/** Options of {@link MeshController}. */
export interface MeshControllerOptions {
  /** An admin client of the control plane. */
  client: Client;
  /** The route compiler (`compileMesh`). */
  compile(input: MeshInput): CompiledMesh;
  /** Called with every new compiled mesh (the stream server's `publish`). */
  publish(mesh: CompiledMesh): void;
  /** Minimum gap between compiles; default 100 ms. */
  debounceMs?: number;
  /** How long a compile waits for a new member's first list before going ahead; default 5 s. */
  memberSyncGraceMs?: number;
  logger?: Logger | undefined;
}

const ISTIO_KINDS = ['gateways', 'virtualservices', 'destinationrules', 'serviceentries'] as const;

/** The mesh controller; see the file comment. */
export class MeshController {
  readonly #o: MeshControllerOptions;
  readonly #factory: InformerFactory;
  readonly #istio: Record<(typeof ISTIO_KINDS)[number], Informer>;
  readonly #clusters: Informer<Cluster>;
  readonly #secrets: Informer;
  readonly #members: MemberClients;
  readonly #watches = new Map<string, MemberWatch>();
  readonly #unreachable = new Set<string>();
  readonly #recorder: EventRecorder;
  readonly #status: StatusReporter;
  /** Last version of each Istio object (by uid) that compiled without diagnostics. */
  readonly #lastGood = new Map<string, KubeObject>();
  #timer: NodeJS.Timeout | undefined;
  #lastCompile = 0;
  #published: string | undefined;
  #stopped = false;
  #syncing: Promise<void> | undefined;
  #current: CompiledMesh | undefined;

  /** Builds the informers; does no I/O until {@link start}. */
  constructor(options: MeshControllerOptions) {
    this.#o = options;
    const { client } = options;
    const logger = options.logger;
    this.#factory = new InformerFactory({ client, ...(logger ? { logger } : {}) });
    this.#istio = {
      gateways: this.#factory.informer(resources.gateways),
      virtualservices: this.#factory.informer(resources.virtualservices),
      destinationrules: this.#factory.informer(resources.destinationrules),
      serviceentries: this.#factory.informer(resources.serviceentries),
    };
    this.#clusters = this.#factory.informer<Cluster>(resources.clusters);
    this.#secrets = this.#factory.informer(resources.secrets, { namespace: CLUSTER_SECRET_NAMESPACE });
    this.#members = new MemberClients({
      controlPlane: client,
      lookup: {
        cluster: (name) => this.#clusters.store.get(name),
        secret: (namespace, name) => this.#secrets.store.get(`${namespace}/${name}`),
      },
    });
    this.#recorder = new EventRecorder({ client, component: 'flotilla-mesh', logger });
    this.#status = new StatusReporter({ client, recorder: this.#recorder, logger });
    const changed = () => this.#schedule();
    for (const i of Object.values(this.#istio)) {
      i.addHandlers({
        onAdd: changed,
        onUpdate: (a, b) => JSON.stringify(a.spec) !== JSON.stringify(b.spec) && changed(),
        onDelete: changed,
      });
    }
    const membersChanged = () => this.#syncMembers();
    this.#clusters.addHandlers({ onAdd: membersChanged, onUpdate: membersChanged, onDelete: membersChanged });
    this.#secrets.addHandlers({ onAdd: membersChanged, onUpdate: membersChanged, onDelete: membersChanged });
  }

  /** The mesh compiled last; undefined before the first compile. */
  get current(): CompiledMesh | undefined {
    return this.#current;
  }

  /** Member clusters being watched. */
  get members(): string[] {
    return [...this.#watches.keys()].sort();
  }

  /** Starts the informers; resolves once the control plane caches have synced and a first compile ran. */
  async start(): Promise<void> {
    this.#factory.start();
    await this.#factory.waitForSync();
    this.#syncMembers();
    await this.#syncing;
    this.#compile();
  }

  /** Stops every informer and member watch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#syncing?.catch(() => {});
    await Promise.all([...this.#watches.values()].map((w) => w.stop()));
    this.#watches.clear();
    await this.#factory.stop();
    await this.#members.close();
  }

  #schedule(delay = 0): void {
    if (this.#stopped || this.#timer) return;
    const debounce = this.#o.debounceMs ?? 100;
    const wait = Math.max(delay, debounce - (Date.now() - this.#lastCompile), 0);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#compile();
    }, wait);
  }

  /** Starts, restarts (new endpoint or credentials) and stops member watches to match the Clusters. */
  #syncMembers(): void {
    const previous = this.#syncing ?? Promise.resolve();
    this.#syncing = previous
      .then(() => this.#reconcileMembers())
      .catch((err: unknown) => {
        this.#o.logger?.error({ err }, 'mesh: updating member watches failed');
      });
  }

  async #reconcileMembers(): Promise<void> {
    if (this.#stopped) return;
    const wanted = new Map<string, Cluster>();
    for (const c of this.#clusters.store.list()) {
      if (!c.metadata.deletionTimestamp) wanted.set(c.metadata.name ?? '', c);
    }
    let changed = false;
    for (const [name, watch] of this.#watches) {
      const cluster = wanted.get(name);
      let client: Client | undefined;
      if (cluster) client = (await this.#members.get(name).catch(() => undefined))?.client;
      if (client === watch.client) continue;
      // Gone, or reached with other credentials now: the old watch goes.
      await watch.stop();
      this.#watches.delete(name);
      if (!cluster) await this.#members.forget(name);
      changed = true;
    }
    for (const [name, cluster] of wanted) {
      if (this.#watches.has(name) || this.#stopped) continue;
      const member = await this.#members.get(name).catch((err: unknown) => {
        if (!this.#unreachable.has(name)) {
          this.#unreachable.add(name);
          this.#recorder.event(cluster, {
            type: 'Warning',
            reason: 'MeshEndpointsUnavailable',
            message: `the mesh cannot read this cluster's Services and EndpointSlices: ${(err as Error).message}`,
          });
        }
        return undefined;
      });
      if (!member) continue;
      const watch = new MemberWatch({
        cluster: name,
        client: member.client,
        onChange: () => this.#schedule(),
        logger: this.#o.logger,
      });
      this.#watches.set(name, watch);
      watch.start();
      changed = true;
      this.#o.logger?.info({ cluster: name, mode: cluster.spec.syncMode }, 'mesh: watching member cluster');
    }
    if (changed) this.#schedule();
  }

  #compile(): void {
    if (this.#stopped) return;
    this.#lastCompile = Date.now();
    const grace = this.#o.memberSyncGraceMs ?? 5_000;
    const pending = [...this.#watches.values()].find((w) => !w.synced() && Date.now() - w.startedAt < grace);
    if (pending) {
      // A member still listing: publishing now would drop its endpoints for a moment.
      this.#schedule(100);
      return;
    }
    const clusters = new Map(this.#clusters.store.list().map((c) => [c.metadata.name ?? '', c]));
    for (const w of this.#watches.values()) {
      const cluster = clusters.get(w.cluster);
      if (w.synced()) this.#unreachable.delete(w.cluster);
      if (w.synced() || !cluster || this.#unreachable.has(w.cluster)) continue;
      // Past the grace period and still no list: say so once on the Cluster (the watch keeps retrying).
      this.#unreachable.add(w.cluster);
      this.#recorder.event(cluster, {
        type: 'Warning',
        reason: 'MeshEndpointsUnavailable',
        message: `the mesh cannot list this cluster's Services and EndpointSlices at ${cluster.spec.apiEndpoint ?? '(no apiEndpoint)'}; its endpoints are left out until it answers`,
      });
    }
    const views = [...this.#watches.values()].map((w) => {
      const c = clusters.get(w.cluster);
      return w.view(c ? localityOf(c) : undefined);
    });
    const input: MeshInput = {
      gateways: this.#istio.gateways.store.list(),
      virtualServices: this.#istio.virtualservices.store.list(),
      destinationRules: this.#istio.destinationrules.store.list(),
      serviceEntries: this.#istio.serviceentries.store.list(),
      services: mergeServices(views),
    };
    let mesh: CompiledMesh;
    try {
      mesh = this.#compileKeepingValid(input);
    } catch (err) {
      this.#o.logger?.error({ err }, 'mesh: compiling failed; the previous mesh stays in force');
      return;
    }
    this.#current = mesh;
    const text = JSON.stringify({ ...mesh, diagnostics: [] });
    if (text === this.#published) return;
    this.#published = text;
    this.#o.publish(mesh);
  }

  /** Compiles; objects with diagnostics fall back to their last clean version (see the file comment). */
  #compileKeepingValid(input: MeshInput): CompiledMesh {
    const first = this.#o.compile(input);
    const all = [
      ...input.gateways,
      ...input.virtualServices,
      ...input.destinationRules,
      ...input.serviceEntries,
    ];
    // Errors refuse an object; warnings (an unknown host or subset) leave it in force, as Istio does.
    const bad = new Set(
      first.diagnostics
        .filter((d) => d.severity !== 'warning')
        .map((d) => diagnosticKey(d.kind, d.namespace, d.name)),
    );
    const keyOf = (o: KubeObject) =>
      diagnosticKey(o.kind, o.metadata.namespace ?? 'default', o.metadata.name ?? '');
    const live = new Set<string>();
    for (const o of all) {
      const uid = o.metadata.uid ?? '';
      live.add(uid);
      if (!bad.has(keyOf(o))) this.#lastGood.set(uid, o);
    }
    for (const uid of this.#lastGood.keys()) if (!live.has(uid)) this.#lastGood.delete(uid);
    const kept = new Set<string>();
    const swap = (list: readonly KubeObject[]) =>
      list.map((o) => {
        const good = bad.has(keyOf(o)) ? this.#lastGood.get(o.metadata.uid ?? '') : undefined;
        if (!good || good === o) return o;
        kept.add(keyOf(o));
        return good;
      });
    const fallback: MeshInput = {
      ...input,
      gateways: swap(input.gateways),
      virtualServices: swap(input.virtualServices),
      destinationRules: swap(input.destinationRules),
      serviceEntries: swap(input.serviceEntries),
    };
    let mesh = first;
    if (kept.size > 0) {
      mesh = { ...this.#o.compile(fallback), diagnostics: first.diagnostics };
      this.#o.logger?.info({ objects: [...kept] }, 'mesh: invalid updates refused; last valid versions kept');
    }
    this.#status.report(all, first.diagnostics as Diagnostic[], kept);
    return mesh;
  }
}
