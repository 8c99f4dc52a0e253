/**
 * The header names the Bookinfo services forward on outbound calls (upstream
 * `headers_to_propagate` in reviews and `getForwardHeaders` in productpage).
 */

/** B3 tracing headers; productpage re-emits them (upstream via OpenTelemetry's B3 propagator). */
export const B3_HEADERS = [
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
] as const;

/** Headers productpage copies verbatim from the incoming request when present. */
export const PRODUCTPAGE_COPIED_HEADERS = [
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
] as const;

/** Headers reviews forwards to ratings, in upstream order (includes `end-user`). */
export const REVIEWS_FORWARDED_HEADERS = [
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  ...B3_HEADERS,
  'sw8',
  'end-user',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
] as const;
