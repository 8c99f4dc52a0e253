import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cluster, ResourceBinding, Taint, Toleration } from '../../api/karmada/types.ts';
import type { Condition } from '../../api/meta.ts';
import { UnhealthyTracker } from './application-failover.ts';
import { assessTasks, gracefulEvictCluster } from './eviction.ts';
import {
  type ClusterTaintPolicy,
  conditionsMatch,
  type MatchCondition,
  taintsAfterPolicies,
} from './taint-policy.ts';
import { EvictionRateLimiter, evictionDecision } from './tolerations.ts';

const T0 = Date.parse('2026-05-01T12:00:00Z');
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('evictionDecision (NoExecute taints against tolerations)', () => {
  const taint: Taint = { key: 'maint', value: 'v', effect: 'NoExecute', timeAdded: iso(0) };
  const cases: Array<[string, Taint[], Toleration[], number, ReturnType<typeof evictionDecision>]> = [
    ['untolerated: evict now', [taint], [], 5, { kind: 'evict', taint }],
    ['other key: evict now', [taint], [{ key: 'x', operator: 'Exists' }], 5, { kind: 'evict', taint }],
    [
      'Exists without seconds: forever',
      [taint],
      [{ key: 'maint', operator: 'Exists' }],
      5,
      { kind: 'tolerated' },
    ],
    [
      'seconds count from timeAdded',
      [taint],
      [{ key: 'maint', value: 'v', effect: 'NoExecute', tolerationSeconds: 30 }],
      10,
      { kind: 'later', afterMs: 20_000 },
    ],
    [
      'seconds elapsed: evict',
      [taint],
      [{ key: 'maint', operator: 'Exists', tolerationSeconds: 30 }],
      30,
      { kind: 'evict', taint },
    ],
    [
      'the earliest expiry of several taints wins',
      [taint, { key: 'b', effect: 'NoExecute', timeAdded: iso(5) }],
      [
        { key: 'maint', operator: 'Exists', tolerationSeconds: 100 },
        { key: 'b', operator: 'Exists', tolerationSeconds: 10 },
      ],
      6,
      { kind: 'later', afterMs: 9_000 },
    ],
    [
      'one untolerated taint among tolerated ones evicts',
      [taint, { key: 'b', effect: 'NoExecute' }],
      [{ key: 'maint', operator: 'Exists' }],
      0,
      { kind: 'evict', taint: { key: 'b', effect: 'NoExecute' } },
    ],
    [
      'NoSchedule taints are not this decision',
      [{ key: 'k', effect: 'NoSchedule' }],
      [],
      0,
      { kind: 'tolerated' },
    ],
  ];
  for (const [what, taints, tolerations, now, want] of cases) {
    it(what, () => assert.deepEqual(evictionDecision(taints, tolerations, at(now)), want));
  }
});

describe('EvictionRateLimiter', () => {
  it('allows one eviction per 1/rate seconds; 0 means one per 30 minutes', () => {
    const r = new EvictionRateLimiter(0.5);
    assert.equal(r.take(0), 0);
    assert.equal(r.take(500), 1500);
    assert.equal(r.take(2000), 0);
    const slow = new EvictionRateLimiter(0);
    assert.equal(slow.take(0), 0);
    assert.equal(slow.take(1000), 30 * 60 * 1000 - 1000);
  });
});

function binding(
  spec: Partial<ResourceBinding['spec']>,
  status: ResourceBinding['status'] = {},
): ResourceBinding {
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name: 'web-deployment', namespace: 'default', generation: 3 },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' },
      ...spec,
    },
    status: { schedulerObservedGeneration: 3, ...status },
  };
}

describe('gracefulEvictCluster', () => {
  const spec = binding({
    replicas: 4,
    clusters: [
      { name: 'member1', replicas: 2 },
      { name: 'member2', replicas: 2 },
    ],
  }).spec;
  const opts = {
    producer: 'TaintManager',
    reason: 'TaintUntolerated',
    purgeMode: 'Gracefully',
    now: iso(0),
  } as const;

  it('removes the cluster and records a task with its replicas and the clusters before', () => {
    const next = gracefulEvictCluster(spec, 'member2', opts);
    assert.deepEqual(next?.clusters, [{ name: 'member1', replicas: 2 }]);
    assert.deepEqual(next?.gracefulEvictionTasks, [
      {
        fromCluster: 'member2',
        purgeMode: 'Gracefully',
        reason: 'TaintUntolerated',
        producer: 'TaintManager',
        creationTimestamp: iso(0),
        clustersBeforeFailover: ['member1', 'member2'],
        replicas: 2,
      },
    ]);
  });

  it('does nothing for a non-target and never adds a second task for a cluster', () => {
    assert.equal(gracefulEvictCluster(spec, 'member3', opts), undefined);
    const once = gracefulEvictCluster(spec, 'member2', opts);
    assert.ok(once);
    const again = gracefulEvictCluster({ ...once, clusters: spec.clusters ?? [] }, 'member2', opts);
    assert.equal(again?.gracefulEvictionTasks?.length, 1);
  });
});

