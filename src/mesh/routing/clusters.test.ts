import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMesh } from './index.ts';
import {
  bookinfoDestinationRules,
  bookinfoServices,
  compileReviews,
  input,
  istio,
  meshRoutes,
  REVIEWS,
} from './testing.ts';

describe('compileMesh: upstream clusters', () => {
  it('builds subsets from DestinationRule labels with endpoints of every cluster', () => {
    const m = compileReviews({
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
    });
    const v2 = m.clusters[`outbound|9080|v2|${REVIEWS}`];
    assert.deepEqual(
      v2?.endpoints.map((e) => `${e.address}@${e.cluster}`),
      ['127.10.0.7@member1', '127.11.0.6@member2'],
    );
    assert.equal(m.clusters[`outbound|9080||${REVIEWS}`]?.endpoints.length, 4);
    assert.deepEqual(v2?.lb, { simple: 'LEAST_REQUEST' });
    assert.equal(v2?.endpoints[0]?.labels['topology.istio.io/cluster'], 'member1');
  });

  it('merges top-level, port-level and subset policies per field group', () => {
    const dr = istio('DestinationRule', 'reviews', {
      host: 'reviews',
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        connectionPool: { http: { http1MaxPendingRequests: 1 } },
        portLevelSettings: [
          {
            port: { number: 9080 },
            outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1m' },
          },
        ],
      },
      subsets: [
        {
          name: 'v1',
          labels: { version: 'v1' },
          trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'X-User' } } },
        },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    const m = compileMesh(input({ destinationRules: [dr], services: bookinfoServices() }));
    const base = m.clusters[`outbound|9080||${REVIEWS}`];
    const v1 = m.clusters[`outbound|9080|v1|${REVIEWS}`];
    assert.deepEqual(base?.lb, { simple: 'ROUND_ROBIN' });
    assert.equal(base?.connectionPool.http1MaxPendingRequests, 1);
    assert.deepEqual(base?.outlierDetection, {
      consecutive5xxErrors: 1,
      consecutiveGatewayErrors: 0,
      intervalMs: 1000,
      baseEjectionTimeMs: 60_000,
      maxEjectionPercent: 10,
      minHealthPercent: 0,
    });
    assert.equal(base?.locality.enabled, true, 'outlier detection switches locality failover on');
    assert.deepEqual(v1?.lb, {
      consistentHash: { key: { header: 'x-user' }, algorithm: 'ringHash', size: 1024 },
    });
    assert.equal(v1?.connectionPool.http1MaxPendingRequests, 1);
    assert.equal(m.clusters[`outbound|9080||ratings.default.svc.cluster.local`]?.locality.enabled, false);
  });

  it('makes ServiceEntry hosts services with their own clusters', () => {
    const se = istio('ServiceEntry', 'google', {
      hosts: ['www.googleapis.com'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    });
    const m = compileMesh(input({ serviceEntries: [se] }));
    const c = m.clusters['outbound|80||www.googleapis.com'];
    assert.deepEqual(
      c?.endpoints.map((e) => `${e.address}:${e.port}`),
      ['www.googleapis.com:80'],
    );
    assert.deepEqual(
      m.mesh.map((v) => v.domains),
      [['www.googleapis.com']],
    );
  });

  it('is deterministic whatever the input order', () => {
    const services = bookinfoServices();
    const drs = bookinfoDestinationRules();
    const a = compileMesh(input({ services, destinationRules: drs }));
    const b = compileMesh(input({ services: [...services].reverse(), destinationRules: [...drs].reverse() }));
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  it('follows one level of delegation, merging the root match into the delegate routes', () => {
    const root = istio('VirtualService', 'root', {
      hosts: ['reviews'],
      http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'child' } }],
    });
    const child = istio('VirtualService', 'child', {
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
      ],
    });
    const m = compileMesh(
      input({
        virtualServices: [root, child],
        services: bookinfoServices(),
        destinationRules: bookinfoDestinationRules(),
      }),
    );
    const [r] = meshRoutes(m, REVIEWS);
    assert.deepEqual(r?.matches, [
      { uri: { prefix: '/reviews' }, headers: { 'end-user': { exact: 'jason' } } },
    ]);
    assert.equal(r?.virtualService, 'default/child');
  });
});
