/**
 * The dashboard from the command line: `flotilla up` starts one beside the control plane
 * ({@link startUpDashboard}) and `flotilla dashboard --kubeconfig FILE` runs one alone against
 * any control plane. Both print the address to open with the kubeconfig's token in the URL's
 * fragment, so the page signs in without a login step.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import type { RunningDashboard } from '../dashboard/index.ts';
import { dashboardLink } from '../dashboard/link.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { readEndpoints, type StatePaths } from './state-dir.ts';

/** A running dashboard and the link to open it. */
export interface UpDashboard {
  dashboard: RunningDashboard;
  /** The URL with the token in its fragment. */
  link: string;
}

/** The line `up` and `dashboard` print: `dashboard   http://…/#token=…`. */
export function dashboardLine(link: string): string {
  return `dashboard   ${link}`;
}

export { dashboardLink };

function isAddressInUse(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/** Options for {@link startUpDashboard}. */
export interface StartUpDashboardOptions {
  kubeconfigPath: string;
  port: number;
  /** The user asked for this port: a taken port fails instead of falling back to a free one. */
  portGiven: boolean;
  /** The mesh's metrics URL, asked on every poll. */
  metricsUrl?: () => Promise<string | undefined>;
  logger: Logger;
}

/**
 * Starts the dashboard for `up`. When the default port is taken (another flotilla, another
 * program) it listens on a free port instead and logs why; a port the user chose must be free.
 */
export async function startUpDashboard(options: StartUpDashboardOptions): Promise<UpDashboard> {
  const { startDashboard } = await import('../dashboard/index.ts');
  const kubeConfig = kubeConfigFromFile(options.kubeconfigPath);
  const base = {
    kubeConfig,
    logger: options.logger.child({ component: 'dashboard' }),
    ...(options.metricsUrl ? { metricsUrl: options.metricsUrl } : {}),
  };
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ ...base, port: options.port });
  } catch (err) {
    if (!isAddressInUse(err)) throw new CliError('the dashboard did not start', { cause: err });
    if (options.portGiven) {
      throw new CliError(
        `port ${options.port} on 127.0.0.1 is in use; choose another with --dashboard-port`,
        {
          cause: err,
        },
      );
    }
    options.logger.info({ port: options.port }, 'dashboard port in use; listening on a free port');
    dashboard = await startDashboard({ ...base, port: 0 });
  }
  return { dashboard, link: dashboardLink(dashboard.url, kubeConfig.getCurrentUser()?.token) };
}

/**
 * The mesh's metrics URL (`<mesh>/stats/prometheus`, every proxy's counters merged) from the mesh
 * endpoint recorded in the state directory's `endpoints.json`, if any.
 */
export function metricsUrlFromState(paths: StatePaths): () => Promise<string | undefined> {
  return async () => {
    const mesh = (await readEndpoints(paths))?.mesh;
    return mesh ? `${mesh.replace(/\/+$/, '')}/stats/prometheus` : undefined;
  };
}

const FLAGS = [
  'kubeconfig',
  'stateDir',
  'dashboardPort',
  'metricsUrl',
] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends this subcommand. */
export interface DashboardCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  openLog(paths: StatePaths): Logger;
  /** Resolves with the exit code once a signal stopped `running`. */
  untilSignal(running: { close(): Promise<void> }): Promise<number>;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `dashboard` on the `flotilla` program. */
export function registerDashboardCommand(program: Command, ctx: DashboardCommandContext): void {
  addFlags(
    program
      .command('dashboard')
      .description('serve the dashboard (clusters, placement, traffic, policies) for a control plane'),
    FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values, given } = readFlags(command, FLAGS);
    const paths = ctx.resolveStateDir(values.stateDir);
    const kubeconfig = values.kubeconfig ?? paths.kubeconfig;
    if (!existsSync(kubeconfig)) {
      throw values.kubeconfig === undefined
        ? new UsageError(`dashboard needs --kubeconfig FILE (no ${paths.kubeconfig})`)
        : new UsageError(`--kubeconfig ${kubeconfig} does not exist`);
    }
    const logger = ctx.openLog(paths);
    const metrics = values.metricsUrl;
    const { dashboard, link } = await startUpDashboard({
      kubeconfigPath: kubeconfig,
      port: values.dashboardPort,
      portGiven: given.has('dashboardPort'),
      metricsUrl: metrics !== undefined ? async () => metrics : metricsUrlFromState(paths),
      logger,
    });
    ctx.terminal.out(dashboardLine(link));
    ctx.terminal.out(`flotilla: dashboard for ${kubeconfig} (Ctrl-C stops it)`);
    ctx.setExit(await ctx.untilSignal(dashboard));
  });
}
