/**
 * `flotilla controllers --kubeconfig FILE`: the control plane controllers (propagation,
 * scheduler, federation) alone, against any control plane the kubeconfig reaches — what
 * `flotilla up` runs in-process beside its API server. Runs until a signal.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { CONTROLLER_TUNING_FLAGS, controllerTuning } from './controller-tuning.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { startControllers } from './federate.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import type { StatePaths } from './state-dir.ts';

const FLAGS = ['kubeconfig', 'stateDir', ...CONTROLLER_TUNING_FLAGS] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends this subcommand. */
export interface ControllersCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  openLog(paths: StatePaths): Logger;
  /** Resolves with the exit code once a signal stopped `running`. */
  untilSignal(running: { close(): Promise<void> }): Promise<number>;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `controllers` (alias `controller-manager`) on the `flotilla` program. */
export function registerControllersCommand(program: Command, ctx: ControllersCommandContext): void {
  addFlags(
    program
      .command('controllers')
      .alias('controller-manager')
      .description(
        'run the control plane controllers (propagation, scheduler, federation) against a control plane',
      ),
    FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values } = readFlags(command, FLAGS);
    const paths = ctx.resolveStateDir(values.stateDir);
    const kubeconfig = values.kubeconfig ?? paths.kubeconfig;
    if (!existsSync(kubeconfig)) {
      throw values.kubeconfig === undefined
        ? new UsageError(`controllers needs --kubeconfig FILE (no ${paths.kubeconfig})`)
        : new UsageError(`--kubeconfig ${kubeconfig} does not exist`);
    }
    const logger = ctx.openLog(paths);
    let running: Awaited<ReturnType<typeof startControllers>>;
    try {
      running = await startControllers(kubeconfig, logger, controllerTuning(values));
    } catch (err) {
      throw new CliError('the controllers did not start', { cause: err });
    }
    ctx.terminal.out(`flotilla: controllers running against ${running.client.server} (Ctrl-C stops them)`);
    ctx.setExit(await ctx.untilSignal(running));
  });
}
