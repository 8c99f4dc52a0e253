/**
 * The local cluster's kubelet: registers the Node and keeps its Lease fresh, watches the Pods
 * bound to the node, runs them through a {@link PodRuntime} with the environment kubelet gives
 * (service variables, ConfigMaps and Secrets, cluster DNS), writes their status back, records
 * the runtime's events as core/v1 Events, and kills runtime pods whose API object is gone. On
 * start every bound pod is synced again, so a restarted cluster brings its pods back.
 */
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { EventRecorder } from '../controller/events.ts';
import { InformerFactory } from '../controller/factory.ts';
import type { Informer } from '../controller/informer.ts';
import { byNamespace, objectKey } from '../controller/store.ts';
import type { Logger } from '../log/index.ts';
import type { PodRuntime, SyncContext } from '../runtime/types.ts';
import type { ClusterDns } from './cluster-dns.ts';
import { type NodeResources, type NodeSpecInput, registerNode, startHeartbeats } from './node.ts';
import { referencedConfig } from './pod-config.ts';
import { serviceEnv } from './service-env.ts';
import { StatusWriter } from './status-writer.ts';

/** Options of {@link Kubelet}. */
export interface KubeletOptions {
  /** A client of the local cluster's API server (unthrottled: status writes are many). */
  client: Client;
  runtime: PodRuntime;
  clusterName: string;
  nodeName: string;
  podCIDR: string;
  resources: NodeResources;
  /** The node's address (`status.hostIP`); default 127.0.0.1. */
  hostIP?: string;
  /** Cluster DNS for pods; none when absent. */
  dns?: ClusterDns;
  /** Record runtime events as Events; default true. */
  events?: boolean;
  logger: Logger;
  /** How often runtime pods are checked against the API (orphans are killed); default 30 s. */
  sweepMs?: number;
}

