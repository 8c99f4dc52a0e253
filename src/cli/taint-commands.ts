/**
 * The cluster commands `flotilla taint`, `flotilla cordon` and `flotilla uncordon` on the
 * control plane the state directory's `karmada-apiserver.config` points at (or `--kubeconfig`).
 * Bad taint specs fail before any connection; an unknown cluster prints one line and exits 1.
 */
import type { Command } from 'commander';
import { runCordon } from './cordon.ts';
import type { Terminal } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { withControlPlane } from './inspect.ts';
import type { StatePaths } from './state-dir.ts';
import { parseTaintSpecs, runTaint } from './taint.ts';

const TAINT_FLAGS = ['overwrite', 'stateDir', 'kubeconfig'] as const satisfies readonly FlagName[];
const CORDON_FLAGS = ['stateDir', 'kubeconfig'] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends these subcommands. */
export interface ClusterCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `taint`, `cordon` and `uncordon` on the `flotilla` program. */
export function registerTaintCommands(program: Command, ctx: ClusterCommandContext): void {
  addFlags(
    program
      .command('taint')
      .argument('<cluster>', 'cluster name')
      .argument('<taints...>', 'key[=value]:Effect to add, key[:Effect]- to remove')
      .description(
        'add, update or remove taints on a member cluster (NoSchedule, PreferNoSchedule, NoExecute)',
      ),
    TAINT_FLAGS,
  ).action(async (name: string, specs: string[], _opts: unknown, command: Command) => {
    const { values } = readFlags(command, TAINT_FLAGS);
    parseTaintSpecs(specs); // bad input fails before any connection
    const line = await withControlPlane(ctx.resolveStateDir(values.stateDir), values.kubeconfig, (client) =>
      runTaint(client, name, specs, values.overwrite),
    );
    ctx.terminal.out(line);
    ctx.setExit(0);
  });
  for (const [verb, on] of [
    ['cordon', true],
    ['uncordon', false],
  ] as const) {
    addFlags(
      program
        .command(verb)
        .argument('<cluster>', 'cluster name')
        .description(
          on
            ? 'mark a member cluster unschedulable (taint cluster.karmada.io/unschedulable:NoSchedule)'
            : 'mark a member cluster schedulable again',
        ),
      CORDON_FLAGS,
    ).action(async (name: string, _opts: unknown, command: Command) => {
      const { values } = readFlags(command, CORDON_FLAGS);
      const line = await withControlPlane(ctx.resolveStateDir(values.stateDir), values.kubeconfig, (client) =>
        runCordon(client, name, on),
      );
      ctx.terminal.out(line);
      ctx.setExit(0);
    });
  }
}
