/**
 * Failover against real API servers: a control plane and two member servers (fake kubelets),
 * the federation controllers, the scheduler, the propagation controllers and the failover
 * controllers. What is asserted is what a user observes: where Deployments run, how many replicas
 * are ready, and the binding's placement and eviction tasks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster, ResourceBinding, Taint } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { joinCluster } from '../../federation/join.ts';
import { conditionOf } from '../../federation/status-write.ts';
import { type Fleet, startFleet } from '../../federation/testing.ts';
import { type RunningScheduler, startScheduler } from '../../scheduler/index.ts';
import { type RunningPropagationControllers, startPropagationControllers } from '../propagation.ts';
import { waitFor } from '../testing/wait.ts';
import { type RunningFailover, startFailoverControllers } from './index.ts';
import { clusterTaintPolicies } from './taint-policy.ts';

const NS = 'default';
const WAIT = 30_000;

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
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

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: NS },
    spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }], ...spec },
  };
}

const both = { clusterAffinity: { clusterNames: ['member1', 'member2'] } };
const oneToOne = {
  ...both,
  replicaScheduling: {
    replicaSchedulingType: 'Divided',
    replicaDivisionPreference: 'Weighted',
    weightPreference: {
      staticWeightList: [
        { targetCluster: { clusterNames: ['member1'] }, weight: 1 },
        { targetCluster: { clusterNames: ['member2'] }, weight: 1 },
      ],
    },
  },
};

describe('failover against real API servers', { timeout: 240_000 }, () => {
  let f: Fleet;
  let scheduler: RunningScheduler;
  let propagation: RunningPropagationControllers;
  let failover: RunningFailover;
  const member = (name: string) => {
    const m = f.members.find((x) => x.name === name);
    assert.ok(m, name);
    return m;
  };
  /** Ready replicas of `name` in a member, or undefined when the Deployment is not there. */
  const ready = async (cluster: string, name: string): Promise<number | undefined> => {
    const d = await member(cluster)
      .client.get(resources.deployments, { name, namespace: NS })
      .catch(() => undefined);
    if (!d || d.metadata.deletionTimestamp) return undefined;
    return d.status?.readyReplicas ?? 0;
  };
  const binding = (name: string) =>
    f.client.get<ResourceBinding>(resources.resourcebindings, { name: `${name}-deployment`, namespace: NS });
  const targets = async (name: string) =>
    (await binding(name)).spec.clusters?.map((c) => `${c.name}:${c.replicas ?? 0}`).join(',') ?? '';
  const setTaints = async (cluster: string, edit: (t: Taint[]) => Taint[]) => {
    for (;;) {
      const c = await f.client.get<Cluster>(resources.clusters, { name: cluster });
      try {
        await f.client.update(resources.clusters, {
          ...c,
          spec: { ...c.spec, taints: edit(c.spec.taints ?? []) },
        });
        return;
      } catch (err) {
        if ((err as { reason?: string }).reason !== 'Conflict') throw err;
      }
    }
  };
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  before(async () => {
    f = await startFleet(['member1', 'member2']);
    for (const m of f.members) {
      await joinCluster({
        controlPlane: f.client,
        name: m.name,
        memberKubeConfig: kubeConfigFromUrl({ server: m.server.url, token: 'member-token' }),
      });
    }
    await waitFor(
      'both members Ready',
      async () =>
        (await f.client.list<Cluster>(resources.clusters)).items.filter(
          (c) => conditionOf(c, 'Ready')?.status === 'True',
        ).length === 2,
      WAIT,
    );
    scheduler = startScheduler({ client: f.client });
    await scheduler.ready;
    propagation = await startPropagationControllers({ client: f.client, discoveryIntervalMs: 1_000 });
    failover = await startFailoverControllers({ client: f.client, evictionRate: 20 });
  });
  after(async () => {
    await failover?.stop();
    await propagation?.stop();
    await scheduler?.stop();
    await f?.close();
  });

  it('moves a Divided Deployment off a NoExecute-tainted cluster, purging the old copy only after the new one is ready', async () => {
    await f.client.create(resources.propagationpolicies, policy('web', { placement: oneToOne }));
    await f.client.create(resources.deployments, deployment('web', 4));
    await waitFor(
      'web 2+2 ready',
      async () => (await ready('member1', 'web')) === 2 && (await ready('member2', 'web')) === 2,
      WAIT,
    );

    await setTaints('member2', (t) => [
      ...t,
      { key: 'maint', value: 'v', effect: 'NoExecute', timeAdded: now() },
    ]);
    let member1ReadyAt: number | undefined;
    let member2GoneAt: number | undefined;
    await waitFor(
      'web all on member1 and gone from member2',
      async () => {
        const [r1, r2] = await Promise.all([ready('member1', 'web'), ready('member2', 'web')]);
        member1ReadyAt ??= r1 === 4 ? Date.now() : undefined;
        member2GoneAt ??= r2 === undefined ? Date.now() : undefined;
        return member1ReadyAt !== undefined && member2GoneAt !== undefined;
      },
      WAIT,
    );
    assert.ok(
      (member1ReadyAt ?? 0) <= (member2GoneAt ?? 0),
      'member2 kept its copy until member1 had all 4 replicas ready',
    );
    const b = await binding('web');
    assert.deepEqual(b.spec.clusters, [{ name: 'member1', replicas: 4 }]);
    assert.equal(b.spec.gracefulEvictionTasks, undefined, 'the task ended once member1 was healthy');
    const events = await f.client.list(resources.events, { namespace: NS });
    assert.ok(
      events.items.some((e) => e.reason === 'EvictWorkloadFromClusterSucceed' && /member2/.test(e.message)),
      'an EvictWorkloadFromClusterSucceed event names member2',
    );
    await setTaints('member2', (t) => t.filter((x) => x.key !== 'maint'));
  });

  it('keeps a binding that tolerates the taint for tolerationSeconds, then evicts it; a permanent toleration stays', async () => {
    const tolerate = (seconds?: number) => ({
      ...both,
      clusterTolerations: [
        {
          key: 'drain',
          operator: 'Exists',
          effect: 'NoExecute',
          ...(seconds ? { tolerationSeconds: seconds } : {}),
        },
      ],
    });
    await f.client.create(resources.propagationpolicies, policy('brief', { placement: tolerate(3) }));
    await f.client.create(resources.propagationpolicies, policy('forever', { placement: tolerate() }));
    await f.client.create(resources.deployments, deployment('brief', 1));
    await f.client.create(resources.deployments, deployment('forever', 1));
    await waitFor(
      'brief and forever on both',
      async () => {
        for (const n of ['brief', 'forever'])
          for (const c of ['member1', 'member2']) if ((await ready(c, n)) !== 1) return false;
        return true;
      },
      WAIT,
    );
    const taintedAt = Date.now();
    await setTaints('member2', (t) => [...t, { key: 'drain', effect: 'NoExecute', timeAdded: now() }]);
    await waitFor('brief evicted from member2', async () => (await targets('brief')) === 'member1:1', WAIT);
    const waited = Date.now() - taintedAt;
    // timeAdded has whole seconds: the 3 s run from up to 1 s before the taint was written.
    assert.ok(waited >= 1_900, `brief left member2 after ${waited} ms, before its 3 s toleration`);
    await waitFor(
      'brief gone from member2',
      async () => (await ready('member2', 'brief')) === undefined,
      WAIT,
    );
    assert.equal(await targets('forever'), 'member1:1,member2:1');
    assert.equal(await ready('member2', 'forever'), 1);
    await setTaints('member2', (t) => t.filter((x) => x.key !== 'drain'));
  });

  it('fails an application over when it stays unhealthy in a cluster (purgeMode Directly)', async () => {
    const fragile = policy('fragile', { propagateDeps: true, placement: oneToOne });
    await f.client.create(resources.propagationpolicies, fragile);
    await f.client.create(resources.deployments, deployment('fragile', 2));
    await waitFor(
      'fragile 1+1 ready',
      async () => (await ready('member1', 'fragile')) === 1 && (await ready('member2', 'fragile')) === 1,
      WAIT,
    );
    // Failover is added once the rollout is done: a slow start would count as unhealthy too.
    const pp = await f.client.get(resources.propagationpolicies, { name: 'fragile', namespace: NS });
    await f.client.update(resources.propagationpolicies, {
      ...pp,
      spec: {
        ...pp.spec,
        failover: { application: { decisionConditions: { tolerationSeconds: 1 }, purgeMode: 'Directly' } },
      },
    });
    await waitFor('the binding carries failover.application', async () =>
      (await binding('fragile')).spec.failover?.application ? true : undefined,
    );
    const pods = await member('member2').client.list(resources.pods, {
      namespace: NS,
      labelSelector: 'app=fragile',
    });
    const pod = pods.items[0];
    assert.ok(pod);
    await member('member2').kubelet.setReady(pod, false);
    await waitFor('fragile all on member1', async () => (await targets('fragile')) === 'member1:2', WAIT);
    const b = await binding('fragile');
    const task = b.spec.gracefulEvictionTasks?.find((t) => t.fromCluster === 'member2');
    assert.equal(task?.reason, 'ApplicationFailure');
    assert.equal(task?.purgeMode, 'Directly');
    await waitFor(
      'fragile purged from member2 at once',
      async () => (await ready('member2', 'fragile')) === undefined,
      WAIT,
    );
    await waitFor('fragile 2 ready on member1', async () => (await ready('member1', 'fragile')) === 2, WAIT);
  });

  it('taints a cluster by ClusterTaintPolicy when it turns not ready, evicting what does not tolerate it', async () => {
    await f.client.create(clusterTaintPolicies, {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterTaintPolicy',
      metadata: { name: 'down' },
      spec: {
        targetClusters: { clusterNames: ['member2'] },
        addOnConditions: [{ conditionType: 'Ready', operator: 'In', statusValues: ['False', 'Unknown'] }],
        removeOnConditions: [{ conditionType: 'Ready', operator: 'In', statusValues: ['True'] }],
        taints: [{ key: 'down', effect: 'NoExecute' }],
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    const m2 = await f.client.get<Cluster>(resources.clusters, { name: 'member2' });
    assert.deepEqual(m2.spec.taints ?? [], [], 'a Ready cluster is not tainted');
    await member('member2').stop();
    const c = await waitFor(
      'member2 tainted down:NoExecute',
      async () => {
        const c = await f.client.get<Cluster>(resources.clusters, { name: 'member2' });
        return c.spec.taints?.some((t) => t.key === 'down' && t.effect === 'NoExecute' && t.timeAdded)
          ? c
          : undefined;
      },
      WAIT,
    );
    assert.equal(conditionOf(c, 'Ready')?.status, 'False');
    await waitFor(
      'forever evicted from member2',
      async () => (await targets('forever')) === 'member1:1',
      WAIT,
    );
  });
});
