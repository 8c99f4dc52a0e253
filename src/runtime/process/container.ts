/**
 * One container of a pod under the process runtime: resolves its program through the image
 * catalog, runs it as a detached process group on the pod's IP, writes its logs, runs its probes
 * and restarts it with kubelet's back-off. Bad specs become waiting reasons and Warning events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../api/meta.ts';
import { rfc3339 } from '../pod-status.ts';
import type {
  ContainerState,
  ContainerStatusReport,
  RuntimeEvent,
  SyncContext,
  WaitingReason,
} from '../types.ts';
import { type BackoffOptions, formatDuration, RestartBackoff } from './backoff.ts';
import type { ImageCatalog } from './catalog.ts';
import { planLaunch } from './launch.ts';
import { LogWriter } from './logs.ts';
import { type ProbeKind, ProbeWorker } from './probes.ts';

// biome-ignore lint/suspicious/noExplicitAny: container specs are open JSON
type Obj = Record<string, any>;

/** What a container needs from its pod and runtime. */
export interface ContainerHost {
  readonly podIP: string;
  readonly podDir: string;
  readonly catalog: ImageCatalog;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly backoff: BackoffOptions;
  /** The latest pod object and sync context (updated by the pod on every sync). */
  pod(): KubeObject;
  sync(): SyncContext;
  event(type: RuntimeEvent['type'], reason: RuntimeEvent['reason'], message: string, fieldPath: string): void;
  changed(): void;
  /** Called when an instance exits (after any restart has been decided). */
  exited(name: string, exitCode: number): void;
  /** Called when an instance is running and its startup probe (if any) passed. */
  startedUp(name: string): void;
  pids: { add(id: string, pid: number): void; remove(id: string): void };
}

/** Options of {@link ContainerRunner}. */
export interface ContainerOptions {
  spec: Obj;
  host: ContainerHost;
  /** `Always`, `OnFailure` or `Never` for this container (init containers differ from the pod). */
  restartPolicy: string;
  /** `spec.containers{name}` or `spec.initContainers{name}`. */
  fieldPath: string;
  logDir: string;
  /** Restarts carried over from the pod's previous status (after a cluster restart). */
  restartCount?: number;
}

const signalNumber = (s: NodeJS.Signals | null): number =>
  s ? ((osConstants.signals as Record<string, number>)[s] ?? 0) : 0;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** Runs and restarts one container; see the file comment. */
export class ContainerRunner {
  readonly name: string;
  #spec: Obj;
  readonly #o: ContainerOptions;
  readonly #backoff: RestartBackoff;
  readonly #pullBackoff: RestartBackoff;
  #state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  #lastState: ContainerState = {};
  #restartCount: number;
  #ready = false;
  #started = false;
  #containerID: string | undefined;
  #imageID = '';
  #child: ChildProcess | undefined;
  #exit: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #probes: ProbeWorker[] = [];
  #stopping = false;
  #replace = false;
  #curLog: string | undefined;
  #prevLog: string | undefined;
  #writer: LogWriter | undefined;
  #env: Record<string, string> = {};
  #cwd = '';

  /** Creates the runner; nothing runs until {@link start}. */
  constructor(options: ContainerOptions) {
    this.#o = options;
    this.#spec = options.spec;
    this.name = String(options.spec.name);
    this.#restartCount = options.restartCount ?? 0;
    this.#backoff = new RestartBackoff(options.host.backoff);
    this.#pullBackoff = new RestartBackoff(options.host.backoff);
  }

