import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMesh } from './index.ts';
import {
  bookinfoDestinationRules,
  bookinfoServices,
  compileReviews,
  dests,
  input,
  istio,
  meshRoutes,
  REVIEWS,
} from './testing.ts';

describe('compileMesh: sidecar routes', () => {
  it('gives every service port a default route when no VirtualService applies', () => {
    const m = compileMesh(input({ services: bookinfoServices() }));
    assert.deepEqual(dests(meshRoutes(m, REVIEWS)[0]), [[`outbound|9080||${REVIEWS}`, 100]]);
    assert.deepEqual(meshRoutes(m, REVIEWS)[0]?.retries.attempts, 2);
    const vh = m.mesh.find((v) => v.host === REVIEWS);
    assert.deepEqual(vh?.domains, [REVIEWS, 'reviews.default', 'reviews.default.svc']);
  });

  it('routes jason to v2 and everyone else to v1 (reviews-test-v2)', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    assert.deepEqual(m.diagnostics, []);
    const routes = meshRoutes(m, REVIEWS);
    assert.deepEqual(routes[0]?.matches, [{ headers: { 'end-user': { exact: 'jason' } } }]);
    assert.deepEqual(dests(routes[0]), [[`outbound|9080|v2|${REVIEWS}`, 100]]);
    assert.deepEqual(dests(routes[1]), [[`outbound|9080|v1|${REVIEWS}`, 100]]);
  });

  it('keeps weights that do not sum to 100 and drops zero weights', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: 1 },
            { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
            { destination: { host: 'reviews', subset: 'v3' }, weight: 2 },
          ],
        },
      ],
    });
    assert.deepEqual(dests(meshRoutes(m, REVIEWS)[0]), [
      [`outbound|9080|v1|${REVIEWS}`, 1],
      [`outbound|9080|v3|${REVIEWS}`, 2],
    ]);
  });

  it('stops after the first catch-all route', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      http: [
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        { match: [{ uri: { prefix: '/x' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
      ],
    });
    assert.equal(meshRoutes(m, REVIEWS).length, 1);
  });

  it('applies the oldest VirtualService for a host and exact hosts before wildcards', () => {
    const wildcard = istio('VirtualService', 'wild', {
      hosts: ['*.default.svc.cluster.local'],
      http: [{ route: [{ destination: { host: 'ratings' } }] }],
    });
    const first = istio('VirtualService', 'first', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    });
    const second = istio('VirtualService', 'second', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
    });
    const m = compileMesh(
      input({
        virtualServices: [second, wildcard, first].reverse(),
        destinationRules: bookinfoDestinationRules(),
        services: bookinfoServices(),
      }),
    );
    assert.equal(meshRoutes(m, REVIEWS)[0]?.virtualService, 'default/first');
    assert.equal(meshRoutes(m, 'productpage.default.svc.cluster.local')[0]?.virtualService, 'default/wild');
  });

  it('drops matches for other ports and gateways at compile time', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      gateways: ['mesh', 'gw'],
      http: [
        { match: [{ port: 8000 }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        { match: [{ gateways: ['gw'] }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        {
          match: [{ port: 9080, uri: { prefix: '/a' } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    const routes = meshRoutes(m, REVIEWS);
    assert.deepEqual(
      routes.map((r) => dests(r)[0]?.[0]),
      [`outbound|9080|v2|${REVIEWS}`, `outbound|9080|v1|${REVIEWS}`],
    );
    assert.deepEqual(routes[0]?.matches, [{ uri: { prefix: '/a' } }]);
  });

  it('compiles v1alpha3 and v1 objects alike', () => {
    const spec = {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }],
    };
    const a = compileMesh(
      input({
        virtualServices: [
          { ...istio('VirtualService', 'r', spec), apiVersion: 'networking.istio.io/v1alpha3' },
        ],
        services: bookinfoServices(),
        destinationRules: bookinfoDestinationRules(),
      }),
    );
    const b = compileMesh(
      input({
        virtualServices: [{ ...istio('VirtualService', 'r', spec), apiVersion: 'networking.istio.io/v1' }],
        services: bookinfoServices(),
        destinationRules: bookinfoDestinationRules(),
      }),
    );
    assert.deepEqual(a.mesh, b.mesh);
  });

  it('translates fault, timeout, retries, rewrite, mirror, cors and header operations', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      http: [
        {
          match: [{ uri: { prefix: '/f' } }],
          fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } }, abort: { httpStatus: 500 } },
          route: [{ destination: { host: 'reviews', subset: 'v1' } }],
        },
        {
          timeout: '0.5s',
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,503' },
          rewrite: { uri: '/v2', authority: 'x' },
          mirror: { host: 'ratings' },
          mirrorPercentage: { value: 50 },
          corsPolicy: { allowOrigins: [{ exact: 'https://a.com' }], allowMethods: ['GET'], maxAge: '24h' },
          headers: { request: { set: { 'X-A': 'b' } }, response: { remove: ['Server'] } },
          route: [
            {
              destination: { host: 'reviews', subset: 'v2' },
              headers: { response: { add: { 'x-d': '1' } } },
            },
          ],
        },
      ],
    });
    assert.deepEqual(m.diagnostics, []);
    const [f, r] = meshRoutes(m, REVIEWS);
    assert.deepEqual(f?.fault, {
      delay: { fixedDelayMs: 7000, percent: 100 },
      abort: { httpStatus: 500, percent: 0 },
    });
    assert.equal(f?.timeoutMs, undefined);
    assert.equal(r?.timeoutMs, 500);
    assert.deepEqual(r?.retries.retryOn, ['gateway-error', 'retriable-status-codes']);
    assert.deepEqual(
      [r?.retries.attempts, r?.retries.perTryTimeoutMs, r?.retries.retriableStatusCodes],
      [3, 2000, [503]],
    );
    assert.deepEqual(r?.rewrite, { uri: '/v2', authority: 'x' });
    assert.deepEqual(r?.mirrors, [
      {
        host: 'ratings.default.svc.cluster.local',
        subset: '',
        port: 9080,
        cluster: 'outbound|9080||ratings.default.svc.cluster.local',
        percent: 50,
      },
    ]);
    assert.equal(r?.cors?.maxAge, 86400);
    assert.deepEqual(r?.headers, { request: { set: { 'x-a': 'b' } }, response: { remove: ['server'] } });
    assert.ok(r?.action.kind === 'route');
    assert.deepEqual(r.action.destinations[0]?.headers, {
      response: { add: { 'x-d': '1' } },
    });
  });
});
