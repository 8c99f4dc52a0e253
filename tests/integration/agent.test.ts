/**
 * The pull-mode agent against real API servers: a control plane running the federation
 * controllers and a member with workload controllers and a fake kubelet. The agent registers
 * the cluster in Pull mode, renews its Lease, turns it Ready, applies Works from its execution
 * namespace with push's semantics (create, status, drift, deletion) — and the control plane's
 * own execution controller leaves its Works alone even though it could reach the member; and the
 * agent rides out its member going away and coming back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningAgent, startAgent } from '../../src/agent/index.ts';
import { AgentError } from '../../src/agent/register.ts';
import { ANNOTATIONS, CLUSTER_SECRET_NAMESPACE } from '../../src/api/karmada/names.ts';
import type { Cluster, Work } from '../../src/api/karmada/types.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import { Client } from '../../src/client/client.ts';
import { kubeConfigFromUrl } from '../../src/client/kubeconfig.ts';
import { resources } from '../../src/client/resources.ts';
import { waitFor } from '../../src/controllers/testing/wait.ts';
import { conditionOf } from '../../src/federation/status-write.ts';
import { type Fleet, startFleet, TEST_HEALTH } from '../../src/federation/testing.ts';
import { openStorage } from '../../src/storage/index.ts';
import { startTestServer } from '../helpers/apiserver.ts';

function deployment(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

function work(name: string, manifest: KubeObject): Work {
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name, namespace: 'karmada-es-edge' },
    spec: { workload: { manifests: [manifest] } },
  };
}

describe('agent (pull mode) against real API servers', { timeout: 120_000 }, () => {
  let f: Fleet;
  let agent: RunningAgent | undefined;
  const memberKubeConfig = () =>
    kubeConfigFromUrl({ server: f.members[0]!.server.url, token: 'member-token' });
  const start = () =>
    startAgent({
      controlPlane: f.client,
      cluster: 'edge',
      memberKubeConfig: memberKubeConfig(),
      region: 'eu-west',
      zones: ['z1', 'z2'],
      health: TEST_HEALTH,
      lease: { renewIntervalMs: 300 },
    });
  const member = () => f.members[0]!.client;
  const getWork = (name: string) =>
    f.client.get<Work>(resources.works, { name, namespace: 'karmada-es-edge' });

  before(async () => {
    f = await startFleet(['edge']);
    await f.client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: CLUSTER_SECRET_NAMESPACE },
    });
    agent = await start();
  });
  after(async () => {
    await agent?.stop();
    await f?.close();
  });

  it('registers the cluster in Pull mode, reports its Secret, and turns it Ready', async () => {
    const c = await waitFor('edge Ready', async () => {
      const c = await f.client.get<Cluster>(resources.clusters, { name: 'edge' });
      return conditionOf(c, 'Ready')?.status === 'True' && c.status?.nodeSummary ? c : undefined;
    });
    assert.equal(c.spec.syncMode, 'Pull');
    assert.equal(c.spec.apiEndpoint, f.members[0]!.server.url);
    assert.deepEqual([c.spec.region, c.spec.zones], ['eu-west', ['z1', 'z2']]);
    const kubeSystem = await member().get(resources.namespaces, { name: 'kube-system' });
    assert.equal(c.spec.id, kubeSystem.metadata.uid);
    const secret = await f.client.get(resources.secrets, {
      name: 'edge',
      namespace: CLUSTER_SECRET_NAMESPACE,
    });
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'member-token');
    await waitFor('karmada-es-edge', () => f.client.get(resources.namespaces, { name: 'karmada-es-edge' }));
  });

  it('renews the Lease karmada-cluster/edge every renew interval, owned by the Cluster', async () => {
    const key = { name: 'edge', namespace: CLUSTER_SECRET_NAMESPACE };
    const first = await waitFor('lease', () => f.client.get(resources.leases, key));
    assert.equal(first.spec.leaseDurationSeconds, 40);
    assert.equal(first.spec.holderIdentity, 'edge');
    assert.equal(first.metadata.ownerReferences?.[0]?.kind, 'Cluster');
    await waitFor('a renewal', async () => {
      const l = await f.client.get(resources.leases, key);
      return l.spec.renewTime > first.spec.renewTime ? l : undefined;
    });
  });

  it('applies a Work, reflects its status, reverts drift and removes it on deletion', async () => {
    await f.client.create(resources.works, work('web', deployment('web')));
    const live = await waitFor('web in the member', () =>
      member().get(resources.deployments, { name: 'web', namespace: 'default' }),
    );
    assert.equal(live.metadata.annotations?.[ANNOTATIONS.workNamespace], 'karmada-es-edge');
    const w = await waitFor('Applied with status', async () => {
      const w = await getWork('web');
      return conditionOf(w, 'Applied')?.status === 'True' &&
        w.status?.manifestStatuses?.[0]?.status?.readyReplicas === 1
        ? w
        : undefined;
    });
    assert.ok(w.metadata.finalizers?.includes('karmada.io/execution-controller'));
    assert.equal(w.status?.manifestStatuses?.[0]?.health, 'Healthy');

    await member().patch(resources.deployments, {
      name: 'web',
      namespace: 'default',
      type: 'merge',
      patch: { spec: { replicas: 5 } },
    });
    await waitFor('drift reverted', async () => {
      const d = await member().get(resources.deployments, { name: 'web', namespace: 'default' });
      return d.spec.replicas === 1 ? d : undefined;
    });

    await f.client.delete(resources.works, { name: 'web', namespace: 'karmada-es-edge' });
    await waitFor('web gone from the member', async () => {
      try {
        await member().get(resources.deployments, { name: 'web', namespace: 'default' });
        return undefined;
      } catch {
        return true;
      }
    });
    await waitFor('Work gone', async () => {
      try {
        await getWork('web');
        return undefined;
      } catch {
        return true;
      }
    });
  });

  it("leaves a stopped agent's Works unapplied: the control plane never pushes to a Pull cluster", async () => {
    await agent?.stop();
    agent = undefined;
    await f.client.create(resources.works, work('api', deployment('api')));
    await new Promise((r) => setTimeout(r, 1_500));
    const w = await getWork('api');
    assert.equal(conditionOf(w, 'Applied'), undefined);
    await assert.rejects(
      member().get(resources.deployments, { name: 'api', namespace: 'default' }),
      /not found/,
    );

    agent = await start();
    await waitFor('api applied after the agent restarted', async () => {
      const w = await getWork('api');
      return conditionOf(w, 'Applied')?.status === 'True' ? w : undefined;
    });
    await member().get(resources.deployments, { name: 'api', namespace: 'default' });
  });

  it('refuses to register the same member under another name', async () => {
    await assert.rejects(
      startAgent({ controlPlane: f.client, cluster: 'edge2', memberKubeConfig: memberKubeConfig() }),
      (err) =>
        err instanceof AgentError &&
        err.code === 'IdTaken' &&
        /already registered as "edge"/.test(err.message),
    );
  });

  it('survives its member going away and resumes when it is back at the same address', async () => {
    const storage = await openStorage('memory://');
    let server = await startTestServer({ storage, keepStorage: true });
    const port = server.server.port;
    const flaky = await startAgent({
      controlPlane: f.client,
      cluster: 'flaky',
      memberKubeConfig: kubeConfigFromUrl({ server: server.url }),
      health: TEST_HEALTH,
    });
    try {
      const ready = (status: string) => async () => {
        const c = await f.client.get<Cluster>(resources.clusters, { name: 'flaky' });
        return conditionOf(c, 'Ready')?.status === status ? c : undefined;
      };
      await waitFor('flaky Ready', ready('True'));
      await waitFor('karmada-es-flaky', () =>
        f.client.get(resources.namespaces, { name: 'karmada-es-flaky' }),
      );
      await server.close();
      const down = await waitFor('flaky not Ready', ready('False'));
      assert.equal(conditionOf(down, 'Ready')?.reason, 'ClusterNotReachable');
      await f.client.create(resources.works, {
        ...work('late', deployment('late')),
        metadata: { name: 'late', namespace: 'karmada-es-flaky' },
      });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(
        conditionOf(
          await f.client.get<Work>(resources.works, { name: 'late', namespace: 'karmada-es-flaky' }),
          'Applied',
        ),
        undefined,
      );

      server = await startTestServer({ storage, keepStorage: true, port });
      await waitFor('flaky Ready again', ready('True'));
      await waitFor('late applied', async () => {
        const w = await f.client.get<Work>(resources.works, { name: 'late', namespace: 'karmada-es-flaky' });
        return conditionOf(w, 'Applied')?.status === 'True' ? w : undefined;
      });
      const member2 = new Client({
        kubeConfig: kubeConfigFromUrl({ server: server.url }),
      });
      await member2.get(resources.deployments, { name: 'late', namespace: 'default' });
      await member2.close();
    } finally {
      await flaky.stop();
      await server.close();
      await storage.close();
    }
  });
});
