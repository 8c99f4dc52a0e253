/**
 * Pod phase and conditions from container statuses, following kubelet's `getPhase` and
 * `GeneratePodReadyCondition`; shared by every runtime so they report alike.
 */
import type { ContainerStatusReport, PodConditionReport, PodStatusReport } from './types.ts';

/** RFC 3339 with second precision, as `metav1.Time` serialises. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Last transition times of a pod's conditions, kept by the runtime across status reads. */
export type ConditionClock = Map<string, { status: string; time: string }>;

/** What {@link buildPodStatus} needs. */
export interface PodStatusInput {
  readonly restartPolicy: string;
  readonly containerStatuses: ContainerStatusReport[];
  readonly initContainerStatuses?: ContainerStatusReport[];
  /** True once every init container has completed (or there are none). */
  readonly initialized: boolean;
  readonly podIP: string | undefined;
  readonly hostIP: string;
  readonly startTime: string;
  readonly clock: ConditionClock;
}

/** Kubelet's phase rule over the regular containers. */
export function podPhase(restartPolicy: string, statuses: ContainerStatusReport[], initialized: boolean) {
  if (!initialized) return 'Pending' as const;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending' as const;
  if (running > 0) return 'Running' as const;
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running' as const;
    if (stopped === succeeded) return 'Succeeded' as const;
    if (restartPolicy === 'Never') return 'Failed' as const;
    return 'Running' as const;
  }
  return 'Pending' as const;
}

function condition(
  clock: ConditionClock,
  type: PodConditionReport['type'],
  ok: boolean,
  reason?: string,
  message?: string,
): PodConditionReport {
  const status = ok ? 'True' : 'False';
  let seen = clock.get(type);
  if (seen?.status !== status) {
    seen = { status, time: rfc3339() };
    clock.set(type, seen);
  }
  const c: PodConditionReport = { type, status, lastProbeTime: null, lastTransitionTime: seen.time };
  if (!ok && reason !== undefined) c.reason = reason;
  if (!ok && message !== undefined) c.message = message;
  return c;
}

/** Assembles a {@link PodStatusReport}; transition times come from and go to `input.clock`. */
export function buildPodStatus(input: PodStatusInput): PodStatusReport {
  const phase = podPhase(input.restartPolicy, input.containerStatuses, input.initialized);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unready = input.containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const uninit = (input.initContainerStatuses ?? []).filter((s) => !s.state.terminated).map((s) => s.name);
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const ready = !terminal && unready.length === 0;
  const conditions = [
    condition(input.clock, 'PodReadyToStartContainers', input.podIP !== undefined),
    condition(
      input.clock,
      'Initialized',
      input.initialized,
      'ContainersNotInitialized',
      `containers with incomplete status: [${uninit.join(' ')}]`,
    ),
    condition(input.clock, 'Ready', ready, readyReason, readyMessage),
    condition(input.clock, 'ContainersReady', ready, readyReason, readyMessage),
    condition(input.clock, 'PodScheduled', true),
  ];
  const status: PodStatusReport = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: input.startTime,
    containerStatuses: input.containerStatuses,
  };
  if (input.podIP !== undefined) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (input.initContainerStatuses && input.initContainerStatuses.length > 0) {
    status.initContainerStatuses = input.initContainerStatuses;
  }
  return status;
}
