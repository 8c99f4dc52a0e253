/**
 * The runtime state of one upstream cluster in one proxy: its hosts with in-flight counts and
 * outlier-detection state (carried over across config versions by `address:port`), locality
 * priorities, the load balancer, and Envoy's circuit breakers (connections, pending, requests,
 * retries).
 */
import type { Dispatcher } from 'undici';
import type { UpstreamCluster, UpstreamEndpoint } from '../routing/types.ts';
import { type Balancer, leastRequest, maglev, random, ringHash, roundRobin } from './balancer.ts';
import { chooseLevel, localityCovers, type ProxyLocality, priorityOf } from './locality.ts';

/** One endpoint of a cluster, as the balancer and outlier detector see it. */
export class HostState {
  readonly key: string;
  readonly weight: number;
  active = 0;
  consecutive5xx = 0;
  consecutiveGateway = 0;
  /** Epoch ms until which the host is ejected; 0 when not ejected. */
  ejectedUntil = 0;
  ejections = 0;
  priority = 0;
  endpoint: UpstreamEndpoint;
  /** The keep-alive pool to this endpoint, attached on first use (see Upstreams). */
  dispatcher: Dispatcher | undefined;

  constructor(endpoint: UpstreamEndpoint) {
    this.endpoint = endpoint;
    this.key = `${endpoint.address}:${endpoint.port}`;
    this.weight = endpoint.weight ?? 1;
  }

  /** Whether the host is ejected at `now`; an expired ejection ends here. */
  ejected(now: number): boolean {
    if (this.ejectedUntil === 0) return false;
    if (now < this.ejectedUntil) return true;
    this.ejectedUntil = 0;
    this.consecutive5xx = 0;
    this.consecutiveGateway = 0;
    return false;
  }
}

function always(): boolean {
  return true;
}

/** How one attempt on a host ended, for outlier detection. */
export type HostOutcome = { status: number } | { failure: 'connect-failure' | 'reset' | 'timeout' };

/** Result of asking the circuit breakers for a slot. */
export type Admission = 'ok' | 'overflow';

/** Runtime state of one upstream cluster. */
export class ClusterState {
  readonly spec: UpstreamCluster;
  readonly hosts: HostState[];
  private readonly balancer: Balancer<HostState>;
  private readonly me: ProxyLocality;
  inflight = 0;
  retriesActive = 0;
  /** No outlier detection and no locality logic: every host is always a candidate. */
  private readonly simple: boolean;
  private readonly pending: Array<(ok: Admission) => void> = [];

  constructor(spec: UpstreamCluster, me: ProxyLocality, previous?: ClusterState) {
    this.spec = spec;
    this.me = me;
    const old = new Map((previous?.hosts ?? []).map((h) => [h.key, h]));
    this.hosts = spec.endpoints.map((e) => {
      const prev = old.get(`${e.address}:${e.port}`);
      const h = new HostState(e);
      if (prev) {
        h.active = prev.active;
        h.consecutive5xx = prev.consecutive5xx;
        h.consecutiveGateway = prev.consecutiveGateway;
        h.ejectedUntil = prev.ejectedUntil;
        h.ejections = prev.ejections;
      }
      h.priority = priorityOf(e, me, spec.locality);
      return h;
    });
    if (previous) {
      this.inflight = previous.inflight;
      this.retriesActive = previous.retriesActive;
    }
    this.simple = !spec.outlierDetection && !spec.locality.enabled && !spec.locality.distribute;
    const lb = spec.lb;
    if ('consistentHash' in lb) {
      const { algorithm, size } = lb.consistentHash;
      this.balancer = algorithm === 'maglev' ? maglev(this.hosts, size) : ringHash(this.hosts, size);
    } else if (lb.simple === 'ROUND_ROBIN') this.balancer = roundRobin();
    else if (lb.simple === 'RANDOM') this.balancer = random();
    else this.balancer = leastRequest();
  }

