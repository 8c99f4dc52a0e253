/**
 * ClusterIP and NodePort allocation for Services, as kube-apiserver's Service REST storage does:
 * a new Service gets the next free address from the service CIDR (or the one it asks for, if
 * free), headless (`None`) and `ExternalName` Services get none, and the address is immutable.
 */
import { errors } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Storage } from '../../storage/types.ts';
import { kindPrefix } from '../keys.ts';
import type { AdmissionPlugin, AdmissionRequest } from './index.ts';

interface Cidr {
  base: number;
  size: number;
}

function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/len`; throws on malformed input. */
export function parseCidr(cidr: string): Cidr {
  const [ip, len] = cidr.split('/');
  const base = parseIPv4(ip ?? '');
  const bits = Number(len);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new Error(`invalid service CIDR "${cidr}"`);
  const size = 2 ** (32 - bits);
  return { base: (base & ~(size - 1)) >>> 0, size };
}

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/** Builds the allocator plugin for a service CIDR (default 10.96.0.0/16). */
export function serviceAllocator(options: { storage: Storage; serviceCidr?: string }): AdmissionPlugin {
  const cidr = parseCidr(options.serviceCidr ?? '10.96.0.0/16');
  let used: Set<string> | undefined;
  let usedPorts: Set<number> | undefined;
  let next = 1;

  const load = async (): Promise<void> => {
    if (used && usedPorts) return;
    used = new Set();
    usedPorts = new Set();
    const page = await options.storage.list(kindPrefix({ group: '', plural: 'services' }));
    for (const kv of page.items) track(JSON.parse(kv.value) as KubeObject, true);
  };
  const track = (svc: KubeObject, add: boolean): void => {
    for (const ip of svc.spec?.clusterIPs ?? [svc.spec?.clusterIP]) {
      if (typeof ip === 'string' && ip !== 'None' && ip !== '') add ? used!.add(ip) : used!.delete(ip);
    }
    for (const p of svc.spec?.ports ?? []) {
      if (typeof p?.nodePort === 'number') add ? usedPorts!.add(p.nodePort) : usedPorts!.delete(p.nodePort);
    }
  };
  const allocate = (name: string): string => {
    // .0 is the network address and .1 is kept for the `kubernetes` Service, as upstream does.
    for (let i = 0; i < cidr.size - 2; i++) {
      const offset = ((next + i) % (cidr.size - 2)) + 1;
      const ip = formatIPv4(cidr.base + offset);
      if (!used!.has(ip)) {
        next = offset + 1;
        used!.add(ip);
        return ip;
      }
    }
    throw errors.internal(`failed to allocate a serviceIP for Service "${name}": range is full`);
  };
  const invalid = (svc: KubeObject, field: string, value: unknown, message: string) =>
    errors.invalid('Service', '', svc.metadata.name ?? '', [
      { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}`, field },
    ]);

  return {
    name: 'ServiceIPAllocator',
    async admit(req: AdmissionRequest) {
      if (req.def.group !== '' || req.def.plural !== 'services' || req.operation === 'DELETE') return;
      const svc = req.object;
      svc.spec ??= {};
      const spec = svc.spec;
      if (req.operation === 'UPDATE' && req.old) {
        const was = req.old.spec ?? {};
        if (spec.clusterIP === undefined || spec.clusterIP === '') {
          if (was.clusterIP !== undefined) spec.clusterIP = was.clusterIP;
          if (was.clusterIPs !== undefined) spec.clusterIPs = was.clusterIPs;
        } else if (was.clusterIP && spec.clusterIP !== was.clusterIP && spec.type !== 'ExternalName') {
          throw invalid(svc, 'spec.clusterIPs[0]', spec.clusterIP, 'may not change once set');
        }
        if (spec.clusterIPs === undefined && spec.clusterIP !== undefined) spec.clusterIPs = [spec.clusterIP];
        return;
      }
      await load();
      if (spec.type === 'ExternalName') return;
      if (spec.clusterIP === 'None') {
        spec.clusterIPs = ['None'];
      } else if (spec.clusterIP) {
        const n = parseIPv4(spec.clusterIP);
        if (n === undefined || n < cidr.base || n >= cidr.base + cidr.size) {
          throw invalid(
            svc,
            'spec.clusterIPs',
            spec.clusterIP,
            `failed to allocate IP ${spec.clusterIP}: the provided IP is not in the valid range`,
          );
        }
        if (used!.has(spec.clusterIP))
          throw invalid(
            svc,
            'spec.clusterIPs',
            spec.clusterIP,
            `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
          );
        if (!req.dryRun) used!.add(spec.clusterIP);
        spec.clusterIPs = [spec.clusterIP];
      } else {
        const ip = allocate(svc.metadata.name ?? '');
        if (req.dryRun) used!.delete(ip);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
        for (const p of spec.ports ?? []) {
          if (typeof p.nodePort === 'number') continue;
          let port = NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN));
          while (usedPorts!.has(port)) port = port >= NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
          if (!req.dryRun) usedPorts!.add(port);
          p.nodePort = port;
        }
      }
    },
    committed(req: AdmissionRequest) {
      if (req.def.group !== '' || req.def.plural !== 'services' || !used) return;
      if (req.operation === 'DELETE') track(req.object, false);
    },
  };
}
