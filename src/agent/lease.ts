/**
 * The agent's heartbeat Lease `karmada-cluster/<cluster>` (coordination.k8s.io/v1): created
 * owned by the Cluster (so it goes when the Cluster goes), `leaseDurationSeconds` 40, renewed
 * every 10 s (Karmada's `--cluster-lease-duration` × `--cluster-lease-renew-interval-fraction`).
 * The control plane's cluster controller reads `spec.renewTime` of Pull clusters and marks
 * them `Ready=Unknown` when it stops moving. Failures are logged and retried after 1 s.
 */
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { silentLogger } from '../log/index.ts';

/** Karmada's defaults: a 40 s lease renewed at a quarter of it. */
export const LEASE_DEFAULTS = { durationSeconds: 40, renewIntervalMs: 10_000 } as const;

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

/** Options for {@link startLeaseRenewer}. */
export interface LeaseRenewerOptions {
  client: Client;
  cluster: string;
  durationSeconds?: number;
  renewIntervalMs?: number;
  logger?: Logger | undefined;
}

/** A running renewer; `renewed` counts successful writes, `stop` ends the loop. */
export interface LeaseRenewer {
  readonly renewed: number;
  stop(): Promise<void>;
}

/** Creates or renews the Lease once; throws the API's errors. */
export async function renewLease(
  client: Client,
  cluster: string,
  durationSeconds: number = LEASE_DEFAULTS.durationSeconds,
): Promise<KubeObject> {
  const key = { namespace: CLUSTER_SECRET_NAMESPACE, name: cluster };
  let lease: KubeObject | undefined;
  try {
    lease = await client.get(resources.leases, key);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const now = microTime();
  if (lease) {
    const next = structuredClone(lease);
    next.spec = { ...(next.spec ?? {}), holderIdentity: cluster, leaseDurationSeconds: durationSeconds };
    next.spec.renewTime = now;
    return client.update(resources.leases, next);
  }
  const owner = await client.get<Cluster>(resources.clusters, { name: cluster });
  const created: KubeObject = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...key,
      ownerReferences: [
        {
          apiVersion: 'cluster.karmada.io/v1alpha1',
          kind: 'Cluster',
          name: cluster,
          uid: owner.metadata.uid ?? '',
        },
      ],
    },
    spec: { holderIdentity: cluster, leaseDurationSeconds: durationSeconds, renewTime: now },
  };
  try {
    return await client.create(resources.leases, created);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return renewLease(client, cluster, durationSeconds);
  }
}

/** Starts renewing in the background (first renewal at once); never throws. */
export function startLeaseRenewer(options: LeaseRenewerOptions): LeaseRenewer {
  const log = options.logger ?? silentLogger();
  const interval = options.renewIntervalMs ?? LEASE_DEFAULTS.renewIntervalMs;
  const abort = new AbortController();
  let renewed = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let delay = interval;
      try {
        await renewLease(options.client, options.cluster, options.durationSeconds);
        renewed++;
      } catch (err) {
        log.warn({ err, cluster: options.cluster }, 'renewing the cluster lease failed');
        delay = Math.min(1_000, interval);
      }
      if (abort.signal.aborted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
    }
  })();
  return {
    get renewed() {
      return renewed;
    },
    async stop() {
      abort.abort();
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
