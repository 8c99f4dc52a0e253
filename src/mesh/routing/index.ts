/**
 * The mesh route compiler: one pure function from Istio configuration plus the merged services of
 * every member cluster (`MeshInput`) to the route tables every proxy serves (`CompiledMesh`).
 * Deterministic and free of I/O; invalid pieces become `Diagnostic`s and are skipped, so one bad
 * route never takes the valid ones down. Objects may be stored as v1, v1beta1 or v1alpha3: the
 * schema is the same.
 */
import type { MeshInput } from '../input.ts';
import { compileClusters } from './clusters.ts';
import { indexDestinationRules } from './destination-rule.ts';
import { compileGateways } from './gateways.ts';
import { buildRegistry, sortConfigs } from './registry.ts';
import { compileSidecarHosts } from './sidecar.ts';
import type { CompiledMesh, Diagnostic } from './types.ts';
import { indexVirtualServices, type RouteEnv } from './virtual-service.ts';

export { parseDuration } from './duration.ts';
export { clusterName, hostCovers, resolveHost } from './hosts.ts';
export { isCatchAllRoute } from './match.ts';
export type * from './types.ts';

/** Compiles Istio config and services into route tables; never throws on bad config. */
export function compileMesh(input: MeshInput): CompiledMesh {
  const diags: Diagnostic[] = [];
  const registry = buildRegistry(input, sortConfigs(input.serviceEntries), diags);
  const known = (fqdn: string): boolean => registry.has(fqdn);
  const rules = indexDestinationRules(sortConfigs(input.destinationRules), known, diags);
  const vss = indexVirtualServices(sortConfigs(input.virtualServices), known, diags);
  const env: RouteEnv = {
    service: (fqdn) => registry.get(fqdn),
    subsetExists: (fqdn, subset) => rules(fqdn)?.subsets.has(subset) ?? false,
    known,
    diags,
    byKey: new Map(vss.map((v) => [v.key, v])),
  };
  const gatewayServers = compileGateways(sortConfigs(input.gateways), vss, env, diags);
  const mesh = compileSidecarHosts(registry, vss, env);
  const clusters = compileClusters(registry, rules);
  return { gatewayServers, mesh, clusters, diagnostics: dedupe(diags) };
}

function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.kind}|${d.namespace}|${d.name}|${d.field}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
