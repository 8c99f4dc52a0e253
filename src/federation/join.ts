/**
 * Push-mode registration, as `karmadactl join` / `unjoin` do it: the member's credentials go
 * into a Secret in `karmada-cluster`, a `Cluster` with `syncMode: Push` points at it, and the
 * execution namespace `karmada-es-<name>` is created. Unjoin deletes the Cluster; the cluster
 * controller's finalizer then removes the Works (whose member objects the execution controller
 * deletes while the cluster is Ready), the execution namespace and the Secret.
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import { CLUSTER_SECRET_NAMESPACE, executionNamespace } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { kubeConfigOf, type MemberCredentials, SECRET_KEYS } from './members.ts';

/** Thrown by {@link joinCluster} / {@link unjoinCluster} for refusals; `code` is stable. */
export class JoinError extends Error {
  readonly code: 'AlreadyJoined' | 'NotJoined' | 'InvalidName' | 'BadKubeconfig' | 'DuplicateCluster';
  constructor(code: JoinError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JoinError';
    this.code = code;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function fileOrData(data: string | undefined, file: string | undefined, base64: boolean): string | undefined {
  if (data) return base64 ? Buffer.from(data, 'base64').toString('utf8') : data;
  if (file) return readFileSync(file, 'utf8');
  return undefined;
}

/**
 * Reads the current context's server and credentials out of a member kubeconfig: bearer token
 * (inline or file), CA, client certificate and key, and skip-verify (only meaningful for https).
 * Blocks on reading referenced files; throws `JoinError('BadKubeconfig')`.
 */
export function credentialsFromKubeConfig(kc: KubeConfig): MemberCredentials {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new JoinError('BadKubeconfig', 'the member kubeconfig has no current cluster');
  const user = kc.getCurrentUser();
  const out: MemberCredentials = { apiEndpoint: cluster.server.replace(/\/+$/, '') };
  try {
    const token = user?.token;
    if (token) out.token = token;
    const ca = fileOrData(cluster.caData, cluster.caFile, true);
    if (ca) out.caBundle = ca;
    const cert = fileOrData(user?.certData, user?.certFile, true);
    const key = fileOrData(user?.keyData, user?.keyFile, true);
    if (cert && key) {
      out.clientCert = cert;
      out.clientKey = key;
    }
  } catch (err) {
    throw new JoinError('BadKubeconfig', 'cannot read the member kubeconfig credentials', { cause: err });
  }
  if (cluster.skipTLSVerify && out.apiEndpoint.startsWith('https:')) out.insecure = true;
  return out;
}

/** Options for {@link joinCluster}. */
export interface JoinOptions {
  controlPlane: Client;
  name: string;
  memberKubeConfig: KubeConfig;
  provider?: string | undefined;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  labels?: Record<string, string> | undefined;
}

async function ensureNamespace(client: Client, name: string): Promise<void> {
  try {
    await client.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** The member's identity: the UID of its `kube-system` namespace, or undefined if unreadable. */
async function memberId(creds: MemberCredentials, name: string): Promise<string | undefined> {
  const client = new Client({ kubeConfig: kubeConfigOf(name, creds), timeoutMs: 5_000 });
  try {
    const ns = await client.get(resources.namespaces, { name: 'kube-system' });
    return ns.metadata.uid;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

/**
 * Registers a Push cluster: Secret `karmada-cluster/<name>`, the Cluster, and `karmada-es-<name>`.
 * Refuses with `JoinError('AlreadyJoined')` when a Cluster of that name exists, and
 * `DuplicateCluster` when another Cluster has the same member identity (kube-system UID).
 */
export async function joinCluster(options: JoinOptions): Promise<Cluster> {
  const { controlPlane: client, name } = options;
  if (name.length > 48 || !DNS_LABEL.test(name)) {
    throw new JoinError('InvalidName', `cluster name "${name}" must be a DNS label of at most 48 characters`);
  }
  const creds = credentialsFromKubeConfig(options.memberKubeConfig);
  try {
    await client.get(resources.clusters, { name });
    throw new JoinError('AlreadyJoined', `cluster "${name}" is already joined`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const id = await memberId(creds, name);
  if (id !== undefined) {
    const all = await client.list<Cluster>(resources.clusters);
    const same = all.items.find((c) => c.spec.id === id);
    if (same) {
      throw new JoinError(
        'DuplicateCluster',
        `the same cluster has already been joined as "${same.metadata.name}"`,
      );
    }
  }
  await ensureNamespace(client, CLUSTER_SECRET_NAMESPACE);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const data: Record<string, string> = {};
  if (creds.token) data[SECRET_KEYS.token] = b64(creds.token);
  if (creds.caBundle) data[SECRET_KEYS.caBundle] = b64(creds.caBundle);
  if (creds.clientCert && creds.clientKey) {
    data[SECRET_KEYS.cert] = b64(creds.clientCert);
    data[SECRET_KEYS.key] = b64(creds.clientKey);
  }
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: CLUSTER_SECRET_NAMESPACE },
    type: 'Opaque',
    data,
  };
  try {
    await client.create(resources.secrets, secret);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    // A leftover from an earlier join of the same name: replace its credentials.
    const old = await client.get(resources.secrets, { name, namespace: CLUSTER_SECRET_NAMESPACE });
    await client.update(resources.secrets, { ...old, data });
  }
  const cluster: Cluster = {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, ...(options.labels ? { labels: { ...options.labels } } : {}) },
    spec: {
      syncMode: 'Push',
      apiEndpoint: creds.apiEndpoint,
      secretRef: { namespace: CLUSTER_SECRET_NAMESPACE, name },
      ...(id !== undefined ? { id } : {}),
      ...(creds.insecure ? { insecureSkipTLSVerification: true } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.zones && options.zones.length > 0 ? { zones: [...options.zones] } : {}),
    },
  };
  let created: Cluster;
  try {
    created = await client.create(resources.clusters, cluster);
  } catch (err) {
    if (isAlreadyExists(err)) throw new JoinError('AlreadyJoined', `cluster "${name}" is already joined`);
    throw err;
  }
  await ensureNamespace(client, executionNamespace(name));
  return created;
}

/** Options for {@link unjoinCluster}. */
export interface UnjoinOptions {
  controlPlane: Client;
  name: string;
  /** Wait until the Cluster is gone (its finalizer ran); default true. */
  wait?: boolean;
  /** How long to wait; default 60 s. Throws on timeout. */
  timeoutMs?: number;
}

/**
 * Deletes the Cluster; throws `JoinError('NotJoined')` when there is none. With `wait`, resolves
 * once the cluster controller has finished cleaning up and the object is gone.
 */
export async function unjoinCluster(options: UnjoinOptions): Promise<void> {
  const { controlPlane: client, name } = options;
  try {
    await client.delete(resources.clusters, { name });
  } catch (err) {
    if (isNotFound(err)) throw new JoinError('NotJoined', `cluster "${name}" is not joined`);
    throw err;
  }
  if (options.wait === false) return;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      await client.get(resources.clusters, { name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(`cluster "${name}" is still being removed (its Works are not cleaned up yet)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