/** The kubelet loop; see the file comment. `start` resolves once the Node is registered and caches synced. */
export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #factory: InformerFactory;
  readonly #pods: Informer;
  readonly #services: Informer;
  readonly #configMaps: Informer;
  readonly #secrets: Informer;
  readonly #status: StatusWriter;
  readonly #recorder: EventRecorder;
  /** Runtime pod UID → API key, and the reverse, for the pods this kubelet runs. */
  readonly #uidKey = new Map<string, string>();
  readonly #keyUid = new Map<string, string>();
  readonly #cleanup: (() => void)[] = [];
  #stopped = false;

  /** Builds the kubelet; does no I/O. */
  constructor(options: KubeletOptions) {
    this.#o = options;
    const { client, logger } = options;
    this.#factory = new InformerFactory({ client, logger });
    this.#pods = this.#factory.informer(resources.pods, {
      fieldSelector: `spec.nodeName=${options.nodeName}`,
    });
    this.#services = this.#factory.informer(resources.services);
    this.#configMaps = this.#factory.informer(resources.configmaps);
    this.#secrets = this.#factory.informer(resources.secrets);
    for (const i of [this.#pods, this.#services, this.#configMaps, this.#secrets])
      i.addIndex('namespace', byNamespace);
    this.#status = new StatusWriter({
      client,
      logger,
      cached: (key) => this.#pods.store.get(key),
      report: (uid) => options.runtime.podStatus(uid),
    });
    this.#recorder = new EventRecorder({ client, component: 'kubelet', instance: options.nodeName, logger });
  }

  /** Registers the Node, starts heartbeats and caches, then syncs every bound pod. */
  async start(): Promise<void> {
    const { runtime, logger } = this.#o;
    const node: NodeSpecInput = {
      nodeName: this.#o.nodeName,
      clusterName: this.#o.clusterName,
      podCIDR: this.#o.podCIDR,
      hostIP: this.#o.hostIP ?? '127.0.0.1',
      runtime: runtime.kind,
      resources: this.#o.resources,
    };
    await registerNode(this.#o.client, node);
    this.#cleanup.push(
      startHeartbeats({ client: this.#o.client, nodeName: node.nodeName, input: node, logger }),
    );
    this.#cleanup.push(
      runtime.onChange((uid) => {
        const key = this.#uidKey.get(uid);
        if (key !== undefined) this.#status.enqueue(key);
      }),
    );
    if (this.#o.events !== false) {
      this.#cleanup.push(
        runtime.onEvent((e) => {
          const metadata = { name: e.podName, namespace: e.namespace, uid: e.podUid };
          this.#recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata }, e);
        }),
      );
    }
    this.#factory.start();
    await this.#factory.waitForSync();
    const dnsUpdate = () => this.#o.dns?.update(this.#services.store.list());
    dnsUpdate();
    this.#services.addHandlers({ onAdd: dnsUpdate, onUpdate: dnsUpdate, onDelete: dnsUpdate });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#sync(pod),
      onUpdate: (_old, pod) => this.#sync(pod),
      onDelete: (pod) => this.#forget(objectKey(pod), pod.metadata.uid),
    });
    let live = false;
    const resyncReaders = (kind: 'configMaps' | 'secrets') => (obj: KubeObject) => {
      if (!live) return;
      for (const pod of this.#pods.store.byIndex('namespace', obj.metadata.namespace ?? '')) {
        if (referencedConfig(pod)[kind].has(obj.metadata.name ?? '')) this.#sync(pod);
      }
    };
    const cm = resyncReaders('configMaps');
    const secret = resyncReaders('secrets');
    this.#configMaps.addHandlers({ onAdd: cm, onUpdate: (_o, n) => cm(n) });
    this.#secrets.addHandlers({ onAdd: secret, onUpdate: (_o, n) => secret(n) });
    live = true;
    const sweep = setInterval(() => this.#sweep(), this.#o.sweepMs ?? 30_000);
    sweep.unref();
    this.#cleanup.push(() => clearInterval(sweep));
  }

  /** Resolves once no pod status write is queued or in flight. */
  idle(): Promise<void> {
    return this.#status.idle();
  }

  /** Stops watching and writing; the runtime is left running (its owner stops it). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#status.stop();
    await this.#factory.stop();
    await this.#recorder.flush().catch(() => {});
  }

  #sync(pod: KubeObject): void {
    if (this.#stopped) return;
    const key = objectKey(pod);
    const uid = pod.metadata.uid ?? '';
    const known = this.#keyUid.get(key);
    if (known !== undefined && known !== uid) this.#forget(key, known);
    const phase = pod.status?.phase;
    // A pod that finished before this kubelet started stays finished.
    if (known === undefined && (phase === 'Succeeded' || phase === 'Failed')) return;
    this.#keyUid.set(key, uid);
    this.#uidKey.set(uid, key);
    try {
      this.#o.runtime.syncPod(pod, this.#context(pod));
    } catch (err) {
      this.#o.logger.error({ err, pod: key }, 'pod sync failed');
    }
    this.#status.enqueue(key);
  }

  #context(pod: KubeObject): SyncContext {
    const ns = pod.metadata.namespace ?? 'default';
    const links =
      pod.spec?.enableServiceLinks === false ? {} : serviceEnv(this.#services.store.byIndex('namespace', ns));
    const refs = referencedConfig(pod);
    const pick = (informer: Informer, names: Set<string>, decode: boolean) => {
      const out: Record<string, Record<string, string>> = {};
      for (const name of names) {
        const obj = informer.store.get(`${ns}/${name}`) as
          | (KubeObject & { data?: Record<string, string> })
          | undefined;
        if (obj === undefined) continue;
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(obj.data ?? {}))
          data[k] = decode ? Buffer.from(String(v), 'base64').toString('utf8') : String(v);
        out[name] = data;
      }
      return out;
    };
    return {
      serviceEnv: { ...this.#o.dns?.podEnv(ns), ...links },
      clusterName: this.#o.clusterName,
      configMaps: pick(this.#configMaps, refs.configMaps, false),
      secrets: pick(this.#secrets, refs.secrets, true),
      hostIP: this.#o.hostIP ?? '127.0.0.1',
    };
  }

  #forget(key: string, uid: string | undefined): void {
    if (uid === undefined) return;
    if (this.#keyUid.get(key) === uid) this.#keyUid.delete(key);
    this.#o.runtime.killPod(uid).then(
      () => this.#uidKey.delete(uid),
      (err: unknown) => this.#o.logger.warn({ err, pod: key }, 'killing pod failed'),
    );
  }

  #sweep(): void {
    if (this.#stopped || !this.#pods.hasSynced()) return;
    for (const uid of this.#o.runtime.podUids()) {
      const key = this.#uidKey.get(uid);
      const pod = key === undefined ? undefined : this.#pods.store.get(key);
      if (pod?.metadata.uid !== uid) this.#forget(key ?? '', uid);
    }
  }
}
