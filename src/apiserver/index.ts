/**
 * The API server's public face. `startApiServer` listens and serves the Kubernetes REST API over
 * the given storage until `close()`.
 */
import { errors } from '../api/errors.ts';
import type { ApiServerOptions, RunningApiServer } from './types.ts';

export type * from './types.ts';

/** Starts an API server; resolves once it is listening. (Being built: see src/apiserver/server.ts.) */
export async function startApiServer(_options: ApiServerOptions): Promise<RunningApiServer> {
  throw errors.internal('the API server is not built yet');
}
