import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Placement } from '../api/karmada/types.ts';
import { asMap, testCluster, testSpec } from './fixtures.ts';
import { schedule } from './schedule.ts';

const divided = (extra: NonNullable<Placement['replicaScheduling']> = {}): Placement => ({
  replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', ...extra },
});
const dynamic: Placement = divided({ weightPreference: { dynamicWeight: 'AvailableReplicas' } });
const aggregated: Placement = {
  replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' },
};

function ok(r: ReturnType<typeof schedule>): Record<string, number> {
  assert.equal(r.kind, 'Success', r.kind === 'Success' ? '' : r.reason);
  return r.kind === 'Success' ? asMap(r.clusters) : {};
}

describe('schedule: division', () => {
  const ab = [testCluster('a', { pods: 100 }), testCluster('b', { pods: 100 })];
  const weights = (wa: number, wb: number): Placement =>
    divided({
      weightPreference: {
        staticWeightList: [
          { targetCluster: { clusterNames: ['a'] }, weight: wa },
          { targetCluster: { clusterNames: ['b'] }, weight: wb },
        ],
      },
    });
  const cases: {
    name: string;
    replicas: number;
    placement: Placement | undefined;
    uid?: string;
    want: Record<string, number>;
  }[] = [
    { name: 'nil replicaScheduling is Duplicated', replicas: 3, placement: undefined, want: { a: 3, b: 3 } },
    { name: 'static 9 at 1:2 → 3:6', replicas: 9, placement: weights(1, 2), want: { a: 3, b: 6 } },
    { name: 'static 9 at 1:3 → 2:7', replicas: 9, placement: weights(1, 3), want: { a: 2, b: 7 } },
    {
      name: 'static without weightPreference: equal weights, ascending tie',
      replicas: 3,
      placement: divided(),
      want: { a: 2, b: 1 },
    },
    {
      name: 'static tie, odd-hash UID: descending',
      replicas: 3,
      placement: divided(),
      uid: 'uid-a',
      want: { a: 1, b: 2 },
    },
    {
      name: 'static: unmatched cluster gets nothing',
      replicas: 4,
      placement: divided({
        weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['a'] }, weight: 1 }] },
      }),
      want: { a: 4 },
    },
    {
      name: 'static: max of matching weights',
      replicas: 4,
      placement: divided({
        weightPreference: {
          staticWeightList: [
            { targetCluster: {}, weight: 1 },
            { targetCluster: { clusterNames: ['b'] }, weight: 3 },
          ],
        },
      }),
      want: { a: 1, b: 3 },
    },
    {
      name: 'static: 1 replica over 2 drops the empty cluster',
      replicas: 1,
      placement: weights(1, 1),
      want: { a: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        ok(schedule({ spec: testSpec(c.replicas, c.placement, c.uid ? { uid: c.uid } : {}), clusters: ab })),
        c.want,
      );
    });
  }

  it('dynamic weights: §3 example A:6 B:12 C:18, 12 desired → 2:4:6', () => {
    const cs = [
      testCluster('A', { pods: 6 }),
      testCluster('B', { pods: 12 }),
      testCluster('C', { pods: 18 }),
    ];
    const r = schedule({ spec: testSpec(12, dynamic), clusters: cs });
    assert.deepEqual(ok(r), { A: 2, B: 4, C: 6 });
    const a = r.diagnosis.terms[0]?.assignment;
    assert.equal(a?.step, 'scaleUp');
    assert.deepEqual(a?.availableWeights, { C: 18, B: 12, A: 6 });
  });

  it('dynamic weights use cpu requests against the resource summary', () => {
    const cs = [testCluster('a', { pods: 100, cpu: '2' }), testCluster('b', { pods: 100, cpu: '6' })];
    const spec = testSpec(8, dynamic, { replicaRequirements: { resourceRequest: { cpu: '500m' } } });
    const r = schedule({ spec, clusters: cs });
    assert.deepEqual(ok(r), { a: 2, b: 6 });
    assert.equal(r.diagnosis.terms[0]?.clusters.find((c) => c.name === 'a')?.available, 4);
  });

  it('dynamic weights with too little capacity are Unschedulable', () => {
    const r = schedule({
      spec: testSpec(10, dynamic),
      clusters: [testCluster('a', { pods: 3 }), testCluster('b', { pods: 4 })],
    });
    assert.equal(r.kind, 'Unschedulable');
    assert.match(
      r.kind === 'Unschedulable' ? r.reason : '',
      /Clusters available replicas 7 are not enough to schedule\./,
    );
  });

  it('dynamic scale-up distributes only the delta and keeps previous replicas', () => {
    const cs = [testCluster('a', { pods: 10 }), testCluster('b', { pods: 30 })];
    const r = schedule({
      spec: testSpec(8, dynamic, { clusters: [{ name: 'a', replicas: 4 }] }),
      clusters: cs,
    });
    assert.deepEqual(ok(r), { a: 5, b: 3 });
    assert.equal(r.diagnosis.terms[0]?.assignment?.target, 4);
  });

  it('dynamic scale-down shrinks proportionally to the previous result', () => {
    const cs = [testCluster('a', { pods: 100 }), testCluster('b', { pods: 100 })];
    const r = schedule({
      spec: testSpec(3, dynamic, {
        clusters: [
          { name: 'a', replicas: 2 },
          { name: 'b', replicas: 4 },
        ],
      }),
      clusters: cs,
    });
    assert.deepEqual(ok(r), { a: 1, b: 2 });
    assert.equal(r.diagnosis.terms[0]?.assignment?.step, 'scaleDown');
  });

  it('dynamic fresh mode (rescheduleTriggeredAt newer) recomputes from scratch', () => {
    const cs = [testCluster('a', { pods: 0 }), testCluster('b', { pods: 9 })];
    const spec = testSpec(6, dynamic, {
      clusters: [
        { name: 'a', replicas: 3 },
        { name: 'b', replicas: 3 },
      ],
      rescheduleTriggeredAt: '2026-02-02T00:00:00Z',
    });
    const steady = schedule({
      spec: { ...spec, rescheduleTriggeredAt: '2020-01-01T00:00:00Z' },
      status: { lastScheduledTime: '2026-01-01T00:00:00Z' },
      clusters: cs,
    });
    assert.deepEqual(ok(steady), { a: 3, b: 3 });
    const fresh = schedule({ spec, status: { lastScheduledTime: '2026-01-01T00:00:00Z' }, clusters: cs });
    assert.equal(fresh.diagnosis.mode, 'Fresh');
    assert.deepEqual(ok(fresh), { a: 1, b: 5 }); // weights 0+3 : 9+3
  });

  it('aggregated uses the fewest clusters, largest first', () => {
    const cs = [testCluster('a', { pods: 5 }), testCluster('b', { pods: 20 }), testCluster('c', { pods: 8 })];
    const r = schedule({ spec: testSpec(10, aggregated), clusters: cs });
    assert.deepEqual(ok(r), { b: 10 });
    const r2 = schedule({ spec: testSpec(25, aggregated), clusters: cs });
    assert.deepEqual(r2.diagnosis.terms[0]?.assignment?.aggregatedPrefix, ['b', 'c']);
    assert.equal(
      Object.values(ok(r2)).reduce((s, n) => s + n, 0),
      25,
    );
  });

  it('aggregated scale-up prefers clusters already used', () => {
    const cs = [testCluster('a', { pods: 5 }), testCluster('b', { pods: 20 })];
    const r = schedule({
      spec: testSpec(4, aggregated, { clusters: [{ name: 'a', replicas: 2 }] }),
      clusters: cs,
    });
    assert.deepEqual(ok(r), { a: 4 });
  });

  it('non-workloads go everywhere with no replicas', () => {
    const r = schedule({
      spec: { ...testSpec(0, undefined), resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c' } },
      clusters: [testCluster('a'), testCluster('b')],
    });
    assert.equal(r.kind, 'Success');
    assert.deepEqual(r.kind === 'Success' ? r.clusters : [], [{ name: 'a' }, { name: 'b' }]);
  });
});

