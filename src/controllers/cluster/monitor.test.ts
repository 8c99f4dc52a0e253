import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import { CLUSTER_SECRET_NAMESPACE, TAINTS } from '../../api/karmada/names.ts';
import type { Cluster } from '../../api/karmada/types.ts';
import type { Condition } from '../../api/meta.ts';
import { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { type RunningFederation, startFederationControllers } from '../../federation/index.ts';
import { conditionOf } from '../../federation/status-write.ts';
import { waitFor } from '../testing/wait.ts';
import { HeartbeatMonitor } from './monitor.ts';

const READY_TRUE: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'ClusterReady',
  message: 'cluster is healthy and ready to accept workloads',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

function cluster(name: string, syncMode: 'Push' | 'Pull', ready = true): Cluster {
  return {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, creationTimestamp: new Date(0).toISOString() },
    spec: { syncMode },
    ...(ready ? { status: { conditions: [READY_TRUE] } } : {}),
  };
}

const lease = (renewTime: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'pull1', namespace: CLUSTER_SECRET_NAMESPACE },
  spec: { renewTime, leaseDurationSeconds: 40 },
});

describe('HeartbeatMonitor', () => {
  it('times a Pull cluster out after the grace period without heartbeats, once', () => {
    const m = new HeartbeatMonitor({ monitorGracePeriodMs: 40_000 });
    const c = cluster('pull1', 'Pull');
    assert.equal(m.observe(c, undefined, 1_000), undefined);
    assert.equal(m.observe(c, undefined, 41_000), undefined, 'exactly the grace period is not overdue');
    const cond = m.observe(c, undefined, 41_001);
    assert.equal(cond?.status, 'Unknown');
    assert.equal(cond?.reason, 'ClusterStatusUnknown');
    assert.equal(cond?.message, 'Cluster status controller stopped posting cluster status.');
    const unknown = cluster('pull1', 'Pull');
    unknown.status = { conditions: [{ ...READY_TRUE, status: 'Unknown', reason: 'ClusterStatusUnknown' }] };
    assert.equal(m.observe(unknown, undefined, 200_000), undefined, 'already Unknown: nothing to write');
  });

  it('treats Lease renewals and Ready changes as heartbeats', () => {
    const m = new HeartbeatMonitor({ monitorGracePeriodMs: 40_000 });
    const c = cluster('pull1', 'Pull');
    m.observe(c, lease('2026-01-01T00:00:00.000000Z'), 0);
    assert.equal(m.observe(c, lease('2026-01-01T00:00:30.000000Z'), 30_000), undefined);
    assert.equal(m.observe(c, lease('2026-01-01T00:00:30.000000Z'), 69_000), undefined);
    assert.equal(m.observe(c, lease('2026-01-01T00:00:30.000000Z'), 70_001)?.status, 'Unknown');
    const m2 = new HeartbeatMonitor({ monitorGracePeriodMs: 40_000 });
    m2.observe(c, undefined, 0);
    const posted = cluster('pull1', 'Pull');
    posted.status = { conditions: [{ ...READY_TRUE, lastTransitionTime: '2026-01-01T00:01:00Z' }] };
    assert.equal(m2.observe(posted, undefined, 39_000), undefined);
    assert.equal(m2.observe(posted, undefined, 78_000), undefined, 'the new condition restarted the clock');
  });

  it('uses the startup grace for a cluster that never posted status', () => {
    const m = new HeartbeatMonitor({ monitorGracePeriodMs: 40_000, startupGracePeriodMs: 60_000 });
    const c = cluster('pull1', 'Pull', false);
    c.metadata.creationTimestamp = new Date(10_000).toISOString();
    assert.equal(m.observe(c, undefined, 50_000), undefined);
    const cond = m.observe(c, undefined, 70_001);
    assert.equal(cond?.reason, 'ClusterStatusNeverUpdated');
    assert.equal(cond?.status, 'Unknown');
  });

  it('never times out a Push cluster (its probe owns readiness)', () => {
    const m = new HeartbeatMonitor({ monitorGracePeriodMs: 1 });
    const c = cluster('push1', 'Push');
    m.observe(c, undefined, 0);
    assert.equal(m.observe(c, undefined, 1_000_000), undefined);
  });
});

