/**
 * The storage layer's public face: `openStorage(url)` picks a backend by URL scheme.
 *
 * Revision semantics, identical across backends (the conformance suite asserts them):
 * - Revisions are global to the store and strictly increasing; every write (create, update,
 *   delete) takes the next one. A fresh memory or sqlite store is at revision 1 and its first
 *   write gets revision 2, as in etcd (where other users of the cluster also advance it).
 * - `list({revision})` reads the state as of that revision; below the compaction point it fails
 *   with `Compacted`, above the current revision with `Unavailable` (retry later).
 * - `watch(prefix, from)` delivers every change with revision > `from` (`from` 0: from now) and
 *   then follows; it fails with `Compacted` when `from` is below the compaction point.
 * - `compact(c)` forgets history below `c`: reads at `c` and watches from `c` still work, reads
 *   below `c` and watches from below `c` fail. Compacting to or below an earlier point is a no-op;
 *   compacting beyond the current revision fails with `Unavailable`.
 */
import type { Logger } from 'pino';
import { EtcdStorage } from './etcd/etcd-storage.ts';
import { MemoryStorage } from './memory/memory-storage.ts';
import { SqliteStorage, type SqliteSyncMode } from './sqlite/sqlite-storage.ts';
import { type Storage, StorageError } from './types.ts';

export { EtcdStorage, type EtcdStorageOptions } from './etcd/etcd-storage.ts';
export { MemoryStorage } from './memory/memory-storage.ts';
export { SqliteStorage, type SqliteStorageOptions, type SqliteSyncMode } from './sqlite/sqlite-storage.ts';
export * from './types.ts';

/** Options for `openStorage`. */
export interface OpenStorageOptions {
  logger?: Logger;
}

function invalid(url: string, why: string): StorageError {
  return new StorageError('InvalidURL', `invalid storage URL ${url}: ${why}`);
}

/** Splits `rest?query` into the part before the query and its parameters. */
function splitQuery(rest: string): [string, URLSearchParams] {
  const q = rest.indexOf('?');
  return q < 0 ? [rest, new URLSearchParams()] : [rest.slice(0, q), new URLSearchParams(rest.slice(q + 1))];
}

function openSqlite(url: string, rest: string): SqliteStorage {
  const [path, query] = splitQuery(rest);
  if (path === '') throw invalid(url, 'missing file path (sqlite://PATH, e.g. sqlite://./data/flotilla.db)');
  const sync = (query.get('sync') ?? 'normal').toLowerCase();
  if (sync !== 'normal' && sync !== 'full')
    throw invalid(url, `sync must be "normal" or "full", not "${sync}"`);
  return SqliteStorage.open({ path, sync: sync as SqliteSyncMode });
}

function openEtcd(url: string, rest: string): EtcdStorage {
  const [target] = splitQuery(rest);
  const slash = target.indexOf('/');
  const hosts = slash < 0 ? target : target.slice(0, slash);
  const prefix = slash < 0 ? '' : target.slice(slash).replace(/\/+$/, '');
  const endpoints = hosts.split(',').filter((h) => h !== '');
  if (endpoints.length === 0) throw invalid(url, 'missing HOST:PORT');
  for (const h of endpoints)
    if (!/^[^:/]+:\d+$/.test(h)) throw invalid(url, `endpoint "${h}" is not HOST:PORT`);
  return new EtcdStorage({ endpoints: endpoints.map((h) => `http://${h}`), prefix });
}

/**
 * Opens a store by URL. Blocks only on local file I/O (sqlite); an etcd store connects lazily,
 * so an unreachable etcd shows up as `Unavailable` on the first call, not here.
 * - `sqlite://PATH[?sync=normal|full]`: the embedded default; `sqlite:///abs/path.db`,
 *   `sqlite://relative/path.db`. `sync=full` fsyncs each commit (power-loss safe, slower).
 * - `memory://`: an empty in-process store.
 * - `etcd://HOST:PORT[,HOST:PORT…][/prefix]`: keys are stored under `/prefix` (trailing
 *   slashes removed) prepended verbatim to each key.
 * Throws `InvalidURL` for an unknown scheme or malformed URL, `Unavailable` when a sqlite file
 * cannot be opened.
 */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const m = /^([a-z0-9]+):\/\/(.*)$/i.exec(url);
  if (m === null) throw invalid(url, 'expected sqlite://PATH, memory:// or etcd://HOST:PORT[/prefix]');
  const scheme = (m[1] as string).toLowerCase();
  const rest = m[2] as string;
  let storage: Storage;
  switch (scheme) {
    case 'sqlite':
      storage = openSqlite(url, rest);
      break;
    case 'memory':
      storage = new MemoryStorage();
      break;
    case 'etcd':
      storage = openEtcd(url, rest);
      break;
    default:
      throw invalid(url, `unknown scheme "${scheme}"`);
  }
  options.logger?.info({ storage: scheme }, 'storage opened');
  return storage;
}
