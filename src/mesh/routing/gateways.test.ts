import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { compileMesh } from './index.ts';
import { bookinfoGateway, bookinfoServices, dests, input, istio, meshRoutes } from './testing.ts';

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
