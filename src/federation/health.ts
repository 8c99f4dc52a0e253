/**
 * Member cluster health and status collection (Karmada's cluster status controller, §4.4):
 * the `/readyz` → `/healthz` probe, the Ready condition it maps to, and the version, API
 * enablements, node and resource summaries read when the member is healthy. Shared by the
 * cluster status controller of the control plane (Push) and of the pull-mode agent (`src/agent`).
 */
import { isNotFound, reasonOf } from '../api/errors.ts';
import type { ClusterStatus } from '../api/karmada/types.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import type { Discovery } from '../client/discovery.ts';
import { resources } from '../client/resources.ts';
import { podRequests, quantityOr0 } from '../controllers/scheduler/quantity.ts';

/** What a probe found: healthy, reachable but not ok, or not reachable at all. */
export type ProbeResult = 'ready' | 'notReady' | 'unreachable';

async function get(
  client: Client,
  path: string,
  timeoutMs: number,
): Promise<'ok' | 'notOk' | 'notFound' | 'unreachable'> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // lines() throws ApiError on a non-200 answer and ends quietly when the signal aborts.
    for await (const _line of client.transport.lines({ method: 'GET', path, signal, accept: 'text/plain' })) {
      // the body ("ok") does not matter: 200 is healthy
    }
    return signal.aborted ? 'unreachable' : 'ok';
  } catch (err) {
    if (isNotFound(err)) return 'notFound';
    return reasonOf(err) !== undefined ? 'notOk' : 'unreachable';
  }
}

/** GETs `/readyz`, falling back to `/healthz` on 404; never throws. */
export async function probeHealth(client: Client, timeoutMs = 5_000): Promise<ProbeResult> {
  let r = await get(client, '/readyz', timeoutMs);
  if (r === 'notFound') r = await get(client, '/healthz', timeoutMs);
  if (r === 'ok') return 'ready';
  return r === 'unreachable' ? 'unreachable' : 'notReady';
}

/** Karmada's Ready condition for a probe result (reasons and messages as Karmada words them). */
export function readyCondition(result: ProbeResult): Condition {
  switch (result) {
    case 'ready':
      return {
        type: 'Ready',
        status: 'True',
        reason: 'ClusterReady',
        message: 'cluster is healthy and ready to accept workloads',
      };
    case 'notReady':
      return {
        type: 'Ready',
        status: 'False',
        reason: 'ClusterNotReady',
        message: 'cluster is reachable but health endpoint responded without ok',
      };
    default:
      return {
        type: 'Ready',
        status: 'False',
        reason: 'ClusterNotReachable',
        message: 'cluster is not reachable',
      };
  }
}

function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function formatBytes(bytes: number): string {
  const n = Math.round(bytes);
  for (const [suffix, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (n !== 0 && n % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

/** A summed resource list formatted as quantities (`cpu` in cores/millicores, bytes binary). */
export function formatResources(sums: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sums).sort(([a], [b]) => a.localeCompare(b))) {
    out[k] =
      k === 'cpu'
        ? formatCpu(v)
        : k === 'memory' || k.includes('storage')
          ? formatBytes(v)
          : String(Math.round(v));
  }
  return out;
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** `nodeSummary` and `resourceSummary` from the member's Nodes and Pods. */
export async function collectSummaries(
  client: Client,
): Promise<Pick<ClusterStatus, 'nodeSummary' | 'resourceSummary'>> {
  const nodes = (await client.listAll(resources.nodes)).items;
  const pods = (await client.listAll(resources.pods)).items;
  const allocatable: Record<string, number> = {};
  let ready = 0;
  for (const n of nodes) {
    if ((n.status?.conditions ?? []).some((c: Condition) => c.type === 'Ready' && c.status === 'True'))
      ready++;
    const a: Record<string, number> = {};
    for (const [k, v] of Object.entries(n.status?.allocatable ?? {})) a[k] = quantityOr0(v);
    add(allocatable, a);
  }
  const allocated: Record<string, number> = { pods: 0 };
  const allocating: Record<string, number> = { pods: 0 };
  for (const p of pods as KubeObject[]) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const into = p.spec?.nodeName ? allocated : allocating;
    add(into, { ...podRequests(p), pods: 1 });
  }
  return {
    nodeSummary: { totalNum: nodes.length, readyNum: ready },
    resourceSummary: {
      allocatable: formatResources(allocatable),
      allocating: formatResources(allocating),
      allocated: formatResources(allocated),
    },
  };
}

/** `kubernetesVersion` (the member's `/version` gitVersion). */
export async function collectVersion(client: Client): Promise<string> {
  const v = await client.transport.json<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
  return v.gitVersion ?? '';
}

/**
 * `apiEnablements` (every group version with its resources' names and kinds, sorted) and the
 * `CompleteAPIEnablements` condition: Complete, Partial (some group versions failed) or Empty.
 */
export async function collectApiEnablements(
  discovery: Discovery,
): Promise<{ apiEnablements: NonNullable<ClusterStatus['apiEnablements']>; condition: Condition }> {
  const gvs = await discovery.groupVersions();
  let failed = 0;
  const out: NonNullable<ClusterStatus['apiEnablements']> = [];
  for (const gv of gvs) {
    try {
      const list = await discovery.resources(gv, { fresh: true });
      out.push({
        groupVersion: gv,
        resources: list
          .map((r) => ({ name: r.name, kind: r.kind }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      });
    } catch {
      failed++;
    }
  }
  out.sort((a, b) => a.groupVersion.localeCompare(b.groupVersion));
  const condition: Condition =
    out.length === 0
      ? {
          type: 'CompleteAPIEnablements',
          status: 'False',
          reason: 'Empty',
          message: 'collected empty APIEnablements from the cluster',
        }
      : failed > 0
        ? {
            type: 'CompleteAPIEnablements',
            status: 'False',
            reason: 'Partial',
            message: 'collected partial APIEnablements from the cluster',
          }
        : {
            type: 'CompleteAPIEnablements',
            status: 'True',
            reason: 'Complete',
            message: 'collected complete APIEnablements from the cluster',
          };
  return { apiEnablements: out, condition };
}
