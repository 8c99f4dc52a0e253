/**
 * The compiled mesh: what `compileMesh` produces from a `MeshInput` and what every proxy
 * (ingress gateway or sidecar) consumes through `Proxy.update`. Plain JSON data only — the mesh
 * controller serialises it onto its stream unchanged; proxies build their own fast lookup
 * structures (regexes, maps) from it once per version, never per request.
 *
 * Names follow Envoy's model as Istio generates it: listeners (gateway servers by port), virtual
 * hosts (domains → ordered routes) and upstream clusters keyed `outbound|<port>|<subset>|<fqdn>`.
 */

import type { UpstreamCluster } from './upstream-types.ts';

export type * from './upstream-types.ts';

/** A string matcher from an Istio `StringMatch`; regexes are RE2 and match the whole value. */
export type StringMatcher = { exact: string } | { prefix: string } | { regex: string };

/** One header or query-parameter condition; `present` tests presence only (`{}` or regex `*`). */
export type ValueMatcher = StringMatcher | { present: true };

/** One `HTTPMatchRequest`: every field present must hold (AND). */
export interface CompiledMatch {
  /** Match name, logged with the route name. */
  name?: string;
  uri?: StringMatcher;
  /** Applies to `exact` and `prefix` uri matches only, as Istio's `ignoreUriCase`. */
  ignoreUriCase?: boolean;
  scheme?: StringMatcher;
  method?: StringMatcher;
  authority?: StringMatcher;
  /** Lower-cased header name → condition. */
  headers?: Record<string, ValueMatcher>;
  /** Lower-cased header name → condition that must NOT hold (absent header also satisfies it). */
  withoutHeaders?: Record<string, ValueMatcher>;
  queryParams?: Record<string, ValueMatcher>;
  /** The port the request arrived for (gateway server port or service port). */
  port?: number;
  /** Configuration-time selector for sidecars: the proxy keeps the route only when its labels match. */
  sourceLabels?: Record<string, string>;
  /** Configuration-time selector for sidecars: the proxy's namespace must equal it. */
  sourceNamespace?: string;
}

