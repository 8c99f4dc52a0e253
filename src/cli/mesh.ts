/**
 * The mesh controller as `flotilla up` runs it in-process and `flotilla mesh --kubeconfig FILE`
 * runs it alone: the controller (Istio config from the control plane, endpoints from every
 * member) feeding the stream server that proxies connect to. Its bearer token lives in
 * `DIR/mesh.token` (0600), created on first start; the URL is recorded in `endpoints.json`.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import type { StatePaths } from './state-dir.ts';
import { generateToken } from './tokens.ts';

/** The mesh endpoint's default port (Istio's plain-text xDS port). */
export const DEFAULT_MESH_PORT = 15010;

/** `DIR/mesh.token`: the bearer token of the mesh endpoint. */
export function meshTokenPath(paths: StatePaths): string {
  return join(paths.dir, 'mesh.token');
}

/** Reads the mesh token, creating the file (0600) with a fresh token when absent. */
export async function ensureMeshToken(paths: StatePaths): Promise<string> {
  const file = meshTokenPath(paths);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token !== '') return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = generateToken();
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function inUse(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/**
 * Listens through `start(port)`; when a default port (`given` false) is taken, `start(0)` picks a
 * free one and `onMoved` says so. A port the user gave is never replaced: its error is thrown.
 */
export async function listenPreferring<T>(
  port: number,
  given: boolean,
  start: (port: number) => Promise<T>,
  onMoved?: () => void,
): Promise<T> {
  try {
    return await start(port);
  } catch (err) {
    if (given || port === 0 || !inUse(err)) throw err;
    onMoved?.();
    return start(0);
  }
}

/** Options of {@link startMeshPlane}. */
export interface MeshPlaneOptions {
  /** An admin client of the control plane. */
  client: Client;
  paths: StatePaths;
  /** Port of the mesh endpoint; default 15010. */
  port?: number;
  /** The user chose `port`: do not fall back to a free one. */
  portGiven?: boolean;
  host?: string;
  logger: Logger;
  /** Told when the default port was taken and another was used. */
  onPortMoved?: (port: number) => void;
}

/** A running mesh controller and endpoint. */
export interface RunningMeshPlane {
  /** Where proxies connect (`http://127.0.0.1:15010`). */
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Starts the stream server and the mesh controller; resolves once the first compile ran. */
export async function startMeshPlane(options: MeshPlaneOptions): Promise<RunningMeshPlane> {
  const [{ startMeshServer }, { MeshController }, { compileMesh }] = await Promise.all([
    import('../mesh/stream/server.ts'),
    import('../mesh/registry/controller.ts'),
    import('../mesh/routing/index.ts'),
  ]);
  const logger = options.logger.child({ component: 'mesh' });
  const token = await ensureMeshToken(options.paths);
  const wanted = options.port ?? DEFAULT_MESH_PORT;
  let moved = false;
  const server = await listenPreferring(
    wanted,
    options.portGiven === true,
    (port) => startMeshServer({ port, host: options.host ?? '127.0.0.1', token, logger }),
    () => {
      moved = true;
    },
  );
  if (moved) options.onPortMoved?.(server.port);
  const controller = new MeshController({
    client: options.client,
    compile: compileMesh,
    publish: (mesh) => {
      const version = server.publish(mesh);
      logger.info(
        { version, clusters: Object.keys(mesh.clusters).length, diagnostics: mesh.diagnostics.length },
        'mesh published',
      );
    },
    logger,
  });
  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => {});
    await server.close();
    throw err;
  }
  return {
    url: server.url,
    token,
    async close() {
      await controller.stop();
      await server.close();
    },
  };
}

const FLAGS = ['kubeconfig', 'stateDir', 'meshPort'] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends this subcommand. */
export interface MeshCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  openLog(paths: StatePaths, file: string): Logger;
  untilSignal(running: { close(): Promise<void> }): Promise<number>;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `flotilla mesh` on the program: the mesh controller alone against a control plane. */
