/**
 * The agent's kubeconfig for the control plane: the server, its CA, and the agent's client
 * certificate and key inline (`client-certificate-data`, `client-key-data`), written 0600 via
 * rename. `flotilla register` writes it; `flotilla agent --karmada-kubeconfig` and
 * `flotilla up`'s in-process agents read it. The default place is `DIR/agent-<cluster>.config`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

/** What an agent kubeconfig holds (PEM text, not base64). */
export interface AgentKubeconfig {
  cluster: string;
  server: string;
  ca: string;
  cert: string;
  key: string;
}

/** `DIR/agent-<cluster>.config`. */
export function agentKubeconfigPath(stateDir: string, cluster: string): string {
  return join(stateDir, `agent-${cluster}.config`);
}

/** Renders the kubeconfig YAML. */
export function formatAgentKubeconfig(spec: AgentKubeconfig): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const user = `system:karmada:agent:${spec.cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'karmada-apiserver',
        cluster: { server: spec.server, 'certificate-authority-data': b64(spec.ca) },
      },
    ],
    users: [
      { name: user, user: { 'client-certificate-data': b64(spec.cert), 'client-key-data': b64(spec.key) } },
    ],
    contexts: [{ name: `karmada-agent-${spec.cluster}`, context: { cluster: 'karmada-apiserver', user } }],
    'current-context': `karmada-agent-${spec.cluster}`,
    preferences: {},
  });
}

/** Writes the kubeconfig (mode 0600, directory 0700). */
export async function writeAgentKubeconfig(path: string, spec: AgentKubeconfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatAgentKubeconfig(spec), { mode: 0o600 });
  await rename(tmp, path);
}

/** Reads an agent kubeconfig back; undefined when absent or not one. */
export async function readAgentKubeconfig(
  path: string,
): Promise<Omit<AgentKubeconfig, 'cluster'> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const doc = parse(text) as {
      clusters?: { cluster?: Record<string, string> }[];
      users?: { user?: Record<string, string> }[];
    };
    const c = doc.clusters?.[0]?.cluster ?? {};
    const u = doc.users?.[0]?.user ?? {};
    const d = (v: string | undefined) =>
      v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
    const server = c.server;
    const ca = d(c['certificate-authority-data']);
    const cert = d(u['client-certificate-data']);
    const key = d(u['client-key-data']);
    if (!server || !ca || !cert || !key) return undefined;
    return { server, ca, cert, key };
  } catch {
    return undefined;
  }
}
