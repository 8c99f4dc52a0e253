/**
 * Local member clusters as `flotilla up` and `flotilla localcluster` run them: each gets the
 * state directory's CA-signed serving certificate and admin token (so one kubeconfig token works
 * everywhere), its own store under `DIR/<name>/`, and `DIR/<name>.config`. Ready means its
 * `/readyz` answers and its Node reports Ready.
 */

import type { Logger } from 'pino';
import { ensurePki } from '../pki/index.ts';
import { waitForNodeReady } from './member-ready.ts';
import type { StatePaths } from './state-dir.ts';
import { createTokenAuthenticator, ensureTokenFile } from './tokens.ts';
import { waitForReady } from './wait-ready.ts';

/** One member cluster's endpoint, as printed and recorded in `endpoints.json`. */
export interface MemberEndpoint {
  name: string;
  url: string;
  kubeconfig: string;
}

/** Running member clusters; `close` stops them all (killing their pod processes). */
export interface RunningMembers {
  endpoints: MemberEndpoint[];
  close(): Promise<void>;
}

/** Options for {@link startMembers}. */
export interface StartMembersOptions {
  paths: StatePaths;
  names: readonly string[];
  /** Port of the first member; the next ones follow. 0 picks free ports for all. */
  firstPort: number;
  host: string;
  runtime: 'process' | 'simulated';
  /** Store URL per member; default sqlite under `DIR/<name>/`. */
  storeUrl?: (name: string) => string | undefined;
  /** Index of the first member for its IP ranges; default 0. */
  firstIndex?: number;
  /** The mesh endpoint sidecars stream from; without it no sidecars are injected. */
  mesh?: { url: string; token: string } | undefined;
  logger: Logger;
}

/** The member's index for IP ranges from its name: `member3` → 2; other names → 0. */
export function defaultIndex(name: string): number {
  const m = /(\d+)$/.exec(name);
  const n = m ? Number(m[1]) : 0;
  return n >= 1 && n <= 90 ? n - 1 : 0;
}

/**
 * Starts every named member cluster (in parallel) and waits until each is ready. On failure the
 * ones started are stopped and the error names the member.
 */
export async function startMembers(options: StartMembersOptions): Promise<RunningMembers> {
  const { paths, logger } = options;
  const { startLocalCluster } = await import('../localcluster/index.ts');
  const pki = await ensurePki(paths.pki, { hosts: [options.host] });
  const tokens = await ensureTokenFile(paths.tokens);
  const authenticate = createTokenAuthenticator(tokens.entries);
  const started: Awaited<ReturnType<typeof startLocalCluster>>[] = [];
  const close = async () => {
    await Promise.all(started.map((c) => c.stop()));
  };
  const results = await Promise.allSettled(
    options.names.map(async (name, i) => {
      const store = options.storeUrl?.(name);
      const cluster = await startLocalCluster({
        name,
        index: (options.firstIndex ?? 0) + i,
        stateDir: paths.dir,
        port: options.firstPort === 0 ? 0 : options.firstPort + i,
        host: options.host,
        runtime: options.runtime,
        ...(store !== undefined ? { storeUrl: store } : {}),
        tls: { cert: pki.serving.cert, key: pki.serving.key, caCert: pki.caCert },
        authenticate,
        token: tokens.adminToken,
        ...(options.mesh ? { mesh: options.mesh } : {}),
        logger,
      }).catch((err: unknown) => {
        throw new Error(`member cluster ${name} did not start`, { cause: err });
      });
      started.push(cluster);
      await waitForReady({
        url: cluster.url,
        caCert: pki.caCert,
        token: tokens.adminToken,
        timeoutMs: 60_000,
      });
      await waitForNodeReady(cluster.client, cluster.nodeName, 60_000);
      return { name, url: cluster.url, kubeconfig: cluster.kubeconfigPath };
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const endpoints = results.map((r) => (r as PromiseFulfilledResult<MemberEndpoint>).value);
  return { endpoints, close };
}

/** The line `up` prints for a member. */
export function memberLine(m: MemberEndpoint): string {
  return `${m.name.padEnd(10)}  ${m.url}  kubeconfig ${m.kubeconfig}`;
}