  /** The container's status entry. */
  status(): ContainerStatusReport {
    const s: ContainerStatusReport = {
      name: this.name,
      state: this.#state,
      lastState: this.#lastState,
      ready: this.#ready,
      started: this.#started,
      restartCount: this.#restartCount,
      image: String(this.#spec.image ?? ''),
      imageID: this.#imageID,
    };
    if (this.#containerID !== undefined) s.containerID = this.#containerID;
    return s;
  }

  /** Log files of the latest and the previous instance, and the latest one's live writer. */
  logFiles(): { current?: string; previous?: string; writer?: LogWriter } {
    const out: { current?: string; previous?: string; writer?: LogWriter } = {};
    if (this.#curLog !== undefined) out.current = this.#curLog;
    if (this.#prevLog !== undefined) out.previous = this.#prevLog;
    if (this.#writer !== undefined) out.writer = this.#writer;
    return out;
  }

  /** Starts the first instance. */
  start(): void {
    this.#attempt();
  }

  /** Takes a new pod spec: retries a config error at once, replaces the instance when the image changed. */
  update(spec: Obj): void {
    if (this.#stopping) return;
    const imageChanged = spec.image !== this.#spec.image;
    this.#spec = spec;
    if (imageChanged && this.#child) {
      this.#replace = true;
      this.#event('Normal', 'Killing', `Container ${this.name} definition changed, will be restarted`);
      void this.#kill(this.#graceMs());
    } else if (imageChanged || this.#state.waiting?.reason === 'CreateContainerConfigError') {
      clearTimeout(this.#timer);
      this.#attempt();
    }
  }

  /** Stops for good: SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#stopProbes();
    if (!this.#child) return;
    this.#event('Normal', 'Killing', `Stopping container ${this.name}`);
    await this.#kill(graceMs);
  }

  #event(type: RuntimeEvent['type'], reason: RuntimeEvent['reason'], message: string): void {
    this.#o.host.event(type, reason, message, this.#o.fieldPath);
  }

  #graceMs(probe?: Obj): number {
    const s =
      probe?.terminationGracePeriodSeconds ?? this.#o.host.pod().spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, Number(s)) * 1000;
  }

  #wait(reason: WaitingReason, message?: string): void {
    this.#state = { waiting: message === undefined ? { reason } : { reason, message } };
    this.#ready = false;
    this.#started = false;
    this.#o.host.changed();
  }

  #attempt(): void {
    this.#timer = undefined;
    if (this.#stopping) return;
    const image = String(this.#spec.image ?? '');
    const plan = planLaunch(this.#spec, this.#o.host);
    if (plan.kind === 'invalid') {
      this.#fail(plan.reason, plan.message);
      return;
    }
    if (plan.kind === 'pull-failed') {
      this.#pullFailed(image, plan.message);
      return;
    }
    if (this.#spec.imagePullPolicy === 'Always') {
      this.#event('Normal', 'Pulling', `Pulling image "${image}"`);
      const pulled = `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: 0 bytes.`;
      this.#event('Normal', 'Pulled', pulled);
    } else {
      this.#event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    }
    if (plan.kind === 'start-failed') {
      this.#startFailed(plan.message);
      return;
    }
    this.#imageID = plan.imageID;
    this.#env = plan.env;
    this.#cwd = plan.cwd;
    this.#spawn(plan.exe, plan.args, plan.env, plan.cwd);
  }

  #fail(reason: WaitingReason, message: string): void {
    this.#event('Warning', 'Failed', `Error: ${message}`);
    this.#wait(reason, message);
  }

  #pullFailed(image: string, message: string): void {
    const first =
      this.#state.waiting?.reason !== 'ErrImagePull' && this.#state.waiting?.reason !== 'ImagePullBackOff';
    const delay = Math.max(this.#pullBackoff.delayFor(Date.now()), this.#o.host.backoff.baseMs);
    if (first) {
      this.#event('Normal', 'Pulling', `Pulling image "${image}"`);
      this.#event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.#event('Warning', 'Failed', 'Error: ErrImagePull');
      this.#wait('ErrImagePull', message);
    } else {
      this.#event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.#event('Warning', 'Failed', 'Error: ImagePullBackOff');
      this.#wait('ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${message}`);
    }
    this.#timer = setTimeout(() => this.#attempt(), delay);
  }

  #startFailed(message: string): void {
    this.#event('Warning', 'Failed', `Error: failed to start container "${this.name}": ${message}`);
    const now = Date.now();
    const terminated = {
      exitCode: 128,
      reason: 'StartError' as const,
      message,
      startedAt: rfc3339(0),
      finishedAt: rfc3339(now),
    };
    if (!this.#restarts(128)) {
      this.#state = { terminated };
      this.#o.host.changed();
      this.#o.host.exited(this.name, 128);
      return;
    }
    this.#lastState = { terminated };
    this.#wait('RunContainerError', message);
    this.#o.host.exited(this.name, 128);
    this.#timer = setTimeout(() => this.#restart(), this.#backoff.delayFor(now));
  }

  #restarts(exitCode: number): boolean {
    const policy = this.#o.restartPolicy;
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  #restart(): void {
    this.#restartCount++;
    this.#attempt();
  }

  #rotateLogs(): LogWriter {
    fs.mkdirSync(this.#o.logDir, { recursive: true });
    if (this.#prevLog !== undefined) fs.rmSync(this.#prevLog, { force: true });
    this.#prevLog = this.#curLog;
    this.#curLog = path.join(this.#o.logDir, `${this.#restartCount}.log`);
    this.#writer = new LogWriter(this.#curLog);
    return this.#writer;
  }

  #spawn(exe: string, args: string[], env: Record<string, string>, cwd: string): void {
    const writer = this.#rotateLogs();
    const id = randomBytes(32).toString('hex');
    this.#event('Normal', 'Created', `Created container: ${this.name}`);
    const child = spawn(exe, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const startedAtMs = Date.now();
    this.#child = child;
    child.stdout?.on('data', (c: Buffer) => writer.write('stdout', c));
    child.stderr?.on('data', (c: Buffer) => writer.write('stderr', c));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.#exit = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (child.pid !== undefined) return;
        this.#child = undefined;
        writer.close();
        this.#startFailed(err.message);
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        this.#o.host.pids.remove(id);
        const exitCode = code ?? 128 + signalNumber(signal);
        const done = (): void => {
          writer.close();
          this.#exited(exitCode, signal, startedAtMs, id);
          resolve();
        };
        const t = setTimeout(done, 500);
        void closed.then(() => {
          clearTimeout(t);
          done();
        });
      });
    });
    child.once('spawn', () => {
      if (child.pid !== undefined) this.#o.host.pids.add(id, child.pid);
      this.#containerID = `flotilla://${id}`;
      this.#state = { running: { startedAt: rfc3339(startedAtMs) } };
      this.#event('Normal', 'Started', `Started container ${this.name}`);
      this.#startProbes();
      this.#o.host.changed();
    });
  }

  #exited(exitCode: number, signal: NodeJS.Signals | null, startedAtMs: number, id: string): void {
    if (this.#state.terminated?.containerID === `flotilla://${id}`) return;
    this.#child = undefined;
    this.#stopProbes();
    const finishedAtMs = Date.now();
    const terminated: NonNullable<ContainerState['terminated']> = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: rfc3339(startedAtMs),
      finishedAt: rfc3339(finishedAtMs),
      containerID: `flotilla://${id}`,
    };
    if (signal) terminated.signal = signalNumber(signal);
    this.#state = { terminated };
    this.#ready = false;
    this.#started = false;
    if (this.#stopping) {
      this.#o.host.changed();
      return;
    }
    if (this.#replace) {
      this.#replace = false;
      this.#lastState = { terminated };
      this.#restart();
      return;
    }
    if (!this.#restarts(exitCode)) {
      this.#o.host.changed();
      this.#o.host.exited(this.name, exitCode);
      return;
    }
    this.#lastState = { terminated };
    const delay = this.#backoff.delayFor(finishedAtMs);
    this.#o.host.exited(this.name, exitCode);
    if (delay === 0) {
      this.#restart();
      return;
    }
    const pod = this.#o.host.pod().metadata;
    const who = `${pod.name}_${pod.namespace}(${pod.uid})`;
    this.#event('Warning', 'BackOff', `Back-off restarting failed container ${this.name} in pod ${who}`);
    this.#wait(
      'CrashLoopBackOff',
      `back-off ${formatDuration(delay)} restarting failed container=${this.name} pod=${who}`,
    );
    this.#timer = setTimeout(() => this.#restart(), delay);
  }

  async #kill(graceMs: number): Promise<void> {
    const child = this.#child;
    const exit = this.#exit;
    if (!child?.pid || !exit) return;
    this.#stopProbes();
    killGroup(child.pid, 'SIGTERM');
    const pid = child.pid;
    const t = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    await exit;
    clearTimeout(t);
  }

  #startProbes(): void {
    const spec = this.#spec;
    const target = {
      podIP: this.#o.host.podIP,
      ports: Array.isArray(spec.ports) ? spec.ports : [],
      env: this.#env,
      cwd: this.#cwd,
    };
    const worker = (kind: ProbeKind, onResult: (ok: boolean) => void): ProbeWorker | undefined => {
      const probe = spec[`${kind}Probe`];
      if (!probe) return undefined;
      const label = `${kind[0]?.toUpperCase()}${kind.slice(1)}`;
      const w = new ProbeWorker({
        kind,
        probe,
        target,
        onFailure: (out) => this.#event('Warning', 'Unhealthy', `${label} probe failed: ${out}`),
        onResult,
      });
      this.#probes.push(w);
      w.start();
      return w;
    };
    const afterStartup = (): void => {
      this.#started = true;
      this.#ready = !spec.readinessProbe;
      this.#o.host.changed();
      this.#o.host.startedUp(this.name);
      worker('liveness', (ok) => ok || this.#unhealthy('liveness', spec.livenessProbe));
      worker('readiness', (ok) => {
        this.#ready = ok;
        this.#o.host.changed();
      });
    };
    if (!worker('startup', (ok) => (ok ? afterStartup() : this.#unhealthy('startup', spec.startupProbe))))
      afterStartup();
  }

  #unhealthy(kind: ProbeKind, probe: Obj): void {
    this.#event('Normal', 'Killing', `Container ${this.name} failed ${kind} probe, will be restarted`);
    void this.#kill(this.#graceMs(probe));
  }

  #stopProbes(): void {
    for (const p of this.#probes) p.stop();
    this.#probes = [];
  }
}
