/**
 * Upstream clusters: one per service port and per DestinationRule subset, with the subset's
 * endpoints and the effective traffic policy (LB, connection pool, outlier detection, locality).
 */
import {
  connectionPool,
  effectivePolicy,
  loadBalancer,
  localitySettings,
  outlierDetection,
  type RuleLookup,
} from './destination-rule.ts';
import { clusterName } from './hosts.ts';
import { endpointPort, type RegistryService } from './registry.ts';
import type { UpstreamCluster, UpstreamEndpoint } from './types.ts';

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Builds every upstream cluster, keyed by name, in a stable order. */
export function compileClusters(
  registry: ReadonlyMap<string, RegistryService>,
  rules: RuleLookup,
): Record<string, UpstreamCluster> {
  const out: Record<string, UpstreamCluster> = {};
  const hosts = [...registry.keys()].sort();
  for (const host of hosts) {
    const svc = registry.get(host) as RegistryService;
    const rule = rules(host);
    const subsets: Array<[string, Record<string, string>]> = [['', {}]];
    for (const [name, s] of rule?.subsets ?? []) subsets.push([name, s.labels]);
    for (const port of svc.ports) {
      for (const [subset, labels] of subsets) {
        const policy = effectivePolicy(rule, port.port, subset);
        const outlier = outlierDetection(policy);
        const endpoints: UpstreamEndpoint[] = svc.endpoints
          .filter((e) => matches(labels, e.labels))
          .map((e) => {
            const ep: UpstreamEndpoint = {
              address: e.address,
              port: endpointPort(svc, port, e),
              cluster: e.cluster,
              labels: e.labels,
            };
            if (e.locality) ep.locality = e.locality;
            if (e.workload) ep.workload = e.workload;
            if (e.pod) ep.pod = e.pod;
            if (e.weight) ep.weight = e.weight;
            return ep;
          })
          .sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
        const name = clusterName(port.port, subset, host);
        const cluster: UpstreamCluster = {
          name,
          host,
          port: port.port,
          subset,
          serviceName: svc.name,
          namespace: svc.namespace,
          endpoints,
          lb: loadBalancer(policy),
          locality: localitySettings(policy, outlier),
          connectionPool: connectionPool(policy),
        };
        if (outlier) cluster.outlierDetection = outlier;
        if (typeof policy.tls?.mode === 'string') cluster.tlsMode = policy.tls.mode;
        out[name] = cluster;
      }
    }
  }
  return out;
}
