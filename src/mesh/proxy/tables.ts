/**
 * A proxy's runtime view of one CompiledMesh version: virtual-host lookup per listener (exact
 * domains in a Map, then `*.suffix` longest first, then `*`), routes with precompiled matchers,
 * weighted pickers and header operations, and cluster states carried over from the last version.
 * Built once per `update`, read without allocation per request.
 */
import { isCatchAllRoute } from '../routing/match.ts';
import type {
  CompiledMatch,
  CompiledMesh,
  CompiledRoute,
  StringMatcher,
  VirtualHost,
  WeightedDestination,
} from '../routing/types.ts';
import { ClusterState } from './cluster.ts';
import type { ProxyLocality } from './locality.ts';
import {
  labelsMatch,
  type MatchTest,
  matchTest,
  type RequestView,
  type StringTest,
  stringTest,
} from './matchers.ts';

/** A route ready to serve. */
export interface RuntimeRoute {
  spec: CompiledRoute;
  /** Returns the match that matched (or `true` for a route without matches), else undefined. */
  match(r: RequestView): CompiledMatch | true | undefined;
  /** Picks a destination by weight; undefined for non-forwarding routes. */
  pickDestination(): WeightedDestination | undefined;
  corsOrigins?: StringTest[];
  uriRegex?: { re: RegExp; rewrite: string };
  /** `route name` for logs (`vs/name` style). */
  logName: string;
}

/** A virtual host ready to serve. */
export interface RuntimeVirtualHost {
  name: string;
  routes: RuntimeRoute[];
  httpsRedirect: boolean;
  /** Sidecars: the service behind the virtual host, for metrics of local replies. */
  service?: { host: string; name: string; namespace: string };
}

/** Domain lookup for one listener. */
export class DomainTable {
  private readonly exact = new Map<string, RuntimeVirtualHost>();
  private suffixes: Array<[string, RuntimeVirtualHost]> = [];
  private star: RuntimeVirtualHost | undefined;

  /** Adds a domain; the first virtual host to claim a domain keeps it. */
  add(domain: string, vh: RuntimeVirtualHost): void {
    const d = domain.toLowerCase();
    if (d === '*') this.star ??= vh;
    else if (d.startsWith('*')) {
      if (!this.suffixes.some(([s]) => s === d.slice(1))) {
        this.suffixes.push([d.slice(1), vh]);
        this.suffixes.sort((a, b) => b[0].length - a[0].length);
      }
    } else if (!this.exact.has(d)) this.exact.set(d, vh);
  }

  /** Finds the virtual host for a (lower-case, port-less) host name. */
  find(host: string): RuntimeVirtualHost | undefined {
    const hit = this.exact.get(host);
    if (hit) return hit;
    for (const [suffix, vh] of this.suffixes)
      if (host.endsWith(suffix) && host.length > suffix.length) return vh;
    return this.star;
  }
}

function weightedPicker(dests: WeightedDestination[]): () => WeightedDestination | undefined {
  if (dests.length === 0) return () => undefined;
  if (dests.length === 1) {
    const only = dests[0];
    return () => only;
  }
  const cumulative: number[] = [];
  let total = 0;
  for (const d of dests) {
    total += d.weight;
    cumulative.push(total);
  }
  return () => {
    const x = Math.random() * total;
    for (let i = 0; i < cumulative.length; i++) if (x < (cumulative[i] as number)) return dests[i];
    return dests[dests.length - 1];
  };
}

/** Compiles one route for serving. */
export function runtimeRoute(spec: CompiledRoute): RuntimeRoute {
  const tests: Array<[CompiledMatch, MatchTest]> = spec.matches.map((m) => [m, matchTest(m)]);
  const match: RuntimeRoute['match'] =
    tests.length === 0
      ? () => true
      : (r) => {
          for (const [m, t] of tests) if (t(r)) return m;
          return undefined;
        };
  const out: RuntimeRoute = {
    spec,
    match,
    pickDestination:
      spec.action.kind === 'route' ? weightedPicker(spec.action.destinations) : () => undefined,
    logName: spec.name ? `${spec.virtualService}.${spec.name}` : spec.virtualService || 'default',
  };
  if (spec.cors) out.corsOrigins = spec.cors.allowOrigins.map((o: StringMatcher) => stringTest(o));
  if (spec.rewrite?.uriRegex) {
    out.uriRegex = {
      re: new RegExp(spec.rewrite.uriRegex.match, 'g'),
      rewrite: spec.rewrite.uriRegex.rewrite.replace(/\\(\d)/g, '$$$1'),
    };
  }
  return out;
}

/** Keeps the routes whose config-time selectors (sourceLabels, sourceNamespace) admit this proxy. */
export function selectRoutes(
  routes: CompiledRoute[],
  labels: Record<string, string>,
  namespace: string,
): RuntimeRoute[] {
  const out: RuntimeRoute[] = [];
  for (const r of routes) {
    let matches = r.matches;
    if (matches.some((m) => m.sourceLabels || m.sourceNamespace)) {
      matches = matches
        .filter(
          (m) =>
            labelsMatch(m.sourceLabels, labels) && (!m.sourceNamespace || m.sourceNamespace === namespace),
        )
        .map(({ sourceLabels: _l, sourceNamespace: _n, ...rest }) => rest);
      if (matches.length === 0) continue;
    }
    const spec = matches === r.matches ? r : { ...r, matches };
    out.push(runtimeRoute(spec));
    if (isCatchAllRoute(spec)) break;
  }
  return out;
}

/** Builds the cluster states of a version, carrying state over from the previous one by name. */
export function buildClusters(
  mesh: CompiledMesh,
  me: ProxyLocality,
  previous: ReadonlyMap<string, ClusterState>,
): Map<string, ClusterState> {
  const out = new Map<string, ClusterState>();
  for (const [name, spec] of Object.entries(mesh.clusters)) {
    const prev = previous.get(name);
    out.set(name, prev && prev.spec === spec ? prev : new ClusterState(spec, me, prev));
  }
  return out;
}

/** Runtime virtual host from a compiled one. */
export function runtimeVirtualHost(
  vh: VirtualHost,
  labels: Record<string, string>,
  namespace: string,
  httpsRedirect = false,
): RuntimeVirtualHost {
  return { name: vh.name, routes: selectRoutes(vh.routes, labels, namespace), httpsRedirect };
}