describe('assessTasks (graceful eviction)', () => {
  const task = {
    fromCluster: 'member2',
    reason: 'TaintUntolerated',
    producer: 'TaintManager',
    creationTimestamp: iso(0),
  };
  const healthy = { clusterName: 'member1', health: 'Healthy' as const, status: { availableReplicas: 4 } };
  const base = { clusters: [{ name: 'member1', replicas: 4 }] };

  it('keeps a task while the new copy is not healthy, and says when its timeout comes', () => {
    const b = binding(
      { ...base, gracefulEvictionTasks: [task] },
      { aggregatedStatus: [{ ...healthy, health: 'Unhealthy' }] },
    );
    assert.deepEqual(assessTasks(b, at(60), 600_000), { kept: [task], ended: [], nextCheckMs: 540_001 });
  });

  it('ends it once every target is healthy with its assigned replicas available', () => {
    const b = binding({ ...base, gracefulEvictionTasks: [task] }, { aggregatedStatus: [healthy] });
    assert.deepEqual(assessTasks(b, at(1), 600_000).ended, ['member2']);
  });

  it('does not trust a status that still shows the old replica count, nor one from before rescheduling', () => {
    const stale = binding(
      { ...base, gracefulEvictionTasks: [task] },
      { aggregatedStatus: [{ ...healthy, status: { availableReplicas: 2 } }] },
    );
    assert.deepEqual(assessTasks(stale, at(1), 600_000).ended, []);
    const unscheduled = binding(
      { ...base, gracefulEvictionTasks: [task] },
      { aggregatedStatus: [healthy], schedulerObservedGeneration: 2 },
    );
    assert.deepEqual(assessTasks(unscheduled, at(1), 600_000).ended, []);
    const missing = binding({ ...base, gracefulEvictionTasks: [task] }, { aggregatedStatus: [] });
    assert.deepEqual(assessTasks(missing, at(1), 600_000).ended, []);
  });

  it('ends a task at its timeout: gracePeriodSeconds, else the default', () => {
    const b = binding({
      ...base,
      gracefulEvictionTasks: [task, { ...task, fromCluster: 'm3', gracePeriodSeconds: 30 }],
    });
    assert.deepEqual(assessTasks(b, at(31), 600_000).ended, ['m3']);
    assert.deepEqual(assessTasks(b, at(601), 600_000).ended, ['member2', 'm3']);
  });

  it('suppressDeletion: true keeps forever, false ends now; a new task gets its timestamp', () => {
    const b = binding(
      {
        ...base,
        gracefulEvictionTasks: [
          { ...task, suppressDeletion: true },
          { ...task, fromCluster: 'm3', suppressDeletion: false },
          { fromCluster: 'm4', reason: 'x', producer: 'y' },
        ],
      },
      { aggregatedStatus: [healthy] },
    );
    const a = assessTasks(b, at(10_000), 600_000);
    assert.deepEqual(a.ended, ['m3']);
    assert.deepEqual(
      a.kept.map((t) => [t.fromCluster, t.creationTimestamp]),
      [
        ['member2', iso(0)],
        ['m4', iso(10_000)],
      ],
    );
    assert.equal(a.nextCheckMs, undefined);
  });
});

