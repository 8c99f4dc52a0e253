/**
 * A local member cluster: a real API server over its own store, the real workload controllers,
 * and a kubelet (`kubelet.ts`) running pods through the `process` or `simulated` runtime, plus
 * kube-proxy and cluster DNS stand-ins (`service-proxy.ts`, `cluster-dns.ts`) so pods reach
 * Services by ClusterIP and by name. State lives under `DIR/<name>/`; `DIR/<name>.config` is its
 * kubeconfig. Cluster `index` chooses non-overlapping loopback ranges: pods `127.<10+i>.0.0/16`,
 * Services `127.<100+i>.0.0/16`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startApiServer } from '../apiserver/index.ts';
import type { RunningApiServer, TokenAuthenticator } from '../apiserver/types.ts';
import { writeKubeconfig } from '../cli/kubeconfig.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { startWorkloadControllers } from '../controllers/index.ts';
import type { Logger } from '../log/index.ts';
import { sidecarCatalogEntry } from '../mesh/sidecar/catalog.ts';
import { sidecarInjector } from '../mesh/sidecar/inject.ts';
import { createRuntime } from '../runtime/index.ts';
import type { PodRuntime } from '../runtime/types.ts';
import { openStorage } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { ClusterDns } from './cluster-dns.ts';
import { leaseClusterIndex } from './index-lease.ts';
import { Kubelet } from './kubelet.ts';
import { namespaceLabels } from './namespace-labels.ts';
import { type NodeResources, PROCESS_NODE_RESOURCES, SIMULATED_NODE_RESOURCES } from './node.ts';
import { podLogHandler } from './pod-logs.ts';
import { startServiceProxy } from './proxy-runner.ts';

export type { NodeResources } from './node.ts';

/** Options of {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /** Cluster name (a DNS label): context name, `CLUSTER_NAME` in pods, Node `<name>-node`. */
  name: string;
  /** Position among the local clusters of one machine, 0…89; picks the IP ranges unless both CIDRs are given. */
  index: number;
  /** The state directory (`DIR`): pki and tokens are shared, the cluster's own state is `DIR/<name>/`. */
  stateDir: string;
  /** API server port; 0 picks a free one. */
  port: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  runtime: 'process' | 'simulated';
  /** Storage URL; default `sqlite://DIR/<name>/store.db`. */
  storeUrl?: string;
  /** HTTPS material and the CA clients trust; plain HTTP when absent. */
  tls?: { cert: string; key: string; caCert: string };
  /** Bearer-token authentication; every request is admin when absent. */
  authenticate?: TokenAuthenticator;
  /** The admin token written into the kubeconfig and used by the cluster's own components. */
  token?: string;
  logger: Logger;
  /** Node capacity; defaults depend on the runtime. */
  nodeResources?: Partial<NodeResources>;
  /** Override the pod CIDR / Service CIDR derived from `index`. */
  podCidr?: string;
  serviceCidr?: string;
  /** Listen on Service ClusterIPs (kube-proxy); default true for the process runtime. */
  serviceProxy?: boolean;
  /** Record runtime events (Pulled, Started, BackOff…) as Events; default true. */
  podEvents?: boolean;
  /**
   * The mesh controller's endpoint: with it, Pods in namespaces labelled `istio-injection=enabled`
   * get the `istio-proxy` sidecar, which streams its configuration from there.
   */
  mesh?: { url: string; token: string };
}

/** A running local cluster. */
export interface RunningLocalCluster {
  name: string;
  /** The API server's URL. */
  url: string;
  kubeconfigPath: string;
  nodeName: string;
  podCidr: string;
  serviceCidr: string;
  /** A client of the cluster's API server as admin (closed by `stop`). */
  client: Client;
  /** Stops everything the cluster started, killing every pod process. */
  stop(): Promise<void>;
}

/** The default pod and Service CIDRs of local cluster `index`; throws RangeError outside 0…89. */
export function clusterCidrs(
  index: number,
  runtime: 'process' | 'simulated',
): { pod: string; service: string } {
  if (!Number.isInteger(index) || index < 0 || index > 89) {
    throw new RangeError(`local cluster index ${index} is outside 0…89`);
  }
  if (runtime === 'simulated') return { pod: `10.${128 + index}.0.0/16`, service: '10.96.0.0/16' };
  return { pod: `127.${10 + index}.0.0/16`, service: `127.${100 + index}.0.0/16` };
}

