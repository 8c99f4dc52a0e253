/**
 * `flotilla join NAME --kubeconfig FILE [--provider] [--region] [--zones a,b] [--labels k=v]`
 * and `flotilla unjoin NAME`: register or remove a Push member cluster on the control plane the
 * state directory's `karmada-apiserver.config` points at (`src/federation/join.ts` does the
 * work). Refusals (already joined, not joined, bad kubeconfig) print one line and exit 1.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { JoinError, joinCluster, unjoinCluster } from '../federation/join.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import type { StatePaths } from './state-dir.ts';

const JOIN_FLAGS = [
  'stateDir',
  'kubeconfig',
  'provider',
  'region',
  'zones',
  'labels',
] as const satisfies readonly FlagName[];

function controlPlane(paths: StatePaths): Client {
  if (!existsSync(paths.kubeconfig)) {
    throw new CliError(`no control plane kubeconfig at ${paths.kubeconfig}; start one with flotilla up`);
  }
  return new Client({ kubeConfig: kubeConfigFromFile(paths.kubeconfig), timeoutMs: 15_000 });
}

function asCliError(err: unknown): unknown {
  return err instanceof JoinError ? new CliError(err.message, { cause: err.cause }) : err;
}

/** Options for {@link runJoin}. */
export interface RunJoinOptions {
  paths: StatePaths;
  name: string;
  kubeconfig: string;
  provider?: string | undefined;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  labels?: Record<string, string> | undefined;
  terminal: Terminal;
}

/** Joins a member cluster; resolves with the exit code, throws `CliError` on refusal. */
export async function runJoin(options: RunJoinOptions): Promise<number> {
  if (!existsSync(options.kubeconfig))
    throw new UsageError(`--kubeconfig ${options.kubeconfig} does not exist`);
  const memberKubeConfig = kubeConfigFromFile(options.kubeconfig);
  const client = controlPlane(options.paths);
  try {
    await joinCluster({
      controlPlane: client,
      name: options.name,
      memberKubeConfig,
      provider: options.provider,
      region: options.region,
      zones: options.zones,
      labels: options.labels,
    });
  } catch (err) {
    throw asCliError(err);
  } finally {
    await client.close();
  }
  options.terminal.out(`cluster(${options.name}) is joined successfully`);
  return 0;
}

/** Unjoins a member cluster and waits for its cleanup; resolves with the exit code. */
export async function runUnjoin(options: {
  paths: StatePaths;
  name: string;
  terminal: Terminal;
}): Promise<number> {
  const client = controlPlane(options.paths);
  try {
    await unjoinCluster({ controlPlane: client, name: options.name });
  } catch (err) {
    throw asCliError(err);
  } finally {
    await client.close();
  }
  options.terminal.out(`cluster(${options.name}) is unjoined successfully`);
  return 0;
}

/** How the `flotilla` command hands its context to these subcommands. */
export interface JoinCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Declares `join` and `unjoin` on the `flotilla` program. */
export function registerJoinCommands(program: Command, ctx: JoinCommandContext): void {
  addFlags(
    program
      .command('join')
      .argument('<name>', 'cluster name (a DNS label)')
      .description('register a member cluster in Push mode'),
    JOIN_FLAGS,
  ).action(async (name: string, _opts: unknown, command: Command) => {
    const { values } = readFlags(command, JOIN_FLAGS);
    if (values.kubeconfig === undefined) throw new UsageError('join needs --kubeconfig FILE');
    ctx.setExit(
      await runJoin({
        paths: ctx.resolveStateDir(values.stateDir),
        name,
        kubeconfig: values.kubeconfig,
        provider: values.provider,
        region: values.region,
        zones: values.zones,
        labels: values.labels,
        terminal: ctx.terminal,
      }),
    );
  });
  addFlags(
    program
      .command('unjoin')
      .argument('<name>', 'cluster name')
      .description('remove a member cluster and its propagated objects'),
    ['stateDir'],
  ).action(async (name: string, _opts: unknown, command: Command) => {
    const { values } = readFlags(command, ['stateDir']);
    ctx.setExit(
      await runUnjoin({ paths: ctx.resolveStateDir(values.stateDir), name, terminal: ctx.terminal }),
    );
  });
}
