import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { waitFor } from '../testing/wait.ts';

describe('EndpointSlice controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const slicesOf = (svc: string) =>
    h.list(resources.endpointslices, 'default', `kubernetes.io/service-name=${svc}`);

  it('lists only ready pods, with ports resolved by name, and all of them with publishNotReadyAddresses', async () => {
    await h.client.create(resources.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [{ name: 'c', image: 'api:1', ports: [{ name: 'http', containerPort: 8080 }] }],
          },
        },
      },
    });
    // A matching pod on a node no kubelet runs: Running with an IP but never Ready.
    const stray: KubeObject = await h.client.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-unready', namespace: 'default', labels: { app: 'api' } },
      spec: {
        nodeName: 'node-9',
        containers: [{ name: 'c', image: 'api:1', ports: [{ name: 'http', containerPort: 8080 }] }],
      },
    });
    stray.status = {
      phase: 'Running',
      podIP: '10.244.9.9',
      conditions: [{ type: 'Ready', status: 'False' }],
    };
    await h.client.updateStatus(resources.pods, stray);
    const svc: KubeObject = await h.client.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'default', labels: { tier: 'backend' } },
      spec: {
        selector: { app: 'api' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'http' },
        ],
      },
    });

    const readyIps = await waitFor('3 ready pods', async () => {
      const pods = (await h.list(resources.pods, 'default', 'app=api')).filter(
        (p) =>
          p.metadata.name !== 'api-unready' &&
          p.status?.conditions?.some((c: KubeObject) => c.type === 'Ready' && c.status === 'True'),
      );
      return pods.length === 3 && pods.map((p) => p.status.podIP as string).sort();
    });
    const slice = await waitFor('slice with 3 endpoints', async () => {
      const s = await slicesOf('api');
      return s.length === 1 && s[0]!.endpoints?.length === 3 && s[0];
    });
    assert.match(slice.metadata.name ?? '', /^api-[a-z0-9]+$/);
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(
      slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'],
      'endpointslice-controller.k8s.io',
    );
    assert.equal(slice.metadata.labels?.tier, 'backend');
    assert.deepEqual(slice.metadata.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'api',
        uid: svc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(slice.ports, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
    ]);
    assert.deepEqual(slice.endpoints.map((e: KubeObject) => e.addresses[0]).sort(), readyIps);
    for (const e of slice.endpoints) {
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.nodeName, 'node-1');
      assert.equal(e.targetRef.kind, 'Pod');
      assert.ok(e.targetRef.uid);
    }
    // Settled: no write loop.
    const rv = (await slicesOf('api'))[0]?.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await slicesOf('api'))[0]?.metadata.resourceVersion, rv);

    await h.client.patch(resources.services, {
      name: 'api',
      namespace: 'default',
      type: 'merge',
      patch: { spec: { publishNotReadyAddresses: true } },
    });
    const all = await waitFor('4 endpoints', async () => {
      const s = await slicesOf('api');
      return s.length === 1 && s[0]!.endpoints?.length === 4 && s[0];
    });
    const unready = all.endpoints.find((e: KubeObject) => e.addresses[0] === '10.244.9.9');
    assert.deepEqual(unready.conditions, { ready: true, serving: false, terminating: false });
    assert.equal(unready.nodeName, 'node-9');
  });

  it('drops a deleted pod and keeps an empty slice when nothing is ready', async () => {
    await h.client.patch(resources.deployments, {
      name: 'api',
      namespace: 'default',
      type: 'merge',
      patch: { spec: { replicas: 0 } },
    });
    await h.client.delete(resources.pods, { name: 'api-unready', namespace: 'default' });
    const s = await waitFor('empty slice', async () => {
      const s = await slicesOf('api');
      return s.length === 1 && (s[0]!.endpoints ?? []).length === 0 && s[0];
    });
    assert.deepEqual(s.ports ?? [], []);
  });
});
