/**
 * The `process` pod runtime: every pod gets an IP from the cluster's pod CIDR inside 127.0.0.0/8
 * and every container runs as a child process group bound there (see `container.ts`). State lives
 * under `stateDir`: `pods/<uid>/` (working directories), `logs/<ns>_<name>_<uid>/<container>/<n>.log`
 * and `pids/` (for killing orphans a crashed predecessor left).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { KubeObject } from '../../api/meta.ts';
import type { Logger } from '../../log/index.ts';
import { RuntimeEmitter } from '../emitter.ts';
import { IpAllocator, parseCidr } from '../ip.ts';
import { buildPodStatus, type ConditionClock, rfc3339 } from '../pod-status.ts';
import {
  type KillOptions,
  type LogOptions,
  type PodRuntime,
  type PodStatusReport,
  RuntimeError,
  type RuntimeEvent,
  type SyncContext,
} from '../types.ts';
import { type BackoffOptions, KUBELET_BACKOFF } from './backoff.ts';
import { type CatalogEntry, ImageCatalog } from './catalog.ts';
import { type ContainerHost, ContainerRunner } from './container.ts';
import { followLog, readLog } from './logs.ts';
import { PidRegistry } from './pids.ts';

/** Options of {@link ProcessRuntime}. */
export interface ProcessRuntimeOptions {
  /** The cluster's pod CIDR, inside 127.0.0.0/8 (e.g. `127.20.0.0/16`). */
  podCIDR: string;
  /** Where pod directories, logs and pid records go; a temporary directory (removed by `stop`) when unset. */
  stateDir?: string;
  /** The user's image catalog file (YAML or JSON). */
  catalogFile?: string;
  /** Catalog entries other components add (e.g. the mesh's sidecar image). */
  catalogEntries?: CatalogEntry[];
  /** Restart back-off; kubelet's 10 s doubling to 5 min when unset. */
  backoff?: BackoffOptions;
  /** Environment every container starts from; a container's standard `PATH` when unset. */
  baseEnv?: Record<string, string>;
  /** Upper bound on any grace period (seconds), e.g. for a fast `flotilla down`. */
  maxGracePeriodSeconds?: number;
  logger?: Logger;
}

