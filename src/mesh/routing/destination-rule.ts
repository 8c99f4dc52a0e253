/**
 * DestinationRules: which rule applies to a host (exact host before wildcards, several rules for
 * one host merged — first subset definition and first top-level policy win), and the effective
 * traffic policy of one upstream cluster (top level ← port level ← subset ← subset port level,
 * replaced per field group as Istio's MergeTrafficPolicy does).
 */
import type { KubeObject } from '../../api/meta.ts';
import { parseDuration } from './duration.ts';
import { hostCovers, hostSpecificity, resolveHost } from './hosts.ts';
import type { Obj } from './registry.ts';
import type {
  ConnectionPool,
  Diagnostic,
  HashKey,
  LoadBalancer,
  LocalitySettings,
  OutlierDetection,
} from './types.ts';

/** A subset of a DestinationRule. */
export interface Subset {
  labels: Record<string, string>;
  policy?: Obj;
}

/** The merged DestinationRules of one host. */
export interface ResolvedRule {
  host: string;
  policy?: Obj;
  subsets: Map<string, Subset>;
  /** `ns/name` of the rules merged, in order. */
  sources: string[];
}

/** Looks up the merged rule for a service host. */
export type RuleLookup = (host: string) => ResolvedRule | undefined;

/** Indexes DestinationRules (already in config order) by resolved host. */
export function indexDestinationRules(
  rules: readonly KubeObject[],
  known: (fqdn: string) => boolean,
  diags: Diagnostic[],
): RuleLookup {
  const byHost = new Map<string, ResolvedRule>();
  for (const dr of rules) {
    const spec: Obj = dr.spec ?? {};
    const namespace = dr.metadata.namespace ?? 'default';
    const name = dr.metadata.name ?? '';
    const diag = (field: string, message: string): void => {
      diags.push({ kind: 'DestinationRule', namespace, name, field, message });
    };
    if (typeof spec.host !== 'string' || spec.host === '') {
      diag('spec.host', 'host is required');
      continue;
    }
    const host = resolveHost(spec.host, namespace, known);
    let merged = byHost.get(host);
    if (!merged) {
      merged = { host, subsets: new Map(), sources: [] };
      byHost.set(host, merged);
    }
    merged.sources.push(`${namespace}/${name}`);
    if (spec.trafficPolicy && typeof spec.trafficPolicy === 'object' && merged.policy === undefined) {
      merged.policy = spec.trafficPolicy;
    }
    (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((s: Obj, i: number) => {
      if (typeof s?.name !== 'string' || s.name === '') {
        diag(`spec.subsets[${i}].name`, 'subset name is required');
        return;
      }
      if (merged.subsets.has(s.name)) return;
      const subset: Subset = { labels: s.labels && typeof s.labels === 'object' ? { ...s.labels } : {} };
      if (s.trafficPolicy && typeof s.trafficPolicy === 'object') subset.policy = s.trafficPolicy;
      merged.subsets.set(s.name, subset);
    });
    const lb: Obj | undefined = spec.trafficPolicy?.loadBalancer?.localityLbSetting;
    if (lb) checkLocality(lb, diag);
  }
  const wildcards = [...byHost.values()]
    .filter((r) => r.host.startsWith('*'))
    .sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host));
  return (host) => byHost.get(host) ?? wildcards.find((r) => hostCovers(r.host, host));
}

function checkLocality(lb: Obj, diag: (field: string, message: string) => void): void {
  const f = 'spec.trafficPolicy.loadBalancer.localityLbSetting';
  const modes = ['distribute', 'failover', 'failoverPriority'].filter(
    (k) => Array.isArray(lb[k]) && lb[k].length > 0,
  );
  if (modes.length > 1)
    diag(f, `only one of distribute, failover or failoverPriority may be set (got ${modes})`);
  (Array.isArray(lb.distribute) ? lb.distribute : []).forEach((d: Obj, i: number) => {
    const total = Object.values(d?.to ?? {}).reduce((a: number, w) => a + Number(w), 0);
    if (total !== 100) diag(`${f}.distribute[${i}].to`, `total locality weight ${total} != 100`);
  });
}

