/**
 * A Deployment's status from its ReplicaSets (Kubernetes' `calculateStatus` and
 * `syncRolloutStatus`): counters, the Available condition (MinimumReplicasAvailable /
 * MinimumReplicasUnavailable), the Progressing condition (ReplicaSetUpdated,
 * NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused/Resumed), and
 * ReplicaFailure mirrored from a failing ReplicaSet.
 */
import type { Condition } from '../../api/meta.ts';
import { removeCondition, setCondition, timestamp } from '../common/pods.ts';
import { fenceposts, specReplicas } from './math.ts';
import { isComplete } from './rollout.ts';
import type { DeploymentSync } from './sync.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The status to write after a pass, and how long until the progress deadline should be
 * re-checked (undefined when it need not be).
 */
export function deploymentStatus(s: DeploymentSync): { status: Record<string, unknown>; recheckMs?: number } {
  const d = s.d;
  const all = s.rsList;
  const replicas = Number(d.spec?.replicas ?? 1);
  const available = sum(all.map((rs) => Number(rs.status?.availableReplicas ?? 0)));
  const counters: Record<string, number> = {
    observedGeneration: Number(d.metadata.generation ?? 0),
    replicas: sum(all.map((rs) => Number(rs.status?.replicas ?? 0))),
    updatedReplicas: Number(s.newRS?.status?.replicas ?? 0),
    readyReplicas: sum(all.map((rs) => Number(rs.status?.readyReplicas ?? 0))),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(all.map(specReplicas)) - available),
  };
  const at = timestamp(s.now);
  const cond = (type: string, status: Condition['status'], reason: string, message: string): Condition => ({
    type,
    status,
    reason,
    message,
    lastUpdateTime: at,
    lastTransitionTime: at,
  });
  let conditions = s.conditions;
  const keepUpdate = (c: Condition) => {
    // An unchanged condition keeps its timestamps, so status writes stop once settled.
    const old = conditions.find((o) => o.type === c.type);
    if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) return;
    conditions = setCondition(conditions, c);
  };
  const [, maxUnavailable] = fenceposts(d);
  if (available >= replicas - maxUnavailable) {
    keepUpdate(cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'));
  } else {
    keepUpdate(
      cond(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
      ),
    );
  }
  const failing = all
    .map((rs) =>
      (rs.status?.conditions as Condition[] | undefined)?.find(
        (c) => c.type === 'ReplicaFailure' && c.status === 'True',
      ),
    )
    .find((c) => c !== undefined);
  if (failing) keepUpdate({ ...failing, lastUpdateTime: at });
  else conditions = removeCondition(conditions, 'ReplicaFailure');

  let recheckMs: number | undefined;
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const deadline = d.spec?.progressDeadlineSeconds;
  const name = s.newRS?.metadata.name ?? '';
  if (d.spec?.paused) {
    if (progressing?.reason !== 'DeploymentPaused') {
      conditions = setCondition(
        conditions,
        cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'),
      );
    }
  } else if (progressing?.reason === 'DeploymentPaused') {
    conditions = setCondition(
      conditions,
      cond('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'),
    );
  } else if (deadline !== undefined && deadline !== null && s.newRS) {
    const prev = d.status ?? {};
    const moved =
      counters.updatedReplicas! > Number(prev.updatedReplicas ?? 0) ||
      counters.replicas! - counters.updatedReplicas! <
        Number(prev.replicas ?? 0) - Number(prev.updatedReplicas ?? 0) ||
      counters.readyReplicas! > Number(prev.readyReplicas ?? 0) ||
      counters.availableReplicas! > Number(prev.availableReplicas ?? 0);
    if (isComplete(s, counters)) {
      keepUpdate(
        cond(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${name}" has successfully progressed.`,
        ),
      );
    } else if (moved) {
      const c = cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}" is progressing.`);
      if (progressing?.status === 'True' && progressing.lastTransitionTime)
        c.lastTransitionTime = progressing.lastTransitionTime;
      conditions = [...conditions.filter((x) => x.type !== 'Progressing'), c];
      recheckMs = Number(deadline) * 1000;
    } else if (
      progressing &&
      progressing.reason !== 'NewReplicaSetAvailable' &&
      progressing.reason !== 'ProgressDeadlineExceeded'
    ) {
      const since = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? '') || s.now;
      const left = since + Number(deadline) * 1000 - s.now;
      if (left <= 0) {
        conditions = setCondition(
          conditions,
          cond(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            `ReplicaSet "${name}" has timed out progressing.`,
          ),
        );
      } else recheckMs = left;
    }
  }
  const status: Record<string, unknown> = { ...counters, conditions };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  return recheckMs === undefined ? { status } : { status, recheckMs };
}
