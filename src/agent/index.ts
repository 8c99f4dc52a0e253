/**
 * The pull-mode agent (Karmada's karmada-agent, §5): runs beside one member cluster with a
 * kubeconfig for it and its own least-privilege credentials for the control plane. It registers
 * the cluster (`register.ts`), keeps the Lease `karmada-cluster/<cluster>` renewed (`lease.ts`),
 * and runs the same cluster-status, execution and work-status controllers as the control plane
 * does for Push clusters — scoped to its own cluster, watching only `karmada-es-<cluster>` and
 * its own Cluster (`federation/scope.ts`). Informers resume from their last resourceVersion
 * after either side disconnects and relist on 410; writes retry with back-off.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cluster } from '../api/karmada/types.ts';
import type { Client } from '../client/client.ts';
import { InformerFactory } from '../controller/factory.ts';
import type { Controller } from '../controller/reconciler.ts';
import { sleep } from '../controller/sleep.ts';
import { newExecutionController } from '../controllers/execution/controller.ts';
import {
  type ClusterStatusTiming,
  newClusterStatusController,
} from '../controllers/status/cluster-status.ts';
import { newWorkStatusController } from '../controllers/status/work-status.ts';
import type { FederationContext } from '../federation/context.ts';
import { credentialsFromKubeConfig } from '../federation/join.ts';
import { MemberWatcher } from '../federation/member-watch.ts';
import { clustersInformer } from '../federation/scope.ts';
import { silentLogger } from '../log/index.ts';
import { startLeaseRenewer } from './lease.ts';
import { ownMember } from './member.ts';
import { AgentError, registerCluster } from './register.ts';

export { LEASE_DEFAULTS, renewLease } from './lease.ts';
export { AgentError, checkClusterName, memberIdentity, registerCluster } from './register.ts';

/** Options for {@link startAgent}. */
export interface AgentOptions {
  /** The agent's client of the control plane; not closed by `stop`. */
  controlPlane: Client;
  cluster: string;
  /** Kubeconfig of the member cluster (its current context). */
  memberKubeConfig: KubeConfig;
  provider?: string | undefined;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  /** Report the member kubeconfig's credentials as the Cluster's Secret; default true (Karmada's). */
  reportSecrets?: boolean | undefined;
  /** Cluster health timing; Karmada's defaults otherwise. */
  health?: ClusterStatusTiming | undefined;
  lease?: { durationSeconds?: number; renewIntervalMs?: number } | undefined;
  /** Concurrent reconciles per controller; default 5. */
  workers?: number | undefined;
  logger?: Logger | undefined;
  /** Aborts registration retries (startAgent then rejects). */
  signal?: AbortSignal | undefined;
}

/** A running agent; `stop` ends its controllers, informers, lease and member connections. */
export interface RunningAgent {
  /** The Cluster as registered. */
  cluster: Cluster;
  /** Resolves once the Cluster is gone from the control plane (unregistered and cleaned up). */
  unregistered: Promise<void>;
  stop(): Promise<void>;
}

/** Registers, retrying transient failures with back-off (0.5 s doubling to 5 s) until `signal`. */
async function registerWithRetry(
  options: AgentOptions,
  register: () => Promise<Cluster>,
  log: Logger,
): Promise<Cluster> {
  let delay = 500;
  for (;;) {
    try {
      return await register();
    } catch (err) {
      if (err instanceof AgentError) throw err;
      if (options.signal?.aborted) throw new Error('the agent stopped before it registered', { cause: err });
      log.warn({ err, cluster: options.cluster, retryInMs: delay }, 'registering the cluster failed');
      await sleep(delay, options.signal ?? new AbortController().signal);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/**
 * Registers the cluster and starts the agent's controllers and lease; resolves once they run.
 * Rejects with `AgentError` for refusals (name or identity taken, not Pull) after cleaning up.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = (options.logger ?? silentLogger()).child({ component: 'agent', cluster: options.cluster });
  const member = ownMember({ cluster: options.cluster, kubeConfig: options.memberKubeConfig });
  const creds = credentialsFromKubeConfig(options.memberKubeConfig);
  let cluster: Cluster;
  try {
    cluster = await registerWithRetry(
      options,
      () =>
        registerCluster({
          controlPlane: options.controlPlane,
          cluster: options.cluster,
          member: member.member.client,
          apiEndpoint: creds.apiEndpoint,
          credentials: options.reportSecrets === false ? undefined : creds,
          provider: options.provider,
          region: options.region,
          zones: options.zones,
        }),
      log,
    );
  } catch (err) {
    await member.close();
    throw err;
  }
  log.info({ syncMode: cluster.spec.syncMode }, 'cluster registered');

  const factory = new InformerFactory({ client: options.controlPlane, logger: log });
  const watcher = new MemberWatcher({ members: member, logger: log });
  const ctx: FederationContext = {
    client: options.controlPlane,
    factory,
    members: member,
    watcher,
    logger: log,
    workers: options.workers,
    agentFor: options.cluster,
  };
  const controllers: Controller[] = [
    newClusterStatusController({ ...ctx, ...(options.health ?? {}) }),
    newExecutionController(ctx),
    newWorkStatusController(ctx),
  ];
  let markUnregistered = () => {};
  const unregistered = new Promise<void>((resolve) => {
    markUnregistered = resolve;
  });
  clustersInformer(ctx).addHandlers({
    onDelete: (c) => {
      if (c.metadata.name !== options.cluster) return;
      log.info('the cluster was unregistered');
      markUnregistered();
    },
  });
  const lease = startLeaseRenewer({
    client: options.controlPlane,
    cluster: options.cluster,
    ...(options.lease ?? {}),
    logger: log,
  });
  const stop = async () => {
    await lease.stop();
    await Promise.all(controllers.map((c) => c.stop()));
    await watcher.stop();
    await factory.stop();
    await member.close();
  };
  factory.start();
  try {
    await Promise.all(controllers.map((c) => c.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  log.info('agent running');
  return { cluster, unregistered, stop };
}
