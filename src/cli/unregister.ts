/**
 * `flotilla unregister NAME` (`karmadactl unregister`): deletes the Pull cluster on the control
 * plane the state directory's `karmada-apiserver.config` reaches and waits until its cleanup is
 * done (its running agent removes the propagated objects and the Works' finalizers; the cluster
 * controller removes the execution namespace, the Secret and, through ownership, the Lease),
 * then stops the agent recorded in the state directory and removes its credentials and pid.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { isNotFound } from '../api/errors.ts';
import type { Cluster } from '../api/karmada/types.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { unjoinCluster } from '../federation/join.ts';
import { agentFiles, type PullCommandContext, runningAgentPid } from './agent.ts';
import { CliError } from './errors.ts';
import { addFlags, readFlags } from './flags.ts';
import { isAlive, type StatePaths } from './state-dir.ts';

async function stopAgent(dir: string, cluster: string): Promise<number | undefined> {
  const pid = await runningAgentPid(dir, cluster);
  if (pid === undefined) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

/** Unregisters `cluster`; resolves with the exit code, throws `CliError` on refusal. */
export async function runUnregister(options: {
  paths: StatePaths;
  cluster: string;
  ctx: PullCommandContext;
}): Promise<number> {
  const { paths, cluster, ctx } = options;
  const files = agentFiles(paths.dir, cluster);
  const localState = existsSync(files.config) || existsSync(files.pid);
  if (!existsSync(paths.kubeconfig)) {
    throw new CliError(
      `no control plane kubeconfig at ${paths.kubeconfig}; give --state-dir of the control plane`,
    );
  }
  const client = new Client({ kubeConfig: kubeConfigFromFile(paths.kubeconfig), timeoutMs: 15_000 });
  try {
    let existing: Cluster | undefined;
    try {
      existing = await client.get<Cluster>(resources.clusters, { name: cluster });
    } catch (err) {
      if (!isNotFound(err)) throw new CliError('cannot reach the control plane', { cause: err });
    }
    if (!existing && !localState) throw new CliError(`cluster "${cluster}" is not registered`);
    if (existing && existing.spec.syncMode !== 'Pull') {
      throw new CliError(
        `cluster "${cluster}" is a ${existing.spec.syncMode} cluster; remove it with flotilla unjoin`,
      );
    }
    if (existing) {
      try {
        await unjoinCluster({ controlPlane: client, name: cluster, timeoutMs: 60_000 });
      } catch (err) {
        throw new CliError(
          `cluster "${cluster}" is still being removed: its agent must delete the propagated objects first (is it running?)`,
          { cause: err },
        );
      }
    }
  } finally {
    await client.close();
  }
  const stopped = await stopAgent(paths.dir, cluster);
  await rm(files.config, { force: true });
  await rm(files.pid, { force: true });
  ctx.terminal.out(
    `cluster(${cluster}) is unregistered successfully${stopped !== undefined ? ` (agent pid ${stopped} stopped)` : ''}`,
  );
  return 0;
}

/** Declares `unregister` on the program. */
export function registerUnregisterCommand(program: Command, ctx: PullCommandContext): void {
  addFlags(
    program
      .command('unregister')
      .argument('<name>', 'cluster name')
      .description('remove a Pull member cluster, its propagated objects and its agent'),
    ['stateDir'],
  ).action(async (name: string, _opts: unknown, command: Command) => {
    const { values } = readFlags(command, ['stateDir']);
    ctx.setExit(await runUnregister({ paths: ctx.resolveStateDir(values.stateDir), cluster: name, ctx }));
  });
}
