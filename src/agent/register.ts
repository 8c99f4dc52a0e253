/**
 * The agent's registration (Karmada's agent start-up, §5): read the member's identity (the UID
 * of its `kube-system` namespace), refuse a name or identity another member already holds,
 * report the member's credentials as Secret `karmada-cluster/<cluster>` (Karmada's default
 * `--report-secrets`, so the control plane can still reach the member through the Cluster),
 * and create the `Cluster` with `syncMode: Pull`. Every call is idempotent and uses only what
 * the agent's permissions allow: clusters list/create and get on its own, secrets create in
 * `karmada-cluster` and get/patch on its own. An existing Cluster's spec is left as it is (the
 * agent may not update it); its identity must match.
 */
import { isAlreadyExists } from '../api/errors.ts';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { type MemberCredentials, SECRET_KEYS } from '../federation/members.ts';

/** A refusal retrying cannot fix; `code` is stable. */
export class AgentError extends Error {
  readonly code: 'InvalidName' | 'NotPull' | 'NameTaken' | 'IdTaken';
  constructor(code: AgentError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws `AgentError('InvalidName')` unless `name` is a DNS label of at most 48 characters. */
export function checkClusterName(name: string): void {
  if (name.length > 48 || !DNS_LABEL.test(name)) {
    throw new AgentError(
      'InvalidName',
      `cluster name "${name}" must be a DNS label of at most 48 characters`,
    );
  }
}

/** Options for {@link registerCluster}. */
export interface RegisterClusterOptions {
  /** The agent's client of the control plane. */
  controlPlane: Client;
  cluster: string;
  /** A client of the member (for its identity). */
  member: Client;
  /** The member's endpoint recorded on the Cluster. */
  apiEndpoint: string;
  /** Credentials to report as the Cluster's Secret; absent reports none. */
  credentials?: MemberCredentials | undefined;
  provider?: string | undefined;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
}

/** The member's identity: the UID of its `kube-system` namespace. Throws when unreadable. */
export async function memberIdentity(member: Client): Promise<string> {
  const ns = await member.get(resources.namespaces, { name: 'kube-system' });
  if (!ns.metadata.uid) throw new Error('the member cluster has no kube-system UID');
  return ns.metadata.uid;
}

function secretData(creds: MemberCredentials): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const data: Record<string, string> = {};
  if (creds.token) data[SECRET_KEYS.token] = b64(creds.token);
  if (creds.caBundle) data[SECRET_KEYS.caBundle] = b64(creds.caBundle);
  if (creds.clientCert && creds.clientKey) {
    data[SECRET_KEYS.cert] = b64(creds.clientCert);
    data[SECRET_KEYS.key] = b64(creds.clientKey);
  }
  return data;
}

/** Creates Secret `karmada-cluster/<cluster>` or merge-patches its data when it differs. */
async function reportSecret(client: Client, cluster: string, creds: MemberCredentials): Promise<void> {
  const data = secretData(creds);
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: cluster, namespace: CLUSTER_SECRET_NAMESPACE },
    type: 'Opaque',
    data,
  };
  try {
    await client.create(resources.secrets, secret);
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const key = { name: cluster, namespace: CLUSTER_SECRET_NAMESPACE };
  const old = ((await client.get(resources.secrets, key)).data ?? {}) as Record<string, string>;
  if (Object.entries(data).every(([k, v]) => old[k] === v)) return;
  await client.patch(resources.secrets, { ...key, type: 'merge', patch: { data } });
}

async function ownCluster(client: Client, name: string): Promise<Cluster | undefined> {
  const list = await client.list<Cluster>(resources.clusters, { fieldSelector: `metadata.name=${name}` });
  return list.items[0];
}

function checkExisting(existing: Cluster, name: string, id: string): void {
  if (existing.metadata.deletionTimestamp) {
    throw new Error(`cluster "${name}" is being removed; registering again once it is gone`);
  }
  if (existing.spec.syncMode !== 'Pull') {
    throw new AgentError('NotPull', `cluster "${name}" is registered in ${existing.spec.syncMode} mode`);
  }
  if (existing.spec.id && existing.spec.id !== id) {
    throw new AgentError(
      'NameTaken',
      `cluster "${name}" is registered for another member cluster (id ${existing.spec.id}, this one is ${id})`,
    );
  }
}

/**
 * Registers (or re-registers) the agent's cluster and returns the Cluster. Throws `AgentError`
 * for refusals and the API's errors otherwise (the caller retries those).
 */
export async function registerCluster(options: RegisterClusterOptions): Promise<Cluster> {
  const { controlPlane: client, cluster: name } = options;
  checkClusterName(name);
  const id = await memberIdentity(options.member);
  const existing = await ownCluster(client, name);
  if (existing) checkExisting(existing, name, id);
  else {
    const same = (await client.list<Cluster>(resources.clusters)).items.find((c) => c.spec.id === id);
    if (same) {
      throw new AgentError(
        'IdTaken',
        `the same member cluster is already registered as "${same.metadata.name}" (id ${id})`,
      );
    }
  }
  if (options.credentials) await reportSecret(client, name, options.credentials);
  if (existing) return existing;
  const cluster: Cluster = {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name },
    spec: {
      syncMode: 'Pull',
      apiEndpoint: options.apiEndpoint,
      id,
      ...(options.credentials ? { secretRef: { namespace: CLUSTER_SECRET_NAMESPACE, name } } : {}),
      ...(options.credentials?.insecure ? { insecureSkipTLSVerification: true } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.zones && options.zones.length > 0 ? { zones: [...options.zones] } : {}),
    },
  };
  try {
    return await client.create(resources.clusters, cluster);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const raced = await ownCluster(client, name);
    if (!raced) throw err;
    checkExisting(raced, name, id);
    return raced;
  }
}
