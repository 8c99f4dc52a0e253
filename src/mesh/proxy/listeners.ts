/**
 * Which virtual hosts each listener of a proxy serves. A gateway serves the Gateway servers whose
 * selector matches its labels and whose port is the listener's server port, merging virtual
 * hosts of one domain across servers; a sidecar serves every service port of the mesh by
 * `host:port`, where host is the FQDN, `name.ns`, `name.ns.svc`, `name` (same namespace only) or
 * a ClusterIP.
 */
import { mergeRoutes } from '../routing/gateways.ts';
import type { CompiledMesh, CompiledRoute } from '../routing/types.ts';
import { labelsMatch } from './matchers.ts';
import { DomainTable, type RuntimeVirtualHost, runtimeVirtualHost } from './tables.ts';

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);

/** The domain table of a gateway listener serving `serverPort` (or every port with `'any'`). */
export function gatewayTable(
  mesh: CompiledMesh,
  serverPort: number | 'any',
  gatewayLabels: Record<string, string>,
  namespace: string,
): DomainTable {
  const table = new DomainTable();
  const servers = mesh.gatewayServers.filter(
    (s) =>
      labelsMatch(s.selector, gatewayLabels) &&
      (serverPort === 'any' || s.port === serverPort) &&
      (HTTP_PROTOCOLS.has(s.protocol) || s.httpsRedirect === true),
  );
  for (const s of servers) {
    if (!s.httpsRedirect) continue;
    for (const h of s.hosts) {
      const domain = h.includes('/') ? h.slice(h.indexOf('/') + 1) : h;
      table.add(domain, { name: `${domain}:${s.port}`, routes: [], httpsRedirect: true });
    }
  }
  const byDomain = new Map<string, { name: string; lists: CompiledRoute[][] }>();
  for (const s of servers) {
    for (const vh of s.virtualHosts) {
      for (const d of vh.domains) {
        const entry = byDomain.get(d) ?? { name: vh.name, lists: [] };
        entry.lists.push(vh.routes);
        byDomain.set(d, entry);
      }
    }
  }
  for (const [domain, { name, lists }] of byDomain) {
    table.add(
      domain,
      runtimeVirtualHost({ name, domains: [domain], routes: mergeRoutes(lists) }, gatewayLabels, namespace),
    );
  }
  return table;
}

/** Sidecar lookup by `host:port`. */
export class SidecarTable {
  private readonly byHostPort = new Map<string, RuntimeVirtualHost>();

  /** Finds the virtual host for a lower-case host (name or IP) and port. */
  find(host: string, port: number): RuntimeVirtualHost | undefined {
    return this.byHostPort.get(`${host}:${port}`);
  }

  /** Registers a name for a service port; the first registration of a name wins. */
  add(host: string, port: number, vh: RuntimeVirtualHost): void {
    const key = `${host.toLowerCase()}:${port}`;
    if (!this.byHostPort.has(key)) this.byHostPort.set(key, vh);
  }
}

/** The sidecar table of a proxy in `namespace` with pod `labels`. */
export function sidecarTable(
  mesh: CompiledMesh,
  labels: Record<string, string>,
  namespace: string,
): SidecarTable {
  const table = new SidecarTable();
  // Same-namespace services first, so a short name resolves in the caller's namespace.
  const ordered = [...mesh.mesh].sort(
    (a, b) => Number(b.namespace === namespace) - Number(a.namespace === namespace),
  );
  for (const vh of ordered) {
    const rvh = runtimeVirtualHost(vh, labels, namespace);
    rvh.service = { host: vh.host, name: vh.serviceName, namespace: vh.namespace };
    for (const d of vh.domains) table.add(d, vh.port, rvh);
    if (vh.namespace === namespace) table.add(vh.serviceName, vh.port, rvh);
    for (const ip of vh.addresses) table.add(ip, vh.port, rvh);
  }
  return table;
}
