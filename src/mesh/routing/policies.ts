/**
 * The per-route policies of an HTTPRoute — retries (Istio's defaults when unset), fault
 * injection, CORS and header operations — parsed from the VirtualService JSON.
 */
import { parseDuration } from './duration.ts';
import { type Report, stringMatch } from './match.ts';
import type { Obj } from './registry.ts';
import type {
  CorsPolicy,
  FaultPolicy,
  HeaderOps,
  HeaderPolicy,
  RetryPolicy,
  StringMatcher,
} from './types.ts';

/** Istio's default retry policy (route/retry/retry.go): 2 retries on connect-level failures and 503. */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    attempts: 2,
    retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'],
    retriableStatusCodes: [503],
    ignorePreviousHosts: true,
    backoffMs: 25,
  };
}

const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/** Parses `retries`; undefined input gives Istio's defaults; attempts 0 or unset disables retries. */
export function retryPolicy(r: unknown, field: string, report: Report): RetryPolicy {
  const policy = defaultRetryPolicy();
  if (r === undefined || r === null) return policy;
  if (typeof r !== 'object') {
    report(field, 'must be an object');
    return policy;
  }
  const o = r as Obj;
  // Istio's ConvertPolicy: a `retries` block without attempts (0) disables retries.
  if (o.attempts !== undefined && (!Number.isInteger(o.attempts) || o.attempts < 0)) {
    report(`${field}.attempts`, 'attempts must be >= 0');
  } else policy.attempts = o.attempts ?? 0;
  if (o.perTryTimeout !== undefined) {
    const ms = parseDuration(o.perTryTimeout);
    if (ms === undefined)
      report(`${field}.perTryTimeout`, `invalid duration ${JSON.stringify(o.perTryTimeout)}`);
    else if (ms > 0) policy.perTryTimeoutMs = ms;
  }
  if (typeof o.retryOn === 'string' && o.retryOn.trim() !== '') {
    const on: string[] = [];
    const codes: number[] = [];
    for (const token of o.retryOn
      .split(',')
      .map((t: string) => t.trim())
      .filter(Boolean)) {
      if (/^\d{3}$/.test(token)) codes.push(Number(token));
      else if (RETRY_ON.has(token)) on.push(token);
      else report(`${field}.retryOn`, `unknown retry condition ${JSON.stringify(token)}`);
    }
    if (codes.length > 0 && !on.includes('retriable-status-codes')) on.push('retriable-status-codes');
    policy.retryOn = on;
    policy.retriableStatusCodes = codes;
  }
  if (o.retryIgnorePreviousHosts === false) policy.ignorePreviousHosts = false;
  const backoff = parseDuration(o.backoff);
  if (backoff !== undefined && backoff > 0) policy.backoffMs = backoff;
  return policy;
}

function percent(o: Obj | undefined): number {
  if (typeof o?.percentage?.value === 'number') return Math.max(0, Math.min(100, o.percentage.value));
  if (typeof o?.percent === 'number') return Math.max(0, Math.min(100, o.percent));
  return 0;
}

/** Parses `fault`; a missing percentage faults no request (Istio's translation of an unset percent). */
export function faultPolicy(f: unknown, field: string, report: Report): FaultPolicy | undefined | null {
  if (f === undefined || f === null) return undefined;
  const o = f as Obj;
  const out: FaultPolicy = {};
  if (o.delay) {
    const ms = parseDuration(o.delay.fixedDelay ?? o.delay.exponentialDelay);
    if (ms === undefined) {
      report(`${field}.delay.fixedDelay`, 'a delay needs fixedDelay');
      return null;
    }
    out.delay = { fixedDelayMs: ms, percent: percent(o.delay) };
  }
  if (o.abort) {
    const status = o.abort.httpStatus;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      report(
        `${field}.abort.httpStatus`,
        o.abort.grpcStatus ? 'grpcStatus aborts are not supported' : 'httpStatus must be 200..599',
      );
      return null;
    }
    out.abort = { httpStatus: status, percent: percent(o.abort) };
  }
  if (!out.delay && !out.abort) {
    report(field, 'delay or abort is required');
    return null;
  }
  return out;
}

function strings(v: unknown, lower = false): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x) => typeof x === 'string').map((x) => (lower ? x.toLowerCase() : x));
}

/** Parses `corsPolicy`; `allowOrigin` (deprecated) strings become exact matches. */
export function corsPolicy(c: unknown, field: string, report: Report): CorsPolicy | undefined | null {
  if (c === undefined || c === null) return undefined;
  const o = c as Obj;
  const origins: StringMatcher[] = [];
  let ok = true;
  (Array.isArray(o.allowOrigins) ? o.allowOrigins : []).forEach((m: unknown, i: number) => {
    const s = stringMatch(m, `${field}.allowOrigins[${i}]`, (f, msg) => {
      ok = false;
      report(f, msg);
    });
    if (s) origins.push(s);
  });
  for (const s of strings(o.allowOrigin)) origins.push(s === '*' ? { regex: '.*' } : { exact: s });
  if (!ok) return null;
  const out: CorsPolicy = {
    allowOrigins: origins,
    allowMethods: strings(o.allowMethods),
    allowHeaders: strings(o.allowHeaders),
    exposeHeaders: strings(o.exposeHeaders),
    unmatchedPreflights: o.unmatchedPreflights === 'IGNORE' ? 'IGNORE' : 'FORWARD',
  };
  const maxAge = parseDuration(o.maxAge);
  if (maxAge !== undefined) out.maxAge = Math.floor(maxAge / 1000);
  if (typeof o.allowCredentials === 'boolean') out.allowCredentials = o.allowCredentials;
  return out;
}

function ops(v: unknown): HeaderOps | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Obj;
  const out: HeaderOps = {};
  const map = (m: unknown): Record<string, string> | undefined => {
    if (!m || typeof m !== 'object') return undefined;
    const r: Record<string, string> = {};
    for (const [k, val] of Object.entries(m as Obj)) r[k.toLowerCase()] = String(val);
    return Object.keys(r).length > 0 ? r : undefined;
  };
  const set = map(o.set);
  const add = map(o.add);
  const remove = strings(o.remove, true);
  if (set) out.set = set;
  if (add) out.add = add;
  if (remove.length > 0) out.remove = remove;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Parses `headers: {request, response}` of a route or destination. */
export function headerPolicy(h: unknown): HeaderPolicy | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const out: HeaderPolicy = {};
  const request = ops((h as Obj).request);
  const response = ops((h as Obj).response);
  if (request) out.request = request;
  if (response) out.response = response;
  return Object.keys(out).length > 0 ? out : undefined;
}
