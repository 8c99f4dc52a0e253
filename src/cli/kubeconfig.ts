/**
 * kubeconfig files that kubectl and `@kubernetes/client-node` use as they are: one cluster (server
 * plus the CA inline), one token user, one context named after the cluster, `current-context`
 * set. Written with mode 0600 because they hold a bearer token.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

/** What a single-cluster kubeconfig says. */
export interface KubeconfigSpec {
  /** Cluster and context name (`karmada-apiserver` for the control plane). */
  name: string;
  /** `https://HOST:PORT`. */
  server: string;
  /** PEM of the CA that signed the server's certificate; absent only for `http://` servers. */
  caCert?: string;
  /** Bearer token; absent for servers without authentication. */
  token?: string;
  /** User entry name; default `<name>-admin`. */
  user?: string;
  /** Context namespace; default `default`. */
  namespace?: string;
}

/** The kubeconfig document (as plain data) for the spec. */
export function buildKubeconfig(spec: KubeconfigSpec): Record<string, unknown> {
  const user = spec.user ?? `${spec.name}-admin`;
  const cluster: Record<string, string> = { server: spec.server };
  if (spec.caCert !== undefined)
    cluster['certificate-authority-data'] = Buffer.from(spec.caCert).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: spec.name, cluster }],
    users: [{ name: user, user: spec.token === undefined ? {} : { token: spec.token } }],
    contexts: [
      { name: spec.name, context: { cluster: spec.name, user, namespace: spec.namespace ?? 'default' } },
    ],
    'current-context': spec.name,
    preferences: {},
  };
}

/** Renders the spec as kubeconfig YAML. */
export function formatKubeconfig(spec: KubeconfigSpec): string {
  return stringify(buildKubeconfig(spec));
}

/** Writes the kubeconfig to `path` (mode 0600, via rename so readers never see half a file). */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatKubeconfig(spec), { mode: 0o600 });
  await rename(tmp, path);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function named(list: unknown, name: unknown, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const item = list.map(asRecord).find((entry) => entry.name === name);
  return item === undefined ? undefined : asRecord(item[field]);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads the current context of a kubeconfig back into a spec. Understands inline data
 * (`certificate-authority-data`, `token`) only, which is what Flotilla writes; throws when the
 * current context, its cluster or its server is missing.
 */
export function parseKubeconfig(text: string): KubeconfigSpec {
  const doc = asRecord(parse(text));
  const contextName = str(doc['current-context']);
  const context = named(doc.contexts, contextName, 'context');
  if (contextName === undefined || context === undefined)
    throw new Error('kubeconfig has no current context');
  const cluster = named(doc.clusters, context.cluster, 'cluster');
  const server = str(cluster?.server);
  if (server === undefined) throw new Error(`kubeconfig context ${contextName} has no cluster server`);
  const userName = str(context.user);
  const user = named(doc.users, userName, 'user') ?? {};
  const spec: KubeconfigSpec = { name: contextName, server, namespace: str(context.namespace) ?? 'default' };
  const caData = str(cluster?.['certificate-authority-data']);
  if (caData !== undefined) spec.caCert = Buffer.from(caData, 'base64').toString('utf8');
  const token = str(user.token);
  if (token !== undefined) spec.token = token;
  if (userName !== undefined) spec.user = userName;
  return spec;
}

/** Reads and parses the kubeconfig at `path`. */
export async function readKubeconfig(path: string): Promise<KubeconfigSpec> {
  return parseKubeconfig(await readFile(path, 'utf8'));
}
