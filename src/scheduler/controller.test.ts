import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../../tests/helpers/apiserver.ts';
import { ANNOTATIONS, LABELS } from '../api/karmada/names.ts';
import type { Cluster, Placement, ResourceBinding } from '../api/karmada/types.ts';
import { Client, kubeConfigFromUrl, resources } from '../client/index.ts';
import { type RunningScheduler, startScheduler } from './controller.ts';
import { decodeDecision } from './decision.ts';
import { testCluster } from './fixtures.ts';
import { DECISION_ANNOTATION } from './triggers.ts';
import type { Diagnosis } from './types.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await sleep(50);
  }
}

async function createCluster(client: Client, c: Cluster): Promise<void> {
  const { status, ...rest } = c;
  const created = await client.create<Cluster>(resources.clusters, rest as Cluster);
  await client.updateStatus(resources.clusters, { ...created, ...(status ? { status } : {}) });
}

function binding(name: string, replicas: number, placement: Placement): ResourceBinding {
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name, namespace: 'default', labels: { [LABELS.ppPermanentId]: 'pp-1' } },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name, uid: `uid-${name}` },
      replicas,
      placement,
    },
  } as ResourceBinding;
}

describe('scheduler controller against the real API server', () => {
  let t: TestServer;
  let client: Client;
  let scheduler: RunningScheduler;
  const get = (name: string) =>
    client.get<ResourceBinding>(resources.resourcebindings, { name, namespace: 'default' });
  const scheduled = (b: ResourceBinding) => b.status?.conditions?.find((c) => c.type === 'Scheduled');

  before(async () => {
    t = await startTestServer();
    client = new Client({ kubeConfig: kubeConfigFromUrl({ server: t.url }) });
    await createCluster(client, testCluster('m1', { labels: { env: 'prod' }, region: 'eu', pods: 20 }));
    await createCluster(client, testCluster('m2', { labels: { env: 'dev' }, region: 'us', pods: 40 }));
    await createCluster(client, testCluster('m3', { labels: { env: 'prod' }, apis: [] }));
    scheduler = startScheduler({ client, backoff: { baseMs: 50, maxMs: 500 } });
    await scheduler.ready;
  });
  after(async () => {
    await scheduler?.stop();
    await t?.close();
  });

  it('schedules a Divided binding and records condition, status and decision', async () => {
    const placement: Placement = {
      clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } },
      replicaScheduling: {
        replicaSchedulingType: 'Divided',
        replicaDivisionPreference: 'Weighted',
        weightPreference: { dynamicWeight: 'AvailableReplicas' },
      },
    };
    await client.create(resources.resourcebindings, binding('web', 4, placement));
    const b = await until('web scheduled', async () => {
      const b = await get('web');
      return scheduled(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(b.spec.clusters, [{ name: 'm1', replicas: 4 }]);
    assert.equal(scheduled(b)?.reason, 'Success');
    assert.equal(b.status?.schedulerObservedGeneration, b.metadata.generation);
    assert.ok(b.status?.lastScheduledTime);
    assert.deepEqual(JSON.parse(b.metadata.annotations?.[ANNOTATIONS.appliedPlacement] ?? '{}'), placement);
    const d = decodeDecision(b.metadata.annotations?.[DECISION_ANNOTATION]) as Diagnosis & { kind: string };
    assert.equal(d.kind, 'Success');
    const m3 = d.terms[0]?.clusters.find((c) => c.name === 'm3');
    assert.equal(m3?.rejected?.plugin, 'APIEnablement');
    assert.equal(d.terms[0]?.clusters.find((c) => c.name === 'm2')?.rejected?.plugin, 'ClusterAffinity');
    const events = await client.list(resources.events, { namespace: 'default' });
    assert.ok(
      events.items.some((e) => (e as unknown as { reason?: string }).reason === 'ScheduleBindingSucceed'),
    );
  });

  it('moves a Duplicated binding when a cluster label changes', async () => {
    await client.create(
      resources.resourcebindings,
      binding('dup', 2, { clusterAffinity: { labelSelector: { matchLabels: { tier: 'gold' } } } }),
    );
    const first = await until('dup NoClusterFit', async () => {
      const b = await get('dup');
      return scheduled(b)?.reason === 'NoClusterFit' ? b : undefined;
    });
    assert.equal(scheduled(first)?.status, 'False');
    assert.match(scheduled(first)?.message ?? '', /^0\/3 clusters are available: /);
    const m2 = await client.get<Cluster>(resources.clusters, { name: 'm2' });
    await client.update(resources.clusters, {
      ...m2,
      metadata: { ...m2.metadata, labels: { ...m2.metadata.labels, tier: 'gold' } },
    });
    const onM2 = await until('dup on m2', async () => {
      const b = await get('dup');
      return b.spec.clusters?.[0]?.name === 'm2' ? b : undefined;
    });
    assert.deepEqual(onM2.spec.clusters, [{ name: 'm2', replicas: 2 }]);
    const m1 = await client.get<Cluster>(resources.clusters, { name: 'm1' });
    await client.update(resources.clusters, {
      ...m1,
      metadata: { ...m1.metadata, labels: { ...m1.metadata.labels, tier: 'gold' } },
    });
    const m2b = await client.get<Cluster>(resources.clusters, { name: 'm2' });
    await client.update(resources.clusters, {
      ...m2b,
      metadata: { ...m2b.metadata, labels: { env: 'dev' } },
    });
    const moved = await until('dup moved to m1', async () => {
      const b = await get('dup');
      return b.spec.clusters?.length === 1 && b.spec.clusters[0]?.name === 'm1' ? b : undefined;
    });
    assert.equal(scheduled(moved)?.status, 'True');
  });

  it('schedules a Duplicated binding once: its own write and a template edit do not repeat the pass', async () => {
    await client.create(
      resources.resourcebindings,
      binding('once', 1, { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } }),
    );
    const first = await until('once scheduled', async () => {
      const b = await get('once');
      return scheduled(b)?.status === 'True' ? b : undefined;
    });
    assert.deepEqual(first.spec.clusters, [{ name: 'm1', replicas: 1 }]);
    // The detector's update on a template edit: a new resourceVersion, same scheduling input.
    const edited = structuredClone(first);
    edited.spec.resource.resourceVersion = '12345';
    const after = await client.update<ResourceBinding>(resources.resourcebindings, edited);
    assert.ok((after.metadata.generation ?? 0) > (first.metadata.generation ?? 0));
    await until('generation observed', async () => {
      const b = await get('once');
      return b.status?.schedulerObservedGeneration === after.metadata.generation ? b : undefined;
    });
    await sleep(300);
    const last = await get('once');
    assert.equal(
      last.metadata.annotations?.[DECISION_ANNOTATION],
      first.metadata.annotations?.[DECISION_ANNOTATION],
    );
    assert.equal(last.status?.lastScheduledTime, first.status?.lastScheduledTime);
    const events = (await client.list(resources.events, { namespace: 'default' })).items as unknown as {
      reason?: string;
      count?: number;
      involvedObject: { kind: string; name: string };
    }[];
    const succeeded = events.filter(
      (e) =>
        e.reason === 'ScheduleBindingSucceed' &&
        e.involvedObject.kind === 'ResourceBinding' &&
        e.involvedObject.name === 'once',
    );
    assert.deepEqual(
      succeeded.map((e) => e.count ?? 1),
      [1],
    );
  });

  it('bad placement → Scheduled=False NoClusterFit with diagnosis and empty clusters', async () => {
    await client.create(
      resources.resourcebindings,
      binding('bad', 1, { clusterAffinity: { clusterNames: ['nowhere'] } }),
    );
    const b = await until('bad NoClusterFit', async () => {
      const b = await get('bad');
      return scheduled(b)?.reason === 'NoClusterFit' ? b : undefined;
    });
    assert.equal(b.spec.clusters, undefined);
    assert.equal(
      scheduled(b)?.message,
      '0/3 clusters are available: 1 cluster(s) did not have the API resource, 2 cluster(s) did not match the placement cluster affinity constraint.',
    );
    const d = decodeDecision(b.metadata.annotations?.[DECISION_ANNOTATION]) as Diagnosis;
    assert.equal(d.terms[0]?.clusters.length, 3);
  });

  it('ignores bindings without claim labels or for another scheduler', async () => {
    const unclaimed = binding('unclaimed', 1, {});
    unclaimed.metadata.labels = {};
    await client.create(resources.resourcebindings, unclaimed);
    const other = binding('other', 1, {});
    other.spec.schedulerName = 'my-scheduler';
    await client.create(resources.resourcebindings, other);
    await sleep(500);
    assert.equal((await get('unclaimed')).status?.conditions, undefined);
    assert.equal((await get('other')).status?.conditions, undefined);
  });
});
