/**
 * The scheduler: binds each pending pod (no `spec.nodeName`, `schedulerName` empty or
 * `default-scheduler`) to the feasible Node with the most free cpu and memory, one pod at a
 * time so placements never over-commit. Binding patches `spec.nodeName`, then sets the
 * PodScheduled condition and records a `Scheduled` event. A pod no node fits gets PodScheduled
 * False/Unschedulable with Kubernetes' FitError message and a `FailedScheduling` warning, and is
 * retried whenever a Node or a pod changes (and every 30 s).
 */
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { EventRecorder } from '../../controller/events.ts';
import { Controller } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import type { ControllerContext } from '../common/context.ts';
import { podCondition, timestamp } from '../common/pods.ts';
import { filterNode, fitErrorMessage, type NodeUsage, scoreNode } from './filters.ts';
import { podRequests } from './quantity.ts';

/** The scheduler's name, the default `spec.schedulerName`. */
export const SCHEDULER_NAME = 'default-scheduler';
const RETRY_MS = 30_000;
const BY_NODE = 'byNodeName';

const isTerminal = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const isPending = (pod: KubeObject) =>
  !pod.spec?.nodeName &&
  !pod.metadata.deletionTimestamp &&
  !isTerminal(pod) &&
  (!pod.spec?.schedulerName || pod.spec.schedulerName === SCHEDULER_NAME);

/** Builds the scheduler on the shared factory; it always runs a single worker. */
export function newScheduler(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const now = ctx.now ?? Date.now;
  const nodes = ctx.factory.informer(resources.nodes);
  const pods = ctx.factory.informer(resources.pods);
  pods.addIndex(BY_NODE, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  const recorder = new EventRecorder({ client, component: SCHEDULER_NAME, logger: ctx.logger });
  /** Pods bound by us that the cache does not show bound yet: uid → node. */
  const assumed = new Map<string, { node: string; pod: KubeObject }>();
  const unschedulable = new Set<string>();

  // Requests per node, kept current from informer events (and pods we bound but the cache has
  // not shown bound yet), so placing one pod costs O(nodes), not O(pods).
  const totals = new Map<string, NodeUsage>();
  const account = (node: string | undefined, pod: KubeObject, sign: 1 | -1): void => {
    if (!node) return;
    let usage = totals.get(node);
    if (!usage) {
      usage = { requested: { cpu: 0, memory: 0 }, pods: 0 };
      totals.set(node, usage);
    }
    usage.pods += sign;
    for (const [k, v] of Object.entries(podRequests(pod)))
      usage.requested[k] = (usage.requested[k] ?? 0) + sign * v;
  };
  const counted = (p: KubeObject): string | undefined =>
    p.spec?.nodeName && !isTerminal(p) ? p.spec.nodeName : undefined;
  const unassume = (uid: string): void => {
    const a = assumed.get(uid);
    if (!a) return;
    assumed.delete(uid);
    account(a.node, a.pod, -1);
  };
  const usageOf = (node: string): NodeUsage =>
    totals.get(node) ?? { requested: { cpu: 0, memory: 0 }, pods: 0 };

  const reconcile = async (key: string) => {
    const pod = pods.store.get(key);
    if (!pod || !isPending(pod)) {
      unschedulable.delete(key);
      return;
    }
    const assumedFor = assumed.get(pod.metadata.uid ?? '');
    if (assumedFor) return; // bound already; the cache will catch up.
    const all = nodes.store.list();
    const diagnosis = new Map<string, string[]>();
    let best: { node: KubeObject; score: number; ties: number } | undefined;
    for (const node of all) {
      const usage = usageOf(node.metadata.name ?? '');
      const reasons = filterNode(pod, node, usage);
      if (reasons.length > 0) {
        diagnosis.set(node.metadata.name ?? '', reasons);
        continue;
      }
      const score = scoreNode(pod, node, usage);
      if (!best || score > best.score) best = { node, score, ties: 1 };
      else if (score === best.score && Math.random() < 1 / ++best.ties) best = { ...best, node };
    }
    if (!best) {
      unschedulable.add(key);
      await markUnschedulable(pod, fitErrorMessage(all.length, diagnosis));
      return { requeueAfter: RETRY_MS };
    }
    await bind(pod, best.node.metadata.name ?? '');
    unschedulable.delete(key);
    return;
  };

  async function bind(pod: KubeObject, node: string): Promise<void> {
    try {
      // One write, as kube-scheduler does: the binding sets spec.nodeName and PodScheduled=True.
      await client.createSubresource(
        resources.pods,
        { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace, subresource: 'binding' },
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        },
      );
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
    assumed.set(pod.metadata.uid ?? '', { node, pod });
    account(node, pod, 1);
    recorder.event(pod, {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`,
      action: 'Binding',
    });
  }

  async function markUnschedulable(pod: KubeObject, message: string): Promise<void> {
    const cond = podCondition(pod, 'PodScheduled');
    if (cond?.status !== 'False' || cond.reason !== 'Unschedulable' || cond.message !== message) {
      await setScheduled(pod, {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
        lastTransitionTime:
          cond?.status === 'False' ? (cond.lastTransitionTime ?? timestamp(now())) : timestamp(now()),
      });
    }
    recorder.event(pod, { type: 'Warning', reason: 'FailedScheduling', message, action: 'Scheduling' });
  }

  async function setScheduled(pod: KubeObject, condition: Record<string, unknown>): Promise<void> {
    try {
      await client.patch(resources.pods, {
        name: pod.metadata.name ?? '',
        namespace: pod.metadata.namespace,
        subresource: 'status',
        type: 'strategic',
        patch: { status: { conditions: [condition] } },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  const controller = new Controller({
    name: 'scheduler',
    reconcile,
    workers: 1,
    informers: [nodes, pods],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  const retryAll = () => {
    for (const k of unschedulable) controller.enqueue(k);
  };
  nodes.addHandlers({ onAdd: retryAll, onUpdate: (o, n) => o !== n && retryAll(), onDelete: retryAll });
  pods.addHandlers({
    onAdd(pod) {
      account(counted(pod), pod, 1);
      if (pod.spec?.nodeName) unassume(pod.metadata.uid ?? '');
      if (isPending(pod)) controller.enqueue(pod);
    },
    onUpdate(old, pod) {
      if (old === pod) return;
      account(counted(old), old, -1);
      account(counted(pod), pod, 1);
      if (pod.spec?.nodeName) unassume(pod.metadata.uid ?? '');
      // Known-unschedulable pods wait for a cluster change (or the periodic retry), not for
      // their own status writes.
      if (isPending(pod) && !unschedulable.has(objectKey(pod))) controller.enqueue(pod);
      // A pod leaving a node or finishing frees room.
      if (old.spec?.nodeName && isTerminal(pod) && !isTerminal(old)) retryAll();
    },
    onDelete(pod) {
      account(counted(pod), pod, -1);
      unassume(pod.metadata.uid ?? '');
      unschedulable.delete(objectKey(pod));
      if (pod.spec?.nodeName) retryAll();
    },
  });
  return controller;
}
