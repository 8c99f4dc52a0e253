/**
 * Registering `flotilla up`'s local members with its control plane, idempotently: a first start
 * joins each member (Push, through `joinCluster`), a restart with the same state directory finds
 * the Cluster already there and only refreshes its endpoint and credentials when the member came
 * back on another port. Pull members (through an agent) are the seam for a later release.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../api/errors.ts';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { credentialsFromKubeConfig, joinCluster } from '../federation/join.ts';
import { SECRET_KEYS } from '../federation/members.ts';

/** Options for {@link ensureJoined}. */
export interface EnsureJoinedOptions {
  controlPlane: Client;
  name: string;
  memberKubeConfig: KubeConfig;
  /** Only Push is implemented; Pull arrives with the agent. */
  mode: 'Push' | 'Pull';
}

/** What {@link ensureJoined} did: `joined` (new), `unchanged`, or `updated` (new endpoint). */
export type JoinOutcome = 'joined' | 'unchanged' | 'updated';

async function currentCluster(client: Client, name: string): Promise<Cluster | undefined> {
  try {
    return await client.get<Cluster>(resources.clusters, { name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Makes sure member `name` is joined in `mode`: joins it when no Cluster exists, accepts an
 * existing Push Cluster, and rewrites its `apiEndpoint` and credentials Secret when they differ
 * from the member's kubeconfig. Throws when the Cluster exists in another mode or is being
 * deleted, and for `mode: 'Pull'`.
 */
export async function ensureJoined(options: EnsureJoinedOptions): Promise<JoinOutcome> {
  const { controlPlane: client, name } = options;
  if (options.mode === 'Pull') {
    throw new Error(`cluster ${name}: Pull mode (through an agent) arrives with a later release`);
  }
  const existing = await currentCluster(client, name);
  if (!existing) {
    await joinCluster({ controlPlane: client, name, memberKubeConfig: options.memberKubeConfig });
    return 'joined';
  }
  if (existing.metadata.deletionTimestamp) throw new Error(`cluster ${name} is being unjoined; try again`);
  if (existing.spec.syncMode !== 'Push') {
    throw new Error(`cluster ${name} is joined in ${existing.spec.syncMode} mode, not Push`);
  }
  const creds = credentialsFromKubeConfig(options.memberKubeConfig);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const data: Record<string, string> = {};
  if (creds.token) data[SECRET_KEYS.token] = b64(creds.token);
  if (creds.caBundle) data[SECRET_KEYS.caBundle] = b64(creds.caBundle);
  const ref = existing.spec.secretRef ?? { namespace: CLUSTER_SECRET_NAMESPACE, name };
  let changed = false;
  const secret = await client.get(resources.secrets, { namespace: ref.namespace, name: ref.name });
  const old = (secret.data ?? {}) as Record<string, string>;
  if (Object.entries(data).some(([k, v]) => old[k] !== v)) {
    await client.update(resources.secrets, { ...secret, data: { ...old, ...data } });
    changed = true;
  }
  if (existing.spec.apiEndpoint !== creds.apiEndpoint) {
    await client.update<Cluster>(resources.clusters, {
      ...existing,
      spec: { ...existing.spec, apiEndpoint: creds.apiEndpoint },
    });
    changed = true;
  }
  return changed ? 'updated' : 'unchanged';
}

function isReady(c: Cluster | undefined): boolean {
  return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;
}

/**
 * Polls until every named Cluster reports `Ready=True`; rejects after `timeoutMs` naming the
 * clusters that are not. Calls `onWaiting` at most every 2 s with the ones still pending.
 */
export async function waitForClustersReady(
  client: Client,
  names: readonly string[],
  timeoutMs: number,
  onWaiting?: (pending: string[]) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    const list = await client.list<Cluster>(resources.clusters);
    const pending = names.filter((n) => !isReady(list.items.find((c) => c.metadata.name === n)));
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`cluster(s) ${pending.join(', ')} not Ready after ${Math.round(timeoutMs / 1000)}s`);
    }
    if (onWaiting && Date.now() - lastReport >= 2_000) {
      lastReport = Date.now();
      onWaiting(pending);
    }
    await sleep(200);
  }
}
