/**
 * Istio host names: short names resolve in the rule's namespace, FQDNs stand for themselves,
 * `*.suffix` wildcards cover every name under the suffix and `*` covers every name.
 */
import { CLUSTER_DOMAIN } from '../input.ts';

/**
 * Resolves a host as written in a rule of `namespace` to the name the registry uses:
 * `reviews` → `reviews.default.svc.cluster.local`; `reviews.default` and `reviews.default.svc`
 * are completed when `known` says the full name exists; FQDNs and wildcards stay as they are.
 */
export function resolveHost(host: string, namespace: string, known?: (fqdn: string) => boolean): string {
  const h = host.trim().toLowerCase();
  if (h === '' || h.startsWith('*')) return h;
  if (!h.includes('.')) return `${h}.${namespace}.${CLUSTER_DOMAIN}`;
  if (known && !known(h)) {
    if (h.endsWith('.svc') && known(`${h}.cluster.local`)) return `${h}.cluster.local`;
    if (known(`${h}.${CLUSTER_DOMAIN}`)) return `${h}.${CLUSTER_DOMAIN}`;
  }
  return h;
}

/** Whether `wide` covers `narrow`: equal, `*`, or a `*.suffix` that `narrow` falls under. */
export function hostCovers(wide: string, narrow: string): boolean {
  if (wide === narrow || wide === '*') return true;
  if (!wide.startsWith('*')) return false;
  const suffix = wide.slice(1);
  if (narrow.startsWith('*')) return narrow.slice(1).endsWith(suffix);
  return narrow.endsWith(suffix) && narrow.length > suffix.length;
}

/** The more specific of two intersecting hosts, or undefined when they do not intersect. */
export function hostIntersection(a: string, b: string): string | undefined {
  if (hostCovers(a, b)) return b;
  if (hostCovers(b, a)) return a;
  return undefined;
}

/** Specificity for choosing among covering hosts: exact names beat wildcards; longer suffixes win. */
export function hostSpecificity(host: string): number {
  if (host === '*') return 0;
  if (host.startsWith('*')) return host.length;
  return 1_000_000 + host.length;
}

/** Whether a string is an IPv4 or bracket-less IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-f:.]+$/i.test(host));
}

/**
 * Envoy-style cluster name of one service port and subset:
 * `outbound|9080|v1|reviews.default.svc.cluster.local` (`outbound|9080||…` without a subset).
 */
export function clusterName(port: number, subset: string, host: string): string {
  return `outbound|${port}|${subset}|${host}`;
}
