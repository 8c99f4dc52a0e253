/**
 * `flotilla agent --kubeconfig MEMBER.config --karmada-kubeconfig AGENT.config --cluster-name
 * NAME [--cluster-provider P] [--cluster-region R] [--cluster-zones a,b]`: the pull-mode agent
 * (`src/agent`) in the foreground until a signal, with its pid in `DIR/agent-<cluster>.pid`
 * (so `flotilla unregister` can stop it) and its log in `DIR/agent-<cluster>.log`. Also
 * declares `register`, `unregister` and `token` (their own modules) on the program.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { AgentError, checkClusterName, type RunningAgent, startAgent } from '../agent/index.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { CliError, type Terminal, UsageError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { registerRegisterCommand } from './register.ts';
import { isAlive, type StatePaths } from './state-dir.ts';
import { registerTokenCommands } from './token.ts';
import { registerUnregisterCommand } from './unregister.ts';

/** Where an agent keeps its state in a state directory. */
export function agentFiles(dir: string, cluster: string): { config: string; pid: string; log: string } {
  return {
    config: join(dir, `agent-${cluster}.config`),
    pid: join(dir, `agent-${cluster}.pid`),
    log: join(dir, `agent-${cluster}.log`),
  };
}

/** The pid of a live agent of `cluster` recorded in `dir`, if any. */
export async function runningAgentPid(dir: string, cluster: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(agentFiles(dir, cluster).pid, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** What the `flotilla` command lends these subcommands. */
export interface PullCommandContext {
  resolveStateDir(flag: string | undefined): StatePaths;
  /** Opens the log at `file` in the state directory. */
  openLog(paths: StatePaths, file: string): Logger;
  /** Resolves with the exit code once a signal stopped `running`. */
  untilSignal(running: { close(): Promise<void> }): Promise<number>;
  terminal: Terminal;
  setExit(code: number): void;
}

/** Options for {@link runAgent}. */
export interface RunAgentOptions {
  paths: StatePaths;
  cluster: string;
  memberKubeconfig: string;
  karmadaKubeconfig: string;
  provider?: string | undefined;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  ctx: PullCommandContext;
  /** Printed once the cluster is registered; default `agent of cluster(NAME) running …`. */
  readyLine?: string;
}

/** Runs the agent until a signal; resolves with the exit code. */
export async function runAgent(options: RunAgentOptions): Promise<number> {
  const { ctx, cluster, paths } = options;
  try {
    checkClusterName(cluster);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  for (const [flag, file] of [
    ['--kubeconfig', options.memberKubeconfig],
    ['--karmada-kubeconfig', options.karmadaKubeconfig],
  ] as const) {
    if (!existsSync(file)) throw new UsageError(`${flag} ${file} does not exist`);
  }
  const files = agentFiles(paths.dir, cluster);
  const other = await runningAgentPid(paths.dir, cluster);
  if (other !== undefined) {
    throw new CliError(`an agent of cluster ${cluster} already runs from ${paths.dir} (pid ${other})`);
  }
  const logger = ctx.openLog(paths, files.log);
  logger.info({ cluster, argv: process.argv.slice(2) }, 'flotilla agent');
  await writeFile(files.pid, `${process.pid}\n`, { mode: 0o644 });
  const controlPlane = new Client({
    kubeConfig: kubeConfigFromFile(options.karmadaKubeconfig),
    qps: 40,
    burst: 60,
    timeoutMs: 30_000,
    userAgent: `flotilla-agent/${cluster}`,
  });
  const abort = new AbortController();
  const starting: Promise<RunningAgent> = startAgent({
    controlPlane,
    cluster,
    memberKubeConfig: kubeConfigFromFile(options.memberKubeconfig),
    provider: options.provider,
    region: options.region,
    zones: options.zones,
    logger,
    signal: abort.signal,
  });
  const running = {
    async close() {
      abort.abort();
      const agent = await starting.catch(() => undefined);
      await agent?.stop();
      await controlPlane.close();
      if ((await readFile(files.pid, 'utf8').catch(() => '')).trim() === String(process.pid)) {
        await rm(files.pid, { force: true });
      }
    },
  };
  const exit = ctx.untilSignal(running);
  let agent: RunningAgent;
  try {
    agent = await starting;
  } catch (err) {
    await running.close();
    if (err instanceof AgentError) throw new CliError(err.message);
    throw new CliError(`the agent of cluster ${cluster} did not start`, { cause: err });
  }
  ctx.terminal.out(
    options.readyLine ??
      `agent of cluster(${cluster}) running against ${controlPlane.server} (Pull); Ctrl-C stops it`,
  );
  const gone = agent.unregistered.then(async () => {
    ctx.terminal.out(`cluster(${cluster}) was unregistered; its agent stops`);
    await running.close();
    return 0;
  });
  return Promise.race([exit, gone]);
}

const AGENT_FLAGS = [
  'stateDir',
  'kubeconfig',
  'karmadaKubeconfig',
  'clusterName',
  'clusterProvider',
  'clusterRegion',
  'clusterZones',
] as const satisfies readonly FlagName[];

/** Declares `agent`, `register`, `unregister` and `token` on the `flotilla` program. */
export function registerPullCommands(program: Command, ctx: PullCommandContext): void {
  addFlags(
    program
      .command('agent')
      .description("run the pull-mode agent of a member cluster (Karmada's karmada-agent)"),
    AGENT_FLAGS,
  ).action(async (_opts: unknown, command: Command) => {
    const { values } = readFlags(command, AGENT_FLAGS);
    if (values.kubeconfig === undefined) throw new UsageError('agent needs --kubeconfig MEMBER.config');
    if (values.karmadaKubeconfig === undefined)
      throw new UsageError('agent needs --karmada-kubeconfig FILE (written by flotilla register)');
    if (values.clusterName === undefined) throw new UsageError('agent needs --cluster-name NAME');
    ctx.setExit(
      await runAgent({
        paths: ctx.resolveStateDir(values.stateDir),
        cluster: values.clusterName,
        memberKubeconfig: values.kubeconfig,
        karmadaKubeconfig: values.karmadaKubeconfig,
        provider: values.clusterProvider,
        region: values.clusterRegion,
        zones: values.clusterZones,
        ctx,
      }),
    );
  });
  registerRegisterCommand(program, ctx);
  registerUnregisterCommand(program, ctx);
  registerTokenCommands(program, ctx);
}
