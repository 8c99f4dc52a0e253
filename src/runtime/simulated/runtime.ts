/**
 * The `simulated` pod runtime (like kwok): pods get an IP and become Running and Ready, at once or
 * after `readyDelayMs`, without any process. Cheap enough for tens of thousands of pods: one timer
 * for the whole runtime, status built only when read.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { KubeObject } from '../../api/meta.ts';
import { RuntimeEmitter } from '../emitter.ts';
import { IpAllocator } from '../ip.ts';
import { buildPodStatus, type ConditionClock, rfc3339 } from '../pod-status.ts';
import {
  type ContainerStatusReport,
  type LogOptions,
  type PodRuntime,
  type PodStatusReport,
  RuntimeError,
  type RuntimeEvent,
  type SyncContext,
} from '../types.ts';

/** Options of {@link SimulatedRuntime}. */
export interface SimulatedRuntimeOptions {
  /** The cluster's pod CIDR (any IPv4 CIDR). */
  podCIDR: string;
  /** How long a pod shows ContainerCreating before it is Running and Ready; 0 by default. */
  readyDelayMs?: number;
  /** Emit Pulled/Created/Started events per container; true by default. */
  emitEvents?: boolean;
}

interface SimPod {
  pod: KubeObject;
  ip: string | undefined;
  startMs: number;
  readyAtMs: number;
  hostIP: string;
  clock: ConditionClock;
}

/** The simulated runtime; see the file comment. */
export class SimulatedRuntime implements PodRuntime {
  readonly kind = 'simulated' as const;
  readonly #o: SimulatedRuntimeOptions;
  readonly #ips: IpAllocator;
  readonly #pods = new Map<string, SimPod>();
  readonly #emitter = new RuntimeEmitter();
  readonly #due: { uid: string; at: number }[] = [];
  #dueHead = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** Creates the runtime; throws TypeError for a malformed CIDR. */
  constructor(options: SimulatedRuntimeOptions) {
    this.#o = options;
    this.#ips = new IpAllocator(options.podCIDR);
  }

