/**
 * One mesh proxy fed by the mesh stream: the sidecar of a pod (outbound listener on the pod IP,
 * metrics, and the status port whose `/healthz/ready` answers 200 once a first configuration
 * arrived), or the ingress gateway. The proxy keeps serving the last configuration while the
 * mesh controller is unreachable; the stream client reconnects on its own.
 */
import http from 'node:http';
import type { Logger } from '../../log/index.ts';
import { type Proxy as MeshProxy, type ProxyIdentity, type ProxyListen, startProxy } from '../proxy/index.ts';
import type { CompiledMesh } from '../routing/types.ts';
import { MeshClient } from '../stream/client.ts';

/** Options of {@link runMeshProxy}. */
export interface MeshProxyOptions {
  role: 'sidecar' | 'gateway';
  /** Stream id (`member1/default/reviews-v1-…`, `gateway`). */
  id: string;
  identity: ProxyIdentity;
  listen: ProxyListen[];
  /** Gateways: the labels Gateway selectors match (`istio: ingressgateway`). */
  gatewayLabels?: Record<string, string> | undefined;
  /** Where to serve `/stats/prometheus`; the URL is registered with the mesh controller. */
  metricsListen?: { host: string; port: number } | undefined;
  /** Where to answer `/healthz/ready` (Istio's status port 15021); none when absent. */
  statusListen?: { host: string; port: number } | undefined;
  mesh: { url: string; token: string };
  logger?: Logger | undefined;
}

/** A running mesh proxy. */
export interface RunningMeshProxy {
  proxy: MeshProxy;
  client: MeshClient<CompiledMesh>;
  /** Base URL of the status port, when `statusListen` was given. */
  statusUrl: string | undefined;
  /** Stops the stream, the status port and the proxy. */
  close(): Promise<void>;
}

async function listenStatus(at: { host: string; port: number }, ready: () => boolean): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz/ready') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ready\n' : 'waiting for the first mesh configuration\n');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  return server;
}

/** Starts the proxy, its status port and its stream; resolves once they listen (not once configured). */
export async function runMeshProxy(options: MeshProxyOptions): Promise<RunningMeshProxy> {
  const proxy = await startProxy({
    role: options.role,
    listen: options.listen,
    identity: options.identity,
    ...(options.gatewayLabels ? { gatewayLabels: options.gatewayLabels } : {}),
    ...(options.metricsListen ? { metricsListen: options.metricsListen } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const client = new MeshClient<CompiledMesh>({
    url: options.mesh.url,
    token: options.mesh.token,
    proxy: {
      id: options.id,
      role: options.role,
      metricsUrl: proxy.metricsUrl === undefined ? undefined : `${proxy.metricsUrl}/stats/prometheus`,
    },
    onSnapshot: (mesh, version) => {
      proxy.update(mesh);
      options.logger?.debug({ version }, 'mesh configuration applied');
    },
    logger: options.logger,
  });
  let status: http.Server | undefined;
  try {
    if (options.statusListen) status = await listenStatus(options.statusListen, () => client.version > 0);
  } catch (err) {
    await proxy.close();
    throw err;
  }
  client.start();
  const address = status?.address();
  return {
    proxy,
    client,
    statusUrl:
      address && typeof address === 'object'
        ? `http://${options.statusListen?.host}:${address.port}`
        : undefined,
    async close() {
      client.stop();
      if (status) await new Promise<void>((resolve) => status?.close(() => resolve()));
      await proxy.close();
    },
  };
}
