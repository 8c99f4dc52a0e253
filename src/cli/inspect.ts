/**
 * `flotilla explain KIND/NAME [-n NS]` and `flotilla plan -f FILE…`: read-only views of the
 * control plane the state directory's `karmada-apiserver.config` points at (or `--kubeconfig`).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { runExplain } from './explain.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { runPlan } from './plan.ts';
import type { StatePaths } from './state-dir.ts';

const EXPLAIN_FLAGS = ['namespace', 'stateDir', 'kubeconfig'] as const satisfies readonly FlagName[];
const PLAN_FLAGS = ['filename', 'namespace', 'stateDir', 'kubeconfig'] as const satisfies readonly FlagName[];

/** What the `flotilla` command lends these subcommands. */
export interface InspectCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  terminal: Terminal;
  setExit(code: number): void;
}

/**
 * Runs `fn` with a client of the control plane (`--kubeconfig`, else the state directory's
 * kubeconfig) and closes it after; a missing kubeconfig is a one-line CliError/UsageError.
 */
export async function withControlPlane<T>(
  paths: StatePaths,
  kubeconfig: string | undefined,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const file = kubeconfig ?? paths.kubeconfig;
  if (!existsSync(file)) {
    throw kubeconfig === undefined
      ? new CliError(`no control plane kubeconfig at ${file}; start one with flotilla up`)
      : new UsageError(`--kubeconfig ${file} does not exist`);
  }
  const client = new Client({ kubeConfig: kubeConfigFromFile(file), timeoutMs: 15_000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Declares `explain` and `plan` on the `flotilla` program. */
export function registerInspectCommands(program: Command, ctx: InspectCommandContext): void {
  addFlags(
    program
      .command('explain')
      .argument('<kind/name>', 'the resource template, e.g. deployment/reviews-v1')
      .description('why a template is placed where it is: policy, filter verdicts, scores, replicas, Works'),
    EXPLAIN_FLAGS,
  ).action(async (target: string, _opts: unknown, command: Command) => {
    const { values } = readFlags(command, EXPLAIN_FLAGS);
    const lines = await withControlPlane(ctx.resolveStateDir(values.stateDir), values.kubeconfig, (client) =>
      runExplain(client, target, values.namespace),
    );
    for (const line of lines) ctx.terminal.out(line);
    ctx.setExit(0);
  });
  addFlags(
    program
      .command('plan')
      .description('preview where templates would go under the given policies; applies nothing'),
    PLAN_FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values } = readFlags(command, PLAN_FLAGS);
    if (values.filename.length === 0) throw new UsageError('plan needs -f FILE');
    for (const f of values.filename) if (!existsSync(f)) throw new UsageError(`-f ${f} does not exist`);
    const lines = await withControlPlane(ctx.resolveStateDir(values.stateDir), values.kubeconfig, (client) =>
      runPlan({ client, files: values.filename, namespace: values.namespace }),
    );
    for (const line of lines) ctx.terminal.out(line);
    ctx.setExit(0);
  });
}
