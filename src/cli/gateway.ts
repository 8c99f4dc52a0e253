/**
 * The ingress gateway, outside every member cluster (like the seed's serverless gateway): a mesh
 * proxy in the gateway role, labelled `istio: ingressgateway`, serving the Gateway servers
 * declared on port 80 at `127.0.0.1:<gateway-port>`. `flotilla up` runs it in-process; `flotilla
 * gateway` runs it alone against the mesh controller `endpoints.json` (or `--mesh-url`) names,
 * with the token in `DIR/mesh.token`. Access log lines go to the log (`up`) or stderr (`gateway`).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { CliError, type Terminal } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { listenPreferring, meshTokenPath } from './mesh.ts';
import { readEndpoints, type StatePaths } from './state-dir.ts';

/** The labels the gateway's Gateway selectors match, as Istio's default ingress gateway's. */
export const GATEWAY_LABELS = { istio: 'ingressgateway', app: 'istio-ingressgateway' } as const;

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  mesh: { url: string; token: string };
  /** Local port for Gateway servers on port 80; default 8080. */
  port: number;
  /** The user chose `port`: a taken port fails instead of moving to a free one. */
  portGiven?: boolean;
  host?: string;
  logger: Logger;
  onPortMoved?: (port: number) => void;
}

/** A running gateway. */
export interface RunningGateway {
  /** `http://127.0.0.1:8080`. */
  url: string;
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

/** Starts the gateway; resolves once it listens (it answers 404 until its first configuration). */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { runMeshProxy } = await import('../mesh/sidecar/run.ts');
  const host = options.host ?? '127.0.0.1';
  let moved = false;
  const running = await listenPreferring(
    options.port,
    options.portGiven === true,
    (port) =>
      runMeshProxy({
        role: 'gateway',
        id: 'istio-system/istio-ingressgateway',
        identity: {
          cluster: '',
          namespace: 'istio-system',
          workload: 'istio-ingressgateway',
          labels: { ...GATEWAY_LABELS },
        },
        gatewayLabels: { ...GATEWAY_LABELS },
        listen: [{ host, port, serverPort: 80 }],
        metricsListen: { host, port: 0 },
        mesh: options.mesh,
        logger: options.logger.child({ component: 'gateway' }),
      }),
    () => {
      moved = true;
    },
  );
  const url = running.proxy.urls[0] ?? `http://${host}:${options.port}`;
  if (moved) options.onPortMoved?.(Number(new URL(url).port));
  return { url, metricsUrl: running.proxy.metricsUrl, close: () => running.close() };
}

/** The endpoint line `up` prints for the gateway. */
export function gatewayLine(url: string, demo: boolean): string {
  return `gateway     ${url}${demo ? '/productpage' : ''}`;
}

const FLAGS = ['stateDir', 'gatewayPort', 'meshUrl'] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends this subcommand. */
export interface GatewayCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  /** A logger for the terminal (stderr), access log lines included. */
  terminalLogger(): Logger;
  untilSignal(running: { close(): Promise<void> }): Promise<number>;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `flotilla gateway` on the program. */
export function registerGatewayCommand(program: Command, ctx: GatewayCommandContext): void {
  addFlags(
    program
      .command('gateway')
      .description('run the ingress gateway (Gateway servers on port 80) against a running mesh controller'),
    FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values } = readFlags(command, FLAGS);
    const paths = ctx.resolveStateDir(values.stateDir);
    const url = values.meshUrl ?? (await readEndpoints(paths))?.mesh;
    if (url === undefined) {
      throw new CliError(
        `no mesh controller recorded in ${paths.endpoints}; start flotilla up, or give --mesh-url`,
      );
    }
    let token: string;
    try {
      token = (await readFile(meshTokenPath(paths), 'utf8')).trim();
    } catch (err) {
      throw new CliError(`cannot read the mesh token ${meshTokenPath(paths)}`, { cause: err });
    }
    let gateway: RunningGateway;
    try {
      gateway = await startGateway({
        mesh: { url, token },
        port: values.gatewayPort,
        portGiven: true,
        logger: ctx.terminalLogger(),
      });
    } catch (err) {
      throw new CliError(`the gateway did not start on port ${values.gatewayPort}`, { cause: err });
    }
    ctx.terminal.out(gatewayLine(gateway.url, false));
    ctx.terminal.out(`flotilla: gateway streaming its configuration from ${url} (Ctrl-C stops it)`);
    ctx.setExit(await ctx.untilSignal(gateway));
  });
}
