import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { compileMesh } from '../routing/index.ts';
import { bookinfoGateway, input, istio, service } from '../routing/testing.ts';
import type { Proxy as MeshProxy } from './index.ts';
import { call, proxyFor, startUpstream, type Upstream } from './testing.ts';

describe('gateway', () => {
  let pp: Upstream;
  let other: Upstream;
  let gw: MeshProxy;
  let base: string;
  const services = () => [
    service('productpage', [pp.endpoint({ app: 'productpage', version: 'v1' })]),
    service('other', [other.endpoint({ app: 'other' })]),
  ];
  const extraVs = (): KubeObject =>
    istio('VirtualService', 'extras', {
      hosts: ['extras.example.com'],
      gateways: ['bookinfo-gateway'],
      http: [
        { match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', redirectCode: 302 } },
        {
          match: [{ uri: { prefix: '/pfx' } }],
          redirect: { prefixRewrite: '/moved', authority: 'b.example.com' },
        },
        {
          match: [{ uri: { exact: '/teapot' } }],
          directResponse: { status: 418, body: { string: 'short and stout' } },
        },
        {
          match: [{ uri: { prefix: '/api' }, ignoreUriCase: true }],
          rewrite: { uri: '/v2', authority: 'internal' },
          headers: {
            request: { set: { 'x-route': 'api' }, remove: ['x-secret'] },
            response: { add: { 'x-served': 'gw' } },
          },
          route: [{ destination: { host: 'other' }, headers: { request: { add: { 'x-dest': 'other' } } } }],
        },
        {
          match: [
            {
              uri: { regex: '/users/[0-9]+' },
              method: { exact: 'GET' },
              queryParams: { debug: { exact: '' } },
            },
          ],
          route: [{ destination: { host: 'other' } }],
        },
        {
          match: [{ uri: { prefix: '/cors' } }],
          corsPolicy: {
            allowOrigins: [{ exact: 'https://shop.example.com' }],
            allowMethods: ['GET', 'POST'],
            allowHeaders: ['x-a'],
            maxAge: '1h',
            exposeHeaders: ['x-b'],
          },
          route: [{ destination: { host: 'other' } }],
        },
      ],
    });

  before(async () => {
    pp = await startUpstream('productpage-v1');
    other = await startUpstream('other');
    const [g, vs] = bookinfoGateway() as [KubeObject, KubeObject];
    gw = await proxyFor(input({ gateways: [g], virtualServices: [vs, extraVs()], services: services() }));
    base = gw.urls[0] as string;
  });
  after(async () => {
    await gw.close();
    await pp.close();
    await other.close();
  });

  it('routes Bookinfo paths to productpage and answers 404 elsewhere', async () => {
    for (const path of ['/productpage', '/static/x.css', '/login', '/api/v1/products/0']) {
      const r = await call(base, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.json().name, 'productpage-v1');
      assert.equal(r.json().url, path);
    }
    for (const path of ['/', '/productpages', '/LOGIN']) {
      const r = await call(base, path);
      assert.deepEqual([r.status, r.text], [404, ''], path);
    }
  });

  it('adds Envoy headers both ways and keeps trace headers', async () => {
    const r = await call(base, '/productpage', {
      headers: { 'x-b3-traceid': 'abc', traceparent: '00-1-2-01', 'x-forwarded-for': '10.1.1.1' },
    });
    const seen = r.json().headers;
    assert.equal(r.headers.server, 'istio-envoy');
    assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/);
    assert.match(String(seen['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(seen['x-b3-traceid'], 'abc');
    assert.equal(seen.traceparent, '00-1-2-01');
    assert.equal(seen['x-forwarded-for'], '10.1.1.1, 127.0.0.1');
    assert.equal(seen['x-envoy-attempt-count'], '1');
    const kept = await call(base, '/productpage', { headers: { 'x-request-id': 'given' } });
    assert.equal(kept.json().headers['x-request-id'], 'given');
  });

  it('serves the exact host before the * host, redirects and answers directly', async () => {
    const h = { host: 'extras.example.com' };
    const r1 = await call(base, '/old/x?q=1', { headers: h });
    assert.deepEqual([r1.status, r1.headers.location], [302, 'http://extras.example.com/new?q=1']);
    const r2 = await call(base, '/pfx/a/b', { headers: h });
    assert.deepEqual([r2.status, r2.headers.location], [301, 'http://b.example.com/moved/a/b']);
    const r3 = await call(base, '/teapot', { headers: h });
    assert.deepEqual([r3.status, r3.text, r3.headers.server], [418, 'short and stout', 'istio-envoy']);
    // The exact host has no /productpage route: no fall-back to the * virtual host.
    assert.equal((await call(base, '/productpage', { headers: h })).status, 404);
  });

  it('rewrites uri and authority and applies route and destination header operations', async () => {
    const r = await call(base, '/API/items?id=3', {
      headers: { host: 'extras.example.com', 'x-secret': 's' },
    });
    assert.equal(r.status, 200);
    const e = r.json();
    assert.equal(e.name, 'other');
    assert.equal(e.url, '/v2/items?id=3');
    assert.equal(e.headers.host, 'internal');
    assert.equal(e.headers['x-route'], 'api');
    assert.equal(e.headers['x-dest'], 'other');
    assert.equal(e.headers['x-secret'], undefined);
    assert.equal(e.headers['x-envoy-original-path'], '/API/items?id=3');
    assert.equal(r.headers['x-served'], 'gw');
  });

  it('matches regex uri, method and bare query parameters', async () => {
    const h = { host: 'extras.example.com' };
    assert.equal((await call(base, '/users/42?debug', { headers: h })).status, 200);
    assert.equal((await call(base, '/users/42x?debug', { headers: h })).status, 404);
    assert.equal((await call(base, '/users/42', { headers: h })).status, 404);
    assert.equal((await call(base, '/users/42?debug', { headers: h, method: 'DELETE' })).status, 404);
  });

  it('answers CORS preflights and decorates actual requests', async () => {
    const h = { host: 'extras.example.com', origin: 'https://shop.example.com' };
    const pre = await call(base, '/cors', {
      method: 'OPTIONS',
      headers: { ...h, 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://shop.example.com');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(pre.headers['access-control-max-age'], '3600');
    const before = other.seen.length;
    const got = await call(base, '/cors', { headers: h });
    assert.equal(got.headers['access-control-allow-origin'], 'https://shop.example.com');
    assert.equal(got.headers['access-control-expose-headers'], 'x-b');
    assert.equal(other.seen.length, before + 1, 'the preflight never reached the upstream');
    const foreign = await call(base, '/cors', {
      headers: { host: 'extras.example.com', origin: 'https://evil.example.com' },
    });
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });

  it('takes a new configuration through update()', async () => {
    const g = istio('Gateway', 'bookinfo-gateway', {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*'] }],
    });
    const vs = istio('VirtualService', 'bookinfo', {
      hosts: ['*'],
      gateways: ['bookinfo-gateway'],
      http: [{ route: [{ destination: { host: 'other' } }] }],
    });
    gw.update(compileMesh(input({ gateways: [g], virtualServices: [vs], services: services() })));
    assert.equal((await call(base, '/anything')).json().name, 'other');
    const foreign = istio('Gateway', 'bookinfo-gateway', {
      selector: { istio: 'eastwestgateway' },
      servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*'] }],
    });
    gw.update(compileMesh(input({ gateways: [foreign], virtualServices: [vs], services: services() })));
    assert.equal((await call(base, '/anything')).status, 404, 'a Gateway for another selector is not served');
  });

  it('answers 301 to https for httpsRedirect servers', async () => {
    const g = istio('Gateway', 'bookinfo-gateway', {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 80, protocol: 'HTTP' },
          hosts: ['secure.example.com'],
          tls: { httpsRedirect: true },
        },
      ],
    });
    gw.update(compileMesh(input({ gateways: [g], services: services() })));
    const r = await call(base, '/a?b=1', { headers: { host: 'secure.example.com' } });
    assert.deepEqual([r.status, r.headers.location], [301, 'https://secure.example.com/a?b=1']);
  });

  it('pins a client by a generated cookie (consistentHash httpCookie with ttl)', async () => {
    const pp2 = await startUpstream('productpage-v1b');
    try {
      const g = istio('Gateway', 'bookinfo-gateway', {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*'] }],
      });
      const vs = istio('VirtualService', 'bookinfo', {
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [{ route: [{ destination: { host: 'productpage' } }] }],
      });
      const dr = istio('DestinationRule', 'productpage', {
        host: 'productpage',
        trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'sticky', ttl: '60s' } } } },
      });
      const svc = service('productpage', [
        pp.endpoint({ app: 'productpage' }),
        pp2.endpoint({ app: 'productpage' }),
      ]);
      gw.update(
        compileMesh(input({ gateways: [g], virtualServices: [vs], destinationRules: [dr], services: [svc] })),
      );
      const names = new Set<string>();
      for (let i = 0; i < 16; i++) {
        const first = await call(base, '/');
        const cookie = String(first.headers['set-cookie']).split(';')[0] as string;
        assert.match(cookie, /^sticky="[^"]+"$/);
        const pinned = new Set<string>();
        for (let j = 0; j < 3; j++) pinned.add((await call(base, '/', { headers: { cookie } })).json().name);
        assert.equal(pinned.size, 1, 'one client, one endpoint');
        names.add([...pinned][0] as string);
      }
      assert.equal(
        names.size,
        2,
        'different clients land on both endpoints (2^-15 chance of a false failure)',
      );
    } finally {
      await pp2.close();
    }
  });
});