describe('UnhealthyTracker (application failover)', () => {
  const b = (health: 'Healthy' | 'Unhealthy', tolerationSeconds = 60) =>
    binding(
      {
        clusters: [{ name: 'member1' }, { name: 'member2' }],
        failover: { application: { decisionConditions: { tolerationSeconds } } },
        gracefulEvictionTasks: [{ fromCluster: 'member3', reason: 'r', producer: 'p' }],
      },
      {
        aggregatedStatus: [
          { clusterName: 'member1', health: 'Healthy' },
          { clusterName: 'member2', health },
          { clusterName: 'member3', health: 'Unhealthy' },
        ],
      },
    );

  it('evicts a cluster unhealthy for tolerationSeconds, counting from when it was first seen', () => {
    const t = new UnhealthyTracker();
    assert.deepEqual(t.observe('k', b('Unhealthy'), at(0)), { evict: [], nextMs: 60_000 });
    assert.deepEqual(t.observe('k', b('Unhealthy'), at(59)), { evict: [], nextMs: 1_000 });
    assert.deepEqual(t.observe('k', b('Unhealthy'), at(60)), { evict: ['member2'], nextMs: undefined });
  });

  it('forgets a cluster that recovered; tolerationSeconds 0 evicts at once', () => {
    const t = new UnhealthyTracker();
    t.observe('k', b('Unhealthy'), at(0));
    t.observe('k', b('Healthy'), at(30));
    assert.deepEqual(t.observe('k', b('Unhealthy'), at(70)).evict, []);
    assert.deepEqual(new UnhealthyTracker().observe('k', b('Unhealthy', 0), at(0)).evict, ['member2']);
  });
});

describe('ClusterTaintPolicy', () => {
  const ready = (status: Condition['status']): Condition[] => [{ type: 'Ready', status }];
  const cluster = (name: string, status: Condition['status'], taints: Taint[] = []): Cluster => ({
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, labels: { env: name === 'prod' ? 'prod' : 'dev' } },
    spec: { syncMode: 'Push', taints },
    status: { conditions: ready(status) },
  });
  const notReady: MatchCondition = {
    conditionType: 'Ready',
    operator: 'In',
    statusValues: ['False', 'Unknown'],
  };
  const isReady: MatchCondition = { conditionType: 'Ready', operator: 'In', statusValues: ['True'] };
  const policy = (name: string, spec: Partial<ClusterTaintPolicy['spec']>): ClusterTaintPolicy => ({
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterTaintPolicy',
    metadata: { name },
    spec: { taints: [{ key: 'fail', effect: 'NoExecute' }], ...spec },
  });

  it('matches In / NotIn over the Cluster conditions; an empty list or a missing condition never matches', () => {
    assert.equal(conditionsMatch(ready('False'), [notReady]), true);
    assert.equal(conditionsMatch(ready('True'), [notReady]), false);
    assert.equal(
      conditionsMatch(ready('True'), [
        { conditionType: 'Ready', operator: 'NotIn', statusValues: ['False'] },
      ]),
      true,
    );
    assert.equal(conditionsMatch(ready('False'), []), false);
    assert.equal(
      conditionsMatch([], [{ conditionType: 'Ready', operator: 'NotIn', statusValues: ['True'] }]),
      false,
    );
    assert.equal(
      conditionsMatch(ready('False'), [
        notReady,
        { conditionType: 'X', operator: 'In', statusValues: ['True'] },
      ]),
      false,
    );
  });

  it('adds on addOnConditions (with timeAdded), removes on removeOnConditions, removal wins', () => {
    const p = policy('p', { addOnConditions: [notReady], removeOnConditions: [isReady] });
    assert.deepEqual(taintsAfterPolicies(cluster('c', 'False'), [p], at(0)), [
      { key: 'fail', effect: 'NoExecute', timeAdded: iso(0) },
    ]);
    const tainted = cluster('c', 'True', [{ key: 'fail', effect: 'NoExecute', timeAdded: iso(0) }]);
    assert.deepEqual(taintsAfterPolicies(tainted, [p], at(5)), []);
    const both = policy('b', { addOnConditions: [notReady], removeOnConditions: [notReady] });
    assert.equal(
      taintsAfterPolicies(cluster('c', 'False'), [both], at(0)),
      undefined,
      'remove wins: nothing added',
    );
  });

  it('only touches clusters its targetClusters match, and keeps taints when the policy is gone', () => {
    const p = policy('p', {
      addOnConditions: [notReady],
      targetClusters: { labelSelector: { matchLabels: { env: 'prod' } } },
    });
    assert.equal(taintsAfterPolicies(cluster('dev1', 'False'), [p], at(0)), undefined);
    assert.equal(taintsAfterPolicies(cluster('prod', 'False'), [p], at(0))?.length, 1);
    const tainted = cluster('prod', 'True', [{ key: 'fail', effect: 'NoExecute', timeAdded: iso(0) }]);
    assert.equal(taintsAfterPolicies(tainted, [], at(9)), undefined);
  });
});
