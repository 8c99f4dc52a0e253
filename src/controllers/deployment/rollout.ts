/**
 * The three ways a Deployment pass moves its ReplicaSets, after Kubernetes' deployment
 * controller: `rolloutRolling` (grow the new RS within maxSurge, shrink old ones within
 * maxUnavailable, unhealthy pods first), `rolloutRecreate` (old RSes to zero, wait for their pods
 * to go, then the new RS to full size), and `syncScale` (a paused Deployment or a resize
 * mid-rollout: proportional scaling, no new RS). Each returns once it has written something.
 */
import type { KubeObject } from '../../api/meta.ts';
import { fenceposts, newRSNewReplicas, proportionalSizes, specReplicas } from './math.ts';
import type { DeploymentSync } from './sync.ts';

/** Whether a resize happened since the active RSes were last scaled (desired-replicas differs). */
export function isScalingEvent(s: DeploymentSync): boolean {
  const replicas = String(s.d.spec?.replicas ?? 1);
  return s.rsList.some((rs) => {
    const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
    return specReplicas(rs) > 0 && desired !== undefined && desired !== replicas;
  });
}

/** True when the new RS runs every replica available and nothing else is left. */
export function isComplete(s: DeploymentSync, status: Record<string, number>): boolean {
  const replicas = Number(s.d.spec?.replicas ?? 1);
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    Number(status.observedGeneration) >= Number(s.d.metadata.generation ?? 0)
  );
}

/** A paused or resized Deployment: scale without rolling (Kubernetes' `sync`). */
export async function syncScale(s: DeploymentSync): Promise<void> {
  await s.syncNewRS(false);
  await scaleProportionally(s);
  if (s.d.spec?.paused) await s.cleanup();
}

async function scaleProportionally(s: DeploymentSync): Promise<void> {
  const replicas = Number(s.d.spec?.replicas ?? 1);
  const active = s.rsList.filter((rs) => specReplicas(rs) > 0);
  if (active.length <= 1) {
    const target = active[0] ?? s.newRS ?? s.rsList[s.rsList.length - 1];
    if (target) await s.scale(target, replicas);
    return;
  }
  const newRS = s.newRS;
  if (newRS && specReplicas(newRS) === replicas && s.availableOf(newRS) === replicas) {
    for (const rs of s.oldRSs) await s.scale(rs, 0);
    return;
  }
  if (s.d.spec?.strategy?.type === 'Recreate') return;
  const sizes = proportionalSizes(s.d, active);
  for (const rs of [...active]) await s.scale(rs, sizes.get(rs.metadata.name ?? '') ?? specReplicas(rs));
}

/** One RollingUpdate step; resolves true when it scaled something. */
export async function rolloutRolling(s: DeploymentSync): Promise<boolean> {
  const newRS = await s.syncNewRS(true);
  if (!newRS) return false;
  const replicas = Number(s.d.spec?.replicas ?? 1);
  const size = specReplicas(newRS);
  if (size > replicas) {
    if (await s.scale(newRS, replicas)) return true;
  } else if (size < replicas) {
    const current = s.rsList.reduce((n, rs) => n + s.podsOf(rs), 0);
    if (await s.scale(newRS, newRSNewReplicas(s.d, current, size))) return true;
  }
  return scaleDownOld(s, newRS);
}

async function scaleDownOld(s: DeploymentSync, newRS: KubeObject): Promise<boolean> {
  const old = s.oldRSs.filter((rs) => specReplicas(rs) > 0);
  if (old.length === 0) return false;
  const replicas = Number(s.d.spec?.replicas ?? 1);
  const [, maxUnavailable] = fenceposts(s.d);
  const minAvailable = replicas - maxUnavailable;
  const allPods = s.rsList.reduce((n, rs) => n + specReplicas(rs), 0);
  const newUnavailable = specReplicas(newRS) - s.availableOf(newRS);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let scaled = 0;
  // First the old RSes' unhealthy pods, which cost no availability.
  for (const rs of old) {
    if (scaled >= maxScaledDown) break;
    const unhealthy = specReplicas(rs) - s.availableOf(rs);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - scaled, unhealthy);
    await s.scale(rs, specReplicas(rs) - n);
    scaled += n;
  }
  // Then available pods, down to minAvailable across every RS.
  const available = s.rsList.reduce((n, rs) => n + s.availableOf(rs), 0);
  const budget = Math.min(available - minAvailable, maxScaledDown - scaled);
  let down = 0;
  for (const rs of s.oldRSs) {
    if (down >= budget) break;
    const size = specReplicas(rs);
    if (size === 0) continue;
    const n = Math.min(size, budget - down);
    await s.scale(rs, size - n);
    down += n;
  }
  return scaled + down > 0;
}

/** One Recreate step; resolves true when it scaled something or waits for old pods. */
export async function rolloutRecreate(s: DeploymentSync): Promise<boolean> {
  await s.syncNewRS(false);
  let scaled = false;
  for (const rs of s.oldRSs) if (await s.scale(rs, 0)) scaled = true;
  if (scaled) return true;
  if (s.oldRSs.some((rs) => s.podsOf(rs) > 0 || Number(rs.status?.replicas ?? 0) > 0)) return true;
  const newRS = s.newRS ?? (await s.syncNewRS(true));
  if (!newRS) return false;
  return s.scale(newRS, Number(s.d.spec?.replicas ?? 1));
}
