/**
 * Sidecar (`mesh`) routing: one virtual host per service port, from the VirtualService that
 * applies to the service (exact host before wildcards, oldest first — sidecars do not merge),
 * or the default route to the service itself when none does.
 */
import { clusterName, hostCovers, hostSpecificity } from './hosts.ts';
import { defaultRetryPolicy } from './policies.ts';
import type { RegistryService } from './registry.ts';
import type { CompiledRoute, MeshVirtualHost } from './types.ts';
import { type RouteEnv, routesFor, type VsInfo } from './virtual-service.ts';

/** The route every service port gets when no VirtualService applies: all traffic to the service. */
export function defaultRoute(host: string, port: number): CompiledRoute {
  return {
    virtualService: '',
    name: 'default',
    matches: [],
    action: {
      kind: 'route',
      destinations: [{ cluster: clusterName(port, '', host), host, subset: '', port, weight: 100 }],
    },
    retries: defaultRetryPolicy(),
  };
}

function pickVirtualService(host: string, meshVss: readonly VsInfo[]): VsInfo | undefined {
  let best: VsInfo | undefined;
  let bestScore = -1;
  for (const vs of meshVss) {
    for (const h of vs.hosts) {
      if (!hostCovers(h, host)) continue;
      const score = hostSpecificity(h);
      if (score > bestScore) {
        best = vs;
        bestScore = score;
      }
    }
  }
  return best;
}

/** Compiles the sidecar virtual hosts of every service port in the registry. */
export function compileSidecarHosts(
  registry: ReadonlyMap<string, RegistryService>,
  vss: readonly VsInfo[],
  env: RouteEnv,
): MeshVirtualHost[] {
  const meshVss = vss.filter((v) => v.gateways.includes('mesh'));
  const out: MeshVirtualHost[] = [];
  for (const svc of registry.values()) {
    const vs = pickVirtualService(svc.hostname, meshVss);
    const domains = svc.external
      ? [svc.hostname]
      : [svc.hostname, `${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`];
    for (const p of svc.ports) {
      const routes = vs ? routesFor(vs, 'mesh', p.port, env) : [];
      out.push({
        name: `${svc.hostname}:${p.port}`,
        host: svc.hostname,
        serviceName: svc.name,
        namespace: svc.namespace,
        port: p.port,
        addresses: [...svc.addresses],
        domains,
        routes: routes.length > 0 ? routes : [defaultRoute(svc.hostname, p.port)],
      });
    }
  }
  return out;
}