function forPort(policy: Obj | undefined, port: number): Obj | undefined {
  if (!policy) return undefined;
  const pls: Obj[] = Array.isArray(policy.portLevelSettings) ? policy.portLevelSettings : [];
  const hit = pls.find((p) => p?.port?.number === port);
  if (!hit) return policy;
  const out: Obj = { ...policy };
  for (const k of ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls']) if (hit[k]) out[k] = hit[k];
  return out;
}

/** The policy in effect for `port` of a host, optionally narrowed to a subset. */
export function effectivePolicy(rule: ResolvedRule | undefined, port: number, subset: string): Obj {
  const out: Obj = { ...(forPort(rule?.policy, port) ?? {}) };
  const sub = subset ? forPort(rule?.subsets.get(subset)?.policy, port) : undefined;
  if (sub)
    for (const k of ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'])
      if (sub[k]) out[k] = sub[k];
  return out;
}

function ms(v: unknown, dflt: number): number {
  return parseDuration(v) ?? dflt;
}

/** The load balancer of a policy (LEAST_REQUEST when unset, as Istio's `defaultLBAlgorithm`). */
export function loadBalancer(policy: Obj): LoadBalancer {
  const lb: Obj = policy.loadBalancer ?? {};
  const ch: Obj | undefined = lb.consistentHash;
  if (ch && typeof ch === 'object') {
    let key: HashKey;
    if (typeof ch.httpHeaderName === 'string') key = { header: ch.httpHeaderName.toLowerCase() };
    else if (ch.httpCookie?.name) {
      const ttlMs = parseDuration(ch.httpCookie.ttl);
      key = {
        cookie: {
          name: String(ch.httpCookie.name),
          ...(ch.httpCookie.path ? { path: String(ch.httpCookie.path) } : {}),
          ...(ttlMs !== undefined && ttlMs > 0 ? { ttlMs } : {}),
        },
      };
    } else if (typeof ch.httpQueryParameterName === 'string')
      key = { queryParameter: ch.httpQueryParameterName };
    else key = { sourceIp: true };
    const maglev = ch.maglev !== undefined;
    const size = maglev
      ? Number(ch.maglev?.tableSize ?? 65537)
      : Number(ch.ringHash?.minimumRingSize ?? ch.minimumRingSize ?? 1024);
    return { consistentHash: { key, algorithm: maglev ? 'maglev' : 'ringHash', size } };
  }
  const simple = String(lb.simple ?? 'LEAST_REQUEST').toUpperCase();
  if (simple === 'ROUND_ROBIN' || simple === 'RANDOM' || simple === 'PASSTHROUGH') return { simple };
  return { simple: 'LEAST_REQUEST' };
}

/** Outlier detection with Envoy's defaults filled in; undefined when the policy sets none. */
export function outlierDetection(policy: Obj): OutlierDetection | undefined {
  const od: Obj | undefined = policy.outlierDetection;
  if (!od || typeof od !== 'object') return undefined;
  const num = (v: unknown, d: number): number => (typeof v === 'number' && v >= 0 ? v : d);
  const consecutive5xx = od.consecutive5xxErrors ?? od.consecutiveErrors;
  return {
    consecutive5xxErrors: num(consecutive5xx, 5),
    consecutiveGatewayErrors: num(od.consecutiveGatewayErrors, 0),
    intervalMs: ms(od.interval, 10_000),
    baseEjectionTimeMs: ms(od.baseEjectionTime, 30_000),
    maxEjectionPercent: num(od.maxEjectionPercent, 10),
    minHealthPercent: num(od.minHealthPercent, 0),
  };
}

/** Connection pool limits; unset fields stay unlimited. */
export function connectionPool(policy: Obj): ConnectionPool {
  const tcp: Obj = policy.connectionPool?.tcp ?? {};
  const http: Obj = policy.connectionPool?.http ?? {};
  const out: ConnectionPool = { connectTimeoutMs: ms(tcp.connectTimeout, 10_000) };
  const pos = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  const set = (k: keyof ConnectionPool, v: number | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('maxConnections', pos(tcp.maxConnections));
  set('http1MaxPendingRequests', pos(http.http1MaxPendingRequests));
  set('http2MaxRequests', pos(http.http2MaxRequests));
  set('maxRequestsPerConnection', pos(http.maxRequestsPerConnection));
  set('maxRetries', pos(http.maxRetries));
  const idle = parseDuration(http.idleTimeout ?? tcp.idleTimeout);
  if (idle !== undefined && idle > 0) set('idleTimeoutMs', idle);
  return out;
}

/**
 * Locality settings: Istio's mesh default is `enabled: true`, but priorities (failover) take
 * effect only with outlier detection, so `enabled` here is that conjunction.
 */
export function localitySettings(policy: Obj, outlier: OutlierDetection | undefined): LocalitySettings {
  const l: Obj = policy.loadBalancer?.localityLbSetting ?? {};
  const on = l.enabled !== false;
  const out: LocalitySettings = { enabled: on && outlier !== undefined };
  if (on && Array.isArray(l.distribute) && l.distribute.length > 0) {
    out.distribute = l.distribute.map((d: Obj) => ({ from: String(d.from ?? '*'), to: { ...(d.to ?? {}) } }));
  } else if (Array.isArray(l.failover) && l.failover.length > 0) {
    out.failover = l.failover.map((f: Obj) => ({ from: String(f.from ?? ''), to: String(f.to ?? '') }));
  } else if (Array.isArray(l.failoverPriority) && l.failoverPriority.length > 0) {
    out.failoverPriority = l.failoverPriority.map(String);
  }
  return out;
}
