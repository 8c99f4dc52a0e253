/**
 * The storage layer's public face: `openStorage(url)` picks a backend by URL scheme.
 * (Being built: sqlite/, memory/, etcd/.)
 */
import type { Logger } from 'pino';
import { StorageError, type Storage } from './types.ts';

export * from './types.ts';

export interface OpenStorageOptions {
  logger?: Logger;
}

/** Opens `sqlite://PATH`, `memory://` or `etcd://HOST:PORT[,HOST:PORT…][/prefix]`. */
export async function openStorage(url: string, _options: OpenStorageOptions = {}): Promise<Storage> {
  throw new StorageError('InvalidURL', `storage backend for ${url} is not built yet`);
}
