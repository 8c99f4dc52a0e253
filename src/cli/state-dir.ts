/**
 * The layout of a Flotilla state directory and its pid and endpoints files. One running
 * `flotilla up` owns a state directory; `flotilla.pid` names it and `endpoints.json` says where
 * it serves, so `up --detach` and `down` can find it.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where everything lives inside a state directory. */
export interface StatePaths {
  dir: string;
  /** ca.crt, ca.key, apiserver.crt, apiserver.key. */
  pki: string;
  tokens: string;
  /** The control plane's kubeconfig. */
  kubeconfig: string;
  log: string;
  pid: string;
  endpoints: string;
}

/** What a running instance records about itself. */
export interface Endpoints {
  pid: number;
  apiserver: string;
  kubeconfig?: string;
  /** Local member clusters, once they are ready. */
  members?: { name: string; url: string; kubeconfig: string }[];
  /** The dashboard's address (without the token). */
  dashboard?: string;
  /** The mesh controller's endpoint, where proxies stream their configuration (token in `mesh.token`). */
  mesh?: string;
  /** The ingress gateway (Gateway servers on port 80). */
  gateway?: string;
  startedAt: string;
}

/** The paths of the state directory `dir` (absolute, as `cmd/` resolves it). */
export function statePaths(dir: string): StatePaths {
  return {
    dir,
    pki: join(dir, 'pki'),
    tokens: join(dir, 'tokens.csv'),
    kubeconfig: join(dir, 'karmada-apiserver.config'),
    log: join(dir, 'flotilla.log'),
    pid: join(dir, 'flotilla.pid'),
    endpoints: join(dir, 'endpoints.json'),
  };
}

/** Creates the state directory (mode 0700) if needed. */
export async function ensureStateDir(paths: StatePaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
}

/**
 * True while a process with this pid exists (EPERM: exists, owned by someone else) and, where
 * `/proc` tells, is not a zombie: a detached child whose reaper is slow must still count as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * True unless `/proc` says the process is something other than flotilla (a recycled pid).
 * Where `/proc` is absent, liveness alone decides.
 */
async function looksLikeFlotilla(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('flotilla');
  } catch {
    return isAlive(pid);
  }
}

/** The pid in the pid file, if the file exists and holds one. */
export async function readPidFile(paths: StatePaths): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(paths.pid, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a live flotilla process that owns the state directory, other than `self`. */
export async function runningPid(paths: StatePaths, self = process.pid): Promise<number | undefined> {
  const pid = await readPidFile(paths);
  if (pid === undefined || pid === self || !isAlive(pid)) return undefined;
  return (await looksLikeFlotilla(pid)) ? pid : undefined;
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}

/** Records `pid` as the owner of the state directory. */
export async function writePidFile(paths: StatePaths, pid: number): Promise<void> {
  await writeAtomic(paths.pid, `${pid}\n`);
}

/** Removes the pid file if it still names `pid` (a newer owner's file is left alone). */
export async function removePidFile(paths: StatePaths, pid: number): Promise<void> {
  if ((await readPidFile(paths)) === pid) await rm(paths.pid, { force: true });
}

/** Records where the running instance serves. */
export async function writeEndpoints(paths: StatePaths, endpoints: Endpoints): Promise<void> {
  await writeAtomic(paths.endpoints, `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** The recorded endpoints, if any. */
export async function readEndpoints(paths: StatePaths): Promise<Endpoints | undefined> {
  try {
    const value = JSON.parse(await readFile(paths.endpoints, 'utf8')) as Partial<Endpoints>;
    return typeof value.pid === 'number' && typeof value.apiserver === 'string'
      ? (value as Endpoints)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The last `count` lines of the log file (empty when there is none). */
export async function logTail(paths: StatePaths, count: number): Promise<string[]> {
  try {
    const lines = (await readFile(paths.log, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-count);
  } catch {
    return [];
  }
}
