import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { type ClusterView, localityOf, mergeServices, workloadOf } from './merge.ts';

function service(name: string, ip: string, ports: object[] = [{ name: 'http', port: 9080 }]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP: ip, ports, selector: { app: name } },
  };
}

function pod(name: string, labels: Record<string, string>, owner?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels,
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: 'u', controller: true },
            ],
          }
        : {}),
    },
  };
}

function slice(
  svc: string,
  name: string,
  endpoints: Array<[string, string, boolean?]>,
  port = 9080,
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map(([ip, podName, ready]) => ({
      addresses: [ip],
      conditions: { ready: ready ?? true },
      targetRef: { kind: 'Pod', name: podName, namespace: 'default' },
    })),
  };
}

const member1: ClusterView = {
  name: 'member1',
  locality: { region: 'cn-hangzhou', zone: 'cn-hangzhou-a' },
  services: [service('reviews', '127.100.0.10'), service('productpage', '127.100.0.11')],
  endpointSlices: [
    slice('reviews', 'reviews-abc', [['127.10.0.5', 'reviews-v1-7f9d4-x1']]),
    slice('productpage', 'productpage-abc', [['127.10.0.6', 'productpage-v1-55d-q']]),
  ],
  pods: [
    pod(
      'reviews-v1-7f9d4-x1',
      { app: 'reviews', version: 'v1', 'pod-template-hash': '7f9d4' },
      'reviews-v1-7f9d4',
    ),
    pod(
      'productpage-v1-55d-q',
      { app: 'productpage', version: 'v1', 'pod-template-hash': '55d' },
      'productpage-v1-55d',
    ),
  ],
};

const member2: ClusterView = {
  name: 'member2',
  services: [service('reviews', '127.101.0.10'), service('details', '127.101.0.12')],
  endpointSlices: [
    slice('reviews', 'reviews-def', [
      ['127.11.0.7', 'reviews-v3-6b5-y', true],
      ['127.11.0.8', 'reviews-v2-4c4-z', false],
    ]),
  ],
  pods: [
    pod('reviews-v3-6b5-y', { app: 'reviews', version: 'v3', 'pod-template-hash': '6b5' }, 'reviews-v3-6b5'),
    pod('reviews-v2-4c4-z', { app: 'reviews', version: 'v2', 'pod-template-hash': '4c4' }, 'reviews-v2-4c4'),
  ],
};

describe('mergeServices', () => {
  it('merges a Service of the same namespace/name across clusters into one with the union of endpoints', () => {
    const services = mergeServices([member2, member1]);
    assert.deepEqual(
      services.map((s) => `${s.namespace}/${s.name}`),
      ['default/details', 'default/productpage', 'default/reviews'],
    );
    const reviews = services.find((s) => s.name === 'reviews')!;
    assert.equal(reviews.hostname, 'reviews.default.svc.cluster.local');
    assert.deepEqual(reviews.clusters, ['member1', 'member2']);
    assert.deepEqual(reviews.clusterIPs, [
      { cluster: 'member1', ip: '127.100.0.10' },
      { cluster: 'member2', ip: '127.101.0.10' },
    ]);
    assert.deepEqual(
      reviews.endpoints.map((e) => [e.cluster, e.address, e.labels.version, e.workload, e.ready]),
      [
        ['member1', '127.10.0.5', 'v1', 'reviews-v1', true],
        ['member2', '127.11.0.7', 'v3', 'reviews-v3', true],
        ['member2', '127.11.0.8', 'v2', 'reviews-v2', false],
      ],
    );
    assert.deepEqual(reviews.ports, [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 }]);
  });

  it('gives each endpoint its cluster locality, pod and ports by name', () => {
    const [first] = mergeServices([member1]).find((s) => s.name === 'reviews')!.endpoints;
    assert.deepEqual(first?.locality, { region: 'cn-hangzhou', zone: 'cn-hangzhou-a' });
    assert.equal(first?.pod, 'reviews-v1-7f9d4-x1');
    assert.deepEqual(first?.ports, { http: 9080 });
  });

  it('keeps a Service without endpoints (details declared in member2 only, no slice yet)', () => {
    const details = mergeServices([member1, member2]).find((s) => s.name === 'details')!;
    assert.deepEqual(details.clusters, ['member2']);
    assert.deepEqual(details.endpoints, []);
  });

  it('unions ports by number and resolves a named targetPort from the slices', () => {
    const a: ClusterView = {
      name: 'a',
      services: [service('web', '10.0.0.1', [{ name: 'http', port: 80, targetPort: 'web' }])],
      endpointSlices: [slice('web', 'web-1', [['10.1.0.1', 'web-1']], 8080)],
      pods: [],
    };
    const b: ClusterView = {
      name: 'b',
      services: [service('web', '10.0.0.2', [{ name: 'metrics', port: 9090, targetPort: 9090 }])],
      endpointSlices: [],
      pods: [],
    };
    const [web] = mergeServices([a, b]);
    assert.deepEqual(web?.ports, [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 },
    ]);
    // An endpoint without a Pod in the cache still counts, named by its targetRef.
    assert.equal(web?.endpoints[0]?.workload, 'web-1');
    assert.deepEqual(web?.endpoints[0]?.labels, {});
  });

  it('skips ExternalName and headless-address services gracefully, and de-duplicates addresses across slices', () => {
    const c: ClusterView = {
      name: 'c',
      services: [
        { ...service('ext', ''), spec: { type: 'ExternalName', externalName: 'example.com' } },
        service('db', 'None'),
      ],
      endpointSlices: [
        slice('db', 'db-1', [['10.2.0.1', 'db-0', false]]),
        slice('db', 'db-2', [['10.2.0.1', 'db-0', true]]),
      ],
      pods: [],
    };
    const out = mergeServices([c]);
    assert.deepEqual(
      out.map((s) => s.name),
      ['db'],
    );
    assert.deepEqual(out[0]?.clusterIPs, []);
    assert.deepEqual(
      out[0]?.endpoints.map((e) => [e.address, e.ready]),
      [['10.2.0.1', true]],
    );
  });

  it('does not modify its input', () => {
    const frozen = structuredClone(member1);
    mergeServices([member1]);
    assert.deepEqual(member1, frozen);
  });
});

describe('workloadOf / localityOf', () => {
  it('names the Deployment behind a ReplicaSet-owned pod, else the owner, else the pod', () => {
    assert.equal(workloadOf(pod('a-1b2c-x', { 'pod-template-hash': '1b2c' }, 'a-1b2c')), 'a');
    assert.equal(workloadOf(pod('job-x', {}, 'job')), 'job');
    assert.equal(workloadOf(pod('bare', {})), 'bare');
  });

  it('reads region and a single zone from a Cluster', () => {
    const cluster = (spec: object): KubeObject => ({ apiVersion: 'v1', kind: 'Cluster', metadata: {}, spec });
    assert.deepEqual(localityOf(cluster({ region: 'r1', zones: ['z1'] })), { region: 'r1', zone: 'z1' });
    assert.deepEqual(localityOf(cluster({ region: 'r1', zones: ['z1', 'z2'] })), { region: 'r1' });
    assert.equal(localityOf(cluster({})), undefined);
  });
});