describe('schedule: filters and affinities', () => {
  it('NoClusterFit carries Karmada’s histogram message and per-cluster verdicts', () => {
    const cs = [
      testCluster('a'),
      testCluster('b', { apis: [] }),
      testCluster('c', { taints: [{ key: 'k', effect: 'NoSchedule' }] }),
    ];
    const r = schedule({
      spec: testSpec(1, { clusterAffinity: { clusterNames: ['b', 'c'] } }),
      clusters: cs,
    });
    assert.equal(r.kind, 'NoClusterFit');
    assert.equal(
      r.kind === 'NoClusterFit' ? r.reason : '',
      '0/3 clusters are available: 1 cluster(s) did not have the API resource, 1 cluster(s) did not match the placement cluster affinity constraint, 1 cluster(s) had untolerated taint {k:NoSchedule}.',
    );
    assert.deepEqual(r.diagnosis.terms[0]?.clusters.find((c) => c.name === 'a')?.rejected, {
      plugin: 'ClusterAffinity',
      reason: 'cluster(s) did not match the placement cluster affinity constraint',
      detail: 'clusterNames',
    });
  });

  it('no clusters at all', () => {
    const r = schedule({ spec: testSpec(1, undefined), clusters: [] });
    assert.equal(r.kind === 'NoClusterFit' ? r.reason : '', '0/0 clusters are available: no cluster exists.');
  });

  it('tolerated taints and deleting clusters', () => {
    const cs = [
      testCluster('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
      testCluster('b', { deleting: true }),
    ];
    const r = schedule({
      spec: testSpec(2, { clusterTolerations: [{ key: 'k', operator: 'Exists' }] }),
      clusters: cs,
    });
    assert.deepEqual(ok(r), { a: 2 });
  });

  it('clusterAffinities fall back to the next term and record why', () => {
    const cs = [
      testCluster('p', { taints: [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }] }),
      testCluster('q'),
    ];
    const placement: Placement = {
      clusterAffinities: [
        { affinityName: 'primary', clusterNames: ['p'] },
        { affinityName: 'backup', clusterNames: ['q'] },
      ],
    };
    const r = schedule({ spec: testSpec(2, placement), clusters: cs });
    assert.equal(r.kind === 'Success' ? r.affinityName : '', 'backup');
    assert.deepEqual(ok(r), { q: 2 });
    assert.equal(r.diagnosis.chosenAffinity, 'backup');
    assert.equal(r.diagnosis.terms[0]?.outcome, 'NoClusterFit');
    assert.match(r.diagnosis.terms[0]?.message ?? '', /untolerated taint/);
    // Starting from the observed term skips the earlier one; rescheduleTriggeredAt resets to 0.
    const again = schedule({
      spec: testSpec(2, placement),
      status: { schedulerObservingAffinityName: 'backup' },
      clusters: [testCluster('p'), testCluster('q')],
    });
    assert.equal(again.diagnosis.terms.length, 1);
    const reset = schedule({
      spec: testSpec(2, placement, { rescheduleTriggeredAt: '2026-03-01T00:00:00Z' }),
      status: { schedulerObservingAffinityName: 'backup', lastScheduledTime: '2026-01-01T00:00:00Z' },
      clusters: [testCluster('p'), testCluster('q')],
    });
    assert.equal(reset.kind === 'Success' ? reset.affinityName : '', 'primary');
  });

  it('all terms failing returns the first failure', () => {
    const placement: Placement = {
      clusterAffinities: [
        { affinityName: 'x', clusterNames: ['nope'] },
        { affinityName: 'y', clusterNames: ['nada'] },
      ],
    };
    const r = schedule({ spec: testSpec(1, placement), clusters: [testCluster('a')] });
    assert.equal(r.kind, 'NoClusterFit');
    assert.equal(r.diagnosis.terms.length, 2);
  });
});

