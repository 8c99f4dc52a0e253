/**
 * Test-only stand-in for a kubelet: registers a Node (allocatable, Ready condition) and, for
 * pods bound to it, writes the status a kubelet would (Running, podIP, Ready, containerStatuses)
 * through the API. Tests use it until the real pod runtime exists; nothing else imports it.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import { Informer } from '../../controller/informer.ts';
import { timestamp } from '../common/pods.ts';

/** Options for {@link FakeKubelet}. */
export interface FakeKubeletOptions {
  client: Client;
  node: string;
  /** Allocatable resources; default 4 CPUs, 8Gi, 110 pods. */
  allocatable?: { cpu?: string; memory?: string; pods?: string };
  /** Delay before a bound pod turns Running and Ready; default 20 ms. */
  readyDelayMs?: number;
  /** Make bound pods Ready automatically; default true. */
  autoReady?: boolean;
  /** Also bind unscheduled pods to this node itself (for tests running without the scheduler). */
  bindPending?: boolean;
  /** Third octet of the pod IPs it hands out; default 1. */
  subnet?: number;
}

/** A fake kubelet for one node; `start` registers the node and begins, `stop` ends. */
export class FakeKubelet {
  readonly #o: FakeKubeletOptions;
  readonly #pods: Informer;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #done = new Set<string>();
  #nextIp = 2;
  #stopped = false;

  constructor(options: FakeKubeletOptions) {
    this.#o = options;
    this.#pods = new Informer({ client: options.client, resource: resources.pods });
  }

  /** Creates the Node (Ready) and starts reacting to pods bound to it. */
  async start(): Promise<void> {
    const a = this.#o.allocatable ?? {};
    const capacity = { cpu: a.cpu ?? '4', memory: a.memory ?? '8Gi', pods: a.pods ?? '110' };
    const node: KubeObject = await this.#o.client.create(resources.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.#o.node, labels: { 'kubernetes.io/hostname': this.#o.node } },
      spec: {},
    });
    node.status = {
      capacity,
      allocatable: capacity,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastTransitionTime: timestamp(),
        },
      ],
    };
    await this.#o.client.updateStatus(resources.nodes, node);
    const onPod = (pod: KubeObject) => {
      if (this.#o.bindPending && !pod.spec?.nodeName && !pod.metadata.deletionTimestamp) {
        void this.#o.client
          .patch(resources.pods, {
            name: pod.metadata.name ?? '',
            namespace: pod.metadata.namespace,
            type: 'merge',
            patch: { spec: { nodeName: this.#o.node } },
          })
          .catch(() => {});
        return;
      }
      if (pod.spec?.nodeName !== this.#o.node || this.#done.has(pod.metadata.uid ?? '')) return;
      if (pod.metadata.deletionTimestamp || (this.#o.autoReady ?? true) === false) return;
      this.#done.add(pod.metadata.uid ?? '');
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#stopped)
          void this.setReady(pod, true).catch(() => this.#done.delete(pod.metadata.uid ?? ''));
      }, this.#o.readyDelayMs ?? 20);
      this.#timers.add(timer);
    };
    this.#pods.addHandlers({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
    this.#pods.start();
    await this.#pods.waitForSync();
  }

  /** Writes Running status with a pod IP and the Ready condition `ready`; reads the pod fresh. */
  async setReady(pod: KubeObject, ready: boolean): Promise<KubeObject> {
    const { client } = this.#o;
    const fresh = await client.get(resources.pods, {
      name: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace,
    });
    const at = timestamp();
    const status = fresh.status?.podIP ? fresh.status : { ...(fresh.status ?? {}), podIP: this.#ip() };
    const flag = ready ? 'True' : 'False';
    const containers: KubeObject[] = fresh.spec?.containers ?? [];
    const next = {
      ...fresh,
      status: {
        ...status,
        phase: 'Running',
        hostIP: '10.0.0.1',
        podIPs: [{ ip: status.podIP }],
        startTime: status.startTime ?? at,
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
          type,
          status: type === 'PodScheduled' || type === 'Initialized' ? 'True' : flag,
          lastTransitionTime: at,
        })),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: at } },
        })),
      },
    };
    return client.updateStatus(resources.pods, next);
  }

  #ip(): string {
    return `10.244.${this.#o.subnet ?? 1}.${this.#nextIp++}`;
  }

  /** Stops watching and cancels pending status writes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    await this.#pods.stop();
  }
}
