import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseExposition } from './prometheus.ts';
import { TrafficTracker } from './traffic.ts';

interface Flow {
  from: string;
  fromCluster: string;
  to: string;
  toCluster: string;
  service: string;
  version: string;
  code?: string;
  reporter?: string;
  count: number;
}

/** Exposition text as a proxy serves it, one `istio_requests_total` line per flow. */
function exposition(flows: readonly Flow[]): string {
  const lines = ['# HELP istio_requests_total Total requests.', '# TYPE istio_requests_total counter'];
  for (const f of flows) {
    lines.push(
      `istio_requests_total{reporter="${f.reporter ?? 'destination'}",source_workload="${f.from}",source_workload_namespace="default",source_cluster="${f.fromCluster}",source_app="${f.from.replace(/-v\d+$/, '')}",source_version="v1",destination_workload="${f.to}",destination_workload_namespace="default",destination_app="${f.service}",destination_version="${f.version}",destination_service="${f.service}.default.svc.cluster.local",destination_service_name="${f.service}",destination_service_namespace="default",destination_cluster="${f.toCluster}",request_protocol="http",response_code="${f.code ?? '200'}",response_flags="-"} ${f.count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** productpage@member1 calling reviews v1/v2/v3 in both clusters, `n` requests to each. */
function reviews(n: number): Flow[] {
  const flows: Flow[] = [];
  for (const cluster of ['member1', 'member2']) {
    for (const version of ['v1', 'v2', 'v3']) {
      flows.push({
        from: 'productpage-v1',
        fromCluster: 'member1',
        to: `reviews-${version}`,
        toCluster: cluster,
        service: 'reviews',
        version,
        count: n,
      });
    }
  }
  return flows;
}

function scrape(tracker: TrafficTracker, at: number, flows: readonly Flow[]): void {
  const parsed = parseExposition(exposition(flows));
  assert.deepEqual(parsed.errors, []);
  tracker.observe(at, parsed.samples);
}

describe('traffic: rates from istio_requests_total', () => {
  it("shows the seed's 1:1:1 reviews split across versions and clusters", () => {
    const t = new TrafficTracker({ windowMs: 10_000 });
    for (let i = 0; i <= 5; i++) scrape(t, i * 2000, reviews(i * 10));
    const view = t.view();
    const split = view.services.find((s) => s.service === 'reviews');
    assert.ok(split);
    assert.equal(split.parts.length, 6);
    // 10 requests per 2 s scrape to each of 6 destinations: 5 rps each, 30 rps in all.
    assert.ok(Math.abs(split.rps - 30) < 1e-9, String(split.rps));
    for (const p of split.parts) {
      assert.ok(Math.abs(p.rps - 5) < 1e-9, `${p.workload}@${p.cluster}: ${p.rps}`);
      assert.ok(Math.abs(p.share - 1 / 6) < 1e-9);
      assert.ok(Math.abs(p.totalShare - 1 / 6) < 1e-9);
    }
    const perVersion = ['v1', 'v2', 'v3'].map((v) =>
      split.parts.filter((p) => p.version === v).reduce((s, p) => s + p.share, 0),
    );
    for (const share of perVersion) assert.ok(Math.abs(share - 1 / 3) < 1e-9);

    assert.deepEqual(
      view.nodes.map((n) => n.id),
      [
        'productpage-v1@member1',
        'reviews-v1@member1',
        'reviews-v1@member2',
        'reviews-v2@member1',
        'reviews-v2@member2',
        'reviews-v3@member1',
        'reviews-v3@member2',
      ],
    );
    const cross = view.edges.find((e) => e.id === 'productpage-v1@member1->reviews-v3@member2:reviews');
    assert.equal(cross?.total, 50);
    assert.equal(cross?.errorRps, 0);
  });

  it('needs two scrapes for a rate, and a destination first seen later counts from zero', () => {
    const t = new TrafficTracker();
    const flow = (count: number, to = 'details-v1'): Flow => ({
      from: 'productpage-v1',
      fromCluster: 'member1',
      to,
      toCluster: 'member2',
      service: 'details',
      version: 'v1',
      count,
    });
    scrape(t, 0, [flow(100)]);
    assert.equal(t.view().edges[0]?.rps, 0);
    assert.equal(t.view().edges[0]?.total, 100);
    scrape(t, 1000, [flow(104), flow(3, 'details-v2')]);
    const edges = t.view().edges;
    assert.equal(edges.find((e) => e.to === 'details-v1@member2')?.rps, 4);
    assert.equal(edges.find((e) => e.to === 'details-v2@member2')?.rps, 3);
  });

  it('treats a counter that drops as a restarted proxy (reset to zero)', () => {
    const t = new TrafficTracker();
    const flow = (count: number): Flow => ({
      from: 'istio-ingressgateway',
      fromCluster: 'member1',
      to: 'productpage-v1',
      toCluster: 'member1',
      service: 'productpage',
      version: 'v1',
      count,
    });
    scrape(t, 0, [flow(50)]);
    scrape(t, 1000, [flow(60)]);
    scrape(t, 2000, [flow(4)]);
    // 10 then 4 requests over 2 s.
    assert.equal(t.view().edges[0]?.rps, 7);
    assert.equal(t.view().nodes.find((n) => n.workload === 'istio-ingressgateway')?.role, 'gateway');
  });

  it('counts a request reported by both proxies once, and 5xx as errors', () => {
    const t = new TrafficTracker();
    const flows = (ok: number, failed: number): Flow[] =>
      ['source', 'destination'].flatMap((reporter) => [
        {
          from: 'reviews-v2',
          fromCluster: 'member1',
          to: 'ratings-v1',
          toCluster: 'member2',
          service: 'ratings',
          version: 'v1',
          reporter,
          count: ok,
        },
        {
          from: 'reviews-v2',
          fromCluster: 'member1',
          to: 'ratings-v1',
          toCluster: 'member2',
          service: 'ratings',
          version: 'v1',
          reporter,
          code: '503',
          count: failed,
        },
      ]);
    scrape(t, 0, flows(0, 0));
    scrape(t, 2000, flows(18, 2));
    const edge = t.view().edges[0];
    assert.equal(t.view().edges.length, 1);
    assert.equal(edge?.rps, 10);
    assert.equal(edge?.errorRps, 1);
    assert.equal(edge?.errorTotal, 2);
  });

  it('forgets series that stopped reporting for longer than the window', () => {
    const t = new TrafficTracker({ windowMs: 4000 });
    const flow: Flow = {
      from: 'productpage-v1',
      fromCluster: 'member1',
      to: 'details-v1',
      toCluster: 'member2',
      service: 'details',
      version: 'v1',
      count: 5,
    };
    scrape(t, 0, [flow]);
    scrape(t, 2000, [flow]);
    assert.equal(t.view().edges.length, 1);
    assert.equal(t.view().edges[0]?.rps, 0);
    scrape(t, 4000, []);
    scrape(t, 6100, []);
    assert.equal(t.view().edges.length, 0);
    assert.equal(t.view().scrapes, 4);
  });

  it('reads the fixture scrape: 14 requests reviews-v2@member2, 2 of them 503', async () => {
    const t = new TrafficTracker();
    const text = await readFile(join(import.meta.dirname, 'testdata/istio-proxy.prom'), 'utf8');
    t.observe(0, parseExposition(text).samples);
    const view = t.view();
    assert.equal(view.edges.length, 1);
    assert.equal(view.edges[0]?.total, 14);
    assert.equal(view.edges[0]?.errorTotal, 2);
    assert.deepEqual(
      view.services.map((s) => [s.service, s.parts.map((p) => `${p.version}@${p.cluster}`)]),
      [['reviews', ['v2@member2']]],
    );
  });
});
