/**
 * The local cluster's Node object and its heartbeats: registration (create, or refresh an
 * existing Node's labels, capacity and addresses), a `kube-node-lease` Lease renewed every 10 s
 * as kubelet's node lease, and the Node's `Ready` condition re-posted every minute.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';

/** What the Node offers the scheduler (`status.capacity` = `status.allocatable`). */
export interface NodeResources {
  cpu: string;
  memory: string;
  pods: string;
}

/** Capacity of a node running real processes. */
export const PROCESS_NODE_RESOURCES: NodeResources = { cpu: '16', memory: '64Gi', pods: '1000' };
/** Capacity of a simulated node: large enough for scale tests. */
export const SIMULATED_NODE_RESOURCES: NodeResources = { cpu: '1000', memory: '4Ti', pods: '100000' };

/** The kubelet version the Node reports. */
export const KUBELET_VERSION = 'v1.32.4';

/** Everything {@link buildNode} describes. */
export interface NodeSpecInput {
  nodeName: string;
  clusterName: string;
  podCIDR: string;
  hostIP: string;
  runtime: 'process' | 'simulated';
  resources: NodeResources;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The Node's conditions: Ready, no pressure. `since` keeps transition times stable. */
export function nodeConditions(since: string): KubeObject['status'] {
  const heartbeat = now();
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: since,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The Node object for a local cluster (spec, labels and a Ready status). */
export function buildNode(input: NodeSpecInput, since = now()): KubeObject {
  const { nodeName, resources: r } = input;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'node-role.kubernetes.io/control-plane': '',
        'flotilla.io/cluster': input.clusterName,
        'flotilla.io/runtime': input.runtime,
      },
    },
    spec: { podCIDR: input.podCIDR, podCIDRs: [input.podCIDR] },
    status: {
      capacity: { ...r },
      allocatable: { ...r },
      conditions: nodeConditions(since),
      addresses: [
        { type: 'InternalIP', address: input.hostIP },
        { type: 'Hostname', address: nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        osImage: `Flotilla local cluster (${input.runtime} runtime)`,
        kernelVersion: os.release(),
        containerRuntimeVersion: `flotilla-${input.runtime}://${process.version}`,
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}

/** Creates the Node or brings an existing one up to date, then posts its status. Retries conflicts. */
export async function registerNode(client: Client, input: NodeSpecInput): Promise<void> {
  const desired = buildNode(input);
  for (let attempt = 0; ; attempt++) {
    try {
      let current: KubeObject;
      try {
        current = await client.create(resources.nodes, desired);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const old = await client.get(resources.nodes, { name: input.nodeName });
        current = await client.update(resources.nodes, {
          ...old,
          metadata: { ...old.metadata, labels: { ...old.metadata.labels, ...desired.metadata.labels } },
          spec: { ...old.spec, ...desired.spec },
        });
      }
      await client.updateStatus(resources.nodes, { ...current, status: desired.status });
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}

/** Options of {@link startHeartbeats}. */
export interface HeartbeatOptions {
  client: Client;
  nodeName: string;
  input: NodeSpecInput;
  logger: Logger;
  /** Lease renewal period; default 10 s (kubelet's). */
  leaseMs?: number;
  /** Node status period; default 60 s. */
  statusMs?: number;
}

/** Renews the node Lease and re-posts the Node's status until the returned stop function runs. */
export function startHeartbeats(options: HeartbeatOptions): () => void {
  const { client, nodeName, logger } = options;
  const leaseSeconds = 40;
  const renewLease = async (): Promise<void> => {
    const spec = {
      holderIdentity: nodeName,
      leaseDurationSeconds: leaseSeconds,
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    };
    try {
      const lease = await client.get(resources.leases, { name: nodeName, namespace: 'kube-node-lease' });
      await client.update(resources.leases, { ...lease, spec: { ...lease.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await client.create(resources.leases, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: nodeName, namespace: 'kube-node-lease' },
        spec: { ...spec, acquireTime: spec.renewTime },
      });
    }
  };
  const postStatus = async (): Promise<void> => {
    const node = await client.get(resources.nodes, { name: nodeName });
    const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    const since = ready?.status === 'True' ? ready.lastTransitionTime : now();
    await client.updateStatus(resources.nodes, {
      ...node,
      status: { ...node.status, conditions: nodeConditions(since) },
    });
  };
  const safely = (what: string, fn: () => Promise<void>) => () => {
    fn().catch((err: unknown) => logger.warn({ err, node: nodeName }, `${what} failed; retrying later`));
  };
  safely('node lease', renewLease)();
  const lease = setInterval(safely('node lease', renewLease), options.leaseMs ?? 10_000);
  const status = setInterval(safely('node status', postStatus), options.statusMs ?? 60_000);
  lease.unref();
  status.unref();
  return () => {
    clearInterval(lease);
    clearInterval(status);
  };
}