describe('cluster monitor against an API server', { timeout: 60_000 }, () => {
  let plane: TestServer;
  let client: Client;
  let federation: RunningFederation;
  const get = (name: string) => client.get<Cluster>(resources.clusters, { name });

  before(async () => {
    plane = await startTestServer();
    client = new Client({
      kubeConfig: kubeConfigFromUrl({ server: plane.url }),
      qps: Number.POSITIVE_INFINITY,
    });
    await client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: CLUSTER_SECRET_NAMESPACE },
    });
    federation = await startFederationControllers({
      client,
      health: { monitorPeriodMs: 100, monitorGracePeriodMs: 1_500, startupGracePeriodMs: 2_000 },
    });
  });
  after(async () => {
    await federation.stop();
    await client.close();
    await plane.close();
  });

  it('keeps a Pull cluster with a renewed Lease Ready, and turns it Unknown + unreachable when renewals stop', async () => {
    for (const c of [cluster('pull1', 'Pull'), cluster('push1', 'Push')]) {
      const { status, ...bare } = c;
      const created = await client.create<Cluster>(resources.clusters, bare);
      await client.updateStatus(resources.clusters, { ...created, status });
    }
    await client.create(resources.leases, lease(new Date().toISOString()));
    // The agent's side: renew every 300 ms for 3 s (twice the grace period).
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const l = await client.get(resources.leases, { name: 'pull1', namespace: CLUSTER_SECRET_NAMESPACE });
      await client.update(resources.leases, {
        ...l,
        spec: { ...l.spec, renewTime: new Date().toISOString() },
      });
    }
    const alive = await get('pull1');
    assert.equal(conditionOf(alive, 'Ready')?.status, 'True');
    assert.deepEqual(alive.spec.taints ?? [], []);

    const stopped = Date.now();
    const gone = await waitFor(
      'pull1 Unknown and tainted unreachable',
      async () => {
        const c = await get('pull1');
        return conditionOf(c, 'Ready')?.status === 'Unknown' && c.spec.taints?.length ? c : undefined;
      },
      10_000,
    );
    const waited = Date.now() - stopped;
    assert.ok(waited >= 1_200, `went Unknown after ${waited} ms, before the 1.5 s grace period`);
    assert.equal(conditionOf(gone, 'Ready')?.reason, 'ClusterStatusUnknown');
    assert.deepEqual(
      gone.spec.taints?.map((t) => `${t.key}:${t.effect}`),
      [`${TAINTS.unreachable}:NoSchedule`],
    );
    // The Push cluster had no heartbeats at all and is untouched.
    const push = await get('push1');
    assert.equal(conditionOf(push, 'Ready')?.status, 'True');
    assert.deepEqual(push.spec.taints ?? [], []);

    // The agent comes back: posts Ready=True; the taint goes.
    await client.updateStatus(resources.clusters, {
      ...gone,
      status: {
        conditions: [{ ...READY_TRUE, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
      },
    });
    await waitFor(
      'pull1 untainted',
      async () => ((await get('pull1')).spec.taints?.length ?? 0) === 0,
      10_000,
    );
  });

  it('marks a Pull cluster that never posted status Unknown (ClusterStatusNeverUpdated) after the startup grace', async () => {
    await client.create(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'silent' },
      spec: { syncMode: 'Pull' },
    });
    const c = await waitFor(
      'silent Unknown',
      async () => {
        const c = await get('silent');
        return conditionOf(c, 'Ready')?.status === 'Unknown' ? c : undefined;
      },
      10_000,
    );
    assert.equal(conditionOf(c, 'Ready')?.reason, 'ClusterStatusNeverUpdated');
    await waitFor('silent tainted unreachable', async () =>
      (await get('silent')).spec.taints?.some((t) => t.key === TAINTS.unreachable),
    );
  });
});
