/**
 * Building a client-node `KubeConfig`: from a kubeconfig file, or from a server URL and token.
 * The client takes every cluster, user, TLS and token setting from the `KubeConfig`.
 */
import { KubeConfig } from '@kubernetes/client-node';

/**
 * client-node refuses `http:` servers unless `skipTLSVerify` is set; plain HTTP has nothing to
 * verify, so the flag is set on such clusters (a copy; `Cluster` is read-only).
 */
function allowPlainHttp(kc: KubeConfig): KubeConfig {
  kc.clusters = kc.clusters.map((c) =>
    c.server.startsWith('http:') && !c.skipTLSVerify ? { ...c, skipTLSVerify: true } : c,
  );
  return kc;
}

/** Loads a kubeconfig file (relative cert paths resolve against its folder); blocks on file I/O. */
export function kubeConfigFromFile(path: string, options: { context?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (options.context !== undefined) kc.setCurrentContext(options.context);
  return allowPlainHttp(kc);
}

/** Where a server is and how to trust and authenticate to it, for {@link kubeConfigFromUrl}. */
export interface ServerConnection {
  /** `https://host:port` or `http://…`. */
  server: string;
  /** Bearer token. */
  token?: string;
  /** PEM of the CA to trust (not base64: the PEM text itself). */
  caData?: string;
  /** Skip server certificate verification. */
  insecure?: boolean;
  /** Name for the cluster, user and context; default `flotilla`. */
  name?: string;
}

/** A single-context `KubeConfig` for one server; does no I/O. */
export function kubeConfigFromUrl(options: ServerConnection): KubeConfig {
  const name = options.name ?? 'flotilla';
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: options.server.replace(/\/+$/, ''),
        skipTLSVerify: options.insecure === true,
        ...(options.caData !== undefined ? { caData: Buffer.from(options.caData).toString('base64') } : {}),
      },
    ],
    users: [{ name, ...(options.token !== undefined ? { token: options.token } : {}) }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return allowPlainHttp(kc);
}
