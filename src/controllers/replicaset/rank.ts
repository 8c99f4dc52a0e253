/**
 * Which pods a ReplicaSet deletes first when scaling down, in Kubernetes' `ActivePodsWithRanks`
 * order: unscheduled before scheduled; Pending before Unknown before Running; not ready before
 * ready; lower `controller.kubernetes.io/pod-deletion-cost` first; pods on nodes crowded with
 * their siblings first; ready for less time first; more restarts first; newest first.
 */
import { isPodReady, type Pod, podCondition } from '../common/pods.ts';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function restarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n = Math.max(n, Number(s?.restartCount ?? 0));
  return n;
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Returns `pods` sorted so the ones to delete first come first; pure. */
export function rankPodsForDeletion(pods: readonly Pod[]): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const cmp = (a: Pod, b: Pod): number => {
    const an = a.spec?.nodeName ? 1 : 0;
    const bn = b.spec?.nodeName ? 1 : 0;
    if (an !== bn) return an - bn;
    const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
    const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
    if (ap !== bp) return ap - bp;
    const ar = isPodReady(a) ? 1 : 0;
    const br = isPodReady(b) ? 1 : 0;
    if (ar !== br) return ar - br;
    const ac = Number(a.metadata.annotations?.[DELETION_COST] ?? 0) || 0;
    const bc = Number(b.metadata.annotations?.[DELETION_COST] ?? 0) || 0;
    if (ac !== bc) return ac - bc;
    const ad = perNode.get(a.spec?.nodeName ?? '') ?? 0;
    const bd = perNode.get(b.spec?.nodeName ?? '') ?? 0;
    if (ad !== bd) return bd - ad;
    if (ar && br) {
      const at = time(podCondition(a, 'Ready')?.lastTransitionTime);
      const bt = time(podCondition(b, 'Ready')?.lastTransitionTime);
      if (at !== bt) return bt - at;
    }
    const rs = restarts(b) - restarts(a);
    if (rs !== 0) return rs;
    return time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp);
  };
  return [...pods].sort(cmp);
}

/**
 * Runs `fn` `count` times in batches that start at `initial` and double after every fully
 * successful batch (Kubernetes' slow start), stopping at the first batch with a failure.
 * Resolves with how many succeeded and the first error, if any.
 */
export async function slowStartBatch(
  count: number,
  initial: number,
  fn: (i: number) => Promise<void>,
): Promise<{ succeeded: number; error: unknown }> {
  let remaining = count;
  let succeeded = 0;
  let batch = Math.min(remaining, initial);
  let index = 0;
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { succeeded, error: failed.reason };
    remaining -= batch;
    batch = Math.min(2 * batch, remaining);
  }
  return { succeeded, error: undefined };
}