  /**
   * Picks a host: not ejected, not in `exclude` (previous attempts) when another is available,
   * inside the chosen locality level. Undefined when no healthy host is left.
   */
  pick(hash: number | undefined, exclude?: ReadonlySet<HostState>): HostState | undefined {
    const hosts = this.hosts;
    if (hosts.length === 0) return undefined;
    if (this.simple) {
      if (exclude && exclude.size > 0) {
        const fresh = this.balancer.pick(hosts, hash, (h) => !exclude.has(h));
        if (fresh) return fresh;
      }
      return this.balancer.pick(hosts, hash, always);
    }
    const now = Date.now();
    let healthy = 0;
    for (const h of hosts) if (!h.ejected(now)) healthy++;
    const od = this.spec.outlierDetection;
    const panic =
      od !== undefined && od.minHealthPercent > 0 && (healthy * 100) / hosts.length < od.minHealthPercent;
    if (healthy === 0 && !panic) return undefined;
    const ok = (h: HostState): boolean => panic || h.ejectedUntil === 0;
    const scope = this.scope(ok);
    const inScope = (h: HostState): boolean => ok(h) && scope(h);
    if (exclude && exclude.size > 0) {
      const fresh = this.balancer.pick(hosts, hash, (h) => inScope(h) && !exclude.has(h));
      if (fresh) return fresh;
      const elsewhere = this.balancer.pick(hosts, hash, (h) => ok(h) && !exclude.has(h));
      if (elsewhere) return elsewhere;
    }
    return this.balancer.pick(hosts, hash, inScope) ?? this.balancer.pick(hosts, hash, ok);
  }

  private scope(ok: (h: HostState) => boolean): (h: HostState) => boolean {
    const loc = this.spec.locality;
    if (loc.distribute && loc.distribute.length > 0) {
      const rule = loc.distribute.find((d) => localityCovers(d.from, this.me));
      if (rule) {
        const targets = Object.entries(rule.to).filter(([p]) =>
          this.hosts.some((h) => ok(h) && localityCovers(p, h.endpoint.locality)),
        );
        const total = targets.reduce((a, [, w]) => a + w, 0);
        let draw = Math.random() * total;
        for (const [pattern, w] of targets) {
          draw -= w;
          if (draw < 0) return (h) => localityCovers(pattern, h.endpoint.locality);
        }
      }
    }
    if (!loc.enabled) return () => true;
    const counts = new Map<number, [number, number]>();
    for (const h of this.hosts) {
      const c = counts.get(h.priority) ?? [0, 0];
      c[1]++;
      if (ok(h)) c[0]++;
      counts.set(h.priority, c);
    }
    if (counts.size <= 1) return () => true;
    const levels = [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([p, [hh, t]]) => [p, hh, t] as const);
    const level = chooseLevel(levels);
    return level === undefined ? () => true : (h) => h.priority === level;
  }

  /** Records an attempt's outcome; ejects the host when it crosses a consecutive-error threshold. */
  record(host: HostState, outcome: HostOutcome): void {
    const od = this.spec.outlierDetection;
    if (!od) return;
    const status = 'status' in outcome ? outcome.status : 503;
    if (status < 500) {
      host.consecutive5xx = 0;
      host.consecutiveGateway = 0;
      return;
    }
    host.consecutive5xx++;
    if (status === 502 || status === 503 || status === 504) host.consecutiveGateway++;
    else host.consecutiveGateway = 0;
    const trip =
      (od.consecutive5xxErrors > 0 && host.consecutive5xx >= od.consecutive5xxErrors) ||
      (od.consecutiveGatewayErrors > 0 && host.consecutiveGateway >= od.consecutiveGatewayErrors);
    if (!trip || host.ejectedUntil !== 0) return;
    const now = Date.now();
    const ejected = this.hosts.filter((h) => h.ejected(now)).length;
    if ((ejected * 100) / this.hosts.length >= od.maxEjectionPercent && ejected > 0) return;
    if (od.maxEjectionPercent <= 0) return;
    host.ejections++;
    host.ejectedUntil = now + od.baseEjectionTimeMs * host.ejections;
    host.consecutive5xx = 0;
    host.consecutiveGateway = 0;
  }

  /** Asks the circuit breakers for a request slot; resolves when a queued request gets one. */
  admit(): Admission | Promise<Admission> {
    const cp = this.spec.connectionPool;
    if (cp.http2MaxRequests !== undefined && this.inflight >= cp.http2MaxRequests) return 'overflow';
    if (cp.maxConnections === undefined || this.inflight < cp.maxConnections) {
      this.inflight++;
      return 'ok';
    }
    if (cp.http1MaxPendingRequests !== undefined && this.pending.length >= cp.http1MaxPendingRequests)
      return 'overflow';
    return new Promise((resolve) => this.pending.push(resolve));
  }

  /** Returns a slot taken by `admit`, handing it to the oldest queued request. */
  release(): void {
    const next = this.pending.shift();
    if (next) next('ok');
    else this.inflight--;
  }

  /** Whether another retry fits under `maxRetries`. */
  canRetry(): boolean {
    const max = this.spec.connectionPool.maxRetries;
    return max === undefined || this.retriesActive < max;
  }
}
