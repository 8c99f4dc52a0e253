/**
 * Builders of `MeshInput` pieces for the compiler's and the proxy's tests: services with
 * endpoints in named clusters, and Istio objects from YAML-shaped specs.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.ts';
import type { MeshEndpoint, MeshInput, MeshService } from '../input.ts';
import { compileMesh } from './index.ts';
import type { CompiledMesh, CompiledRoute } from './types.ts';

let clock = 0;

/** An Istio object of `kind` in `namespace` (creation order follows call order). */
export function istio(
  kind: string,
  name: string,
  spec: unknown,
  namespace = 'default',
  apiVersion = 'networking.istio.io/v1',
): KubeObject {
  clock++;
  const ts = new Date(Date.UTC(2024, 0, 1, 0, 0, clock)).toISOString();
  return { apiVersion, kind, metadata: { name, namespace, creationTimestamp: ts }, spec };
}

/** An endpoint at `address:port` in `cluster` with pod labels. */
export function endpoint(
  address: string,
  port: number,
  labels: Record<string, string>,
  cluster = 'member1',
  extra: Partial<MeshEndpoint> = {},
): MeshEndpoint {
  return { address, ports: { http: port }, cluster, ready: true, labels, ...extra };
}

/** A merged service with one `http` port `port` and the given endpoints. */
export function service(
  name: string,
  endpoints: MeshEndpoint[],
  options: { namespace?: string; port?: number; clusterIPs?: Array<{ cluster: string; ip: string }> } = {},
): MeshService {
  const namespace = options.namespace ?? 'default';
  return {
    name,
    namespace,
    hostname: `${name}.${namespace}.svc.cluster.local`,
    ports: [{ name: 'http', port: options.port ?? 9080, protocol: 'TCP' }],
    clusterIPs: options.clusterIPs ?? [],
    clusters: [...new Set(endpoints.map((e) => e.cluster))],
    endpoints,
  };
}

/** A MeshInput with the given parts (others empty). */
export function input(parts: Partial<MeshInput>): MeshInput {
  return {
    gateways: [],
    virtualServices: [],
    destinationRules: [],
    serviceEntries: [],
    services: [],
    ...parts,
  };
}

/** Bookinfo's gateway (port 80, hosts `*`) and its VirtualService, as in examples/bookinfo. */
export function bookinfoGateway(): KubeObject[] {
  return [
    istio(
      'Gateway',
      'bookinfo-gateway',
      {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
      },
      'default',
      'networking.istio.io/v1alpha3',
    ),
    istio(
      'VirtualService',
      'bookinfo',
      {
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [
          {
            match: [
              { uri: { exact: '/productpage' } },
              { uri: { prefix: '/static' } },
              { uri: { exact: '/login' } },
              { uri: { exact: '/logout' } },
              { uri: { prefix: '/api/v1/products' } },
            ],
            route: [{ destination: { host: 'productpage', port: { number: 9080 } } }],
          },
        ],
      },
      'default',
      'networking.istio.io/v1alpha3',
    ),
  ];
}

/** Bookinfo's destination-rule-all (subsets by `version`). */
export function bookinfoDestinationRules(): KubeObject[] {
  const subsets = (...vs: string[]) => vs.map((v) => ({ name: v, labels: { version: v } }));
  return [
    istio('DestinationRule', 'productpage', { host: 'productpage', subsets: subsets('v1') }),
    istio('DestinationRule', 'reviews', { host: 'reviews', subsets: subsets('v1', 'v2', 'v3') }),
    istio('DestinationRule', 'ratings', {
      host: 'ratings',
      subsets: subsets('v1', 'v2', 'v2-mysql', 'v2-mysql-vm'),
    }),
    istio('DestinationRule', 'details', { host: 'details', subsets: subsets('v1', 'v2') }),
  ];
}

/** The FQDN of Bookinfo's reviews service. */
export const REVIEWS = 'reviews.default.svc.cluster.local';

/** Bookinfo's services with endpoints in member1 and member2 (no real servers behind them). */
export function bookinfoServices() {
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

/** The sidecar routes of `host:port`; fails the test when there is no such virtual host. */
export function meshRoutes(m: CompiledMesh, host: string, port = 9080): CompiledRoute[] {
  const vh = m.mesh.find((v) => v.host === host && v.port === port);
  assert.ok(vh, `no mesh virtual host for ${host}:${port}`);
  return vh.routes;
}

/** A forwarding route's [cluster, weight] pairs; fails the test for other actions. */
export function dests(r: CompiledRoute | undefined): Array<[string, number]> {
  const action = r?.action;
  assert.ok(action?.kind === 'route', `not a forwarding route: ${JSON.stringify(action)}`);
  return action.destinations.map((d) => [d.cluster, d.weight]);
}

/** Compiles a `reviews` VirtualService of `vs` with Bookinfo's services and DestinationRules. */
export function compileReviews(vs: unknown, drs: KubeObject[] = bookinfoDestinationRules()): CompiledMesh {
  return compileMesh(
    input({
      virtualServices: [istio('VirtualService', 'reviews', vs)],
      destinationRules: drs,
      services: bookinfoServices(),
    }),
  );
}
