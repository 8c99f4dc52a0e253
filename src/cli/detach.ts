/**
 * `flotilla up --detach`: re-run the same command in a detached child (output to the log), record
 * its pid, wait until it serves and `/readyz` answers, print its endpoints and the ready line. If
 * the child dies or the deadline passes first, show the log's last lines and fail.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dashboardLine, dashboardLink } from './dashboard.ts';
import { CliError, type Terminal } from './errors.ts';
import { gatewayLine } from './gateway.ts';
import { readKubeconfig } from './kubeconfig.ts';
import { memberLine } from './members.ts';
import {
  type Endpoints,
  ensureStateDir,
  logTail,
  readEndpoints,
  removePidFile,
  runningPid,
  type StatePaths,
  writePidFile,
} from './state-dir.ts';
import { endpointLines, readyLine } from './up.ts';
import { waitForReady } from './wait-ready.ts';

/** Options for {@link runDetached}. */
export interface DetachOptions {
  paths: StatePaths;
  terminal: Terminal;
  /** The program and arguments that run `flotilla up` in the foreground (without `--detach`). */
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long the child may take to become ready (control plane and members); default 120 s. */
  timeoutMs?: number;
  /** A demo runs: the gateway line points at its page. */
  demo?: boolean;
}

class ChildExited extends Error {
  readonly code = 'ChildExited';
}

async function waitForEndpoints(paths: StatePaths, pid: number, signal: AbortSignal, deadline: number) {
  for (;;) {
    signal.throwIfAborted();
    const endpoints = await readEndpoints(paths);
    if (endpoints?.pid === pid) return endpoints;
    if (Date.now() > deadline) throw new CliError('the background process did not start serving in time');
    await sleep(100);
  }
}

/** A pino JSON line as `LEVEL message: error`; other lines as they are. */
function readableLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    if (typeof entry.msg !== 'string') return line;
    const level = (
      { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>
    )[entry.level ?? 30];
    return `${level ?? 'log'} ${entry.msg}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
  } catch {
    return line;
  }
}

/** Starts the detached child and waits for it; returns the exit code for the parent (0 ready, 1 not). */
export async function runDetached(options: DetachOptions): Promise<number> {
  const { paths, terminal } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  await ensureStateDir(paths);
  const other = await runningPid(paths);
  if (other !== undefined) {
    throw new CliError(
      `flotilla is already running from ${paths.dir} (pid ${other}); stop it with flotilla down`,
    );
  }
  await rm(paths.endpoints, { force: true });

  const log = openSync(paths.log, 'a', 0o600);
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const controller = new AbortController();
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    controller.abort(new ChildExited(`exited ${signal ? `on ${signal}` : `with code ${code}`}`));
  };
  child.once('exit', onExit);
  child.once('error', (err) => controller.abort(err));
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    throw new CliError(`could not start ${options.command}`, { cause: controller.signal.reason });
  }
  await writePidFile(paths, pid);
  terminal.out(`flotilla: starting in the background (pid ${pid}, log ${paths.log})`);

  const started = Date.now();
  let lastReport = started;
  let endpoints: Endpoints;
  try {
    endpoints = await waitForEndpoints(paths, pid, controller.signal, started + timeoutMs);
    const kubeconfig = endpoints.kubeconfig ? await readKubeconfig(endpoints.kubeconfig) : undefined;
    await waitForReady({
      url: endpoints.apiserver,
      ...(kubeconfig?.caCert ? { caCert: kubeconfig.caCert } : {}),
      ...(kubeconfig?.token ? { token: kubeconfig.token } : {}),
      timeoutMs: Math.max(1_000, started + timeoutMs - Date.now()),
      signal: controller.signal,
      onProgress: ({ elapsedMs, lastError }) => {
        if (Date.now() - lastReport < 2_000) return;
        lastReport = Date.now();
        terminal.out(
          `flotilla: waiting for ${endpoints.apiserver}/readyz (${Math.round(elapsedMs / 1000)}s: ${lastError})`,
        );
      },
    });
  } catch (err) {
    const died = controller.signal.aborted;
    if (!died) child.kill('SIGTERM');
    child.off('exit', onExit);
    child.unref();
    await removePidFile(paths, pid);
    const why = died
      ? `the background process ${(controller.signal.reason as Error).message}`
      : (err as Error).message;
    terminal.err(`flotilla: ${why} before it was ready; last lines of ${paths.log}:`);
    for (const line of await logTail(paths, 20)) terminal.err(`  ${readableLogLine(line)}`);
    return 1;
  }
  child.off('exit', onExit);
  child.unref();
  for (const line of endpointLines(endpoints.apiserver, endpoints.kubeconfig)) terminal.out(line);
  for (const m of endpoints.members ?? []) terminal.out(memberLine(m));
  if (endpoints.dashboard) {
    const token = endpoints.kubeconfig ? (await readKubeconfig(endpoints.kubeconfig)).token : undefined;
    terminal.out(dashboardLine(dashboardLink(endpoints.dashboard, token)));
  }
  if (endpoints.mesh) terminal.out(`mesh        ${endpoints.mesh}`);
  if (endpoints.gateway) terminal.out(gatewayLine(endpoints.gateway, options.demo === true));
  terminal.out(readyLine(endpoints.apiserver, endpoints.kubeconfig, endpoints.members));
  terminal.out(`flotilla: running in the background (pid ${pid}); stop it with flotilla down`);
  return 0;
}
