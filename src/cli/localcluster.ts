/**
 * `flotilla localcluster --name NAME`: one local member cluster on its own, in the foreground,
 * sharing the state directory's CA and admin token with `flotilla up`. Prints its endpoint and a
 * `ready` line once its API server answers and its Node is Ready; the caller owns signals.
 */
import type { Logger } from 'pino';
import { CliError, type Terminal } from './errors.ts';
import { defaultIndex, memberLine, startMembers } from './members.ts';
import { ensureStateDir, type StatePaths } from './state-dir.ts';

/** Options for {@link startLocalClusterCommand}. */
export interface LocalClusterCommandOptions {
  paths: StatePaths;
  name: string;
  index?: number | undefined;
  host: string;
  port: number;
  runtime: 'process' | 'simulated';
  /** `--store`: `sqlite` keeps DIR/<name>/store.db. */
  store: string;
  logger: Logger;
  terminal: Terminal;
}

/** Starts the cluster and prints its lines; resolves with its `close`. Throws CliError when it cannot start. */
export async function startLocalClusterCommand(
  options: LocalClusterCommandOptions,
): Promise<{ close(): Promise<void> }> {
  const { paths, name, terminal } = options;
  await ensureStateDir(paths);
  const store =
    options.store === 'sqlite' ? undefined : options.store === 'memory' ? 'memory://' : options.store;
  try {
    const members = await startMembers({
      paths,
      names: [name],
      firstPort: options.port,
      host: options.host,
      runtime: options.runtime,
      firstIndex: options.index ?? defaultIndex(name),
      ...(store !== undefined ? { storeUrl: () => store } : {}),
      logger: options.logger,
    });
    const [endpoint] = members.endpoints;
    if (endpoint !== undefined) {
      terminal.out(memberLine(endpoint));
      terminal.out(`local cluster ${name} is ready: kubectl --kubeconfig ${endpoint.kubeconfig} get nodes`);
    }
    return members;
  } catch (err) {
    const inUse = JSON.stringify(String((err as Error)?.cause ?? '')).includes('EADDRINUSE');
    throw new CliError(
      inUse
        ? `port ${options.port} on ${options.host} is in use; choose another with --port`
        : `local cluster ${name} did not start`,
      {
        cause: err,
      },
    );
  }
}
