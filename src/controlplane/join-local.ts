/**
 * Registering `flotilla up`'s local members with its control plane, idempotently: a first start
 * joins each Push member (through `joinCluster`), a restart with the same state directory finds
 * the Cluster already there and only refreshes its endpoint and credentials when the member came
 * back on another port. A Pull member is registered by its agent (`local-agent.ts`); here the
 * admin only prepares what the agent may not do itself: the `karmada-cluster` namespace, a new
 * endpoint, or a switch of an existing Cluster between Push and Pull.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { credentialsFromKubeConfig, joinCluster } from '../federation/join.ts';
import { SECRET_KEYS } from '../federation/members.ts';

/** Options for {@link ensureJoined}. */
export interface EnsureJoinedOptions {
  controlPlane: Client;
  name: string;
  memberKubeConfig: KubeConfig;
  /** Push: joined here. Pull: prepared here, registered by the member's agent. */
  mode: 'Push' | 'Pull';
}

/**
 * What {@link ensureJoined} did: `joined` (new Push Cluster), `pending` (no Pull Cluster yet: the
 * agent registers it), `unchanged`, `updated` (new endpoint) or `switched` (the other mode before).
 */
export type JoinOutcome = 'joined' | 'pending' | 'unchanged' | 'updated' | 'switched';

async function currentCluster(client: Client, name: string): Promise<Cluster | undefined> {
  try {
    return await client.get<Cluster>(resources.clusters, { name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function ensureNamespace(client: Client, name: string): Promise<void> {
  try {
    await client.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/**
 * Makes sure member `name` is joined in `mode`: joins a Push member when no Cluster exists;
 * for Pull, leaves the registration to the agent. An existing Cluster in the other mode is
 * switched (the execution finalizer is shared, so its Works carry over), and its `apiEndpoint`
 * and credentials Secret are rewritten when they differ from the member's kubeconfig. Throws
 * when the Cluster is being deleted.
 */
export async function ensureJoined(options: EnsureJoinedOptions): Promise<JoinOutcome> {
  const { controlPlane: client, name, mode } = options;
  if (mode === 'Pull') await ensureNamespace(client, CLUSTER_SECRET_NAMESPACE);
  const existing = await currentCluster(client, name);
  if (!existing) {
    if (mode === 'Pull') return 'pending';
    await joinCluster({ controlPlane: client, name, memberKubeConfig: options.memberKubeConfig });
    return 'joined';
  }
  if (existing.metadata.deletionTimestamp) throw new Error(`cluster ${name} is being unjoined; try again`);
  const creds = credentialsFromKubeConfig(options.memberKubeConfig);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const data: Record<string, string> = {};
  if (creds.token) data[SECRET_KEYS.token] = b64(creds.token);
  if (creds.caBundle) data[SECRET_KEYS.caBundle] = b64(creds.caBundle);
  const ref = existing.spec.secretRef ?? { namespace: CLUSTER_SECRET_NAMESPACE, name };
  let changed = false;
  let secret: KubeObject | undefined;
  try {
    secret = await client.get(resources.secrets, { namespace: ref.namespace, name: ref.name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const old = (secret?.data ?? {}) as Record<string, string>;
  if (!secret) {
    await client.create(resources.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace: ref.namespace },
      type: 'Opaque',
      data,
    });
    changed = true;
  } else if (Object.entries(data).some(([k, v]) => old[k] !== v)) {
    await client.update(resources.secrets, { ...secret, data: { ...old, ...data } });
    changed = true;
  }
  const switched = existing.spec.syncMode !== mode;
  if (switched || existing.spec.apiEndpoint !== creds.apiEndpoint || !existing.spec.secretRef) {
    await client.update<Cluster>(resources.clusters, {
      ...existing,
      spec: { ...existing.spec, syncMode: mode, apiEndpoint: creds.apiEndpoint, secretRef: ref },
    });
    changed = true;
  }
  return switched ? 'switched' : changed ? 'updated' : 'unchanged';
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
