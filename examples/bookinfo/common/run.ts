/**
 * The shared tail of every `main.ts`: handle `--help`, bind the server, log where it listens and
 * close it cleanly on SIGTERM/SIGINT (the pod runtime stops containers with SIGTERM).
 */
import type http from 'node:http';
import { type EnvVar, usage } from './config.ts';
import { close, consoleLog, listen } from './http.ts';

/** What {@link runService} needs from a service's `main.ts`. */
export interface RunOptions {
  /** Usage line for `--help`, e.g. `node details/main.ts <port>`. */
  readonly usageLine: string;
  /** The service's environment table, for `--help`. */
  readonly env: readonly EnvVar[];
  /** Builds the server from already-parsed configuration; called once. */
  readonly build: () => http.Server;
  /** Address to bind. */
  readonly host: string;
  /** Port to bind. */
  readonly port: number;
}

/** True when argv asks for help; `main.ts` files check this before parsing anything else. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Prints usage to stdout and exits 0. */
export function printHelp(usageLine: string, env: readonly EnvVar[]): never {
  process.stdout.write(usage(usageLine, env));
  process.exit(0);
}

/** Prints `message` and usage to stderr and exits 2; for bad argv or env. */
export function die(message: string, usageLine: string, env: readonly EnvVar[]): never {
  process.stderr.write(`${message}\n${usage(usageLine, env)}`);
  process.exit(2);
}

/** Starts the service and resolves once it listens; exits 1 if the port cannot be bound. */
export async function runService(options: RunOptions): Promise<void> {
  const server = options.build();
  try {
    const addr = await listen(server, options.host, options.port);
    consoleLog.info(`Server listening on: http://${addr.address}:${addr.port}`);
  } catch (err) {
    consoleLog.error(`cannot listen on ${options.host}:${options.port}: ${(err as Error).message}`);
    process.exit(1);
  }
  const stop = (signal: string): void => {
    consoleLog.info(`received ${signal}, shutting down`);
    void close(server).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
