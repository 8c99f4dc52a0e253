/**
 * Telemetry of one proxy: Istio's standard metrics (`istio_requests_total`,
 * `istio_request_duration_milliseconds`) with Istio's label names on a registry of its own, and
 * one Envoy-like access log line per request.
 */
import type { Logger } from 'pino';
import { type Metric, Registry } from 'prom-client';
import type { Exchange, Filter } from './exchange.ts';
import type { ProxyIdentity } from './index.ts';

/** Istio's duration buckets (ms). */
const BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

interface Series {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  buckets: Float64Array;
}

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * The metrics of one proxy. Series are plain counters updated in place per request and turned
 * into prom-client's exposition only when scraped (prom-client's own label children hash their
 * label set on every increment, which showed in the proxy's CPU profile).
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly series = new Map<string, Series>();
  private readonly source: Record<string, string>;

  constructor(identity: ProxyIdentity) {
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
    const all = (): Series[] => [...this.series.values()];
    const counter = {
      name: 'istio_requests_total',
      help: 'Requests processed by the proxy',
      type: 'counter',
      get: () => ({
        ...counter,
        aggregator: 'sum',
        values: all().map((x) => ({ labels: x.labels, value: x.count })),
      }),
      reset: () => this.series.clear(),
    };
    const histogram = {
      name: 'istio_request_duration_milliseconds',
      help: 'Request duration in milliseconds',
      type: 'histogram',
      get: () => ({ ...histogram, aggregator: 'sum', values: all().flatMap(histogramValues) }),
      reset: () => this.series.clear(),
    };
    this.registry.registerMetric(counter as unknown as Metric);
    this.registry.registerMetric(histogram as unknown as Metric);
  }

  /** Counts one finished request. */
  record(x: Exchange, durationMs: number): void {
    const ep = x.host?.endpoint;
    const svc = x.cluster?.spec;
    const destHost = svc?.host ?? x.destination?.host ?? x.vhost?.service?.host ?? x.passthrough ?? 'unknown';
    const flags = x.flags.length > 0 ? x.flags.join(',') : '-';
    const key = `${x.status}|${flags}|${destHost}|${ep ? ep.address : ''}|${ep ? ep.port : ''}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: {
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
        },
        count: 0,
        sum: 0,
        buckets: new Float64Array(BUCKETS.length + 1),
      };
      if (this.series.size < 10_000) this.series.set(key, series);
    }
    series.count++;
    series.sum += durationMs;
    let i = 0;
    while (i < BUCKETS.length && durationMs > (BUCKETS[i] as number)) i++;
    series.buckets[i] = (series.buckets[i] ?? 0) + 1;
  }
}

function histogramValues(x: Series): MetricValue[] {
  const out: MetricValue[] = [];
  let acc = 0;
  for (let i = 0; i <= BUCKETS.length; i++) {
    acc += x.buckets[i] as number;
    out.push({
      metricName: 'istio_request_duration_milliseconds_bucket',
      labels: { ...x.labels, le: i < BUCKETS.length ? (BUCKETS[i] as number) : '+Inf' },
      value: acc,
    });
  }
  out.push({ metricName: 'istio_request_duration_milliseconds_sum', labels: x.labels, value: x.sum });
  out.push({ metricName: 'istio_request_duration_milliseconds_count', labels: x.labels, value: x.count });
  return out;
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
