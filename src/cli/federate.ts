/**
 * The federation half of `flotilla up`: the control plane controllers in-process (propagation,
 * scheduler, federation) on an admin client from the control plane kubeconfig, each local member
 * joined in Push or registered in Pull by its own in-process agent (`--pull`), the wait for
 * every Cluster to turn Ready, and `--demo bookinfo` (apply the seed manifests, wait until
 * placement settles).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import type { ControllerTuning } from './controller-tuning.ts';
import type { Terminal } from './errors.ts';
import type { MemberEndpoint } from './members.ts';

/** Where the demo manifests live (identical copies of the seed scenario's). */
export const BOOKINFO_DIR = resolve(import.meta.dirname, '../../examples/bookinfo');

/** The files `--demo bookinfo` applies, in order: templates, policies, mesh configuration. */
export const BOOKINFO_FILES = ['bookinfo-karmada.yaml', 'propagation.yaml', 'bookinfo-gateway.yaml'] as const;

/** Running control plane controllers plus the client they use. */
export interface RunningFederationSide {
  client: Client;
  close(): Promise<void>;
}

/** Starts the control plane controllers against the kubeconfig's control plane, tuned by the flags. */
export async function startControllers(
  kubeconfigPath: string,
  logger: Logger,
  tuning?: ControllerTuning,
): Promise<RunningFederationSide> {
  const { controlPlaneClient, startControlPlaneControllers } = await import('../controlplane/index.ts');
  const client = controlPlaneClient(kubeconfigPath);
  try {
    const running = await startControlPlaneControllers({ client, logger, ...(tuning ?? {}) });
    return {
      client,
      async close() {
        await running.stop();
        await client.close();
      },
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Options for {@link joinMembers}. */
export interface JoinMembersOptions {
  client: Client;
  members: readonly MemberEndpoint[];
  /** Members that run in Pull mode, through an in-process agent each. */
  pull: readonly string[];
  /** The state directory, whose CA issues the agents' credentials; required when `pull` is not empty. */
  stateDir?: string | undefined;
  /** The agents' cluster health timing (as the control plane's). */
  health?: ControllerTuning['health'] | undefined;
  terminal: Terminal;
  logger: Logger;
  timeoutMs?: number;
}

/** The in-process agents of the Pull members; `close` stops them. */
export interface RunningAgents {
  close(): Promise<void>;
}

/**
 * Joins every Push member and starts an agent for every Pull member (idempotent across
 * restarts), then waits until each Cluster is Ready. On failure the agents started are stopped.
 */
export async function joinMembers(options: JoinMembersOptions): Promise<RunningAgents> {
  const { ensureJoined, waitForClustersReady } = await import('../controlplane/index.ts');
  const agents: { stop(): Promise<void> }[] = [];
  const close = async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
  };
  const modes = new Map(
    options.members.map((m) => [m.name, options.pull.includes(m.name) ? 'Pull' : 'Push'] as const),
  );
  try {
    for (const m of options.members) {
      const mode = modes.get(m.name) ?? 'Push';
      const outcome = await ensureJoined({
        controlPlane: options.client,
        name: m.name,
        memberKubeConfig: kubeConfigFromFile(m.kubeconfig),
        mode,
      });
      if (mode === 'Pull') {
        if (options.stateDir === undefined)
          throw new Error(`cluster ${m.name}: Pull mode needs the state directory's CA`);
        const { startLocalAgent } = await import('../controlplane/local-agent.ts');
        agents.push(
          await startLocalAgent({
            stateDir: options.stateDir,
            server: options.client.server,
            cluster: m.name,
            memberKubeconfig: m.kubeconfig,
            health: options.health,
            logger: options.logger,
          }),
        );
      }
      options.logger.info({ cluster: m.name, mode, outcome }, 'member joined');
    }
    const names = options.members.map((m) => m.name);
    await waitForClustersReady(options.client, names, options.timeoutMs ?? 60_000, (pending) =>
      options.terminal.out(`flotilla: waiting for cluster(s) ${pending.join(', ')} to become Ready`),
    );
    options.terminal.out(`clusters    ${names.map((n) => `${n} (${modes.get(n)}, Ready)`).join(', ')}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}

/** Options for {@link runDemo}. */
export interface DemoOptions {
  client: Client;
  terminal: Terminal;
  /** Directory holding the manifests; default {@link BOOKINFO_DIR}. */
  dir?: string;
  timeoutMs?: number;
  /** Kubeconfigs of the local members, whose `default` namespace is labelled for injection too. */
  memberKubeconfigs?: readonly string[];
}

/**
 * Labels `default` for sidecar injection (control plane and members), applies Bookinfo, its
 * policies and its Gateway/VirtualService to the control plane (server-side apply, idempotent),
 * then waits until every template is placed and ready, printing progress lines.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { applyManifests, parseManifests, waitForPlacement } = await import('../controlplane/index.ts');
  const dir = options.dir ?? BOOKINFO_DIR;
  const docs = await Promise.all(
    BOOKINFO_FILES.map(async (f) => parseManifests(await readFile(join(dir, f), 'utf8'), f)),
  );
  const [templates = [], policies = [], mesh = []] = docs;
  // Before any pod exists: injection happens when a pod is created.
  const { enableInjection } = await import('./mesh.ts');
  await enableInjection({ controlPlane: options.client, memberKubeconfigs: options.memberKubeconfigs ?? [] });
  const applied = await applyManifests({
    client: options.client,
    objects: [...templates, ...policies, ...mesh],
    fieldManager: 'flotilla-demo',
  });
  options.terminal.out(`demo        bookinfo: applied ${applied.length} objects to the control plane`);
  const done = await waitForPlacement({
    client: options.client,
    templates,
    timeoutMs: options.timeoutMs ?? 120_000,
    onProgress: (p) =>
      options.terminal.out(
        `demo        bookinfo: ${p.scheduled}/${p.total} scheduled, ${p.applied}/${p.total} applied, ${p.ready}/${p.workloads} deployments ready`,
      ),
  });
  options.terminal.out(
    `demo        bookinfo: placed (${done.total} templates, ${done.workloads} deployments ready)`,
  );
}
