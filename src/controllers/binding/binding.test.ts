import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import { bindingName, LABELS, workName } from '../../api/karmada/names.ts';
import type { ResourceBinding, Work } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { createLogger } from '../../log/index.ts';
import { type RunningPropagationControllers, startPropagationControllers } from '../propagation.ts';
import { waitFor } from '../testing/wait.ts';

let t: TestServer;
let client: Client;
let running: RunningPropagationControllers;

before(async () => {
  t = await startTestServer();
  client = new Client({ kubeConfig: kubeConfigFromUrl({ server: t.url }), qps: Number.POSITIVE_INFINITY });
  running = await startPropagationControllers({
    client,
    discoveryIntervalMs: 500,
    ...(process.env.PROP_DEBUG ? { logger: createLogger({ level: 'debug' }) } : {}),
  });
});
after(async () => {
  await running.stop();
  await client.close();
  await t.close();
});

const gone = async (p: Promise<unknown>) => {
  try {
    await p;
    return false;
  } catch (err) {
    return (err as { reason?: string }).reason === 'NotFound';
  }
};

describe('binding controller', () => {
  it('renders one Work per target cluster with replicas, overrides and Karmada metadata', async () => {
    await client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    await client.create(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member1', labels: { region: 'eu' } },
      spec: { syncMode: 'Push', apiEndpoint: 'https://127.0.0.1:1' },
    });
    await client.create(resources.overridepolicies, {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'images', namespace: 'shop' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
        overrideRules: [
          {
            targetCluster: { labelSelector: { matchLabels: { region: 'eu' } } },
            overriders: { imageOverrider: [{ component: 'Tag', operator: 'replace', value: 'eu' }] },
          },
          {
            targetCluster: { clusterNames: ['member2'] },
            overriders: {
              imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.io' }],
            },
          },
        ],
      },
    });
    await client.create(resources.propagationpolicies, {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
        placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
      },
    });
    const tmpl = await client.create<KubeObject>(resources.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'web:1' }] },
        },
      },
    });
    const key = { name: bindingName('Deployment', 'web'), namespace: 'shop' };
    const rb = await waitFor('binding', () => client.get<ResourceBinding>(resources.resourcebindings, key));
    // Simulate the scheduler.
    rb.spec.clusters = [
      { name: 'member1', replicas: 2 },
      { name: 'member2', replicas: 1 },
    ];
    await client.update(resources.resourcebindings, rb);

    const name = workName('Deployment', 'web', 'shop');
    const w1 = await waitFor('member1 work', () =>
      client.get<Work>(resources.works, { name, namespace: 'karmada-es-member1' }),
    );
    const w2 = await waitFor('member2 work', () =>
      client.get<Work>(resources.works, { name, namespace: 'karmada-es-member2' }),
    );
    const id = rb.metadata.labels?.[LABELS.rbPermanentId];
    assert.ok(id);
    for (const [w, replicas, image] of [
      [w1, 2, 'web:eu'],
      [w2, 1, 'mirror.io/web:1'],
    ] as const) {
      assert.equal(w.metadata.labels?.[LABELS.rbPermanentId], id);
      assert.equal(w.metadata.annotations?.['resourcebinding.karmada.io/namespace'], 'shop');
      assert.equal(w.metadata.annotations?.['resourcebinding.karmada.io/name'], key.name);
      assert.equal(w.metadata.annotations?.['work.karmada.io/conflict-resolution'], 'abort');
      assert.deepEqual(w.metadata.finalizers, ['karmada.io/execution-controller']);
      const applied = JSON.parse(w.metadata.annotations?.['policy.karmada.io/applied-overrides'] ?? '[]');
      assert.deepEqual(
        applied.map((a: { policyName: string }) => a.policyName),
        ['images'],
      );
      const m = w.spec.workload?.manifests?.[0] as KubeObject;
      assert.equal(m.spec.replicas, replicas);
      assert.equal(m.spec.template.spec.containers[0].image, image);
      assert.equal(m.metadata.labels?.['karmada.io/managed'], 'true');
      assert.equal(m.metadata.labels?.[LABELS.rbPermanentId], id);
      assert.equal(m.metadata.annotations?.['resourcetemplate.karmada.io/uid'], tmpl.metadata.uid);
      assert.equal(m.metadata.annotations?.['work.karmada.io/name'], name);
      assert.equal(m.metadata.annotations?.['propagationpolicy.karmada.io/name'], 'web');
      assert.equal(m.metadata.uid, undefined);
      assert.equal(m.metadata.resourceVersion, undefined);
      assert.equal(m.metadata.managedFields, undefined);
      assert.equal(m.status, undefined);
    }
    const nsObj = await client.get(resources.namespaces, { name: 'karmada-es-member2' });
    assert.equal(nsObj.metadata.name, 'karmada-es-member2');

    // Dropping a cluster deletes its Work (it keeps its execution finalizer until that controller runs).
    const latest = await client.get<ResourceBinding>(resources.resourcebindings, key);
    latest.spec.clusters = [{ name: 'member1', replicas: 3 }];
    await client.update(resources.resourcebindings, latest);
    await waitFor('member2 work deleting', async () => {
      const w = await client
        .get<Work>(resources.works, { name, namespace: 'karmada-es-member2' })
        .catch(() => undefined);
      return !w || !!w.metadata.deletionTimestamp;
    });
    await waitFor('member1 replicas 3', async () => {
      const w = await client.get<Work>(resources.works, { name, namespace: 'karmada-es-member1' });
      return w.spec.workload?.manifests?.[0]?.spec?.replicas === 3;
    });

    // Template deleted → binding garbage-collected → its Works deleted, finalizer released.
    await client.delete(resources.deployments, { name: 'web', namespace: 'shop' });
    await waitFor('binding gone', () => gone(client.get(resources.resourcebindings, key)), 15_000);
    const w = await client
      .get<Work>(resources.works, { name, namespace: 'karmada-es-member1' })
      .catch(() => undefined);
    assert.ok(!w || w.metadata.deletionTimestamp, 'member1 work deleted');
  });
});
