/**
 * The control plane as `flotilla up` and `flotilla apiserver` run it: PKI and tokens from the
 * state directory, the store, the API server over HTTPS with bearer-token auth, and the
 * kubeconfig that points kubectl at it. Later releases add controllers and member clusters here.
 */

import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { controlPlaneAuth } from '../apiserver/auth/index.ts';
import { startApiServer } from '../apiserver/index.ts';
import { ensurePki } from '../pki/index.ts';
import { openStorage } from '../storage/index.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import type { StatePaths } from './state-dir.ts';
import { createTokenAuthenticator, ensureTokenFile } from './tokens.ts';

/** The control plane's cluster name, as in Karmada. */
export const CONTROL_PLANE_NAME = 'karmada-apiserver';

/** Options for {@link startControlPlane}. */
export interface ControlPlaneOptions {
  paths: StatePaths;
  /** Storage URL (`sqlite://…`, `memory://`, `etcd://…`). */
  storeUrl: string;
  host: string;
  port: number;
  /** Plain HTTP, no authentication, no kubeconfig. */
  insecureHttp?: boolean;
  logger: Logger;
}

/** A running control plane. */
export interface RunningControlPlane {
  /** The URL clients use (a wildcard listen address becomes loopback). */
  url: string;
  /** The kubeconfig written for it; absent with `insecureHttp`. */
  kubeconfigPath?: string;
  caCert?: string;
  token?: string;
  /** Stops the API server, then closes the store. */
  close(): Promise<void>;
}

function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIPv6(host) ? `[${host}]` : host;
}

function certificateHosts(host: string): string[] {
  if (host === '0.0.0.0' || host === '::') return [hostname()];
  return [host];
}

/**
 * Starts the control plane and writes its kubeconfig; resolves once the API server listens.
 * On failure nothing is left open.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<RunningControlPlane> {
  const { paths, logger } = options;
  const secure = options.insecureHttp !== true;
  const pki = secure ? await ensurePki(paths.pki, { hosts: certificateHosts(options.host) }) : undefined;
  if (pki) logger.info({ created: pki.created, dir: paths.pki }, 'pki ready');
  const tokens = secure ? await ensureTokenFile(paths.tokens) : undefined;

  const storage = await openStorage(options.storeUrl, { logger });
  // Agents: bootstrap tokens, client certificates signed by the CA, Karmada's permission tables.
  const { clientCa, ...auth } =
    pki && tokens
      ? controlPlaneAuth({ storage, tokens: createTokenAuthenticator(tokens.entries), clientCa: pki.caCert })
      : { clientCa: undefined };
  let server: Awaited<ReturnType<typeof startApiServer>>;
  try {
    server = await startApiServer({
      storage,
      host: options.host,
      port: options.port,
      ...(pki
        ? { tls: { cert: pki.serving.cert, key: pki.serving.key, ...(clientCa ? { clientCa } : {}) } }
        : {}),
      ...auth,
      logger: logger.child({ component: 'apiserver' }),
      name: CONTROL_PLANE_NAME,
    });
  } catch (err) {
    await storage.close().catch(() => {});
    throw err;
  }
  const url = `${secure ? 'https' : 'http'}://${clientHost(options.host)}:${server.port}`;
  const running: RunningControlPlane = {
    url,
    async close() {
      await server.close().catch((err: unknown) => logger.error({ err }, 'closing the API server failed'));
      await storage.close().catch((err: unknown) => logger.error({ err }, 'closing the store failed'));
    },
  };
  if (pki && tokens) {
    try {
      await writeKubeconfig(paths.kubeconfig, {
        name: CONTROL_PLANE_NAME,
        server: url,
        caCert: pki.caCert,
        token: tokens.adminToken,
      });
    } catch (err) {
      await running.close();
      throw err;
    }
    running.kubeconfigPath = paths.kubeconfig;
    running.caCert = pki.caCert;
    running.token = tokens.adminToken;
    try {
      // Discovery for `flotilla register` and the agent CSR signer (it needs the CA key).
      const { startPullModeSupportWithToken } = await import('../controlplane/pull-mode.ts');
      const support = await startPullModeSupportWithToken({
        server: url,
        token: tokens.adminToken,
        caCert: pki.caCert,
        caKeyPath: pki.paths.caKey,
        logger,
      });
      const closeServer = running.close;
      running.close = async () => {
        await support.stop().catch((err: unknown) => logger.error({ err }, 'stopping the CSR signer failed'));
        await closeServer();
      };
    } catch (err) {
      await running.close();
      throw err;
    }
  }
  logger.info({ url, store: options.storeUrl.replace(/\/\/[^@/]*@/, '//***@') }, 'control plane listening');
  return running;
}
