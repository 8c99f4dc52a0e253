/**
 * `flotilla up` in the foreground (also what the `--detach` child runs) and `flotilla apiserver`:
 * claim the state directory, start the control plane, print its endpoints, wait until `/readyz`
 * answers with the admin token, print the `ready` line. The caller owns signals and calls `close`.
 */
import type { Logger } from 'pino';
import type { RunningControlPlane } from './control-plane.ts';
import type { ControllerTuning } from './controller-tuning.ts';
import { dashboardLine, startUpDashboard, type UpDashboard } from './dashboard.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import {
  joinMembers,
  type RunningAgents,
  type RunningFederationSide,
  runDemo,
  startControllers,
} from './federate.ts';
import type { FlagValues } from './flags.ts';
import { gatewayLine } from './gateway.ts';
import { type MemberEndpoint, memberLine, type RunningMembers, startMembers } from './members.ts';
import { startUpMesh, type UpMesh } from './mesh.ts';
import {
  ensureStateDir,
  removePidFile,
  runningPid,
  type StatePaths,
  writeEndpoints,
  writePidFile,
} from './state-dir.ts';
import { waitForReady } from './wait-ready.ts';

/** The `up` flags this module understands (state dir and store already resolved by `cmd/`). */
export type UpFlags = FlagValues<'members' | 'pull' | 'gatewayPort' | 'runtime' | 'demo' | 'port'>;

/** Options for {@link startUp}. */
export interface StartUpOptions {
  paths: StatePaths;
  storeUrl: string;
  host: string;
  port: number;
  insecureHttp?: boolean;
  /** Claim the state directory with a pid file (`up`); `apiserver` does not. */
  ownStateDir: boolean;
  logger: Logger;
  terminal: Terminal;
  /** Deadline for `/readyz`; default 60 s. */
  readyTimeoutMs?: number;
  /** Local member clusters to start after the control plane (none for `apiserver`). */
  members?: readonly string[];
  /** Their pod runtime; default process. */
  runtime?: 'process' | 'simulated';
  /** Run the control plane controllers in-process and join the members (`up`); default false. */
  federate?: boolean;
  /** Health timing and failover gates for those controllers (the tuning flags). */
  controllers?: ControllerTuning | undefined;
  /** Members that run in Pull mode, each through an in-process agent. */
  pull?: readonly string[];
  /** Demo application to apply once the members are joined. */
  demo?: 'bookinfo' | undefined;
  /** Deadline for the demo's placement; default 120 s. */
  demoTimeoutMs?: number;
  /** Serve the dashboard on this port once the controllers run (`up`); absent: no dashboard. */
  dashboardPort?: number;
  /** The user chose `dashboardPort`: a taken port fails rather than falling back to a free one. */
  dashboardPortGiven?: boolean;
  /** Run the mesh controller and the ingress gateway on this port (`up`); absent: no mesh. */
  gatewayPort?: number;
  /** The user chose `gatewayPort`: a taken port fails rather than falling back to a free one. */
  gatewayPortGiven?: boolean;
}

/** Something `startUp` started; `close` stops it and releases the state directory. */
export interface RunningUp {
  controlPlane?: RunningControlPlane;
  members?: MemberEndpoint[];
  close(): Promise<void>;
}

/** Throws `UsageError` for flag combinations that contradict each other. */
export function checkUpFlags(flags: UpFlags, given: ReadonlySet<string>): void {
  if (!given.has('pull')) return;
  const stray = flags.pull.find((name) => !flags.members.includes(name));
  if (stray !== undefined) throw new UsageError(`--pull names "${stray}", which is not in --members`);
}

/**
 * The members that run in Pull mode: those `--pull` names, or by default `member2` (the flag's
 * default) when it is one of the members; `--pull ''` means every member in Push.
 */
export function pullMembers(flags: UpFlags, given: ReadonlySet<string>): string[] {
  return given.has('pull') ? [...flags.pull] : flags.pull.filter((name) => flags.members.includes(name));
}

/** The endpoint lines `up` prints (also printed by the `--detach` parent). */
export function endpointLines(url: string, kubeconfigPath: string | undefined): string[] {
  const lines = [`API server  ${url}`];
  if (kubeconfigPath !== undefined) lines.push(`kubeconfig  ${kubeconfigPath}`);
  return lines;
}

/** The final line, containing `ready`, with a command to try. */
export function readyLine(
  url: string,
  kubeconfigPath: string | undefined,
  members: readonly MemberEndpoint[] = [],
): string {
  const kubectl =
    kubeconfigPath === undefined ? `kubectl -s ${url}` : `kubectl --kubeconfig ${kubeconfigPath}`;
  const what =
    members.length === 0 ? 'control plane' : `control plane + ${members.map((m) => m.name).join(', ')}`;
  return `flotilla is ready (${what}): ${kubectl} get ns`;
}