/**
 * Starts a local cluster and writes its kubeconfig; resolves once its API server listens, its
 * Node is registered and the controllers run. On failure everything started is stopped again.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<RunningLocalCluster> {
  const { name, logger } = options;
  const log = logger.child({ cluster: name });
  const dir = path.join(options.stateDir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const explicit = options.podCidr !== undefined && options.serviceCidr !== undefined;
  // Process-runtime clusters bind real loopback ranges: lease the index machine-wide so two
  // clusters on one machine (two state dirs, or tests side by side) never share addresses.
  const lease = !explicit && options.runtime === 'process' ? leaseClusterIndex(options.index) : undefined;
  const index = lease?.index ?? options.index;
  if (lease && lease.index !== options.index)
    log.info({ preferred: options.index, index }, 'cluster index in use on this machine; using another');
  const cidrs = explicit
    ? { pod: options.podCidr!, service: options.serviceCidr! }
    : clusterCidrs(index, options.runtime);
  const podCidr = options.podCidr ?? cidrs.pod;
  const serviceCidr = options.serviceCidr ?? cidrs.service;
  const stops: (() => Promise<void>)[] = [];
  if (lease) stops.push(async () => lease.release());
  const stopAll = async () => {
    for (const fn of stops.splice(0).reverse())
      await fn().catch((err: unknown) => log.error({ err }, 'stopping failed'));
  };
  try {
    const storage: Storage = await openStorage(options.storeUrl ?? `sqlite://${path.join(dir, 'store.db')}`, {
      logger: log,
    });
    stops.push(() => storage.close());
    const runtime: PodRuntime =
      options.runtime === 'process'
        ? createRuntime('process', {
            podCIDR: podCidr,
            stateDir: path.join(dir, 'runtime'),
            catalogFile: path.join(options.stateDir, 'images.yaml'),
            ...(options.mesh ? { catalogEntries: [sidecarCatalogEntry(options.mesh)] } : {}),
            maxGracePeriodSeconds: 5,
            logger: log.child({ component: 'runtime' }),
          })
        : createRuntime('simulated', { podCIDR: podCidr, emitEvents: options.podEvents !== false });
    stops.push(() => runtime.stop());
    const server: RunningApiServer = await startApiServer({
      storage,
      port: options.port,
      host: options.host ?? '127.0.0.1',
      ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      ...(options.authenticate ? { authenticate: options.authenticate } : {}),
      serviceCidr,
      ...(options.mesh
        ? { admission: [sidecarInjector({ clusterName: name, namespaceLabels: namespaceLabels(storage) })] }
        : {}),
      subresourceHandlers: { 'pods/log': podLogHandler(runtime) },
      logger: log.child({ component: 'apiserver' }),
      name,
    });
    stops.push(() => server.close());
    const url = server.url.replace('//0.0.0.0:', '//127.0.0.1:');
    const kubeConfig = kubeConfigFromUrl({
      server: url,
      name,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.tls ? { caData: options.tls.caCert } : {}),
    });
    const client = new Client({
      kubeConfig,
      qps: Number.POSITIVE_INFINITY,
      userAgent: `flotilla-localcluster/${name}`,
    });
    stops.push(() => client.close());
    const kubeconfigPath = path.join(options.stateDir, `${name}.config`);
    await writeKubeconfig(kubeconfigPath, {
      name,
      server: url,
      ...(options.tls ? { caCert: options.tls.caCert } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    const proxyOn = options.serviceProxy ?? options.runtime === 'process';
    const dns = proxyOn ? new ClusterDns({ dir: path.join(dir, 'dns') }) : undefined;
    const nodeName = `${name}-node`;
    const kubelet = new Kubelet({
      client,
      runtime,
      clusterName: name,
      nodeName,
      podCIDR: podCidr,
      resources: {
        ...(options.runtime === 'process' ? PROCESS_NODE_RESOURCES : SIMULATED_NODE_RESOURCES),
        ...options.nodeResources,
      },
      ...(dns ? { dns } : {}),
      events: options.podEvents !== false,
      logger: log.child({ component: 'kubelet' }),
    });
    stops.push(() => kubelet.stop());
    await kubelet.start();
    const controllers = await startWorkloadControllers({
      client,
      logger: log.child({ component: 'controllers' }),
    });
    stops.push(() => controllers.stop());
    if (proxyOn) {
      const proxy = await startServiceProxy(client, log.child({ component: 'service-proxy' }));
      stops.push(() => proxy.stop());
    }
    log.info({ url, podCidr, serviceCidr, runtime: options.runtime }, 'local cluster running');
    let stopped: Promise<void> | undefined;
    return {
      name,
      url,
      kubeconfigPath,
      nodeName,
      podCidr,
      serviceCidr,
      client,
      stop: () => {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