export function registerMeshCommand(program: Command, ctx: MeshCommandContext): void {
  addFlags(
    program
      .command('mesh')
      .description('run the mesh controller (Istio config + every member’s endpoints, streamed to proxies)'),
    FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values, given } = readFlags(command, FLAGS);
    const paths = ctx.resolveStateDir(values.stateDir);
    const kubeconfig = values.kubeconfig ?? paths.kubeconfig;
    if (!existsSync(kubeconfig)) {
      throw values.kubeconfig === undefined
        ? new UsageError(`mesh needs --kubeconfig FILE (no ${paths.kubeconfig})`)
        : new UsageError(`--kubeconfig ${kubeconfig} does not exist`);
    }
    const logger = ctx.openLog(paths, join(paths.dir, 'mesh.log'));
    const { controlPlaneClient } = await import('../controlplane/index.ts');
    const client = controlPlaneClient(kubeconfig);
    let mesh: RunningMeshPlane;
    try {
      mesh = await startMeshPlane({
        client,
        paths,
        port: values.meshPort,
        portGiven: given.has('meshPort'),
        logger,
        onPortMoved: (port) =>
          ctx.terminal.out(`flotilla: port ${values.meshPort} is in use; the mesh listens on ${port}`),
      });
    } catch (err) {
      await client.close();
      throw new CliError('the mesh controller did not start', { cause: err });
    }
    ctx.terminal.out(`mesh        ${mesh.url}  token ${meshTokenPath(paths)}`);
    ctx.terminal.out(`flotilla: mesh controller running against ${client.server} (Ctrl-C stops it)`);
    ctx.setExit(
      await ctx.untilSignal({
        async close() {
          await mesh.close();
          await client.close();
        },
      }),
    );
  });
}

/** The label that turns sidecar injection on for a namespace (Istio's). */
export const INJECTION_LABEL = { 'istio-injection': 'enabled' } as const;

/**
 * Labels `namespace` for sidecar injection on the control plane and directly in each local
 * member: Karmada never propagates `default`, and injection happens when a pod is created, so
 * this runs before any workload reaches the members.
 */
export async function enableInjection(options: {
  controlPlane: Client;
  memberKubeconfigs: readonly string[];
  namespace?: string;
}): Promise<void> {
  const [{ Client: ClientClass }, { kubeConfigFromFile }, { resources }] = await Promise.all([
    import('../client/client.ts'),
    import('../client/kubeconfig.ts'),
    import('../client/resources.ts'),
  ]);
  const name = options.namespace ?? 'default';
  const label = (c: Client) =>
    c.patch(resources.namespaces, { name, type: 'merge', patch: { metadata: { labels: INJECTION_LABEL } } });
  await label(options.controlPlane);
  for (const file of options.memberKubeconfigs) {
    const member = new ClientClass({ kubeConfig: kubeConfigFromFile(file), timeoutMs: 15_000 });
    try {
      await label(member);
    } catch (err) {
      throw new Error(`labelling namespace ${name} for injection in ${file} failed`, { cause: err });
    } finally {
      await member.close();
    }
  }
}

/** Options of {@link startUpMesh}. */
export interface UpMeshOptions {
  client: Client;
  paths: StatePaths;
  /** Free ports for everything not given (`up --port 0`, tests). */
  ephemeral: boolean;
  gatewayPort: number;
  gatewayPortGiven: boolean;
  logger: Logger;
  terminal: Terminal;
}

/** The mesh under `flotilla up`: controller, endpoint and ingress gateway, in-process. */
export interface UpMesh {
  mesh: RunningMeshPlane;
  gatewayUrl: string;
  close(): Promise<void>;
}

/** Starts the mesh controller and the gateway for `flotilla up`; on failure nothing is left running. */
export async function startUpMesh(options: UpMeshOptions): Promise<UpMesh> {
  const { terminal } = options;
  const mesh = await startMeshPlane({
    client: options.client,
    paths: options.paths,
    port: options.ephemeral ? 0 : DEFAULT_MESH_PORT,
    logger: options.logger,
    onPortMoved: (port) =>
      terminal.out(`flotilla: port ${DEFAULT_MESH_PORT} is in use; the mesh listens on ${port}`),
  });
  try {
    const { startGateway } = await import('./gateway.ts');
    const port = options.ephemeral && !options.gatewayPortGiven ? 0 : options.gatewayPort;
    const gateway = await startGateway({
      mesh: { url: mesh.url, token: mesh.token },
      port,
      portGiven: options.gatewayPortGiven,
      logger: options.logger,
      onPortMoved: (moved) =>
        terminal.out(
          `flotilla: port ${port} is in use; the gateway listens on ${moved} (choose with --gateway-port)`,
        ),
    });
    return {
      mesh,
      gatewayUrl: gateway.url,
      async close() {
        await gateway.close();
        await mesh.close();
      },
    };
  } catch (err) {
    await mesh.close();
    throw err;
  }
}