function isAddressInUse(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/**
 * Starts the control plane, prints its endpoints, waits for `/readyz`, prints the ready line.
 * Refuses (CliError) when a live flotilla already owns the state directory.
 */
export async function startUp(options: StartUpOptions): Promise<RunningUp> {
  const { paths, logger, terminal } = options;
  await ensureStateDir(paths);
  if (options.ownStateDir) {
    const other = await runningPid(paths);
    if (other !== undefined) {
      throw new CliError(
        `flotilla is already running from ${paths.dir} (pid ${other}); stop it with flotilla down`,
      );
    }
    await writePidFile(paths, process.pid);
  }
  const release = async () => {
    if (options.ownStateDir) await removePidFile(paths, process.pid).catch(() => {});
  };

  let controlPlane: RunningControlPlane;
  try {
    // Loaded on demand: flag errors, `down` and `version` never load the server and the store.
    const { startControlPlane } = await import('./control-plane.ts');
    controlPlane = await startControlPlane({
      paths,
      storeUrl: options.storeUrl,
      host: options.host,
      port: options.port,
      insecureHttp: options.insecureHttp ?? false,
      logger,
    });
  } catch (err) {
    await release();
    if (isAddressInUse(err)) {
      throw new CliError(`port ${options.port} on ${options.host} is in use; choose another with --port`, {
        cause: err,
      });
    }
    throw new CliError('the control plane did not start', { cause: err });
  }
  let members: RunningMembers | undefined;
  let federation: RunningFederationSide | undefined;
  let agents: RunningAgents | undefined;
  let dashboard: UpDashboard | undefined;
  let mesh: UpMesh | undefined;
  const running: RunningUp = {
    controlPlane,
    async close() {
      await dashboard?.dashboard.close();
      await mesh?.close();
      await agents?.close();
      await federation?.close();
      await members?.close();
      await controlPlane.close();
      await release();
    },
  };

  try {
    for (const line of endpointLines(controlPlane.url, controlPlane.kubeconfigPath)) terminal.out(line);
    await waitForReady({
      url: controlPlane.url,
      ...(controlPlane.caCert ? { caCert: controlPlane.caCert } : {}),
      ...(controlPlane.token ? { token: controlPlane.token } : {}),
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    });
  } catch (err) {
    await running.close();
    throw new CliError('the control plane did not become ready', { cause: err });
  }
  const federate = options.federate === true && controlPlane.kubeconfigPath !== undefined;
  if (federate && controlPlane.kubeconfigPath !== undefined) {
    try {
      federation = await startControllers(controlPlane.kubeconfigPath, logger, options.controllers);
    } catch (err) {
      await running.close();
      throw new CliError('the control plane controllers did not start', { cause: err });
    }
    if (options.dashboardPort !== undefined) {
      try {
        dashboard = await startUpDashboard({
          kubeconfigPath: controlPlane.kubeconfigPath,
          // `--port 0` (tests) means free ports everywhere unless the dashboard's was chosen.
          port: options.port === 0 && options.dashboardPortGiven !== true ? 0 : options.dashboardPort,
          portGiven: options.dashboardPortGiven === true,
          // The mesh starts just after the dashboard; its merged metrics feed the traffic view.
          metricsUrl: async () => (mesh ? `${mesh.mesh.url}/stats/prometheus` : undefined),
          logger,
        });
      } catch (err) {
        await running.close();
        throw err;
      }
      terminal.out(dashboardLine(dashboard.link));
    }
    if (options.gatewayPort !== undefined) {
      try {
        mesh = await startUpMesh({
          client: federation.client,
          paths,
          ephemeral: options.port === 0,
          gatewayPort: options.gatewayPort,
          gatewayPortGiven: options.gatewayPortGiven === true,
          logger,
          terminal,
        });
      } catch (err) {
        await running.close();
        throw new CliError('the mesh controller or the gateway did not start', { cause: err });
      }
      terminal.out(`mesh        ${mesh.mesh.url}`);
      terminal.out(gatewayLine(mesh.gatewayUrl, options.demo === 'bookinfo'));
    }
  }
  const names = options.members ?? [];
  if (names.length > 0) {
    try {
      members = await startMembers({
        paths,
        names,
        firstPort: options.port === 0 ? 0 : options.port + 1,
        host: options.host,
        runtime: options.runtime ?? 'process',
        ...(options.storeUrl === 'memory://' ? { storeUrl: () => 'memory://' } : {}),
        ...(mesh ? { mesh: { url: mesh.mesh.url, token: mesh.mesh.token } } : {}),
        logger,
      });
    } catch (err) {
      await running.close();
      if (isAddressInUse(err)) {
        throw new CliError(
          `a member cluster's port (from ${options.port + 1}) on ${options.host} is in use; choose another --port`,
          { cause: err },
        );
      }
      throw new CliError('the member clusters did not become ready', { cause: err });
    }
    running.members = members.endpoints;
    for (const m of members.endpoints) terminal.out(memberLine(m));
  }
  if (federation) {
    const client = federation.client;
    try {
      if (members) {
        agents = await joinMembers({
          client,
          members: members.endpoints,
          pull: options.pull ?? [],
          stateDir: paths.dir,
          health: options.controllers?.health,
          terminal,
          logger,
        });
      }
      if (options.demo === 'bookinfo') {
        await runDemo({
          client,
          terminal,
          timeoutMs: options.demoTimeoutMs ?? 120_000,
          ...(mesh && members ? { memberKubeconfigs: members.endpoints.map((m) => m.kubeconfig) } : {}),
        });
      }
    } catch (err) {
      await running.close();
      throw new CliError(
        options.demo && members ? 'joining the members or the demo failed' : 'joining the members failed',
        { cause: err },
      );
    }
  }
  if (options.ownStateDir) {
    await writeEndpoints(paths, {
      pid: process.pid,
      apiserver: controlPlane.url,
      ...(controlPlane.kubeconfigPath ? { kubeconfig: controlPlane.kubeconfigPath } : {}),
      ...(members ? { members: members.endpoints } : {}),
      ...(dashboard ? { dashboard: dashboard.dashboard.url } : {}),
      ...(mesh
        ? { mesh: mesh.mesh.url, meshMetrics: `${mesh.mesh.url}/stats/prometheus`, gateway: mesh.gatewayUrl }
        : {}),
      startedAt: new Date().toISOString(),
    });
  }
  logger.info({ url: controlPlane.url, members: members?.endpoints }, 'ready');
  terminal.out(readyLine(controlPlane.url, controlPlane.kubeconfigPath, members?.endpoints));
  return running;
}
