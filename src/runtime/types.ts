/**
 * The pod runtime contract: what a kubelet loop calls to run pods and what it reads back. A
 * runtime has no API-server access; the kubelet watches pods, calls {@link PodRuntime.syncPod}
 * and writes {@link PodRuntime.podStatus} and the runtime's events back to the API server.
 */
import type { Readable } from 'node:stream';
import type { KubeObject } from '../api/meta.ts';

/** Which runtime {@link PodRuntime} is. */
export type RuntimeKind = 'process' | 'simulated';

/** What the kubelet knows about a pod's surroundings when it syncs it. */
export interface SyncContext {
  /** Kubernetes service environment variables (`<SVC>_SERVICE_HOST`, …) for the pod's namespace. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** The member cluster's name; containers get it as `CLUSTER_NAME`. */
  readonly clusterName: string;
  /** ConfigMaps of the pod's namespace by name, for `configMapKeyRef` and `envFrom`. */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Secrets of the pod's namespace by name, values already base64-decoded. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The node's address for `status.hostIP`; `127.0.0.1` when unset. */
  readonly hostIP?: string;
}

/** Why a container is waiting, as kubelet words it. */
export type WaitingReason =
  | 'ContainerCreating'
  | 'PodInitializing'
  | 'CrashLoopBackOff'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'CreateContainerError'
  | 'CreateContainerConfigError'
  | 'RunContainerError';

/** A container's `state` or `lastState`, shaped like `v1.ContainerState`. */
export interface ContainerState {
  waiting?: { reason: WaitingReason; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    signal?: number;
    reason: 'Completed' | 'Error' | 'StartError' | 'OOMKilled';
    message?: string;
    startedAt?: string;
    finishedAt: string;
    containerID?: string;
  };
}

/** One entry of `status.containerStatuses`, shaped like `v1.ContainerStatus`. */
export interface ContainerStatusReport {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
}

/** One pod condition, shaped like `v1.PodCondition`. */
export interface PodConditionReport {
  type: 'PodReadyToStartContainers' | 'Initialized' | 'Ready' | 'ContainersReady' | 'PodScheduled';
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** The runtime's view of a pod: the fields of `status` a kubelet owns. */
export interface PodStatusReport {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  conditions: PodConditionReport[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime: string;
  initContainerStatuses?: ContainerStatusReport[];
  containerStatuses: ContainerStatusReport[];
  qosClass?: string;
}

/** An event about a pod, worded as kubelet's; the kubelet loop records it against the pod. */
export interface RuntimeEvent {
  podUid: string;
  namespace: string;
  podName: string;
  /** `spec.containers{name}` when the event is about one container. */
  fieldPath?: string;
  type: 'Normal' | 'Warning';
  reason:
    | 'Scheduled'
    | 'Pulling'
    | 'Pulled'
    | 'Created'
    | 'Started'
    | 'Killing'
    | 'Unhealthy'
    | 'BackOff'
    | 'Failed'
    | 'FailedCreatePodSandBox';
  message: string;
  /** RFC 3339 time the runtime saw it happen. */
  timestamp: string;
}

/** Options of {@link PodRuntime.logs}, mirroring `kubectl logs` / `PodLogOptions`. */
export interface LogOptions {
  /** The previous (terminated) instance's output instead of the current one's. */
  previous?: boolean;
  /** Keep the stream open and append new output until the container stops. */
  follow?: boolean;
  /** Only the last N lines. */
  tailLines?: number;
  /** Only lines written in the last N seconds. */
  sinceSeconds?: number;
  /** Only lines written at or after this RFC 3339 time. */
  sinceTime?: string;
  /** Prefix each line with its RFC 3339 timestamp. */
  timestamps?: boolean;
  /** Stop after this many bytes. */
  limitBytes?: number;
}

/** Options of {@link PodRuntime.killPod}. */
export interface KillOptions {
  /** Seconds between SIGTERM and SIGKILL; the pod's `terminationGracePeriodSeconds` when unset. */
  gracePeriodSeconds?: number;
}

/**
 * A pod runtime. `syncPod` never throws for a bad pod spec: bad input shows up as container
 * waiting reasons and Warning events. Listeners are called synchronously; they must not throw.
 */
export interface PodRuntime {
  /** Which runtime this is. */
  readonly kind: RuntimeKind;
  /** Idempotently starts whatever of the pod should run; a pod with `deletionTimestamp` is stopped. */
  syncPod(pod: KubeObject, ctx: SyncContext): void;
  /** Stops the pod's containers (SIGTERM, SIGKILL after the grace period), frees its IP, forgets it. */
  killPod(uid: string, options?: KillOptions): Promise<void>;
  /** The pod's current status, or undefined for a pod the runtime does not know. */
  podStatus(uid: string): PodStatusReport | undefined;
  /** UIDs of every pod the runtime knows. */
  podUids(): string[];
  /** Subscribes to "this pod's status changed" (coalesced); returns the unsubscribe function. */
  onChange(listener: (uid: string) => void): () => void;
  /** Subscribes to pod events; returns the unsubscribe function. */
  onEvent(listener: (event: RuntimeEvent) => void): () => void;
  /** A container's output: a string, or with `follow` a stream ending when the container stops. Throws {@link RuntimeError}. */
  logs(uid: string, container: string, options?: LogOptions): string | Readable;
  /** Stops every pod and process the runtime started; later calls to syncPod are ignored. */
  stop(): Promise<void>;
}

/** Stable codes of {@link RuntimeError}; `NotFound` maps to HTTP 404, the others to 400. */
export type RuntimeErrorCode = 'NotFound' | 'BadRequest';

/** The one error a runtime throws (from `logs`), carrying a Kubernetes-style message and a stable code. */
export class RuntimeError extends Error {
  /** `NotFound` or `BadRequest`. */
  readonly code: RuntimeErrorCode;
  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
    this.code = code;
  }
}
