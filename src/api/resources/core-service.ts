/** core/v1 Service and Endpoints: tables, defaulting and validation. */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { metadataOnlySchema, serviceSchema } from './patch-schemas.ts';
import { ageColumn, ageOf, column, formatLabels, nameColumn, wide } from './table-util.ts';
import {
  duplicate,
  invalid,
  isDNS1123Label,
  isValidPortName,
  isValidPortNum,
  notSupported,
  required,
} from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: service specs are open JSON
type Obj = Record<string, any>;

function portString(ports: Obj[]): string {
  const s = ports
    .map((p) =>
      p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`,
    )
    .join(',');
  return s === '' ? '<none>' : s;
}

/** `getServiceExternalIP` with wide output, as the server always prints. */
export function serviceExternalIP(svc: KubeObject): string {
  const spec: Obj = svc.spec ?? {};
  const external: string[] = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress: Obj[] = svc.status?.loadBalancer?.ingress ?? [];
      const lb = ingress.map((i) => i.ip || i.hostname).filter((x) => x);
      const all = [...lb, ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

function validateService(obj: KubeObject): StatusCause[] {
  const spec: Obj = obj.spec ?? {};
  const out: StatusCause[] = [];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) out.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) out.push(required('spec.externalName'));
  } else if (ports.length === 0 && !headless) {
    out.push(required('spec.ports'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) out.push(required(`${pp}.name`));
    if (p.name) {
      // Service port names are DNS labels (`80-8080` is fine), unlike container port names.
      for (const m of isDNS1123Label(p.name)) out.push(invalid(`${pp}.name`, p.name, m));
      if (names.has(p.name)) out.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) out.push(invalid(`${pp}.port`, p.port ?? 0, m));
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) {
      out.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    }
    if (typeof p.targetPort === 'number') {
      for (const m of isValidPortNum(p.targetPort)) out.push(invalid(`${pp}.targetPort`, p.targetPort, m));
    } else if (typeof p.targetPort === 'string') {
      for (const m of isValidPortName(p.targetPort)) out.push(invalid(`${pp}.targetPort`, p.targetPort, m));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      for (const m of isValidPortNum(p.nodePort)) out.push(invalid(`${pp}.nodePort`, p.nodePort, m));
    }
  });
  const affinity = ['ClientIP', 'None'];
  if (spec.sessionAffinity !== undefined && !affinity.includes(spec.sessionAffinity)) {
    out.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, affinity));
  }
  return out;
}

function defaultService(obj: KubeObject): void {
  obj.spec ??= {};
  const spec: Obj = obj.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  if (spec.type !== 'ExternalName') {
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  obj.status ??= { loadBalancer: {} };
}

/** The Service resource (`svc`, category `all`, status subresource). ClusterIPs are allocated by the server, not here. */
export function serviceResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: { status: true },
    extraSubresources: ['proxy'],
    table: {
      columns: [
        nameColumn(),
        column('Type', 'string', 'type determines how the Service is exposed.'),
        column('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
        column(
          'External-IP',
          'string',
          'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
        ),
        column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
        ageColumn(),
        wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
      ],
      cells(svc, now) {
        const spec: Obj = svc.spec ?? {};
        const ip: string = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>';
        return [
          svc.metadata.name ?? '',
          spec.type ?? '',
          ip === '' ? '<none>' : ip,
          serviceExternalIP(svc),
          portString(Array.isArray(spec.ports) ? spec.ports : []),
          ageOf(svc, now),
          formatLabels(spec.selector),
        ];
      },
    },
    patchSchema: serviceSchema,
    defaulting: defaultService,
    validate: (obj, ctx) => (ctx.status ? [] : validateService(obj)),
  });
}

/** Endpoints' `ip:port` list, at most three then `+ N more...`, `<none>` when empty. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets: Obj[] = Array.isArray(ep.subsets) ? ep.subsets : [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addrs: Obj[] = ss.addresses ?? [];
    const ports: Obj[] = ss.ports ?? [];
    const pairs =
      ports.length === 0
        ? addrs.map((a) => String(a.ip))
        : ports.flatMap((p) => addrs.map((a) => hostPort(a.ip, p.port)));
    for (const pair of pairs) {
      count++;
      if (list.length < 3) list.push(pair);
      else more = true;
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - 3} more...` : s;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The Endpoints resource (`ep`): `Name Endpoints Age`. */
export function endpointsResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Endpoints',
    plural: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    table: {
      columns: [
        nameColumn(),
        column('Endpoints', 'string', 'Endpoints is the list of endpoints of the service.'),
        ageColumn(),
      ],
      cells: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), ageOf(ep, now)],
    },
    patchSchema: metadataOnlySchema,
  });
}
