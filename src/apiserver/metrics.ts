/**
 * Prometheus metrics for one API server, on its own prom-client `Registry` (never the global
 * one, so several servers in one process stay apart). Names, labels and buckets follow
 * kube-apiserver (`k8s.io/apiserver/pkg/endpoints/metrics`), so existing dashboards and
 * alerts work: `apiserver_request_total`, `apiserver_request_duration_seconds`,
 * `apiserver_current_inflight_requests`, `apiserver_registered_watchers`,
 * `apiserver_storage_objects`, plus Node's default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Label values of one finished request, as the HTTP layer knows them. */
export interface RequestObservation {
  /**
   * Kubernetes' metric verb: GET (one object), LIST, WATCH, POST, PUT, PATCH, APPLY (apply
   * patches), DELETE, DELETECOLLECTION, CONNECT. Lower-case authorization verbs
   * (`get`, `create`, `update`, …) are mapped; anything else is reported as `other`.
   */
  verb: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  /** `resource` (named object), `namespace`, `cluster`, or `''` for non-resource paths. */
  scope?: string;
  /** Default `apiserver`. */
  component?: string;
  /** `All` for `?dryRun=All`, default `''`. */
  dryRun?: string;
  /** HTTP status code sent. */
  code: number;
  /** Wall time from request start to response end. */
  seconds: number;
}

/** Options for `ApiMetrics`. */
export interface ApiMetricsOptions {
  /** Register Node's default process metrics on this registry; default true. */
  defaultMetrics?: boolean;
}

/** `readOnly` or `mutating`, the `request_kind` of `apiserver_current_inflight_requests`. */
export type RequestKind = 'readOnly' | 'mutating';

const VALID_VERBS = new Set([
  'APPLY',
  'CONNECT',
  'CREATE',
  'DELETE',
  'DELETECOLLECTION',
  'GET',
  'LIST',
  'PATCH',
  'POST',
  'PROXY',
  'PUT',
  'UPDATE',
  'WATCH',
  'WATCHLIST',
]);

const AUTHZ_VERBS: Readonly<Record<string, string>> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  apply: 'APPLY',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

/** Kubernetes' request-latency buckets (seconds), tuned for its SLOs. */
const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

const REQUEST_LABELS = [
  'verb',
  'dry_run',
  'group',
  'version',
  'resource',
  'subresource',
  'scope',
  'component',
] as const;

/** Normalizes a verb to the value kube-apiserver reports in the `verb` label. */
export function metricVerb(verb: string): string {
  const mapped = AUTHZ_VERBS[verb];
  if (mapped) return mapped;
  const upper = verb.toUpperCase();
  return VALID_VERBS.has(upper) ? upper : 'other';
}

/** The `request_kind` of an HTTP method: GET/HEAD/OPTIONS are read-only, the rest mutating. */
export function requestKind(method: string): RequestKind {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'readOnly' : 'mutating';
}

/**
 * One API server's metrics. Created once per server by the server's constructor; every method
 * is synchronous and cheap except `render`, which serializes the registry for `GET /metrics`.
 */
export class ApiMetrics {
  /** The registry `render` serializes; exposed for tests and for components adding their own series. */
  readonly registry: Registry;
  readonly #requests: Counter<string>;
  readonly #durations: Histogram<string>;
  readonly #inflight: Gauge<string>;
  readonly #watchers: Gauge<string>;
  readonly #storageObjects: Gauge<string>;
  readonly #inflightNow: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };

  /** Builds the metrics on a fresh registry; registers process metrics unless `defaultMetrics: false`. */
  constructor(options: ApiMetricsOptions = {}) {
    this.registry = new Registry();
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...REQUEST_LABELS, 'code'],
      registers,
    });
    this.#durations = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: [...REQUEST_LABELS],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#inflight = new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Number of requests currently being served by this apiserver, per request kind.',
      labelNames: ['request_kind'],
      registers,
    });
    this.#watchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resource.',
      labelNames: ['group', 'version', 'kind'],
      registers,
    });
    this.#storageObjects = new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers,
    });
    this.#inflight.set({ request_kind: 'readOnly' }, 0);
    this.#inflight.set({ request_kind: 'mutating' }, 0);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a finished request and records its duration (call once per request, in `finally`). */
  observeRequest(o: RequestObservation): void {
    const labels = {
      verb: metricVerb(o.verb),
      dry_run: o.dryRun ?? '',
      group: o.group ?? '',
      version: o.version ?? '',
      resource: o.resource ?? '',
      subresource: o.subresource ?? '',
      scope: o.scope ?? '',
      component: o.component ?? 'apiserver',
    };
    this.#requests.inc({ ...labels, code: String(o.code) });
    this.#durations.observe(labels, Math.max(0, o.seconds));
  }

  /** Adjusts the in-flight count by `delta` (+1 at request start, -1 at its end). */
  inflight(delta: number, kind: RequestKind = 'readOnly'): void {
    this.#inflightNow[kind] = Math.max(0, this.#inflightNow[kind] + delta);
    this.#inflight.set({ request_kind: kind }, this.#inflightNow[kind]);
  }

  /** Adjusts the live watch count of one kind by `delta` (+1 when a watch opens, -1 when it ends). */
  watchers(gvk: { group: string; version: string; kind: string }, delta: number): void {
    this.#watchers.inc({ group: gvk.group, version: gvk.version, kind: gvk.kind }, delta);
  }

  /** Sets the stored object count of one resource (`deployments.apps`, `pods`), e.g. after a periodic count. */
  storageObjects(resource: string, count: number): void {
    this.#storageObjects.set({ resource }, count);
  }

  /** Serializes every series in the Prometheus text format for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
