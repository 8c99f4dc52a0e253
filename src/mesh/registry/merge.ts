/**
 * The mesh's service registry as one pure function: every member cluster's Services,
 * EndpointSlices and Pods in, one {@link MeshService} per namespace/name out — Istio's
 * "namespace sameness" (a Service with the same name and namespace in several clusters is one
 * service whose endpoints are the union; each cluster keeps its own ClusterIP). Every endpoint
 * knows its cluster, locality, pod, workload and the pod's labels (DestinationRule subsets).
 */
import type { KubeObject } from '../../api/meta.ts';
import { CLUSTER_DOMAIN, type MeshEndpoint, type MeshService, type MeshServicePort } from '../input.ts';

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes specs are open JSON
type Obj = Record<string, any>;

/** Where a member cluster sits, from its Cluster object (`spec.region`, `spec.zones`). */
export interface Locality {
  region?: string | undefined;
  zone?: string | undefined;
  subzone?: string | undefined;
}

/** What one member cluster holds, as its informers see it. */
export interface ClusterView {
  /** The member cluster's name (`member1`). */
  name: string;
  locality?: Locality | undefined;
  services: readonly KubeObject[];
  endpointSlices: readonly KubeObject[];
  pods: readonly KubeObject[];
}

/** The label EndpointSlices name their Service with. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The workload a pod belongs to: its Deployment (ReplicaSet minus the template hash), else its owner or itself. */
export function workloadOf(pod: KubeObject): string {
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller === true);
  const name = pod.metadata.name ?? '';
  if (!owner) return name;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`))
    return owner.name.slice(0, -hash.length - 1);
  return owner.name;
}

/** The locality of a Cluster object: `spec.region` and, when it names exactly one, its zone. */
export function localityOf(cluster: KubeObject): Locality | undefined {
  const spec: Obj = cluster.spec ?? {};
  const zones: unknown[] = Array.isArray(spec.zones) ? spec.zones : spec.zone ? [spec.zone] : [];
  const region = typeof spec.region === 'string' && spec.region !== '' ? spec.region : undefined;
  const zone = zones.length === 1 && typeof zones[0] === 'string' ? zones[0] : undefined;
  if (region === undefined && zone === undefined) return undefined;
  return { ...(region !== undefined ? { region } : {}), ...(zone !== undefined ? { zone } : {}) };
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function servicePorts(svc: KubeObject): MeshServicePort[] {
  const ports: Obj[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  return ports
    .filter((p) => typeof p?.port === 'number')
    .map((p) => {
      const out: MeshServicePort = {
        port: p.port,
        protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
      };
      if (typeof p.name === 'string' && p.name !== '') out.name = p.name;
      if (typeof p.appProtocol === 'string') out.appProtocol = p.appProtocol;
      if (typeof p.targetPort === 'number') out.targetPort = p.targetPort;
      return out;
    });
}

/** Endpoints of one Service in one cluster, from its EndpointSlices, de-duplicated by address. */
function endpointsOf(
  cluster: ClusterView,
  slices: readonly KubeObject[],
  pods: ReadonlyMap<string, KubeObject>,
): { endpoints: MeshEndpoint[]; portsByName: Map<string, number> } {
  const byAddress = new Map<string, MeshEndpoint>();
  const portsByName = new Map<string, number>();
  for (const slice of slices) {
    const s = slice as Obj;
    if (s.addressType !== undefined && s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const ports: Record<string, number> = {};
    for (const p of Array.isArray(s.ports) ? s.ports : []) {
      if (typeof p?.port !== 'number') continue;
      const name = typeof p.name === 'string' ? p.name : '';
      ports[name] = p.port;
      portsByName.set(name, p.port);
    }
    for (const ep of Array.isArray(s.endpoints) ? s.endpoints : []) {
      const address = Array.isArray(ep?.addresses) ? ep.addresses[0] : undefined;
      if (typeof address !== 'string' || address === '') continue;
      // EndpointSlice semantics: an unset `ready` is unknown and consumers treat it as ready.
      const ready = ep.conditions?.ready !== false && ep.conditions?.terminating !== true;
      const podName = ep.targetRef?.kind === 'Pod' ? String(ep.targetRef.name ?? '') : '';
      const pod = podName ? pods.get(key(String(slice.metadata.namespace ?? ''), podName)) : undefined;
      const endpoint: MeshEndpoint = {
        address,
        ports,
        cluster: cluster.name,
        ready,
        labels: { ...(pod?.metadata.labels ?? {}) },
      };
      if (cluster.locality) endpoint.locality = { ...cluster.locality };
      if (podName) endpoint.pod = podName;
      if (pod) endpoint.workload = workloadOf(pod);
      else if (podName) endpoint.workload = podName;
      const seen = byAddress.get(address);
      // The same address in two slices (a slice being replaced): a ready entry wins.
      if (!seen || (!seen.ready && ready)) byAddress.set(address, endpoint);
    }
  }
  return { endpoints: [...byAddress.values()], portsByName };
}

/**
 * Merges every cluster's Services into mesh services (sorted by namespace, then name). Services of
 * type ExternalName are skipped; ports are the union by port number, with `targetPort` resolved
 * from the EndpointSlices when the Service names it. Pure: the views are not modified.
 */
export function mergeServices(clusters: readonly ClusterView[]): MeshService[] {
  const merged = new Map<string, MeshService>();
  for (const cluster of [...clusters].sort((a, b) => a.name.localeCompare(b.name))) {
    const pods = new Map<string, KubeObject>();
    for (const pod of cluster.pods) pods.set(key(pod.metadata.namespace ?? '', pod.metadata.name ?? ''), pod);
    const slicesBySvc = new Map<string, KubeObject[]>();
    for (const slice of cluster.endpointSlices) {
      const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svcName) continue;
      const k = key(slice.metadata.namespace ?? '', svcName);
      const list = slicesBySvc.get(k) ?? [];
      list.push(slice);
      slicesBySvc.set(k, list);
    }
    for (const svc of cluster.services) {
      const name = svc.metadata.name ?? '';
      const namespace = svc.metadata.namespace ?? 'default';
      if (name === '' || svc.spec?.type === 'ExternalName') continue;
      const k = key(namespace, name);
      let out = merged.get(k);
      if (!out) {
        out = {
          name,
          namespace,
          hostname: `${name}.${namespace}.${CLUSTER_DOMAIN}`,
          ports: [],
          clusterIPs: [],
          clusters: [],
          endpoints: [],
        };
        merged.set(k, out);
      }
      out.clusters.push(cluster.name);
      const ip = svc.spec?.clusterIP;
      if (typeof ip === 'string' && ip !== '' && ip !== 'None')
        out.clusterIPs.push({ cluster: cluster.name, ip });
      const { endpoints, portsByName } = endpointsOf(cluster, slicesBySvc.get(k) ?? [], pods);
      out.endpoints.push(...endpoints);
      for (const port of servicePorts(svc)) {
        if (port.targetPort === undefined) {
          const resolved = portsByName.get(port.name ?? '');
          if (resolved !== undefined) port.targetPort = resolved;
        }
        const known = out.ports.find((p) => p.port === port.port);
        if (!known) out.ports.push(port);
        else if (known.targetPort === undefined && port.targetPort !== undefined)
          known.targetPort = port.targetPort;
      }
    }
  }
  const list = [...merged.values()];
  for (const svc of list) {
    svc.ports.sort((a, b) => a.port - b.port);
    svc.endpoints.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.address.localeCompare(b.address));
  }
  return list.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
