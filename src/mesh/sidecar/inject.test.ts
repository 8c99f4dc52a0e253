import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { containerEnv } from '../../runtime/env.ts';
import { injectSidecar, SIDECAR_IMAGE, wantsSidecar } from './inject.ts';

const ENABLED = { 'istio-injection': 'enabled' };

function pod(extra: Partial<KubeObject['metadata']> = {}, spec: object = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'reviews-v2-5d6f7-abcde',
      namespace: 'default',
      labels: { app: 'reviews', version: 'v2', 'pod-template-hash': '5d6f7' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'reviews-v2-5d6f7', uid: 'u', controller: true },
      ],
      ...extra,
    },
    spec: {
      containers: [
        { name: 'reviews', image: 'x/examples-bookinfo-reviews-v2:1', ports: [{ containerPort: 9080 }] },
      ],
      ...spec,
    },
  };
}

describe('wantsSidecar', () => {
  const cases: Array<[string, KubeObject, Record<string, string> | undefined, boolean]> = [
    ['labelled namespace', pod(), ENABLED, true],
    ['unlabelled namespace', pod(), {}, false],
    ['namespace labelled disabled', pod(), { 'istio-injection': 'disabled' }, false],
    ['unknown namespace', pod(), undefined, false],
    ['pod label opts out', pod({ labels: { 'sidecar.istio.io/inject': 'false' } }), ENABLED, false],
    ['pod annotation opts out', pod({ annotations: { 'sidecar.istio.io/inject': 'false' } }), ENABLED, false],
    ['already injected', injectSidecar(pod(), { clusterName: 'm' }), ENABLED, false],
    ['host network', pod({}, { hostNetwork: true }), ENABLED, false],
  ];
  for (const [name, p, labels, want] of cases) {
    it(name, () => assert.equal(wantsSidecar(p, labels), want));
  }
});

describe('injectSidecar', () => {
  const injected = injectSidecar(pod(), { clusterName: 'member1' });
  const [app, proxy] = injected.spec.containers;

  it('appends an istio-proxy container with Istio’s image, ports and probes', () => {
    assert.deepEqual(
      injected.spec.containers.map((c: { name: string }) => c.name),
      ['reviews', 'istio-proxy'],
    );
    assert.equal(proxy.image, SIDECAR_IMAGE);
    assert.deepEqual(proxy.ports, [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }]);
    assert.deepEqual(proxy.readinessProbe.httpGet, { path: '/healthz/ready', port: 15021 });
    assert.equal(injected.metadata.annotations?.['kubectl.kubernetes.io/default-container'], 'reviews');
    assert.equal(injected.metadata.labels?.['service.istio.io/canonical-revision'], 'v2');
  });

  it('gives the sidecar its identity: cluster, workload, labels and the pod through the downward API', () => {
    const env = containerEnv({
      pod: injected,
      container: proxy,
      podIP: '127.10.0.9',
      hostIP: '127.0.0.1',
      clusterName: 'member1',
      serviceEnv: {},
    });
    assert.ok('env' in env);
    assert.equal(env.env.ISTIO_META_CLUSTER_ID, 'member1');
    assert.equal(env.env.ISTIO_META_WORKLOAD_NAME, 'reviews-v2');
    assert.equal(env.env.INSTANCE_IP, '127.10.0.9');
    assert.equal(env.env.POD_NAMESPACE, 'default');
    assert.deepEqual(JSON.parse(env.env.ISTIO_METAJSON_LABELS ?? ''), {
      app: 'reviews',
      version: 'v2',
      'pod-template-hash': '5d6f7',
    });
  });

  it('sends the application’s outbound HTTP through the sidecar on the pod IP, but not its own address', () => {
    const env = containerEnv({
      pod: injected,
      container: app,
      podIP: '127.10.0.9',
      hostIP: '127.0.0.1',
      clusterName: 'member1',
      serviceEnv: {},
    });
    assert.ok('env' in env);
    assert.equal(env.env.HTTP_PROXY, 'http://127.10.0.9:15001');
    assert.equal(env.env.NODE_USE_ENV_PROXY, '1');
    assert.equal(env.env.NO_PROXY, 'localhost,127.0.0.1,::1,127.10.0.9');
  });

  it('leaves a container’s own HTTP_PROXY alone and does not modify its input', () => {
    const own = pod(
      {},
      {
        containers: [
          { name: 'web', image: 'nginx', env: [{ name: 'HTTP_PROXY', value: 'http://corp:3128' }] },
        ],
      },
    );
    const copy = structuredClone(own);
    const out = injectSidecar(own, { clusterName: 'm' });
    assert.deepEqual(own, copy);
    const names = out.spec.containers[0].env.map((e: { name: string }) => e.name);
    assert.equal(names.filter((n: string) => n === 'HTTP_PROXY').length, 1);
    assert.equal(out.spec.containers[0].env.at(-1).value, 'http://corp:3128');
  });
});
