import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { MeshService } from '../input.ts';
import { compileMesh } from '../routing/index.ts';
import { endpoint, input, istio, service } from '../routing/testing.ts';
import {
  type BookinfoBed,
  call,
  proxyFor,
  startBookinfoBed,
  startUpstream,
  tally,
  type Upstream,
} from './testing.ts';

describe('resilience (sidecar)', () => {
  let bed: BookinfoBed;
  const ups: Record<string, Upstream> = {};
  const H = { host: 'reviews:9080' };
  let dead: number;

  before(async () => {
    bed = await startBookinfoBed();
    Object.assign(ups, bed.ups);
    dead = bed.dead;
  });
  after(() => bed.close());

  const sidecar = (vs: unknown[], extra?: { drs?: unknown[]; services?: MeshService[] }) =>
    bed.sidecar(vs, extra);

  it('retries a refused connection on another endpoint (default policy)', async () => {
    const svc = service('reviews', [
      endpoint('127.0.0.1', dead, { app: 'reviews', version: 'v1' }),
      (ups['reviews-v1'] as Upstream).endpoint({ app: 'reviews', version: 'v1' }),
    ]);
    const base = await sidecar([], { services: [svc] });
    const before = (ups['reviews-v1'] as Upstream).seen.length;
    const t = await tally(base, '/reviews/0', 40, H);
    assert.deepEqual(t, { 'reviews-v1': 40 });
    const attempts = (ups['reviews-v1'] as Upstream).seen
      .slice(before)
      .map((e) => e.headers['x-envoy-attempt-count']);
    assert.ok(attempts.includes('2'), 'some requests needed a second attempt');
    assert.ok(!attempts.includes('3'), 'a retry never returns to the refusing endpoint');
  });

  it('answers 503 with Envoy reset text when retries are off and the endpoint refuses', async () => {
    const svc = service('reviews', [endpoint('127.0.0.1', dead, { app: 'reviews', version: 'v1' })]);
    const base = await sidecar(
      [
        {
          hosts: ['reviews'],
          http: [{ retries: { attempts: 0 }, route: [{ destination: { host: 'reviews' } }] }],
        },
      ],
      { services: [svc] },
    );
    const r = await call(base, '/reviews/0', { headers: H });
    assert.equal(r.status, 503);
    assert.equal(
      r.text,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
    );
  });

  it('retries 503 answers on a different endpoint and passes the last 503 through when all fail', async () => {
    const a = ups['reviews-v1'] as Upstream;
    a.handler = (_q, res) => res.writeHead(503).end('busy');
    try {
      const svc = service('reviews', [
        a.endpoint({ app: 'reviews', version: 'v1' }),
        (ups['reviews-v3'] as Upstream).endpoint({ app: 'reviews', version: 'v3' }),
      ]);
      const base = await sidecar([], { services: [svc] });
      assert.deepEqual(await tally(base, '/reviews/0', 20, H), { 'reviews-v3': 20 });
      const only = await sidecar([], { services: [service('reviews', [a.endpoint({ app: 'reviews' })])] });
      const r = await call(only, '/reviews/0', { headers: H });
      assert.deepEqual([r.status, r.text], [503, 'busy']);
    } finally {
      a.handler = undefined;
    }
  });

  it('ejects an endpoint that answers 500 when outlier detection is set', async () => {
    const bad = ups['ratings-v1b'] as Upstream;
    bad.handler = (_q, res) => res.writeHead(500).end('boom');
    try {
      const svc = service('ratings', [
        bad.endpoint({ app: 'ratings' }),
        (ups['ratings-v1'] as Upstream).endpoint({ app: 'ratings' }),
      ]);
      const dr = istio('DestinationRule', 'ratings', {
        host: 'ratings',
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBIN' },
          outlierDetection: {
            consecutive5xxErrors: 2,
            interval: '1s',
            baseEjectionTime: '30s',
            maxEjectionPercent: 50,
          },
        },
      });
      const base = await sidecar([], { services: [svc], drs: [dr] });
      const t = await tally(base, '/ratings/0', 40, { host: 'ratings:9080' });
      assert.ok((t['500'] ?? 0) <= 2, `500s after ejection: ${JSON.stringify(t)}`);
      assert.ok((t['ratings-v1'] ?? 0) >= 38);
      const plain = await sidecar([], {
        services: [svc],
        drs: [
          istio('DestinationRule', 'ratings', {
            host: 'ratings',
            trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
          }),
        ],
      });
      const u = await tally(plain, '/ratings/0', 20, { host: 'ratings:9080' });
      assert.equal(
        u['500'],
        10,
        `without outlier detection the bad endpoint keeps its share: ${JSON.stringify(u)}`,
      );
    } finally {
      bad.handler = undefined;
    }
  });

  it('answers 503 no healthy upstream when retries eject every endpoint', async () => {
    const a = ups['reviews-v1'] as Upstream;
    const b = ups['reviews-v2'] as Upstream;
    a.handler = b.handler = (_q, res) => res.writeHead(503).end('busy');
    try {
      const svc = service('reviews', [a.endpoint({ app: 'reviews' }), b.endpoint({ app: 'reviews' })]);
      const dr = istio('DestinationRule', 'reviews', {
        host: 'reviews',
        trafficPolicy: {
          outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: '1m', maxEjectionPercent: 100 },
        },
      });
      const base = await sidecar([], { services: [svc], drs: [dr] });
      const r = await call(base, '/reviews/0', { headers: H });
      assert.deepEqual([r.status, r.text], [503, 'no healthy upstream']);
    } finally {
      a.handler = b.handler = undefined;
    }
  });

  it('abandons the upstream request when the client goes away', async () => {
    const slow = ups['reviews-v3'] as Upstream;
    let closedAt = 0;
    slow.handler = (_q, res) => {
      const t = setTimeout(() => res.end('late'), 5000);
      res.on('close', () => {
        clearTimeout(t);
        closedAt = performance.now();
      });
    };
    try {
      const base = await sidecar([], { services: [service('reviews', [slow.endpoint({ app: 'reviews' })])] });
      const t0 = performance.now();
      const u = new URL(base);
      await new Promise<void>((resolve) => {
        const req = http.request({
          host: u.hostname,
          port: u.port,
          path: '/reviews/0',
          headers: { host: 'reviews:9080' },
        });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => req.destroy(), 200);
      });
      for (let i = 0; i < 100 && closedAt === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(closedAt > 0 && closedAt - t0 < 2000, `upstream connection closed after ${closedAt - t0} ms`);
    } finally {
      slow.handler = undefined;
    }
  });

  it('answers 503 no healthy upstream for a subset without endpoints', async () => {
    const base = await sidecar(
      [{ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2-mysql' } }] }] }],
      {
        drs: [
          istio('DestinationRule', 'reviews', {
            host: 'reviews',
            subsets: [{ name: 'v2-mysql', labels: { version: 'v2-mysql' } }],
          }),
        ],
      },
    );
    const r = await call(base, '/reviews/0', { headers: H });
    assert.deepEqual([r.status, r.text], [503, 'no healthy upstream']);
  });

  it('overflows the pending queue with 503 when the connection pool is full', async () => {
    const slow = ups['reviews-v3'] as Upstream;
    slow.handler = (_q, res) => setTimeout(() => res.end('ok'), 400);
    try {
      const svc = service('reviews', [slow.endpoint({ app: 'reviews' })]);
      const dr = istio('DestinationRule', 'reviews', {
        host: 'reviews',
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } },
        },
      });
      const base = await sidecar(
        [
          {
            hosts: ['reviews'],
            http: [{ retries: { attempts: 0 }, route: [{ destination: { host: 'reviews' } }] }],
          },
        ],
        { services: [svc], drs: [dr] },
      );
      const rs = await Promise.all([0, 1, 2, 3].map(() => call(base, '/reviews/0', { headers: H })));
      const codes = rs.map((r) => r.status).sort();
      assert.deepEqual(codes, [200, 200, 503, 503]);
      assert.ok(rs.some((r) => r.text.endsWith('reset reason: overflow')));
    } finally {
      slow.handler = undefined;
    }
  });
});

