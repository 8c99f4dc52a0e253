import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { compileMesh } from './index.ts';
import { bookinfoDestinationRules, bookinfoGateway, endpoint, input, istio, service } from './testing.ts';
import type { CompiledMesh, CompiledRoute, ForwardAction } from './types.ts';

const REVIEWS = 'reviews.default.svc.cluster.local';

function bookinfoServices() {
  return [
    service('productpage', [endpoint('127.10.0.5', 9080, { app: 'productpage', version: 'v1' })]),
    service('reviews', [
      endpoint('127.10.0.6', 9080, { app: 'reviews', version: 'v1' }),
      endpoint('127.10.0.7', 9080, { app: 'reviews', version: 'v2' }),
      endpoint('127.11.0.6', 9080, { app: 'reviews', version: 'v2' }, 'member2'),
      endpoint('127.11.0.7', 9080, { app: 'reviews', version: 'v3' }, 'member2'),
    ]),
    service('ratings', [endpoint('127.11.0.8', 9080, { app: 'ratings', version: 'v1' }, 'member2')]),
  ];
}

function meshRoutes(m: CompiledMesh, host: string, port = 9080): CompiledRoute[] {
  const vh = m.mesh.find((v) => v.host === host && v.port === port);
  assert.ok(vh, `no mesh virtual host for ${host}:${port}`);
  return vh.routes;
}

function dests(r: CompiledRoute | undefined): Array<[string, number]> {
  assert.equal(r?.action.kind, 'route');
  return (r?.action as ForwardAction).destinations.map((d) => [d.cluster, d.weight]);
}

function compileReviews(vs: unknown, drs: KubeObject[] = bookinfoDestinationRules()): CompiledMesh {
  return compileMesh(
    input({
      virtualServices: [istio('VirtualService', 'reviews', vs)],
      destinationRules: drs,
      services: bookinfoServices(),
    }),
  );
}

describe('compileMesh: gateways', () => {
  it("binds Bookinfo's VirtualService to its Gateway by short name and host *", () => {
    const m = compileMesh(
      input({
        ...{ gateways: [bookinfoGateway()[0] as KubeObject] },
        virtualServices: [bookinfoGateway()[1] as KubeObject],
        services: bookinfoServices(),
      }),
    );
    assert.deepEqual(m.diagnostics, []);
    const [server] = m.gatewayServers;
    assert.equal(server?.gateway, 'default/bookinfo-gateway');
    assert.deepEqual(server?.selector, { istio: 'ingressgateway' });
    assert.equal(server?.port, 80);
    assert.deepEqual(
      server?.virtualHosts.map((v) => v.domains),
      [['*']],
    );
    const route = server?.virtualHosts[0]?.routes[0];
    assert.equal(route?.matches.length, 5);
    assert.deepEqual(dests(route), [['outbound|9080||productpage.default.svc.cluster.local', 100]]);
    // gateways listed without mesh: sidecars keep the default route.
    assert.equal(meshRoutes(m, 'productpage.default.svc.cluster.local')[0]?.name, 'default');
  });

  const gw = (hosts: string[], ns = 'istio-system') =>
    istio(
      'Gateway',
      'gw',
      { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts }] },
      ns,
    );
  const vsOn = (gateways: string[] | undefined, hosts: string[], ns = 'default') =>
    istio(
      'VirtualService',
      `vs-${hosts[0]}-${ns}`,
      {
        hosts,
        ...(gateways ? { gateways } : {}),
        http: [{ route: [{ destination: { host: 'productpage.default.svc.cluster.local' } }] }],
      },
      ns,
    );
  const cases: Array<{ name: string; gw: KubeObject; vs: KubeObject; domains: string[] }> = [
    {
      name: 'ns/name reference',
      gw: gw(['*']),
      vs: vsOn(['istio-system/gw'], ['bookinfo.com']),
      domains: ['bookinfo.com'],
    },
    {
      name: 'short name resolves in the VirtualService namespace (no match across namespaces)',
      gw: gw(['*']),
      vs: vsOn(['gw'], ['bookinfo.com']),
      domains: [],
    },
    {
      name: 'gateways unset means mesh only',
      gw: gw(['*']),
      vs: vsOn(undefined, ['bookinfo.com']),
      domains: [],
    },
    {
      name: 'server *.example.com takes dev.example.com',
      gw: gw(['*.example.com']),
      vs: vsOn(['istio-system/gw'], ['dev.example.com']),
      domains: ['dev.example.com'],
    },
    {
      name: 'server *.example.com does not take example.com',
      gw: gw(['*.example.com']),
      vs: vsOn(['istio-system/gw'], ['example.com']),
      domains: [],
    },
    {
      name: 'VirtualService * narrowed to the server host',
      gw: gw(['bookinfo.com']),
      vs: vsOn(['istio-system/gw'], ['*']),
      domains: ['bookinfo.com'],
    },
    {
      name: 'server host ns/ restricts the VirtualService namespace',
      gw: gw(['other/*']),
      vs: vsOn(['istio-system/gw'], ['a.com']),
      domains: [],
    },
    {
      name: 'server host ./ means the gateway namespace',
      gw: gw(['./*']),
      vs: vsOn(['istio-system/gw'], ['a.com'], 'istio-system'),
      domains: ['a.com'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = compileMesh(
        input({ gateways: [c.gw], virtualServices: [c.vs], services: bookinfoServices() }),
      );
      assert.deepEqual(
        m.gatewayServers[0]?.virtualHosts.flatMap((v) => v.domains),
        c.domains,
      );
    });
  }

  it('merges several VirtualServices for one host on a gateway, catch-all last', () => {
    const a = istio('VirtualService', 'a', {
      hosts: ['*'],
      gateways: ['gw'],
      http: [{ route: [{ destination: { host: 'ratings' } }] }],
    });
    const b = istio('VirtualService', 'b', {
      hosts: ['*'],
      gateways: ['gw'],
      http: [{ match: [{ uri: { prefix: '/reviews' } }], route: [{ destination: { host: 'reviews' } }] }],
    });
    const g = istio('Gateway', 'gw', { servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*'] }] });
    const m = compileMesh(input({ gateways: [g], virtualServices: [a, b], services: bookinfoServices() }));
    const routes = m.gatewayServers[0]?.virtualHosts[0]?.routes ?? [];
    assert.deepEqual(
      routes.map((r) => r.virtualService),
      ['default/b', 'default/a'],
    );
  });

  it('reports a server without hosts and keeps the others', () => {
    const g = istio('Gateway', 'gw', {
      servers: [
        { port: { number: 80 }, hosts: [] },
        { port: { number: 81 }, hosts: ['*'] },
      ],
    });
    const m = compileMesh(input({ gateways: [g] }));
    assert.deepEqual(
      m.gatewayServers.map((s) => s.port),
      [81],
    );
    assert.deepEqual(
      m.diagnostics.map((d) => d.field),
      ['spec.servers[0].hosts'],
    );
  });
});

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
    assert.deepEqual((r?.action as ForwardAction).destinations[0]?.headers, {
      response: { add: { 'x-d': '1' } },
    });
  });
});

