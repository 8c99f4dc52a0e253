/**
 * Locality priorities (Envoy priorities as Istio programs them): P0 the proxy's own
 * region/zone/subzone and cluster, then the same subzone in another cluster, the same zone, the
 * same region, a `failover` target region, everything else — or by `failoverPriority` labels.
 * Traffic spills to the next level as a level's healthy share drops (overprovisioning 1.4).
 */
import type { LocalitySettings, UpstreamEndpoint } from '../routing/types.ts';

/** Where the proxy runs. */
export interface ProxyLocality {
  cluster: string;
  region?: string;
  zone?: string;
  subzone?: string;
  labels: Record<string, string>;
}

/** The priority level (0 = most preferred) of an endpoint for a proxy. */
export function priorityOf(ep: UpstreamEndpoint, me: ProxyLocality, s: LocalitySettings): number {
  if (!s.enabled) return 0;
  if (s.failoverPriority && s.failoverPriority.length > 0) {
    let n = 0;
    for (const entry of s.failoverPriority) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      const want = eq < 0 ? me.labels[key] : entry.slice(eq + 1);
      if (want === undefined || ep.labels[key] !== want) break;
      n++;
    }
    return s.failoverPriority.length - n;
  }
  const loc = ep.locality ?? {};
  const sameRegion = (loc.region ?? '') === (me.region ?? '');
  const sameZone = sameRegion && (loc.zone ?? '') === (me.zone ?? '');
  const sameSubzone = sameZone && (loc.subzone ?? '') === (me.subzone ?? '');
  const sameCluster = me.cluster === '' || ep.cluster === '' || ep.cluster === me.cluster;
  if (sameSubzone) return sameCluster ? 0 : 1;
  if (sameZone) return 2;
  if (sameRegion) return 3;
  if (s.failover?.some((f) => f.from === (me.region ?? '') && f.to === (loc.region ?? ''))) return 4;
  return 5;
}

/** Envoy's overprovisioning factor: a level with ≥ 1/1.4 of its hosts healthy takes all traffic. */
const OVERPROVISION = 1.4;

/**
 * Chooses a priority level given per-level [healthy, total] counts (levels ascending), the way
 * Envoy spreads load: each level takes min(1, healthy/total × 1.4) of what is left.
 */
export function chooseLevel(
  levels: ReadonlyArray<readonly [number, number, number]>,
  draw = Math.random(),
): number | undefined {
  let remaining = 1;
  let acc = 0;
  let last: number | undefined;
  for (const [level, healthy, total] of levels) {
    if (healthy === 0 || total === 0) continue;
    last = level;
    const share = remaining * Math.min(1, (healthy / total) * OVERPROVISION);
    acc += share;
    remaining -= share;
    if (draw < acc) return level;
    if (remaining <= 1e-9) return level;
  }
  return last;
}

/** Whether a `distribute` locality pattern (`region/zone/*`) covers a locality. */
export function localityCovers(
  pattern: string,
  loc: { region?: string; zone?: string; subzone?: string } | undefined,
): boolean {
  const want = pattern.split('/');
  const have = [loc?.region ?? '', loc?.zone ?? '', loc?.subzone ?? ''];
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*') return true;
    if (want[i] !== have[i]) return false;
  }
  return true;
}
