/**
 * Builders of `MeshInput` pieces for the compiler's and the proxy's tests: services with
 * endpoints in named clusters, and Istio objects from YAML-shaped specs.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { MeshEndpoint, MeshInput, MeshService } from '../input.ts';

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