const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface PodEntry {
  uid: string;
  pod: KubeObject;
  sync: SyncContext;
  ip: string | undefined;
  startTime: string;
  clock: ConditionClock;
  init: ContainerRunner[];
  containers: ContainerRunner[];
  initDone: number;
  initFailed: boolean;
  mainStarted: boolean;
  terminating?: Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

/** The process runtime; see the file comment. Construction reaps orphans of a crashed predecessor. */
export class ProcessRuntime implements PodRuntime {
  readonly kind = 'process' as const;
  readonly stateDir: string;
  readonly #o: ProcessRuntimeOptions;
  readonly #tempState: boolean;
  readonly #ips: IpAllocator;
  readonly #catalog: ImageCatalog;
  readonly #pids: PidRegistry;
  readonly #emitter = new RuntimeEmitter();
  readonly #pods = new Map<string, PodEntry>();
  #stopped = false;

  /** Creates the runtime; throws TypeError when `podCIDR` is malformed or outside 127.0.0.0/8. */
  constructor(options: ProcessRuntimeOptions) {
    const cidr = parseCidr(options.podCIDR);
    if (cidr.first >>> 24 !== 127 || cidr.bits < 8) {
      throw new TypeError(`pod CIDR ${options.podCIDR} must lie inside 127.0.0.0/8 for the process runtime`);
    }
    this.#o = options;
    this.#tempState = options.stateDir === undefined;
    this.stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-runtime-'));
    this.#ips = new IpAllocator(options.podCIDR);
    this.#catalog = new ImageCatalog({ file: options.catalogFile, entries: options.catalogEntries });
    this.#pids = new PidRegistry(path.join(this.stateDir, 'pids'));
    const reaped = this.#pids.reap();
    if (reaped > 0) options.logger?.warn({ reaped }, 'killed processes left by a previous runtime');
  }

  syncPod(pod: KubeObject, ctx: SyncContext): void {
    try {
      this.#sync(pod, ctx);
    } catch (err) {
      this.#o.logger?.error({ err, pod: pod?.metadata?.name }, 'pod sync failed');
    }
  }

  #sync(pod: KubeObject, ctx: SyncContext): void {
    const uid = pod?.metadata?.uid;
    if (this.#stopped || typeof uid !== 'string' || uid === '') return;
    const entry = this.#pods.get(uid);
    if (pod.metadata.deletionTimestamp) {
      if (entry)
        void this.killPod(uid, { gracePeriodSeconds: pod.metadata.deletionGracePeriodSeconds ?? 30 });
      return;
    }
    if (entry?.terminating) return;
    if (entry) {
      entry.pod = pod;
      entry.sync = ctx;
      if (entry.ip === undefined) {
        this.#begin(entry);
        return;
      }
      const specs = new Map<string, Obj>((pod.spec?.containers ?? []).map((c: Obj) => [c.name, c]));
      for (const r of entry.containers) {
        const spec = specs.get(r.name);
        if (spec) r.update(spec);
      }
      return;
    }
    const fresh: PodEntry = {
      uid,
      pod,
      sync: ctx,
      ip: undefined,
      startTime: rfc3339(),
      clock: new Map(),
      init: [],
      containers: [],
      initDone: 0,
      initFailed: false,
      mainStarted: false,
    };
    this.#pods.set(uid, fresh);
    const restartPolicy = String(pod.spec?.restartPolicy ?? 'Always');
    const initPolicy = restartPolicy === 'Never' ? 'Never' : 'OnFailure';
    const host = this.#host(fresh);
    const old = new Map<string, Obj>(
      [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map(
        (s: Obj) => [s?.name, s],
      ),
    );
    const make = (c: Obj, init: boolean): ContainerRunner => {
      const prev = old.get(c?.name);
      const logDir = path.join(this.#logRoot(pod), String(c?.name));
      return new ContainerRunner({
        spec: c,
        host,
        restartPolicy: init ? (c.restartPolicy === 'Always' ? 'Always' : initPolicy) : restartPolicy,
        fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${c?.name}}`,
        logDir,
        restartCount: Number(prev?.restartCount ?? 0) + (prev?.containerID ? 1 : 0),
      });
    };
    const list = (v: unknown): Obj[] =>
      Array.isArray(v) ? v.filter((c) => typeof c === 'object' && c !== null) : [];
    fresh.init = list(pod.spec?.initContainers).map((c) => make(c, true));
    fresh.containers = list(pod.spec?.containers).map((c) => make(c, false));
    this.#begin(fresh);
  }

  #logRoot(pod: KubeObject): string {
    const m = pod.metadata;
    return path.join(this.stateDir, 'logs', `${m.namespace ?? 'default'}_${m.name}_${m.uid}`);
  }

  #podDir(uid: string): string {
    return path.join(this.stateDir, 'pods', uid);
  }

  #begin(entry: PodEntry): void {
    try {
      entry.ip = this.#ips.allocate(entry.uid, entry.pod.status?.podIP);
    } catch (err) {
      this.#event(
        entry,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: ${(err as Error).message}`,
      );
      this.#emitter.changed(entry.uid);
      return;
    }
    fs.mkdirSync(this.#podDir(entry.uid), { recursive: true });
    this.#emitter.changed(entry.uid);
    this.#advance(entry);
  }

  /** Starts the next init container, or the regular containers once every init container is done. */
  #advance(entry: PodEntry): void {
    if (entry.terminating || this.#stopped) return;
    const next = entry.init[entry.initDone];
    if (next) {
      next.start();
      return;
    }
    if (entry.mainStarted) return;
    entry.mainStarted = true;
    for (const r of entry.containers) r.start();
  }

  #host(entry: PodEntry): ContainerHost {
    return {
      get podIP() {
        return entry.ip ?? '';
      },
      podDir: this.#podDir(entry.uid),
      catalog: this.#catalog,
      baseEnv: this.#o.baseEnv ?? { PATH: CONTAINER_PATH },
      backoff: this.#o.backoff ?? KUBELET_BACKOFF,
      pod: () => entry.pod,
      sync: () => entry.sync,
      event: (type, reason, message, fieldPath) => this.#event(entry, type, reason, message, fieldPath),
      changed: () => this.#emitter.changed(entry.uid),
      exited: (name, exitCode) => {
        const init = entry.init[entry.initDone];
        if (init?.name !== name || entry.mainStarted) return;
        if (exitCode === 0) {
          entry.initDone++;
          this.#advance(entry);
        } else if (String(entry.pod.spec?.restartPolicy) === 'Never') entry.initFailed = true;
      },
      startedUp: (name) => {
        const init = entry.init[entry.initDone];
        if (init?.name === name && !entry.mainStarted && init.status().state.running) {
          const spec = (entry.pod.spec?.initContainers ?? []).find((c: Obj) => c?.name === name);
          if (spec?.restartPolicy === 'Always') {
            entry.initDone++;
            this.#advance(entry);
          }
        }
      },
      pids: this.#pids,
    };
  }

  #event(
    entry: PodEntry,
    type: RuntimeEvent['type'],
    reason: RuntimeEvent['reason'],
    message: string,
    fieldPath?: string,
  ): void {
    if (!this.#emitter.hasEventListeners) return;
    const m = entry.pod.metadata;
    const e: RuntimeEvent = {
      podUid: entry.uid,
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

  podStatus(uid: string): PodStatusReport | undefined {
    const entry = this.#pods.get(uid);
    if (!entry) return undefined;
    const initialized = entry.initDone >= entry.init.length;
    const containerStatuses = entry.containers.map((r) => {
      const s = r.status();
      return initialized || !s.state.waiting
        ? s
        : { ...s, state: { waiting: { reason: 'PodInitializing' as const } } };
    });
    const status = buildPodStatus({
      restartPolicy: String(entry.pod.spec?.restartPolicy ?? 'Always'),
      containerStatuses,
      initContainerStatuses: entry.init.map((r) => r.status()),
      initialized,
      podIP: entry.ip,
      hostIP: entry.sync.hostIP ?? '127.0.0.1',
      startTime: entry.startTime,
      clock: entry.clock,
    });
    if (entry.initFailed) status.phase = 'Failed';
    return status;
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
    const entry = this.#pods.get(uid);
    if (!entry) throw new RuntimeError('NotFound', `pod with UID "${uid}" not found`);
    const podName = entry.pod.metadata.name ?? '';
    const all = [...entry.containers, ...entry.init];
    const runner =
      container === '' && entry.containers.length === 1
        ? entry.containers[0]
        : all.find((r) => r.name === container);
    if (!runner) {
      if (container === '') {
        const names = entry.containers.map((r) => r.name).join(' ');
        throw new RuntimeError(
          'BadRequest',
          `a container name must be specified for pod ${podName}, choose one of: [${names}]`,
        );
      }
      throw new RuntimeError('BadRequest', `container ${container} is not valid for pod ${podName}`);
    }
    const files = runner.logFiles();
    if (options.previous) {
      if (files.previous === undefined) {
        throw new RuntimeError(
          'BadRequest',
          `previous terminated container "${runner.name}" in pod "${podName}" not found`,
        );
      }
      return options.follow
        ? followLog(files.previous, undefined, options)
        : readLog(files.previous, options);
    }
    if (files.current === undefined) {
      const reason = runner.status().state.waiting?.reason ?? 'ContainerCreating';
      throw new RuntimeError(
        'BadRequest',
        `container "${runner.name}" in pod "${podName}" is waiting to start: ${reason}`,
      );
    }
    return options.follow ? followLog(files.current, files.writer, options) : readLog(files.current, options);
  }

  killPod(uid: string, options: KillOptions = {}): Promise<void> {
    const entry = this.#pods.get(uid);
    if (!entry) return Promise.resolve();
    entry.terminating ??= this.#terminate(entry, options.gracePeriodSeconds, true);
    return entry.terminating;
  }

  async #terminate(entry: PodEntry, graceSeconds: number | undefined, removeFiles: boolean): Promise<void> {
    let grace = graceSeconds ?? Number(entry.pod.spec?.terminationGracePeriodSeconds ?? 30);
    if (this.#o.maxGracePeriodSeconds !== undefined) grace = Math.min(grace, this.#o.maxGracePeriodSeconds);
    await Promise.all([...entry.init, ...entry.containers].map((r) => r.stop(Math.max(0, grace) * 1000)));
    this.#ips.release(entry.uid);
    this.#pods.delete(entry.uid);
    if (removeFiles) {
      fs.rmSync(this.#podDir(entry.uid), { recursive: true, force: true });
      fs.rmSync(this.#logRoot(entry.pod), { recursive: true, force: true });
    }
    this.#emitter.changed(entry.uid);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(
      [...this.#pods.values()].map((e) => (e.terminating ??= this.#terminate(e, undefined, this.#tempState))),
    );
    if (this.#tempState) fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
