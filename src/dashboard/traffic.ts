/**
 * The traffic view's arithmetic: scrapes of the mesh's `istio_requests_total` counters go in,
 * request and error rates per edge (workload@cluster → workload@cluster) and each service's split
 * across versions and clusters come out. Rates are counter increases over a sliding window, with
 * counter resets handled as Prometheus' `rate()` does; a series first seen after the first scrape
 * counts from zero, so traffic to a new destination shows at once. Pure: the caller supplies the
 * clock with every scrape.
 */
import type { Sample } from './prometheus.ts';

/** The counter Istio's proxies report one increment per request on. */
export const REQUESTS_METRIC = 'istio_requests_total';

/** A workload in one cluster, as the proxies' labels name it. */
export interface TrafficNode {
  /** `workload@cluster`. */
  id: string;
  workload: string;
  namespace: string;
  cluster: string;
  app?: string | undefined;
  version?: string | undefined;
  /** `gateway` for an ingress gateway, `unknown` when the proxy could not tell. */
  role: 'workload' | 'gateway' | 'unknown';
}

/** Requests from one node to another through one service, over the window. */
export interface TrafficEdge {
  id: string;
  from: string;
  to: string;
  service: string;
  /** Requests per second over the window. */
  rps: number;
  /** 5xx (and connection failures, code 0) per second over the window. */
  errorRps: number;
  /** Requests counted since the proxies started. */
  total: number;
  errorTotal: number;
}

/** One version-in-a-cluster's share of a service's requests. */
export interface SplitPart {
  version: string;
  cluster: string;
  workload: string;
  rps: number;
  /** Of the service's rps over the window, 0..1 (0 when the service has no traffic now). */
  share: number;
  total: number;
  /** Of the service's requests since the proxies started, 0..1. */
  totalShare: number;
}

/** How a service's requests divide across its versions and clusters. */
export interface ServiceSplit {
  service: string;
  namespace: string;
  rps: number;
  total: number;
  parts: SplitPart[];
}

/** What the traffic view draws. */
export interface TrafficView {
  windowSeconds: number;
  /** Time of the last scrape (ISO), if any. */
  scrapedAt?: string | undefined;
  /** Scrapes seen so far; rates need two. */
  scrapes: number;
  nodes: TrafficNode[];
  edges: TrafficEdge[];
  services: ServiceSplit[];
}

interface Point {
  at: number;
  value: number;
}

interface Series {
  labels: Readonly<Record<string, string>>;
  points: Point[];
}

/** Options for {@link TrafficTracker}. */
export interface TrafficTrackerOptions {
  /** Width of the rate window; default 10 s. */
  windowMs?: number;
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function label(labels: Readonly<Record<string, string>>, name: string): string {
  const v = labels[name];
  return v === undefined || v === '' ? 'unknown' : v;
}

function isError(code: string | undefined): boolean {
  return code === undefined || code === '0' || code.startsWith('5');
}

/** Counter increase across points, a drop meaning a reset to zero. */
function increase(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1] as Point;
    const cur = points[i] as Point;
    sum += cur.value >= prev.value ? cur.value - prev.value : cur.value;
  }
  return sum;
}

