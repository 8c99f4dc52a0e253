/**
 * `flotilla down`: stop the flotilla that owns a state directory. SIGTERM, wait for a graceful
 * exit, SIGKILL after the grace period, then clear the pid and endpoints files.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Terminal } from './errors.ts';
import { isAlive, readEndpoints, removePidFile, runningPid, type StatePaths } from './state-dir.ts';

/** Options for {@link runDown}. */
export interface DownOptions {
  paths: StatePaths;
  terminal: Terminal;
  /** Time between SIGTERM and SIGKILL; default 10 s. */
  graceMs?: number;
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Kills pod processes that local clusters under the state directory recorded and that are still
 * alive (their flotilla was killed before it could stop them); returns how many.
 */
export async function reapPodProcesses(paths: StatePaths): Promise<number> {
  let killed = 0;
  const entries = await readdir(paths.dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const pids = join(paths.dir, e.name, 'runtime', 'pids');
    if (!e.isDirectory() || !existsSync(pids)) continue;
    const { PidRegistry } = await import('../runtime/index.ts');
    killed += new PidRegistry(pids).reap();
  }
  return killed;
}

/** Stops the running instance, if any; returns the exit code (0 stopped or nothing ran, 1 could not stop). */
export async function runDown(options: DownOptions): Promise<number> {
  const { paths, terminal } = options;
  const pid = await runningPid(paths);
  if (pid === undefined) {
    await rm(paths.pid, { force: true });
    const orphans = await reapPodProcesses(paths);
    terminal.out(
      `flotilla: nothing is running from ${paths.dir}${orphans > 0 ? ` (killed ${orphans} pod processes left behind)` : ''}`,
    );
    return 0;
  }
  const endpoints = await readEndpoints(paths);
  const what = `flotilla (pid ${pid}${endpoints?.pid === pid ? `, API server ${endpoints.apiserver}` : ''})`;
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
      terminal.err(`flotilla: cannot stop ${what}: ${(err as Error).message}`);
      return 1;
    }
  }
  let how = 'stopped';
  if (!(await waitForExit(pid, options.graceMs ?? 10_000))) {
    how = `killed (no exit ${Math.round((options.graceMs ?? 10_000) / 1000)}s after SIGTERM)`;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
    if (!(await waitForExit(pid, 5_000))) {
      terminal.err(`flotilla: ${what} is still running after SIGKILL`);
      return 1;
    }
  }
  await removePidFile(paths, pid);
  await rm(paths.endpoints, { force: true });
  const orphans = await reapPodProcesses(paths);
  if (orphans > 0) how += ` (and ${orphans} pod processes it left behind)`;
  terminal.out(`flotilla: ${how} ${what}`);
  return 0;
}
