/**
 * What a control plane runs so agents can register with it, beside its API server: the
 * discovery ConfigMap `kube-public/cluster-info` (the server URL and CA, which `flotilla
 * register` verifies against the CA hash), the agent CSR approver and signer holding the CA
 * key, and the cleaner of expired bootstrap tokens. All act through an admin client, over the API.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import { BOOTSTRAP_TOKEN_SECRET_TYPE } from '../api/karmada/agent.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import type { CertAndKey } from '../pki/index.ts';
import { startAgentCsrSigner } from './agent-csr.ts';

/** The discovery ConfigMap's namespace and name. */
export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' } as const;

/** Writes `kube-public/cluster-info` (`data.kubeconfig`: server and CA, no credentials); idempotent. */
export async function writeClusterInfo(client: Client, server: string, caCert: string): Promise<void> {
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: '',
        cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') },
      },
    ],
    contexts: [],
    users: [],
    'current-context': '',
    preferences: {},
  });
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...CLUSTER_INFO },
    data: { kubeconfig },
  };
  try {
    await client.create(resources.configmaps, cm);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const old = await client.get(resources.configmaps, CLUSTER_INFO);
    if (old.data?.kubeconfig === kubeconfig) return;
    await client.update(resources.configmaps, { ...old, data: { ...(old.data ?? {}), kubeconfig } });
  }
}

/** Options for {@link startPullModeSupport}. */
export interface PullModeSupportOptions {
  /** An admin client of the control plane; not closed by `stop`. */
  client: Client;
  /** The URL agents reach the control plane at. */
  server: string;
  ca: CertAndKey;
  logger?: Logger | undefined;
}

/**
 * Deletes the bootstrap-token Secrets whose `expiration` has passed (Kubernetes' token
 * cleaner); returns their ids. Expired tokens are refused anyway; this keeps `token list` short.
 */
export async function removeExpiredTokens(client: Client, now = Date.now()): Promise<string[]> {
  const secrets = await client.list(resources.secrets, { namespace: 'kube-system' });
  const removed: string[] = [];
  for (const s of secrets.items) {
    if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) continue;
    const raw = (s.data as Record<string, string> | undefined)?.expiration;
    const expiration =
      raw === undefined ? Number.NaN : Date.parse(Buffer.from(raw, 'base64').toString('utf8'));
    if (!(expiration <= now)) continue;
    await client
      .delete(resources.secrets, { namespace: 'kube-system', name: s.metadata.name ?? '' })
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    removed.push((s.metadata.name ?? '').replace(/^bootstrap-token-/, ''));
  }
  return removed;
}

/** Writes cluster-info, starts the CSR signer and the expired-token cleaner (every 5 minutes). */
export async function startPullModeSupport(
  options: PullModeSupportOptions,
): Promise<{ stop(): Promise<void> }> {
  await writeClusterInfo(options.client, options.server, options.ca.cert);
  const signer = await startAgentCsrSigner({
    client: options.client,
    ca: options.ca,
    logger: options.logger,
  });
  const clean = () =>
    void removeExpiredTokens(options.client).then(
      (ids) => {
        if (ids.length > 0) options.logger?.info({ ids }, 'expired bootstrap tokens removed');
      },
      (err: unknown) => options.logger?.warn({ err }, 'removing expired bootstrap tokens failed'),
    );
  clean();
  const timer = setInterval(clean, 5 * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await signer.stop();
    },
  };
}

/** Options for {@link startPullModeSupportWithToken}. */
export interface PullModeSupportTokenOptions {
  server: string;
  /** The admin bearer token. */
  token: string;
  caCert: string;
  /** Path of the CA's private key (PEM). */
  caKeyPath: string;
  logger?: Logger | undefined;
}

/**
 * {@link startPullModeSupport} on its own admin client (bearer token, CA-verified), for the
 * process that runs the API server; `stop` also closes the client.
 */
export async function startPullModeSupportWithToken(
  options: PullModeSupportTokenOptions,
): Promise<{ stop(): Promise<void> }> {
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: options.server, token: options.token, caData: options.caCert }),
    userAgent: 'flotilla-agent-csr',
  });
  try {
    const key = await readFile(options.caKeyPath, 'utf8');
    const running = await startPullModeSupport({
      client,
      server: options.server,
      ca: { cert: options.caCert, key },
      logger: options.logger,
    });
    return {
      async stop() {
        await running.stop();
        await client.close();
      },
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}