/** Per-second increase between the first and last point; 0 with fewer than two points. */
function rate(points: readonly Point[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  const span = first && last ? (last.at - first.at) / 1000 : 0;
  return span > 0 ? increase(points) / span : 0;
}

function role(workload: string): TrafficNode['role'] {
  if (workload === 'unknown') return 'unknown';
  return /ingressgateway|gateway/.test(workload) ? 'gateway' : 'workload';
}

/** Keeps recent `istio_requests_total` samples and turns them into a {@link TrafficView}. */
export class TrafficTracker {
  readonly #windowMs: number;
  readonly #series = new Map<string, Series>();
  #lastAt: number | undefined;
  #scrapes = 0;

  constructor(options: TrafficTrackerOptions = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
  }

  /** Records one scrape taken at `at` (ms); samples of other metrics are ignored. */
  observe(at: number, samples: readonly Sample[]): void {
    const previous = this.#lastAt;
    for (const s of samples) {
      if (s.name !== REQUESTS_METRIC || !Number.isFinite(s.value)) continue;
      const key = seriesKey(s.labels);
      let series = this.#series.get(key);
      if (!series) {
        series = { labels: s.labels, points: previous === undefined ? [] : [{ at: previous, value: 0 }] };
        this.#series.set(key, series);
      }
      series.points.push({ at, value: s.value });
    }
    this.#lastAt = at;
    this.#scrapes++;
    const horizon = at - this.#windowMs;
    for (const [key, series] of this.#series) {
      // Keep the newest point at or before the horizon, so the window's first delta is whole.
      let drop = 0;
      while (drop + 1 < series.points.length && (series.points[drop + 1] as Point).at <= horizon) drop++;
      if (drop > 0) series.points.splice(0, drop);
      const last = series.points[series.points.length - 1];
      if (!last || last.at <= horizon) this.#series.delete(key);
    }
  }

  /** The current view. */
  view(): TrafficView {
    const nodes = new Map<string, TrafficNode>();
    const node = (labels: Readonly<Record<string, string>>, side: 'source' | 'destination') => {
      const workload = label(labels, `${side}_workload`);
      const cluster = label(labels, `${side}_cluster`);
      const id = `${workload}@${cluster}`;
      if (!nodes.has(id)) {
        nodes.set(id, {
          id,
          workload,
          namespace: label(labels, `${side}_workload_namespace`),
          cluster,
          app: labels[`${side}_app`] ?? labels[`${side}_canonical_service`],
          version: labels[`${side}_version`] ?? labels[`${side}_canonical_revision`],
          role: role(workload),
        });
      }
      return id;
    };

    // One request is reported by both ends' proxies; per edge, the destination's report wins.
    type Group = { labels: Readonly<Record<string, string>>; series: Series[]; destination: boolean };
    const groups = new Map<string, Group>();
    for (const series of this.#series.values()) {
      const l = series.labels;
      const key = [
        label(l, 'source_workload'),
        label(l, 'source_cluster'),
        label(l, 'destination_workload'),
        label(l, 'destination_cluster'),
        label(l, 'destination_service_name'),
        label(l, 'destination_service_namespace'),
      ].join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = { labels: l, series: [], destination: false };
        groups.set(key, group);
      }
      group.series.push(series);
      if (l.reporter === 'destination') group.destination = true;
    }

    const edges = new Map<string, TrafficEdge>();
    const splits = new Map<string, ServiceSplit>();
    for (const group of groups.values()) {
      const counted = group.series.filter((s) => !group.destination || s.labels.reporter === 'destination');
      const from = node(group.labels, 'source');
      const to = node(group.labels, 'destination');
      const service = label(group.labels, 'destination_service_name');
      const namespace = label(group.labels, 'destination_service_namespace');
      const id = `${from}->${to}:${service}`;
      const edge = edges.get(id) ?? {
        id,
        from,
        to,
        service,
        rps: 0,
        errorRps: 0,
        total: 0,
        errorTotal: 0,
      };
      let rps = 0;
      let errorRps = 0;
      let total = 0;
      let errorTotal = 0;
      for (const s of counted) {
        const r = rate(s.points);
        const t = s.points[s.points.length - 1]?.value ?? 0;
        rps += r;
        total += t;
        if (isError(s.labels.response_code)) {
          errorRps += r;
          errorTotal += t;
        }
      }
      edge.rps += rps;
      edge.errorRps += errorRps;
      edge.total += total;
      edge.errorTotal += errorTotal;
      edges.set(id, edge);

      const splitKey = `${namespace}/${service}`;
      const split = splits.get(splitKey) ?? { service, namespace, rps: 0, total: 0, parts: [] };
      splits.set(splitKey, split);
      const version = label(group.labels, 'destination_version');
      const cluster = label(group.labels, 'destination_cluster');
      const workload = label(group.labels, 'destination_workload');
      let part = split.parts.find((p) => p.version === version && p.cluster === cluster);
      if (!part) {
        part = { version, cluster, workload, rps: 0, share: 0, total: 0, totalShare: 0 };
        split.parts.push(part);
      }
      part.rps += rps;
      part.total += total;
      split.rps += rps;
      split.total += total;
    }
    for (const split of splits.values()) {
      for (const p of split.parts) {
        p.share = split.rps > 0 ? p.rps / split.rps : 0;
        p.totalShare = split.total > 0 ? p.total / split.total : 0;
      }
      split.parts.sort((a, b) => a.version.localeCompare(b.version) || a.cluster.localeCompare(b.cluster));
    }
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    return {
      windowSeconds: this.#windowMs / 1000,
      scrapedAt: this.#lastAt === undefined ? undefined : new Date(this.#lastAt).toISOString(),
      scrapes: this.#scrapes,
      nodes: [...nodes.values()].sort(byId),
      edges: [...edges.values()].sort(byId),
      services: [...splits.values()].sort(
        (a, b) => a.namespace.localeCompare(b.namespace) || a.service.localeCompare(b.service),
      ),
    };
  }
}
