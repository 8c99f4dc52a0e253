import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MeshService } from '../input.ts';
import { service } from '../routing/testing.ts';
import { type BookinfoBed, call, startBookinfoBed, tally, type Upstream } from './testing.ts';

describe('Bookinfo routing through a sidecar (Istio task manifests)', () => {
  let bed: BookinfoBed;
  const ups: Record<string, Upstream> = {};
  const H = { host: 'reviews:9080' };
  let _dead: number;

  before(async () => {
    bed = await startBookinfoBed();
    Object.assign(ups, bed.ups);
    _dead = bed.dead;
  });
  after(() => bed.close());

  const sidecar = (vs: unknown[], extra?: { drs?: unknown[]; services?: MeshService[] }) =>
    bed.sidecar(vs, extra);

  it('spreads v1/v2/v3 evenly with no VirtualService', async () => {
    const base = await sidecar([]);
    const t = await tally(base, '/reviews/0', 300, H);
    for (const v of ['reviews-v1', 'reviews-v2', 'reviews-v3'])
      assert.ok((t[v] ?? 0) >= 70 && (t[v] ?? 0) <= 130, JSON.stringify(t));
  });

  it('splits by weight across DestinationRule subsets (reviews 80-20)', async () => {
    const base = await sidecar([
      {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
            ],
          },
        ],
      },
    ]);
    const t = await tally(base, '/reviews/0', 300, H);
    assert.equal(t['reviews-v3'], undefined);
    assert.ok((t['reviews-v2'] ?? 0) >= 35 && (t['reviews-v2'] ?? 0) <= 90, JSON.stringify(t));
  });

  it('routes end-user jason to v2 and everyone else to v1 (reviews-test-v2)', async () => {
    const base = await sidecar([
      {
        hosts: ['reviews'],
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
          { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        ],
      },
    ]);
    assert.deepEqual(await tally(base, '/reviews/0', 20, { ...H, 'end-user': 'jason' }), {
      'reviews-v2': 20,
    });
    assert.deepEqual(await tally(base, '/reviews/0', 20, { ...H, 'end-user': 'alice' }), {
      'reviews-v1': 20,
    });
    assert.deepEqual(await tally(base, '/reviews/0', 20, H), { 'reviews-v1': 20 });
  });

  it('delays jason by the fault and answers others at once (ratings-test-delay)', async () => {
    const ratings = service('ratings', [
      (ups['ratings-v1'] as Upstream).endpoint({ app: 'ratings', version: 'v1' }),
    ]);
    const base = await sidecar(
      [
        {
          hosts: ['ratings'],
          http: [
            {
              match: [{ headers: { 'end-user': { exact: 'jason' } } }],
              fault: { delay: { percentage: { value: 100 }, fixedDelay: '1.5s' } },
              route: [{ destination: { host: 'ratings', subset: 'v1' } }],
            },
            { route: [{ destination: { host: 'ratings', subset: 'v1' } }] },
          ],
        },
      ],
      { services: [ratings] },
    );
    let t0 = performance.now();
    const slow = await call(base, '/ratings/0', { headers: { host: 'ratings:9080', 'end-user': 'jason' } });
    const slowMs = performance.now() - t0;
    t0 = performance.now();
    const fast = await call(base, '/ratings/0', { headers: { host: 'ratings:9080' } });
    assert.equal(slow.status, 200);
    assert.ok(slowMs >= 1450, `jason waited ${slowMs} ms`);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(fast.status, 200);
  });

  it('aborts jason with 500 fault filter abort (ratings-test-abort)', async () => {
    const ratings = service('ratings', [
      (ups['ratings-v1'] as Upstream).endpoint({ app: 'ratings', version: 'v1' }),
    ]);
    const base = await sidecar(
      [
        {
          hosts: ['ratings'],
          http: [
            {
              match: [{ headers: { 'end-user': { exact: 'jason' } } }],
              fault: { abort: { percentage: { value: 100 }, httpStatus: 500 } },
              route: [{ destination: { host: 'ratings', subset: 'v1' } }],
            },
            { route: [{ destination: { host: 'ratings', subset: 'v1' } }] },
          ],
        },
      ],
      { services: [ratings] },
    );
    const before = (ups['ratings-v1'] as Upstream).seen.length;
    const r = await call(base, '/ratings/0', { headers: { host: 'ratings:9080', 'end-user': 'jason' } });
    assert.deepEqual(
      [r.status, r.text, r.headers['content-type']],
      [500, 'fault filter abort', 'text/plain'],
    );
    assert.equal(
      (ups['ratings-v1'] as Upstream).seen.length,
      before,
      'the aborted request never reached ratings',
    );
    assert.equal((await call(base, '/ratings/0', { headers: { host: 'ratings:9080' } })).status, 200);
  });

  it('aborts about the configured percentage', async () => {
    const base = await sidecar([
      {
        hosts: ['reviews'],
        http: [
          {
            fault: { abort: { percentage: { value: 50 }, httpStatus: 555 } },
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      },
    ]);
    const t = await tally(base, '/reviews/0', 200, H);
    assert.ok((t['555'] ?? 0) >= 70 && (t['555'] ?? 0) <= 130, JSON.stringify(t));
  });

  it('times a slow upstream out with 504 upstream request timeout (reviews timeout 0.5s)', async () => {
    const slow = ups['reviews-v2'] as Upstream;
    slow.handler = (_req, res) => setTimeout(() => res.end('late'), 2000);
    try {
      const base = await sidecar([
        {
          hosts: ['reviews'],
          http: [{ timeout: '0.5s', route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
        },
      ]);
      const t0 = performance.now();
      const r = await call(base, '/reviews/0', { headers: H });
      const ms = performance.now() - t0;
      assert.deepEqual([r.status, r.text], [504, 'upstream request timeout']);
      assert.ok(ms >= 450 && ms < 1500, `took ${ms} ms`);
      const o = await call(base, '/reviews/0', {
        headers: { ...H, 'x-envoy-upstream-rq-timeout-ms': '100' },
      });
      assert.equal(o.status, 504);
    } finally {
      slow.handler = undefined;
    }
  });
});
