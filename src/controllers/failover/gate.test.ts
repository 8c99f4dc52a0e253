/**
 * The `Failover` gate against a real API server: with it on (Flotilla's default) a NoExecute
 * taint evicts a binding that does not tolerate it; with it off nothing is evicted, while the
 * graceful eviction controller still runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import { ANNOTATIONS } from '../../api/karmada/names.ts';
import type { ResourceBinding } from '../../api/karmada/types.ts';
import { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { waitFor } from '../testing/wait.ts';
import { startFailoverControllers } from './index.ts';

describe('the Failover gate', { timeout: 60_000 }, () => {
  let server: TestServer;
  let client: Client;

  before(async () => {
    server = await startTestServer();
    client = new Client({
      kubeConfig: kubeConfigFromUrl({ server: server.url }),
      qps: Number.POSITIVE_INFINITY,
    });
    await client.create(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'c1' },
      spec: { syncMode: 'Push', taints: [{ key: 'gone', effect: 'NoExecute' }] },
    });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  const binding = (name: string) =>
    client.create<ResourceBinding>(resources.resourcebindings, {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace: 'default', annotations: { [ANNOTATIONS.appliedPlacement]: '{}' } },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name },
        replicas: 1,
        clusters: [{ name: 'c1', replicas: 1 }],
      },
    });
  const get = (name: string) =>
    client.get<ResourceBinding>(resources.resourcebindings, { name, namespace: 'default' });

  it('off: the untolerated NoExecute taint evicts nothing', async () => {
    const running = await startFailoverControllers({ client, failover: false });
    try {
      assert.deepEqual(running.controllers, ['cluster-taint-policy', 'graceful-eviction']);
      await binding('kept');
      await new Promise((r) => setTimeout(r, 1_500));
      const b = await get('kept');
      assert.deepEqual(b.spec.clusters, [{ name: 'c1', replicas: 1 }]);
      assert.equal(b.spec.gracefulEvictionTasks, undefined);
    } finally {
      await running.stop();
    }
  });

  it('on (the default): the same taint evicts, with a TaintManager task', async () => {
    const running = await startFailoverControllers({ client });
    try {
      const b = await waitFor('kept evicted from c1', async () => {
        const b = await get('kept');
        return (b.spec.clusters ?? []).length === 0 ? b : undefined;
      });
      const task = b.spec.gracefulEvictionTasks?.[0];
      assert.equal(task?.fromCluster, 'c1');
      assert.equal(task?.producer, 'TaintManager');
      assert.equal(task?.reason, 'TaintUntolerated');
      assert.equal(task?.purgeMode, 'Gracefully');
      assert.equal(task?.replicas, 1);
    } finally {
      await running.stop();
    }
  });
});
