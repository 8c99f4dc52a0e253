/**
 * Waiting until templates are placed, for `flotilla up --demo`: each template is claimed by a
 * policy, its binding is scheduled and fully applied to every chosen cluster, and a workload's
 * aggregated status on the template counts every replica the members should run as ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from '../api/errors.ts';
import { bindingName } from '../api/karmada/names.ts';
import type { ResourceBinding } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import { resources } from '../client/resources.ts';
import { claimOf } from '../controllers/detector/index.ts';

/** Counts reported while waiting. */
export interface DemoProgress {
  total: number;
  claimed: number;
  scheduled: number;
  applied: number;
  /** Workloads whose aggregated status counts all replicas ready. */
  ready: number;
  workloads: number;
  /** `kind/name` of templates not settled yet. */
  pending: string[];
}

/** Options for {@link waitForPlacement}. */
export interface SettleOptions {
  client: Client;
  templates: readonly KubeObject[];
  timeoutMs: number;
  /** Called after each poll whose counts changed, and at least every 5 s. */
  onProgress?: (p: DemoProgress) => void;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function condition(b: ResourceBinding, type: string): boolean {
  return b.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;
}

async function getOrUndefined<T extends KubeObject>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function poll(
  client: Client,
  discovery: Discovery,
  templates: readonly KubeObject[],
): Promise<DemoProgress> {
  const p: DemoProgress = {
    total: templates.length,
    claimed: 0,
    scheduled: 0,
    applied: 0,
    ready: 0,
    workloads: 0,
    pending: [],
  };
  for (const t of templates) {
    const kind = t.kind ?? '';
    const name = t.metadata.name ?? '';
    const namespace = t.metadata.namespace ?? 'default';
    const ref = await discovery.resolve({ apiVersion: t.apiVersion ?? '', kind });
    const workload = WORKLOADS.has(kind);
    if (workload) p.workloads++;
    const ns = ref.namespaced ? namespace : undefined;
    const live = await getOrUndefined(() => client.get(ref, { name, namespace: ns }));
    const binding = await getOrUndefined(() =>
      client.get<ResourceBinding>(
        ref.namespaced ? resources.resourcebindings : resources.clusterresourcebindings,
        {
          name: bindingName(kind, name),
          namespace: ns,
        },
      ),
    );
    let settled = false;
    if (live && claimOf(live.metadata)) {
      p.claimed++;
      if (binding && condition(binding, 'Scheduled')) {
        p.scheduled++;
        if (condition(binding, 'FullyApplied')) {
          p.applied++;
          settled = true;
          if (workload) {
            const want = (binding.spec.clusters ?? []).reduce((n, c) => n + (c.replicas ?? 0), 0);
            const ready = (live as { status?: { readyReplicas?: number } }).status?.readyReplicas ?? 0;
            settled = ready >= want;
            if (settled) p.ready++;
          }
        }
      }
    }
    if (!settled) p.pending.push(`${kind.toLowerCase()}/${name}`);
  }
  return p;
}

/**
 * Polls until every template is settled; rejects after `timeoutMs` with the pending ones.
 * Reads only.
 */
export async function waitForPlacement(options: SettleOptions): Promise<DemoProgress> {
  const { client, templates } = options;
  const discovery = new Discovery({ client });
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  let lastAt = 0;
  for (;;) {
    const p = await poll(client, discovery, templates);
    const key = JSON.stringify([p.claimed, p.scheduled, p.applied, p.ready]);
    if (options.onProgress && (key !== last || Date.now() - lastAt >= 5_000)) {
      last = key;
      lastAt = Date.now();
      options.onProgress(p);
    }
    if (p.pending.length === 0) return p;
    if (Date.now() > deadline) {
      throw new Error(
        `placement did not settle in ${Math.round(options.timeoutMs / 1000)}s; pending: ${p.pending.join(', ')}`,
      );
    }
    await sleep(300);
  }
}