describe('endpoint removal under load', () => {
  it('loses no request when an endpoint dies while 20 clients call', async () => {
    const a = await startUpstream('reviews-a');
    const b = await startUpstream('reviews-b');
    a.handler = b.handler = (_q, res, e) => setTimeout(() => res.end(e.name), 5);
    const svc = (eps: Upstream[]) =>
      service(
        'reviews',
        eps.map((u) => u.endpoint({ app: 'reviews' })),
      );
    const p = await proxyFor(input({ services: [svc([a, b])] }), 'sidecar');
    const base = p.urls[0] as string;
    let stop = false;
    const failures: string[] = [];
    let ok = 0;
    const client = async (): Promise<void> => {
      while (!stop) {
        const r = await call(base, '/reviews/0', { headers: { host: 'reviews:9080' } }).catch(
          (err: Error) => ({ status: 0, text: err.message }),
        );
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.text}`);
      }
    };
    try {
      const clients = Array.from({ length: 20 }, client);
      await new Promise((r) => setTimeout(r, 400));
      await a.close(); // the pod dies: in-flight and idle connections reset, new ones refused
      await new Promise((r) => setTimeout(r, 400));
      p.update(compileMesh(input({ services: [svc([b])] }))); // its endpoint leaves the mesh later
      await new Promise((r) => setTimeout(r, 300));
      stop = true;
      await Promise.all(clients);
      assert.deepEqual(failures, []);
      assert.ok(ok > 20, `${ok} requests answered`);
    } finally {
      stop = true;
      await p.close();
      await b.close();
    }
  });
});
