import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { compileMesh } from '../routing/index.ts';
import { bookinfoDestinationRules, input, istio, service } from '../routing/testing.ts';
import type { Proxy as MeshProxy } from './index.ts';
import { call, callViaProxy, proxyFor, startUpstream, tally, type Upstream } from './testing.ts';

describe('sidecar', () => {
  let r1: Upstream;
  let r2: Upstream;
  let ext: Upstream;
  let shadow: Upstream;
  let proxy: MeshProxy;
  let base: string;
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const services = () => [
    service(
      'reviews',
      [
        r1.endpoint({ app: 'reviews', version: 'v1' }),
        r2.endpoint({ app: 'reviews', version: 'v2' }, 'member2', { workload: 'reviews-v2' }),
      ],
      {
        clusterIPs: [
          { cluster: 'member1', ip: '127.100.0.20' },
          { cluster: 'member2', ip: '127.101.0.20' },
        ],
      },
    ),
    service('mirror', [shadow.endpoint({ app: 'mirror' })]),
    service('ratings', [r1.endpoint({ app: 'ratings' })], { namespace: 'other' }),
  ];

  before(async () => {
    r1 = await startUpstream('reviews-v1');
    r2 = await startUpstream('reviews-v2');
    ext = await startUpstream('external');
    shadow = await startUpstream('shadow');
    const vs = istio('VirtualService', 'reviews', {
      hosts: ['reviews'],
      http: [
        {
          match: [{ sourceLabels: { app: 'productpage' }, uri: { prefix: '/pp' } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        {
          match: [{ sourceLabels: { app: 'someone-else' } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        {
          match: [{ uri: { prefix: '/mirrored' } }],
          mirror: { host: 'mirror' },
          route: [{ destination: { host: 'reviews', subset: 'v1' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    proxy = await proxyFor(
      input({ virtualServices: [vs], destinationRules: bookinfoDestinationRules(), services: services() }),
      'sidecar',
      {
        logger: pino({ level: 'info' }, sink),
        metricsListen: { host: '127.0.0.1', port: 0 },
      },
    );
    base = proxy.urls[0] as string;
  });
  after(async () => {
    await proxy.close();
    for (const u of [r1, r2, ext, shadow]) await u.close();
  });

  it('resolves every name form of a service, and its ClusterIPs, to the mesh route', async () => {
    for (const host of [
      'reviews:9080',
      'reviews.default:9080',
      'reviews.default.svc:9080',
      'reviews.default.svc.cluster.local:9080',
      '127.100.0.20:9080',
      '127.101.0.20:9080',
    ]) {
      assert.deepEqual(await tally(base, '/reviews/0', 3, { host }), { 'reviews-v1': 3 }, host);
    }
  });

  it('accepts absolute-form requests from HTTP_PROXY clients', async () => {
    const r = await callViaProxy(base, 'http://reviews:9080/reviews/1?x=2');
    assert.equal(r.status, 200);
    assert.equal(r.json().url, '/reviews/1?x=2');
    assert.equal(r.json().name, 'reviews-v1');
  });

  it('passes unknown hosts through, like ALLOW_ANY', async () => {
    const r = await callViaProxy(base, `http://127.0.0.1:${ext.port}/outside`);
    assert.deepEqual([r.status, r.json().name, r.json().url], [200, 'external', '/outside']);
    assert.equal(
      (await call(base, '/x', { headers: { host: `127.0.0.1:${ext.port}` } })).json().name,
      'external',
    );
  });

  it('refuses to pass a request through to itself', async () => {
    const r = await call(base, '/loop', { headers: { host: new URL(base).host } });
    assert.equal(r.status, 404);
  });

  it('resolves a short name only in its own namespace', async () => {
    assert.equal((await call(base, '/ratings/0', { headers: { host: 'ratings.other:9080' } })).status, 200);
    const r = await call(base, '/ratings/0', { headers: { host: 'ratings:9080' } });
    assert.equal(r.status, 503, 'ratings is in another namespace: passthrough to an unresolvable name fails');
  });

  it('applies sourceLabels routes only to matching proxies', async () => {
    assert.deepEqual(await tally(base, '/pp/1', 5, { host: 'reviews:9080' }), { 'reviews-v2': 5 });
    const other = await proxyFor(input({ virtualServices: [], services: services() }), 'sidecar', {
      identity: { cluster: 'member1', namespace: 'default', workload: 'x', labels: { app: 'x' } },
      initial: compileMesh(
        input({
          virtualServices: [
            istio('VirtualService', 'r', {
              hosts: ['reviews'],
              http: [
                {
                  match: [{ sourceLabels: { app: 'productpage' } }],
                  route: [{ destination: { host: 'reviews', subset: 'v2' } }],
                },
                { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
              ],
            }),
          ],
          destinationRules: bookinfoDestinationRules(),
          services: services(),
        }),
      ),
    });
    try {
      assert.deepEqual(await tally(other.urls[0] as string, '/pp/1', 5, { host: 'reviews:9080' }), {
        'reviews-v1': 5,
      });
    } finally {
      await other.close();
    }
  });

  it('mirrors to the shadow service with a -shadow authority and ignores its answer', async () => {
    const before = shadow.seen.length;
    const r = await call(base, '/mirrored/a', { headers: { host: 'reviews:9080' } });
    assert.equal(r.json().name, 'reviews-v1');
    for (let i = 0; i < 50 && shadow.seen.length === before; i++)
      await new Promise((res) => setTimeout(res, 20));
    const seen = shadow.seen.at(-1);
    assert.equal(seen?.url, '/mirrored/a');
    assert.equal(seen?.headers.host, 'reviews-shadow:9080');
  });

  it('exports Istio metrics on /stats/prometheus and writes an access log line per request', async () => {
    const before = lines.length;
    await call(base, '/reviews/9', { headers: { host: 'reviews:9080', 'x-request-id': 'rid-9' } });
    const res = await fetch(`${proxy.metricsUrl}/stats/prometheus`);
    const text = await res.text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('istio_requests_total{') &&
          l.includes('destination_version="v1"') &&
          l.includes('response_code="200"'),
      );
    assert.ok(line, text);
    for (const label of [
      'reporter="source"',
      'source_workload="productpage-v1"',
      'source_cluster="member1"',
      'destination_service="reviews.default.svc.cluster.local"',
      'destination_service_name="reviews"',
      'destination_workload="reviews-v1"',
      'destination_cluster="member1"',
      'request_protocol="http"',
      'response_flags="-"',
    ]) {
      assert.ok(line.includes(label), `${label} in ${line}`);
    }
    assert.match(text, /istio_request_duration_milliseconds_bucket\{.*le="0.5"/);
    const log = lines.slice(before).find((l) => l.request_id === 'rid-9');
    assert.ok(log, JSON.stringify(lines.slice(before)));
    assert.equal(log.method, 'GET');
    assert.equal(log.path, '/reviews/9');
    assert.equal(log.response_code, 200);
    assert.equal(log.upstream_cluster, 'outbound|9080|v1|reviews.default.svc.cluster.local');
    assert.equal(log.upstream_host, `127.0.0.1:${r1.port}`);
    assert.equal(log.authority, 'reviews:9080');
    assert.equal((await fetch(`${proxy.metricsUrl}/healthz/ready`)).status, 200);
  });

  it('hashes a header to the same endpoint every time (consistentHash)', async () => {
    const dr = istio('DestinationRule', 'reviews', {
      host: 'reviews',
      trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } },
    });
    const p = await proxyFor(input({ destinationRules: [dr], services: services() }), 'sidecar');
    try {
      const pinned: string[] = [];
      for (const user of ['ann', 'bob', 'cyd', 'dan', 'eve', 'fay']) {
        const t = await tally(p.urls[0] as string, '/', 5, { host: 'reviews:9080', 'x-user': user });
        assert.equal(Object.keys(t).length, 1, `${user}: ${JSON.stringify(t)}`);
        pinned.push(Object.keys(t)[0] as string);
      }
      assert.equal(new Set(pinned).size, 2, 'different users land on both endpoints');
    } finally {
      await p.close();
    }
  });

  it('prefers its own cluster with outlier detection and fails over when it is ejected', async () => {
    const dr = istio('DestinationRule', 'reviews', {
      host: 'reviews',
      trafficPolicy: {
        outlierDetection: {
          consecutive5xxErrors: 1,
          interval: '1s',
          baseEjectionTime: '1m',
          maxEjectionPercent: 100,
        },
      },
    });
    const p = await proxyFor(input({ destinationRules: [dr], services: services() }), 'sidecar');
    try {
      const u = p.urls[0] as string;
      assert.deepEqual(
        await tally(u, '/', 20, { host: 'reviews:9080' }),
        { 'reviews-v1': 20 },
        'member1 first',
      );
      r1.handler = (_q, res) => res.writeHead(500).end();
      const t = await tally(u, '/', 20, { host: 'reviews:9080' });
      assert.ok((t['reviews-v2'] ?? 0) >= 19, `fails over to member2: ${JSON.stringify(t)}`);
    } finally {
      r1.handler = undefined;
      await p.close();
    }
    const even = await proxyFor(input({ services: services() }), 'sidecar');
    try {
      const t = await tally(even.urls[0] as string, '/', 60, { host: 'reviews:9080' });
      assert.ok(
        (t['reviews-v2'] ?? 0) >= 15 && (t['reviews-v1'] ?? 0) >= 15,
        `no outlier detection: both clusters: ${JSON.stringify(t)}`,
      );
    } finally {
      await even.close();
    }
  });
});
