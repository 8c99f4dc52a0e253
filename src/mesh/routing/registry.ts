/**
 * The service registry the compiler resolves hosts against: the merged Kubernetes services of
 * every member plus ServiceEntry hosts (Istio's aggregate registry). Pure data in, data out.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { MeshEndpoint, MeshInput, MeshService } from '../input.ts';
import type { Diagnostic } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: Istio specs are open JSON
export type Obj = Record<string, any>;

/** One port of a registry service. */
export interface RegistryPort {
  port: number;
  name: string;
  protocol: string;
  targetPort?: number;
}

/** One endpoint of a registry service, before port resolution. */
export interface RegistryEndpoint {
  address: string;
  /** Port by service port name (`''` for unnamed); empty means "use the target port". */
  ports: Record<string, number>;
  cluster: string;
  labels: Record<string, string>;
  locality?: { region?: string; zone?: string; subzone?: string };
  workload?: string;
  pod?: string;
  weight?: number;
}

/** A service of the registry: a Kubernetes service or a ServiceEntry host. */
export interface RegistryService {
  hostname: string;
  name: string;
  namespace: string;
  ports: RegistryPort[];
  addresses: string[];
  endpoints: RegistryEndpoint[];
  /** From a ServiceEntry. */
  external: boolean;
}

/** The label Istio adds to every endpoint naming its cluster; subsets may select on it. */
export const CLUSTER_LABEL = 'topology.istio.io/cluster';

/** Objects in Istio's config order: oldest first, then namespace/name. */
export function sortConfigs(objects: readonly KubeObject[]): KubeObject[] {
  const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return [...objects].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

function clean(loc: MeshEndpoint['locality']): RegistryEndpoint['locality'] {
  if (!loc) return undefined;
  const out: { region?: string; zone?: string; subzone?: string } = {};
  if (loc.region) out.region = loc.region;
  if (loc.zone) out.zone = loc.zone;
  if (loc.subzone) out.subzone = loc.subzone;
  return out;
}

function fromMeshEndpoint(e: MeshEndpoint): RegistryEndpoint {
  const out: RegistryEndpoint = {
    address: e.address,
    ports: { ...e.ports },
    cluster: e.cluster,
    labels: { ...e.labels, [CLUSTER_LABEL]: e.cluster },
  };
  const loc = clean(e.locality);
  if (loc) out.locality = loc;
  if (e.workload) out.workload = e.workload;
  if (e.pod) out.pod = e.pod;
  return out;
}

function fromMeshService(s: MeshService): RegistryService {
  return {
    hostname: s.hostname.toLowerCase(),
    name: s.name,
    namespace: s.namespace,
    ports: s.ports.map((p) => ({
      port: p.port,
      name: p.name ?? '',
      protocol: p.protocol,
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    })),
    addresses: [...new Set(s.clusterIPs.map((c) => c.ip).filter((ip) => ip && ip !== 'None'))],
    endpoints: s.endpoints.filter((e) => e.ready).map(fromMeshEndpoint),
    external: false,
  };
}

function parseLocality(text: unknown): RegistryEndpoint['locality'] {
  if (typeof text !== 'string' || text === '') return undefined;
  const [region, zone, subzone] = text.split('/');
  return clean({ region, zone, subzone });
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

function serviceEntryServices(
  se: KubeObject,
  services: readonly MeshService[],
  diags: Diagnostic[],
): RegistryService[] {
  const spec: Obj = se.spec ?? {};
  const namespace = se.metadata.namespace ?? 'default';
  const name = se.metadata.name ?? '';
  const diag = (field: string, message: string): void => {
    diags.push({ kind: 'ServiceEntry', namespace, name, field, message });
  };
  const ports: RegistryPort[] = [];
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((p: Obj, i: number) => {
    if (!Number.isInteger(p?.number) || p.number < 1 || p.number > 65535) {
      diag(`spec.ports[${i}].number`, 'port number must be between 1 and 65535');
      return;
    }
    ports.push({
      port: p.number,
      name: String(p.name ?? ''),
      protocol: String(p.protocol ?? 'TCP').toUpperCase(),
      ...(Number.isInteger(p.targetPort) ? { targetPort: p.targetPort } : {}),
    });
  });
  const resolution = String(spec.resolution ?? 'NONE').toUpperCase();
  let explicit: RegistryEndpoint[] | undefined;
  if (Array.isArray(spec.endpoints) && spec.endpoints.length > 0) {
    const list: RegistryEndpoint[] = [];
    explicit = list;
    spec.endpoints.forEach((e: Obj, i: number) => {
      if (typeof e?.address !== 'string' || e.address === '') {
        diag(`spec.endpoints[${i}].address`, 'endpoint address is required');
        return;
      }
      const ep: RegistryEndpoint = {
        address: e.address,
        ports: e.ports && typeof e.ports === 'object' ? { ...e.ports } : {},
        cluster: '',
        labels: { ...(e.labels ?? {}) },
      };
      const loc = parseLocality(e.locality);
      if (loc) ep.locality = loc;
      if (Number.isInteger(e.weight) && e.weight > 0) ep.weight = e.weight;
      list.push(ep);
    });
  } else if (spec.workloadSelector?.labels && typeof spec.workloadSelector.labels === 'object') {
    const seen = new Set<string>();
    explicit = [];
    for (const s of services) {
      if (s.namespace !== namespace) continue;
      for (const e of s.endpoints) {
        if (!e.ready || seen.has(e.address) || !labelsMatch(spec.workloadSelector.labels, e.labels)) continue;
        seen.add(e.address);
        explicit.push({ ...fromMeshEndpoint(e), ports: {} });
      }
    }
  }
  const out: RegistryService[] = [];
  (Array.isArray(spec.hosts) ? spec.hosts : []).forEach((h: unknown, i: number) => {
    if (typeof h !== 'string' || h === '') {
      diag(`spec.hosts[${i}]`, 'host cannot be empty');
      return;
    }
    const hostname = h.toLowerCase();
    if (hostname.startsWith('*')) return; // wildcard entries only widen passthrough, which sidecars already allow
    const endpoints =
      explicit ??
      (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN' || resolution === 'NONE'
        ? [{ address: hostname, ports: {}, cluster: '', labels: {} }]
        : []);
    out.push({
      hostname,
      name: hostname,
      namespace,
      ports,
      addresses: Array.isArray(spec.addresses)
        ? spec.addresses.filter((a: unknown) => typeof a === 'string')
        : [],
      endpoints,
      external: true,
    });
  });
  return out;
}

/** Builds the registry: Kubernetes services first; a ServiceEntry host never replaces one. */
export function buildRegistry(
  input: MeshInput,
  serviceEntries: readonly KubeObject[],
  diags: Diagnostic[],
): Map<string, RegistryService> {
  const out = new Map<string, RegistryService>();
  for (const s of [...input.services].sort((a, b) => (a.hostname < b.hostname ? -1 : 1))) {
    if (!out.has(s.hostname.toLowerCase())) out.set(s.hostname.toLowerCase(), fromMeshService(s));
  }
  for (const se of serviceEntries) {
    for (const s of serviceEntryServices(se, input.services, diags)) {
      if (!out.has(s.hostname)) out.set(s.hostname, s);
    }
  }
  return out;
}

/** The port an endpoint listens on for a service port. */
export function endpointPort(svc: RegistryService, port: RegistryPort, ep: RegistryEndpoint): number {
  const byName = ep.ports[port.name];
  if (byName !== undefined) return byName;
  const values = Object.values(ep.ports);
  if (svc.ports.length === 1 && values.length === 1) return values[0] as number;
  return port.targetPort ?? port.port;
}