describe('compileMesh: invalid configuration', () => {
  const good = {
    match: [{ uri: { prefix: '/ok' } }],
    route: [{ destination: { host: 'reviews', subset: 'v1' } }],
  };
  const cases: Array<{ name: string; bad: unknown; field: string; severity?: 'warning'; kept: number }> = [
    {
      name: 'negative weight',
      bad: {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: -1 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 2 },
        ],
      },
      field: 'spec.http[1].route[0].weight',
      kept: 1,
    },
    {
      name: 'weights summing to zero',
      bad: {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 0 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
        ],
      },
      field: 'spec.http[1].route',
      kept: 1,
    },
    {
      name: 'route and redirect together',
      bad: { redirect: { uri: '/x' }, route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1]',
      kept: 1,
    },
    {
      name: 'directResponse with fault',
      bad: { directResponse: { status: 418 }, fault: { abort: { httpStatus: 500 } } },
      field: 'spec.http[1]',
      kept: 1,
    },
    {
      name: 'invalid regex',
      bad: { match: [{ uri: { regex: '(' } }], route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1].match[0].uri.regex',
      kept: 1,
    },
    { name: 'no action', bad: { match: [{ uri: { prefix: '/' } }] }, field: 'spec.http[1]', kept: 1 },
    {
      name: 'unknown subset (kept, 503 at run time as in Istio)',
      bad: { route: [{ destination: { host: 'reviews', subset: 'v9' } }] },
      field: 'spec.http[1].route[0].destination.subset',
      severity: 'warning',
      kept: 2,
    },
    {
      name: 'unknown host',
      bad: { route: [{ destination: { host: 'nope' } }] },
      field: 'spec.http[1].route[0].destination.host',
      severity: 'warning',
      kept: 2,
    },
    {
      name: 'bad timeout',
      bad: { timeout: 'soon', route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1].timeout',
      kept: 1,
    },
    {
      name: 'mirror percentage over 100',
      bad: {
        mirror: { host: 'ratings' },
        mirrorPercentage: { value: 150 },
        route: [{ destination: { host: 'reviews' } }],
      },
      field: 'spec.http[1].mirrorPercentage',
      kept: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: reported at ${c.field}, valid routes kept`, () => {
      const m = compileReviews({ hosts: ['reviews'], http: [good, c.bad] });
      const d = m.diagnostics.find((x) => x.field === c.field);
      assert.ok(d, `no diagnostic at ${c.field}: ${JSON.stringify(m.diagnostics)}`);
      assert.deepEqual(
        [d.kind, d.namespace, d.name, d.severity],
        ['VirtualService', 'default', 'reviews', c.severity],
      );
      const routes = meshRoutes(m, REVIEWS);
      assert.equal(routes.length, c.kept);
      assert.deepEqual(dests(routes[0]), [[`outbound|9080|v1|${REVIEWS}`, 100]]);
    });
  }
});

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
