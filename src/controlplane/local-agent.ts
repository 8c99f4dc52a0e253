/**
 * `flotilla up`'s Pull members: an agent per member, in the same process but talking to the
 * control plane only over HTTPS as `system:karmada:agent:<member>`, exactly as a separate
 * `flotilla agent` would. `up` holds the CA, so it issues the agent's client certificate itself
 * (the CSR round trip of `flotilla register` gives the same result) into
 * `DIR/agent-<member>.config`, reused across restarts while it stays valid for the same server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type RunningAgent, startAgent } from '../agent/index.ts';
import { agentKubeconfigPath, readAgentKubeconfig, writeAgentKubeconfig } from '../agent/kubeconfig.ts';
import { AGENTS_GROUP, agentUser } from '../api/karmada/agent.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import type { ClusterStatusTiming } from '../controllers/status/cluster-status.ts';
import { clientCertValid, issueClientCert } from '../pki/index.ts';

/** Options for {@link startLocalAgent}. */
export interface LocalAgentOptions {
  /** The state directory (its `pki/` holds the CA). */
  stateDir: string;
  /** The control plane's URL. */
  server: string;
  cluster: string;
  memberKubeconfig: string;
  health?: ClusterStatusTiming | undefined;
  logger?: Logger | undefined;
}

/** A running in-process agent; `stop` ends it and closes its client. */
export interface LocalAgent {
  agent: RunningAgent;
  stop(): Promise<void>;
}

const RENEW_WITHIN_MS = 30 * 86_400_000;

/** Writes `DIR/agent-<cluster>.config` unless a valid one for `server` is there; returns its path. */
export async function ensureLocalAgentKubeconfig(
  stateDir: string,
  server: string,
  cluster: string,
): Promise<string> {
  const path = agentKubeconfigPath(stateDir, cluster);
  const caCert = await readFile(join(stateDir, 'pki', 'ca.crt'), 'utf8');
  const id = { commonName: agentUser(cluster), organizations: [AGENTS_GROUP] };
  const current = await readAgentKubeconfig(path);
  if (
    current &&
    current.server === server &&
    current.ca === caCert &&
    clientCertValid(current.cert, caCert, id, RENEW_WITHIN_MS)
  ) {
    return path;
  }
  const caKey = await readFile(join(stateDir, 'pki', 'ca.key'), 'utf8');
  const issued = await issueClientCert({ ...id, ca: { cert: caCert, key: caKey }, validDays: 365 });
  await writeAgentKubeconfig(path, { cluster, server, ca: caCert, ...issued });
  return path;
}

/** Issues (or reuses) the agent's credentials and starts the agent; resolves once it runs. */
export async function startLocalAgent(options: LocalAgentOptions): Promise<LocalAgent> {
  const path = await ensureLocalAgentKubeconfig(options.stateDir, options.server, options.cluster);
  const client = new Client({
    kubeConfig: kubeConfigFromFile(path),
    qps: 40,
    burst: 60,
    timeoutMs: 30_000,
    userAgent: `flotilla-agent/${options.cluster}`,
  });
  try {
    const agent = await startAgent({
      controlPlane: client,
      cluster: options.cluster,
      memberKubeConfig: kubeConfigFromFile(options.memberKubeconfig),
      health: options.health,
      logger: options.logger,
    });
    return {
      agent,
      async stop() {
        await agent.stop();
        await client.close();
      },
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}
