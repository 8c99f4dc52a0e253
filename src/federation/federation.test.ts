import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANNOTATIONS, CLUSTER_SECRET_NAMESPACE, LABELS, TAINTS } from '../api/karmada/names.ts';
import type { Cluster, ResourceBinding, Work } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { waitFor } from '../controllers/testing/wait.ts';
import { JoinError, joinCluster, unjoinCluster } from './join.ts';
import { conditionOf } from './status-write.ts';
import { type Fleet, startFleet } from './testing.ts';

function deployment(name: string, replicas: number, extra: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name }, annotations: extra },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

function work(
  cluster: string,
  name: string,
  manifest: KubeObject,
  extra: Partial<Work['spec']> = {},
  annotations: Record<string, string> = {},
): Work {
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name, namespace: `karmada-es-${cluster}`, annotations },
    spec: { workload: { manifests: [manifest] }, ...extra },
  };
}

describe('federation against real API servers', { timeout: 120_000 }, () => {
  let f: Fleet;
  const member = (i: number) => {
    const m = f.members[i];
    assert.ok(m);
    return m;
  };
  const getWork = (cluster: string, name: string) =>
    f.client.get<Work>(resources.works, { name, namespace: `karmada-es-${cluster}` });
  const cluster = (name: string) => f.client.get<Cluster>(resources.clusters, { name });

  before(async () => {
    f = await startFleet(['member1', 'member2']);
    for (const m of f.members) {
      await joinCluster({
        controlPlane: f.client,
        name: m.name,
        memberKubeConfig: kubeConfigFromUrl({ server: m.server.url, token: 'member-token' }),
        provider: 'local',
        region: 'eu',
        zones: ['a', 'b'],
        labels: { env: 'test' },
      });
    }
  });
  after(async () => {
    await f?.close();
  });

  it('joins: Secret, Cluster spec, Ready with version, enablements and summaries, no taints', async () => {
    const c = await waitFor('member1 Ready', async () => {
      const c = await cluster('member1');
      return conditionOf(c, 'Ready')?.status === 'True' &&
        c.status?.nodeSummary &&
        c.spec.taints?.length === 0
        ? c
        : undefined;
    });
    assert.equal(c.spec.syncMode, 'Push');
    assert.equal(c.spec.apiEndpoint, member(0).server.url);
    assert.deepEqual(c.spec.secretRef, { namespace: CLUSTER_SECRET_NAMESPACE, name: 'member1' });
    assert.deepEqual(
      [c.spec.provider, c.spec.region, c.spec.zones, c.metadata.labels?.env],
      ['local', 'eu', ['a', 'b'], 'test'],
    );
    assert.equal(conditionOf(c, 'Ready')?.reason, 'ClusterReady');
    assert.equal(conditionOf(c, 'CompleteAPIEnablements')?.status, 'True');
    assert.ok(c.status?.kubernetesVersion?.startsWith('v'));
    assert.ok(
      c.status?.apiEnablements?.some(
        (e) => e.groupVersion === 'apps/v1' && e.resources?.some((r) => r.kind === 'Deployment'),
      ),
    );
    assert.deepEqual(c.status?.nodeSummary, { totalNum: 1, readyNum: 1 });
    assert.equal(c.status?.resourceSummary?.allocatable?.cpu, '4');
    assert.equal(c.status?.resourceSummary?.allocatable?.memory, '8Gi');
    const secret = await f.client.get(resources.secrets, {
      name: 'member1',
      namespace: CLUSTER_SECRET_NAMESPACE,
    });
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'member-token');
    assert.ok(c.metadata.finalizers?.includes('karmada.io/cluster-controller'));
    await f.client.get(resources.namespaces, { name: 'karmada-es-member1' });
  });

  it('refuses a second join of the same name', async () => {
    await assert.rejects(
      joinCluster({
        controlPlane: f.client,
        name: 'member1',
        memberKubeConfig: kubeConfigFromUrl({ server: member(0).server.url }),
      }),
      (err) =>
        err instanceof JoinError &&
        err.code === 'AlreadyJoined' &&
        err.message === 'cluster "member1" is already joined',
    );
  });

  it('applies a Work, reflects status, and reverts drift', async () => {
    await f.client.create(resources.works, work('member1', 'web', deployment('web', 1)));
    const m1 = member(0).client;
    const live = await waitFor('web in member1', () =>
      m1.get(resources.deployments, { name: 'web', namespace: 'default' }),
    );
    assert.equal(live.metadata.labels?.[LABELS.managed], 'true');
    assert.equal(live.metadata.annotations?.[ANNOTATIONS.workName], 'web');
    assert.equal(live.metadata.annotations?.[ANNOTATIONS.workNamespace], 'karmada-es-member1');
    const w = await waitFor('Applied and manifestStatuses', async () => {
      const w = await getWork('member1', 'web');
      return conditionOf(w, 'Applied')?.status === 'True' &&
        w.status?.manifestStatuses?.[0]?.status?.readyReplicas === 1
        ? w
        : undefined;
    });
    assert.equal(conditionOf(w, 'Applied')?.reason, 'AppliedSuccessful');
    assert.ok(w.metadata.finalizers?.includes('karmada.io/execution-controller'));
    const ms = w.status?.manifestStatuses?.[0];
    assert.deepEqual(ms?.identifier, {
      ordinal: 0,
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      resource: 'deployments',
      namespace: 'default',
      name: 'web',
    });
    assert.equal(ms?.health, 'Healthy');

    const edited = await m1.get(resources.deployments, { name: 'web', namespace: 'default' });
    edited.spec.replicas = 3;
    await m1.update(resources.deployments, edited);
    await waitFor(
      'drift reverted',
      async () =>
        (await m1.get(resources.deployments, { name: 'web', namespace: 'default' })).spec.replicas === 1,
    );
    await m1.delete(resources.deployments, { name: 'web', namespace: 'default' });
    await waitFor('deleted object recreated', () =>
      m1.get(resources.deployments, { name: 'web', namespace: 'default' }),
    );
  });

  it('refuses an unmanaged member object until conflict-resolution says overwrite', async () => {
    const m1 = member(0).client;
    const cm = (data: string, annotations: Record<string, string> = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default', annotations },
      data: { v: data },
    });
    await m1.create(resources.configmaps, cm('theirs'));
    await f.client.create(resources.works, work('member1', 'settings', cm('ours')));
    const w = await waitFor('Applied=False', async () => {
      const w = await getWork('member1', 'settings');
      return conditionOf(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.equal(conditionOf(w, 'Applied')?.reason, 'AppliedFailed');
    assert.equal(
      conditionOf(w, 'Applied')?.message,
      'Failed to apply all manifests (0/1): resource(kind=ConfigMap, default/settings) already exists in the cluster member1 and the work.karmada.io/conflict-resolution strategy value is empty, Karmada will not manage this resource',
    );
    assert.equal(
      (await m1.get(resources.configmaps, { name: 'settings', namespace: 'default' })).data.v,
      'theirs',
    );
    const fresh = await getWork('member1', 'settings');
    fresh.spec.workload = { manifests: [cm('ours', { [ANNOTATIONS.conflictResolution]: 'overwrite' })] };
    await f.client.update(resources.works, fresh);
    const adopted = await waitFor('adopted', async () => {
      const o = await m1.get(resources.configmaps, { name: 'settings', namespace: 'default' });
      return o.data.v === 'ours' ? o : undefined;
    });
    assert.equal(adopted.metadata.labels?.[LABELS.managed], 'true');
    await waitFor(
      'Applied=True',
      async () => conditionOf(await getWork('member1', 'settings'), 'Applied')?.status === 'True',
    );
  });

  it('deletes member objects with the Work, or keeps them with preserveResourcesOnDeletion', async () => {
    const m2 = member(1).client;
    await waitFor(
      'member2 Ready',
      async () => conditionOf(await cluster('member2'), 'Ready')?.status === 'True',
    );
    await f.client.create(resources.works, work('member2', 'gone', deployment('gone', 1)));
    await f.client.create(
      resources.works,
      work('member2', 'kept', deployment('kept', 1), { preserveResourcesOnDeletion: true }),
    );
    for (const n of ['gone', 'kept'])
      await waitFor(`${n} in member2`, () =>
        m2.get(resources.deployments, { name: n, namespace: 'default' }),
      );
    await f.client.delete(resources.works, { name: 'gone', namespace: 'karmada-es-member2' });
    await f.client.delete(resources.works, { name: 'kept', namespace: 'karmada-es-member2' });
    await waitFor('gone Work removed', () =>
      getWork('member2', 'gone').then(
        () => false,
        () => true,
      ),
    );
    await waitFor('kept Work removed', () =>
      getWork('member2', 'kept').then(
        () => false,
        () => true,
      ),
    );
    await waitFor('gone deleted', () =>
      m2.get(resources.deployments, { name: 'gone', namespace: 'default' }).then(
        () => false,
        () => true,
      ),
    );
    const kept = await m2.get(resources.deployments, { name: 'kept', namespace: 'default' });
    assert.equal(kept.metadata.labels?.[LABELS.managed], undefined);
    assert.equal(kept.metadata.annotations?.[ANNOTATIONS.workName], undefined);
  });

  it('aggregates two clusters into the binding and the template Deployment status', async () => {
    const template = await f.client.create(resources.deployments, deployment('reviews', 2));
    const gen = String(template.metadata.generation ?? 1);
    const rb = await f.client.create(resources.resourcebindings, {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'reviews-deployment', namespace: 'default' },
      spec: {
        resource: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'default',
          name: 'reviews',
          uid: template.metadata.uid,
        },
        replicas: 2,
        clusters: [
          { name: 'member1', replicas: 1 },
          { name: 'member2', replicas: 1 },
        ],
      },
    });
    await f.client.updateStatus(resources.resourcebindings, {
      ...rb,
      status: { lastScheduledTime: new Date().toISOString() },
    });
    const bindingAnnotations = {
      [ANNOTATIONS.bindingNamespace]: 'default',
      [ANNOTATIONS.bindingName]: 'reviews-deployment',
    };
    for (const c of ['member1', 'member2']) {
      const manifest = deployment('reviews', 1, { [ANNOTATIONS.templateGeneration]: gen });
      await f.client.create(resources.works, work(c, 'reviews-x', manifest, {}, bindingAnnotations));
    }
    const t = await waitFor(
      'template status summed',
      async () => {
        const t = await f.client.get(resources.deployments, { name: 'reviews', namespace: 'default' });
        return t.status?.readyReplicas === 2 && t.status?.observedGeneration === Number(gen) ? t : undefined;
      },
      20_000,
    );
    assert.deepEqual(
      [t.status.replicas, t.status.readyReplicas, t.status.updatedReplicas, t.status.availableReplicas],
      [2, 2, 2, 2],
    );
    assert.equal(t.status.conditions?.find((c: { type: string }) => c.type === 'Available')?.status, 'True');
    const b = await f.client.get<ResourceBinding>(resources.resourcebindings, {
      name: 'reviews-deployment',
      namespace: 'default',
    });
    assert.equal(conditionOf(b, 'FullyApplied')?.status, 'True');
    assert.deepEqual(
      (b.status?.aggregatedStatus ?? []).map((i) => [i.clusterName, i.applied, i.health]),
      [
        ['member1', true, 'Healthy'],
        ['member2', true, 'Healthy'],
      ],
    );
  });

  it('propagates control-plane namespaces to every cluster, except skipped ones', async () => {
    await f.client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'apps' },
    });
    await f.client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'private', labels: { [LABELS.skipAutoPropagation]: 'true' } },
    });
    for (const m of f.members) {
      const ns = await waitFor(`apps in ${m.name}`, () =>
        m.client.get(resources.namespaces, { name: 'apps' }),
      );
      assert.equal(ns.metadata.labels?.[LABELS.managed], 'true');
    }
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(member(0).client.get(resources.namespaces, { name: 'private' }), /not found/);
  });

  it('marks a stopped member not ready after the threshold and taints it', async () => {
    await member(1).stop();
    const started = Date.now();
    const c = await waitFor('member2 not ready', async () => {
      const c = await cluster('member2');
      return conditionOf(c, 'Ready')?.status === 'False' &&
        c.spec.taints?.some((t) => t.key === TAINTS.notReady)
        ? c
        : undefined;
    });
    assert.ok(Date.now() - started >= 900, 'the flip waited for the failure threshold');
    assert.equal(conditionOf(c, 'Ready')?.reason, 'ClusterNotReachable');
    assert.deepEqual(
      c.spec.taints?.map((t) => [t.key, t.effect]),
      [[TAINTS.notReady, 'NoSchedule']],
    );
  });

  it('unjoins: Works, member objects, execution namespace and Secret are cleaned up', async () => {
    await unjoinCluster({ controlPlane: f.client, name: 'member1', timeoutMs: 20_000 });
    await assert.rejects(f.client.get(resources.namespaces, { name: 'karmada-es-member1' }), /not found/);
    await assert.rejects(
      f.client.get(resources.secrets, { name: 'member1', namespace: CLUSTER_SECRET_NAMESPACE }),
      /not found/,
    );
    await assert.rejects(
      member(0).client.get(resources.deployments, { name: 'web', namespace: 'default' }),
      /not found/,
    );
    await assert.rejects(
      unjoinCluster({ controlPlane: f.client, name: 'member1' }),
      (err) => err instanceof JoinError && err.code === 'NotJoined',
    );
  });
});
