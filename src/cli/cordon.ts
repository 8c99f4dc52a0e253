/**
 * `flotilla cordon CLUSTER` / `flotilla uncordon CLUSTER`, as `karmadactl cordon|uncordon`: add
 * or remove the taint `cluster.karmada.io/unschedulable:NoSchedule`, so the scheduler stops (or
 * resumes) placing new work on the cluster; what already runs there stays.
 */
import { TAINTS } from '../api/karmada/names.ts';
import type { Client } from '../client/client.ts';
import { updateClusterTaints } from './taint.ts';

/** Cordons (`on`) or uncordons a cluster; resolves with the line to print. Throws CliError for an unknown cluster. */
export async function runCordon(client: Client, name: string, on: boolean): Promise<string> {
  const isCordon = (t: { key: string; effect: string }) =>
    t.key === TAINTS.unschedulable && t.effect === 'NoSchedule';
  const changed = await updateClusterTaints(client, name, (cluster) => {
    const taints = cluster.spec.taints ?? [];
    const has = taints.some(isCordon);
    if (has === on) return { taints: undefined, result: false };
    return {
      taints: on
        ? [...taints, { key: TAINTS.unschedulable, effect: 'NoSchedule' as const }]
        : taints.filter((t) => !isCordon(t)),
      result: true,
    };
  });
  const verb = on ? 'cordoned' : 'uncordoned';
  return changed ? `cluster/${name} ${verb}` : `cluster/${name} already ${verb}`;
}