  syncPod(pod: KubeObject, ctx: SyncContext): void {
    const uid = pod?.metadata?.uid;
    if (this.#stopped || typeof uid !== 'string' || uid === '') return;
    const known = this.#pods.get(uid);
    if (pod.metadata.deletionTimestamp) {
      if (known) void this.killPod(uid);
      return;
    }
    if (known) {
      known.pod = pod;
      if (known.ip === undefined) this.#allocate(uid, known);
      return;
    }
    const now = Date.now();
    const delay = this.#o.readyDelayMs ?? 0;
    const sim: SimPod = {
      pod,
      ip: undefined,
      startMs: now,
      readyAtMs: now + delay,
      hostIP: ctx.hostIP ?? '127.0.0.1',
      clock: new Map(),
    };
    this.#pods.set(uid, sim);
    this.#allocate(uid, sim);
    if (delay > 0) this.#enqueue(uid, sim.readyAtMs);
    else this.#started(uid, sim);
    this.#emitter.changed(uid);
  }

  #allocate(uid: string, sim: SimPod): void {
    try {
      sim.ip = this.#ips.allocate(uid, sim.pod.status?.podIP);
    } catch (err) {
      this.#event(
        uid,
        sim,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: ${(err as Error).message}`,
      );
    }
  }

  #event(
    uid: string,
    sim: SimPod,
    type: RuntimeEvent['type'],
    reason: RuntimeEvent['reason'],
    message: string,
    fieldPath?: string,
  ): void {
    if (this.#o.emitEvents === false || !this.#emitter.hasEventListeners) return;
    const m = sim.pod.metadata;
    const e: RuntimeEvent = {
      podUid: uid,
      namespace: m.namespace ?? 'default',
      podName: m.name ?? '',
      type,
      reason,
      message,
      timestamp: rfc3339(),
    };
    if (fieldPath !== undefined) e.fieldPath = fieldPath;
    this.#emitter.event(e);
  }

  #started(uid: string, sim: SimPod): void {
    if (this.#o.emitEvents === false || !this.#emitter.hasEventListeners) return;
    for (const c of sim.pod.spec?.containers ?? []) {
      const fp = `spec.containers{${c?.name}}`;
      this.#event(
        uid,
        sim,
        'Normal',
        'Pulled',
        `Container image "${c?.image}" already present on machine`,
        fp,
      );
      this.#event(uid, sim, 'Normal', 'Created', `Created container: ${c?.name}`, fp);
      this.#event(uid, sim, 'Normal', 'Started', `Started container ${c?.name}`, fp);
    }
  }

  #enqueue(uid: string, at: number): void {
    this.#due.push({ uid, at });
    if (this.#timer === undefined) this.#arm();
  }

  #arm(): void {
    const next = this.#due[this.#dueHead];
    if (!next) {
      this.#due.length = 0;
      this.#dueHead = 0;
      this.#timer = undefined;
      return;
    }
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next.at - Date.now()));
  }

  #fire(): void {
    const now = Date.now();
    for (let d = this.#due[this.#dueHead]; d && d.at <= now; d = this.#due[++this.#dueHead]) {
      const sim = this.#pods.get(d.uid);
      if (!sim) continue;
      this.#started(d.uid, sim);
      this.#emitter.changed(d.uid);
    }
    if (this.#dueHead > 1024 && this.#dueHead * 2 > this.#due.length) {
      this.#due.splice(0, this.#dueHead);
      this.#dueHead = 0;
    }
    this.#arm();
  }

  podStatus(uid: string): PodStatusReport | undefined {
    const sim = this.#pods.get(uid);
    if (!sim) return undefined;
    const running = sim.ip !== undefined && Date.now() >= sim.readyAtMs;
    const startedAt = rfc3339(sim.readyAtMs);
    const containerStatuses: ContainerStatusReport[] = (sim.pod.spec?.containers ?? []).map(
      (c: { name?: string; image?: string }) => ({
        name: String(c?.name),
        state: running ? { running: { startedAt } } : { waiting: { reason: 'ContainerCreating' as const } },
        lastState: {},
        ready: running,
        started: running,
        restartCount: 0,
        image: String(c?.image ?? ''),
        imageID: running ? `${c?.image}` : '',
        ...(running ? { containerID: `simulated://${uid}/${c?.name}` } : {}),
      }),
    );
    return buildPodStatus({
      restartPolicy: String(sim.pod.spec?.restartPolicy ?? 'Always'),
      containerStatuses,
      initialized: true,
      podIP: sim.ip,
      hostIP: sim.hostIP,
      startTime: rfc3339(sim.startMs),
      clock: sim.clock,
    });
  }

  podUids(): string[] {
    return [...this.#pods.keys()];
  }

  onChange(listener: (uid: string) => void): () => void {
    return this.#emitter.onChange(listener);
  }

  onEvent(listener: (event: RuntimeEvent) => void): () => void {
    return this.#emitter.onEvent(listener);
  }

  logs(uid: string, container: string, options: LogOptions = {}): string | Readable {
    const sim = this.#pods.get(uid);
    if (!sim) throw new RuntimeError('NotFound', `pod with UID "${uid}" not found`);
    const names: string[] = (sim.pod.spec?.containers ?? []).map((c: { name?: string }) => String(c?.name));
    if (container !== '' && !names.includes(container)) {
      throw new RuntimeError(
        'BadRequest',
        `container ${container} is not valid for pod ${sim.pod.metadata.name}`,
      );
    }
    if (options.previous) {
      throw new RuntimeError(
        'BadRequest',
        `previous terminated container "${container}" in pod "${sim.pod.metadata.name}" not found`,
      );
    }
    if (!options.follow) return '';
    const out = new PassThrough();
    out.end();
    return out;
  }

  killPod(uid: string): Promise<void> {
    if (this.#pods.delete(uid)) {
      this.#ips.release(uid);
      this.#emitter.changed(uid);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const uid of [...this.#pods.keys()]) void this.killPod(uid);
    return Promise.resolve();
  }
}
