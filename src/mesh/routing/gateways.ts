/**
 * Gateways: each server of each Gateway with the virtual hosts of the VirtualServices bound to
 * it — by gateway name and by host intersection with the server's `[ns/]host` list — merged per
 * host in config order with catch-all routes moved last (Istio merges only on gateways).
 */
import type { KubeObject } from '../../api/meta.ts';
import { hostIntersection } from './hosts.ts';
import { isCatchAllRoute, truncateAtCatchAll } from './match.ts';
import type { Obj } from './registry.ts';
import type { CompiledRoute, Diagnostic, GatewayServer, VirtualHost } from './types.ts';
import { type RouteEnv, routesFor, type VsInfo } from './virtual-service.ts';

interface ServerHost {
  /** `*` any namespace, else the VirtualService namespace that may bind. */
  namespace: string;
  host: string;
}

function parseServerHost(raw: string, gwNamespace: string): ServerHost {
  const i = raw.indexOf('/');
  if (i < 0) return { namespace: '*', host: raw.toLowerCase() };
  const ns = raw.slice(0, i);
  return { namespace: ns === '.' ? gwNamespace : ns, host: raw.slice(i + 1).toLowerCase() };
}

/** Compiles every server of every Gateway (in config order) with its bound virtual hosts. */
export function compileGateways(
  gateways: readonly KubeObject[],
  vss: readonly VsInfo[],
  env: RouteEnv,
  diags: Diagnostic[],
): GatewayServer[] {
  const out: GatewayServer[] = [];
  for (const gw of gateways) {
    const spec: Obj = gw.spec ?? {};
    const namespace = gw.metadata.namespace ?? 'default';
    const name = gw.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    const report = (field: string, message: string): void => {
      diags.push({ kind: 'Gateway', namespace, name, field, message });
    };
    const bound = vss.filter((v) => v.gateways.includes(key) && v.hosts.length > 0);
    const servers: Obj[] = Array.isArray(spec.servers) ? spec.servers : [];
    if (servers.length === 0) report('spec.servers', 'at least one server is required');
    servers.forEach((s, i) => {
      const field = `spec.servers[${i}]`;
      const port = s?.port?.number;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        report(`${field}.port.number`, 'port number must be between 1 and 65535');
        return;
      }
      const rawHosts: unknown[] = Array.isArray(s.hosts) ? s.hosts : [];
      const hosts = rawHosts.filter((h): h is string => typeof h === 'string' && h !== '');
      if (hosts.length === 0) {
        report(`${field}.hosts`, 'at least one host is required');
        return;
      }
      const server: GatewayServer = {
        gateway: key,
        name: typeof s.name === 'string' ? s.name : '',
        port,
        protocol: String(s.port.protocol ?? 'HTTP').toUpperCase(),
        hosts,
        virtualHosts: virtualHosts(
          hosts.map((h) => parseServerHost(h, namespace)),
          bound,
          key,
          port,
          env,
        ),
      };
      if (spec.selector && typeof spec.selector === 'object') server.selector = { ...spec.selector };
      if (s.tls?.httpsRedirect === true) server.httpsRedirect = true;
      out.push(server);
    });
  }
  return out;
}

function virtualHosts(
  serverHosts: ServerHost[],
  bound: readonly VsInfo[],
  gateway: string,
  port: number,
  env: RouteEnv,
): VirtualHost[] {
  const byDomain = new Map<string, CompiledRoute[][]>();
  for (const vs of bound) {
    let routes: CompiledRoute[] | undefined;
    const domains = new Set<string>();
    for (const h of vs.hosts) {
      for (const sh of serverHosts) {
        if (sh.namespace !== '*' && sh.namespace !== vs.namespace) continue;
        const d = hostIntersection(h, sh.host);
        if (d !== undefined) domains.add(d);
      }
    }
    for (const d of domains) {
      routes ??= routesFor(vs, gateway, port, env);
      const list = byDomain.get(d) ?? [];
      list.push(routes);
      byDomain.set(d, list);
    }
  }
  return [...byDomain.entries()].map(([domain, lists]) => ({
    name: `${domain}:${port}`,
    domains: [domain],
    routes: mergeRoutes(lists),
  }));
}

/** Merges the routes of several VirtualServices for one host: order kept, catch-alls last. */
export function mergeRoutes(lists: CompiledRoute[][]): CompiledRoute[] {
  if (lists.length === 1) return lists[0] as CompiledRoute[];
  const all = lists.flat();
  return truncateAtCatchAll([...all.filter((r) => !isCatchAllRoute(r)), ...all.filter(isCatchAllRoute)]);
}
