/**
 * Telemetry of one proxy: Istio's standard metrics (`istio_requests_total`,
 * `istio_request_duration_milliseconds`) with Istio's label names on a registry of its own, and
 * one Envoy-like access log line per request. Label sets are cached per combination, so a
 * request costs one map lookup per metric, not a label hash.
 */
import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Exchange, Filter } from './exchange.ts';
import type { ProxyIdentity } from './index.ts';

const LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

/** Istio's duration buckets (ms). */
const BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

type Child = { inc(): void; observe?: (v: number) => void };

/** The metrics of one proxy. */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  private readonly children = new Map<string, [Child, { observe(v: number): void }]>();
  private readonly source: Record<string, string>;

  constructor(identity: ProxyIdentity) {
    this.requests = new Counter({
      name: 'istio_requests_total',
      help: 'Requests processed by the proxy',
      labelNames: LABELS,
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'istio_request_duration_milliseconds',
      help: 'Request duration in milliseconds',
      labelNames: LABELS,
      buckets: BUCKETS,
      registers: [this.registry],
    });
    const labels = identity.labels ?? {};
    this.source = {
      reporter: 'source',
      source_workload: identity.workload || 'unknown',
      source_workload_namespace: identity.namespace || 'unknown',
      source_principal: 'unknown',
      source_app: labels.app ?? identity.workload ?? 'unknown',
      source_version: identity.version ?? labels.version ?? 'unknown',
      source_cluster: identity.cluster || 'unknown',
      request_protocol: 'http',
      grpc_response_status: '',
      connection_security_policy: 'unknown',
    };
  }

  /** Counts one finished request. */
  record(x: Exchange, durationMs: number): void {
    const ep = x.host?.endpoint;
    const svc = x.cluster?.spec;
    const destHost = svc?.host ?? x.destination?.host ?? x.vhost?.service?.host ?? x.passthrough ?? 'unknown';
    const flags = x.flags.length > 0 ? x.flags.join(',') : '-';
    const key = `${x.status}|${flags}|${destHost}|${ep ? `${ep.address}:${ep.port}` : ''}`;
    let pair = this.children.get(key);
    if (!pair) {
      const labels = {
        ...this.source,
        destination_workload: ep?.workload ?? 'unknown',
        destination_workload_namespace: svc?.namespace ?? 'unknown',
        destination_principal: 'unknown',
        destination_app: ep?.labels.app ?? 'unknown',
        destination_version: ep?.labels.version ?? 'unknown',
        destination_service: destHost,
        destination_service_name:
          svc?.serviceName ?? x.vhost?.service?.name ?? (x.passthrough ? 'PassthroughCluster' : 'unknown'),
        destination_service_namespace: svc?.namespace ?? x.vhost?.service?.namespace ?? 'unknown',
        destination_cluster: ep?.cluster || 'unknown',
        response_code: String(x.status),
        response_flags: flags,
      };
      pair = [this.requests.labels(labels), this.duration.labels(labels)];
      if (this.children.size < 10_000) this.children.set(key, pair);
    }
    pair[0].inc();
    pair[1].observe(durationMs);
  }
}

/** The outermost filter: times the request, then records metrics and writes the access log line. */
export function telemetry(metrics: ProxyMetrics, log: Logger | undefined): Filter {
  return (next) => async (x) => {
    try {
      await next(x);
    } finally {
      const duration = performance.now() - x.start;
      if (x.status === 0 && !x.flags.includes('DC')) x.flags.push('DC');
      metrics.record(x, duration);
      if (log?.isLevelEnabled('info')) log.info(accessRecord(x, duration), 'access');
    }
  };
}

function accessRecord(x: Exchange, duration: number): Record<string, unknown> {
  const ep = x.host?.endpoint;
  return {
    start_time: new Date(x.startedAt).toISOString(),
    method: x.method,
    path: x.path + (x.rawQuery ? `?${x.rawQuery}` : ''),
    protocol: `HTTP/${x.req.httpVersion}`,
    response_code: x.status,
    response_flags: x.flags.length > 0 ? x.flags.join(',') : '-',
    bytes_received: x.body?.length ?? 0,
    bytes_sent: x.bytesSent,
    duration: Math.round(duration),
    upstream_service_time: x.upstreamMs,
    x_forwarded_for: x.headers['x-forwarded-for'],
    user_agent: x.req.headers['user-agent'],
    request_id: x.requestId,
    authority: x.authority,
    upstream_host: ep ? `${ep.address}:${ep.port}` : x.passthrough,
    upstream_cluster: x.cluster?.spec.name ?? (x.passthrough ? 'PassthroughCluster' : undefined),
    route_name: x.route?.logName,
    attempts: x.attempts,
  };
}
