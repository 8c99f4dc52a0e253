/**
 * The member-client cache: a REST `Client` (and its `Discovery`) per member cluster, built from
 * the Cluster's `apiEndpoint` / `insecureSkipTLSVerification` and the credentials in the Secret
 * its `secretRef` names (`token`, `caBundle`, or `tls.crt` + `tls.key`). A client is rebuilt when
 * either object changes what it connects with, and the old one is closed.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import { resources } from '../client/resources.ts';

/** What a member cluster is reached with; the Secret's data decoded. */
export interface MemberCredentials {
  apiEndpoint: string;
  token?: string;
  /** PEM of the CA to trust. */
  caBundle?: string;
  /** PEM client certificate and key, for kubeconfigs that authenticate by certificate. */
  clientCert?: string;
  clientKey?: string;
  insecure?: boolean;
}

/** The Secret data keys credentials are stored under. */
export const SECRET_KEYS = { token: 'token', caBundle: 'caBundle', cert: 'tls.crt', key: 'tls.key' } as const;

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v === undefined || v === '' ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** Decodes a Cluster plus its credentials Secret into {@link MemberCredentials}; pure. */
export function credentialsOf(cluster: Cluster, secret: KubeObject | undefined): MemberCredentials {
  const data = secret?.data as Record<string, string> | undefined;
  const out: MemberCredentials = { apiEndpoint: cluster.spec.apiEndpoint ?? '' };
  const token = decode(data, SECRET_KEYS.token);
  const ca = decode(data, SECRET_KEYS.caBundle);
  const cert = decode(data, SECRET_KEYS.cert);
  const key = decode(data, SECRET_KEYS.key);
  if (token !== undefined) out.token = token.trim();
  if (ca !== undefined) out.caBundle = ca;
  if (cert !== undefined && key !== undefined) {
    out.clientCert = cert;
    out.clientKey = key;
  }
  if (cluster.spec.insecureSkipTLSVerification) out.insecure = true;
  return out;
}

/** A single-context `KubeConfig` for member credentials; does no I/O. */
export function kubeConfigOf(name: string, creds: MemberCredentials): KubeConfig {
  const server = creds.apiEndpoint.replace(/\/+$/, '');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server,
        // client-node refuses http: servers unless skipTLSVerify is set; plain HTTP has nothing to verify.
        skipTLSVerify: creds.insecure === true || server.startsWith('http:'),
        ...(creds.caBundle !== undefined ? { caData: b64(creds.caBundle) } : {}),
      },
    ],
    users: [
      {
        name,
        ...(creds.token !== undefined ? { token: creds.token } : {}),
        ...(creds.clientCert !== undefined ? { certData: b64(creds.clientCert) } : {}),
        ...(creds.clientKey !== undefined ? { keyData: b64(creds.clientKey) } : {}),
      },
    ],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

/** How {@link MemberClients} reads Clusters and Secrets; defaults to GETs on the control plane. */
export interface MemberLookup {
  cluster(name: string): Promise<Cluster | undefined> | Cluster | undefined;
  secret(namespace: string, name: string): Promise<KubeObject | undefined> | KubeObject | undefined;
}

/** Options for {@link MemberClients}. */
export interface MemberClientsOptions {
  controlPlane: Client;
  lookup?: MemberLookup;
  /** Per-request timeout of member clients; default 15 s. */
  timeoutMs?: number;
  /** QPS toward each member; default 40 (Karmada's). */
  qps?: number;
}

/** A member's cached client. */
export interface MemberClient {
  cluster: string;
  client: Client;
  discovery: Discovery;
}

/**
 * Where controllers get member clients: the control plane's {@link MemberClients} cache, or an
 * agent's one member (`src/agent`). `get` throws when the cluster cannot be reached through it.
 */
export interface MemberSource {
  get(name: string): Promise<MemberClient>;
  /** Calls `listener(cluster)` whenever a cluster's client is replaced or dropped. */
  onChange(listener: (cluster: string) => void): () => void;
  /** Drops a cluster's client (on unjoin). */
  forget(name: string): Promise<void>;
}

interface Entry extends MemberClient {
  fingerprint: string;
}

/** The member-client cache; share one per process. `get` never blocks on the member itself. */
export class MemberClients implements MemberSource {
  readonly #opts: MemberClientsOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(cluster: string) => void>();

  constructor(options: MemberClientsOptions) {
    this.#opts = options;
  }

  async #cluster(name: string): Promise<Cluster | undefined> {
    if (this.#opts.lookup) return this.#opts.lookup.cluster(name);
    return this.#opts.controlPlane.get<Cluster>(resources.clusters, { name }).catch(() => undefined);
  }

  async #secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    if (this.#opts.lookup) return this.#opts.lookup.secret(namespace, name);
    return this.#opts.controlPlane.get(resources.secrets, { namespace, name }).catch(() => undefined);
  }

  /** Credentials of a cluster as the control plane holds them now; undefined if it is unknown. */
  async credentials(name: string): Promise<MemberCredentials | undefined> {
    const cluster = await this.#cluster(name);
    if (!cluster?.spec.apiEndpoint) return undefined;
    const ref = cluster.spec.secretRef;
    const secret = ref ? await this.#secret(ref.namespace, ref.name) : undefined;
    return credentialsOf(cluster, secret);
  }

  /**
   * The client for cluster `name`, rebuilt when its endpoint or credentials changed. Throws when
   * the Cluster is unknown or has no `apiEndpoint`.
   */
  async get(name: string): Promise<MemberClient> {
    const creds = await this.credentials(name);
    if (!creds) throw new Error(`cluster "${name}" is unknown or has no apiEndpoint`);
    const fingerprint = JSON.stringify(creds);
    const hit = this.#entries.get(name);
    if (hit?.fingerprint === fingerprint) return hit;
    const client = new Client({
      kubeConfig: kubeConfigOf(name, creds),
      timeoutMs: this.#opts.timeoutMs ?? 15_000,
      qps: this.#opts.qps ?? 40,
      burst: 60,
      userAgent: 'flotilla-federation',
    });
    const entry: Entry = { cluster: name, client, discovery: new Discovery({ client }), fingerprint };
    this.#entries.set(name, entry);
    if (hit) {
      void hit.client.close().catch(() => {});
      for (const l of this.#listeners) l(name);
    }
    return entry;
  }

  /** Calls `listener(cluster)` whenever a cluster's client is replaced or dropped. */
  onChange(listener: (cluster: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops and closes a cluster's client (on unjoin). */
  async forget(name: string): Promise<void> {
    const hit = this.#entries.get(name);
    if (!hit) return;
    this.#entries.delete(name);
    for (const l of this.#listeners) l(name);
    await hit.client.close().catch(() => {});
  }

  /** Closes every client. */
  async close(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => e.client.close().catch(() => {})));
  }
}