describe('schedule: spread constraints', () => {
  const regional = [
    testCluster('e1', { region: 'eu', pods: 10 }),
    testCluster('e2', { region: 'eu', pods: 50 }),
    testCluster('u1', { region: 'us', pods: 20 }),
    testCluster('a1', { region: 'ap', pods: 5 }),
  ];

  it('by region picks the best cluster of each chosen region', () => {
    const placement: Placement = {
      spreadConstraints: [
        { spreadByField: 'region', minGroups: 2, maxGroups: 2 },
        { spreadByField: 'cluster', minGroups: 2, maxGroups: 2 },
      ],
    };
    const r = schedule({ spec: testSpec(2, placement), clusters: regional });
    const sel = r.diagnosis.terms[0]?.selection;
    assert.equal(sel?.by, 'region');
    assert.equal(sel?.chosenGroups?.length, 2);
    const got = Object.keys(ok(r));
    assert.equal(got.length, 2);
    assert.equal(new Set(got.map((n) => n[0])).size, 2, 'two regions');
  });

  it('region minGroups larger than the regions is an error', () => {
    const r = schedule({
      spec: testSpec(2, {
        spreadConstraints: [
          { spreadByField: 'region', minGroups: 4 },
          { spreadByField: 'cluster', minGroups: 1 },
        ],
      }),
      clusters: regional,
    });
    assert.equal(r.kind, 'Error');
    assert.match(r.kind === 'Error' ? r.reason : '', /feasible region is less than/);
  });

  it('by cluster takes maxGroups and swaps in capacity for Divided workloads', () => {
    const placement: Placement = {
      ...dynamic,
      spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 2 }],
    };
    const r = schedule({ spec: testSpec(60, placement), clusters: regional });
    assert.deepEqual(Object.keys(ok(r)).sort(), ['e2', 'u1']);
    const dup = schedule({
      spec: testSpec(1, { spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 1 }] }),
      clusters: regional,
    });
    assert.equal(Object.keys(ok(dup)).length, 1);
  });

  it('zone-only constraints are not supported', () => {
    const r = schedule({
      spec: testSpec(1, { spreadConstraints: [{ spreadByField: 'zone', minGroups: 1 }] }),
      clusters: [testCluster('a', { zones: ['z'] })],
    });
    assert.equal(
      r.kind === 'Error' ? r.reason : '',
      'failed to select clusters: just support cluster and region spread constraint',
    );
  });
});