/** Header operations (`set` replaces, `add` appends, `remove` deletes); names lower-cased. */
export interface HeaderOps {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

/** Request and response header operations of a route or a destination. */
export interface HeaderPolicy {
  request?: HeaderOps;
  response?: HeaderOps;
}

/** A weighted destination of a route: which upstream cluster and what share of traffic. */
export interface WeightedDestination {
  /** Upstream cluster key, `outbound|9080|v1|reviews.default.svc.cluster.local`. */
  cluster: string;
  /** FQDN of the destination service. */
  host: string;
  /** Subset name, `''` when none. */
  subset: string;
  port: number;
  /** Relative weight (> 0); a destination gets weight / Σweights. */
  weight: number;
  headers?: HeaderPolicy;
}

/** Istio's HTTPRedirect, resolved. */
export interface RedirectAction {
  kind: 'redirect';
  /** Replaces the whole path. */
  uri?: string;
  /** Replaces the matched prefix (needs a prefix uri match). */
  prefixRewrite?: string;
  authority?: string;
  port?: number;
  /** `FROM_PROTOCOL_DEFAULT` drops the port, `FROM_REQUEST_PORT` keeps the request's. */
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  scheme?: string;
  /** Default 301. */
  code: number;
}

/** Istio's HTTPDirectResponse: a local reply. */
export interface DirectResponseAction {
  kind: 'directResponse';
  status: number;
  /** Body as UTF-8 text (`body.string`, or `body.bytes` decoded from base64). */
  body?: string;
}

/** Forward to upstream clusters by weight. */
export interface ForwardAction {
  kind: 'route';
  destinations: WeightedDestination[];
}

/** What a matched route does. */
export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction;

/** Retry policy, Istio's defaults filled in when the VirtualService leaves `retries` unset. */
export interface RetryPolicy {
  /** Retries after the first try (0 disables). */
  attempts: number;
  /** Per-try timeout in ms; undefined means the route timeout. */
  perTryTimeoutMs?: number;
  /** Envoy retry conditions: connect-failure, refused-stream, unavailable, cancelled, 5xx, gateway-error, reset, retriable-4xx, retriable-status-codes. */
  retryOn: string[];
  /** Status codes retried under `retriable-status-codes`. */
  retriableStatusCodes: number[];
  /** Pick a host not tried before on each retry (Istio's default true). */
  ignorePreviousHosts: boolean;
  /** Base back-off between retries in ms (Envoy's 25 ms default). */
  backoffMs: number;
}

/** Fault injection of a route; percentages are 0..100. */
export interface FaultPolicy {
  delay?: { fixedDelayMs: number; percent: number };
  abort?: { httpStatus: number; percent: number };
}

/** A mirror target: fire-and-forget copy with `-shadow` suffixed authority. */
export interface MirrorPolicy {
  cluster: string;
  host: string;
  port: number;
  subset: string;
  /** 0..100; Istio's default when absent is 100. */
  percent: number;
}

/** CORS policy of a route. */
export interface CorsPolicy {
  allowOrigins: StringMatcher[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** Seconds. */
  maxAge?: number;
  allowCredentials?: boolean;
  /** What to do with preflights whose origin does not match: forward upstream (default) or ignore. */
  unmatchedPreflights: 'FORWARD' | 'IGNORE';
}

/** One HTTP route of a virtual host, in evaluation order. */
export interface CompiledRoute {
  /** `ns/name` of the VirtualService it came from, or `''` for the default route. */
  virtualService: string;
  /** Route name (`http[].name`), or `''`. */
  name: string;
  /** OR'ed matches; empty means catch-all. */
  matches: CompiledMatch[];
  action: RouteAction;
  rewrite?: { uri?: string; authority?: string; uriRegex?: { match: string; rewrite: string } };
  /** Route timeout in ms; undefined means disabled. */
  timeoutMs?: number;
  retries: RetryPolicy;
  fault?: FaultPolicy;
  mirrors?: MirrorPolicy[];
  cors?: CorsPolicy;
  headers?: HeaderPolicy;
}

/** A virtual host: domains it answers for and its ordered routes. */
export interface VirtualHost {
  /** Identity for logs: the host as declared (or the service FQDN). */
  name: string;
  /** Domains, Envoy-style: exact names, `*.suffix` wildcards or `*`. */
  domains: string[];
  routes: CompiledRoute[];
}

/** One Gateway server, with the virtual hosts of the VirtualServices bound to it. */
export interface GatewayServer {
  /** `ns/name` of the Gateway. */
  gateway: string;
  /** The Gateway's `spec.selector`; absent means every gateway workload. */
  selector?: Record<string, string>;
  /** `servers[].name`, or `''`. */
  name: string;
  /** Server port number as declared (80); the proxy maps it to a local listen port. */
  port: number;
  /** HTTP, HTTPS, HTTP2, GRPC, TCP, TLS… Only HTTP-like protocols are served. */
  protocol: string;
  /** Declared hosts (`[ns/]dnsName`). */
  hosts: string[];
  /** `tls.httpsRedirect`: answer plain HTTP with 301 to https. */
  httpsRedirect?: boolean;
  virtualHosts: VirtualHost[];
}

/** Sidecar (`mesh`) routing for one port of one service. */
export interface MeshVirtualHost extends VirtualHost {
  /** Service FQDN. */
  host: string;
  /** Service short name and namespace (sidecars add `name` as a domain only in that namespace). */
  serviceName: string;
  namespace: string;
  /** Service port. */
  port: number;
  /** ClusterIPs / ServiceEntry addresses of the service (`ip` or `ip:port` forms are derived by the proxy). */
  addresses: string[];
}

/** A problem in one Istio object; the piece is skipped, the rest of the mesh still compiles. */
export interface Diagnostic {
  kind: 'Gateway' | 'VirtualService' | 'DestinationRule' | 'ServiceEntry';
  namespace: string;
  name: string;
  /** JSON path of the offending field (`spec.http[0].route[1].weight`). */
  field: string;
  message: string;
  /** `warning`: the config is valid but will not work as meant (e.g. an unknown host); absent means error. */
  severity?: 'warning';
}

/** Everything every proxy needs; produced by `compileMesh`, consumed by `Proxy.update`. */
export interface CompiledMesh {
  /** Gateway servers of every Gateway; a gateway proxy serves those whose selector matches it. */
  gatewayServers: GatewayServer[];
  /** Sidecar routing, one entry per service port. */
  mesh: MeshVirtualHost[];
  /** Upstream clusters by name. */
  clusters: Record<string, UpstreamCluster>;
  diagnostics: Diagnostic[];
}
