import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterAffinity, Placement } from '../../api/karmada/types.ts';
import { testCluster, testSpec } from '../fixtures.ts';
import type { FilterContext } from '../types.ts';
import { apiEnablementPlugin } from './api-enablement/index.ts';
import { clusterAffinityPlugin, clusterMatches } from './cluster-affinity/index.ts';
import { clusterEvictionPlugin } from './cluster-eviction/index.ts';
import { clusterLocalityPlugin } from './cluster-locality/index.ts';
import { spreadConstraintPlugin } from './spread-constraint/index.ts';
import { taintTolerationPlugin } from './taint-toleration/index.ts';

function ctx(placement: Placement, extra: Partial<FilterContext> = {}, specExtra = {}): FilterContext {
  return { spec: testSpec(1, placement, specExtra), placement, targets: new Set(), ...extra };
}

describe('clusterMatches (§1.1)', () => {
  const c = testCluster('m1', {
    labels: { env: 'prod' },
    provider: 'aws',
    region: 'eu',
    zones: ['eu-1', 'eu-2'],
  });
  const bare = testCluster('m2');
  const cases: { name: string; a: ClusterAffinity; m1: boolean; m2: boolean }[] = [
    { name: 'empty affinity matches all', a: {}, m1: true, m2: true },
    { name: 'clusterNames', a: { clusterNames: ['m1'] }, m1: true, m2: false },
    { name: 'exclude', a: { exclude: ['m1'] }, m1: false, m2: true },
    {
      name: 'exclude beats clusterNames',
      a: { clusterNames: ['m1'], exclude: ['m1'] },
      m1: false,
      m2: false,
    },
    { name: 'labelSelector', a: { labelSelector: { matchLabels: { env: 'prod' } } }, m1: true, m2: false },
    {
      name: 'provider In',
      a: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } },
      m1: true,
      m2: false,
    },
    {
      name: 'region NotIn (absent region matches)',
      a: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] } },
      m1: false,
      m2: true,
    },
    {
      name: 'zone In = any overlap',
      a: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['eu-2', 'us-1'] }] } },
      m1: true,
      m2: false,
    },
    {
      name: 'zone NotIn = no overlap',
      a: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['eu-2'] }] } },
      m1: false,
      m2: true,
    },
    {
      name: 'zone Exists',
      a: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } },
      m1: true,
      m2: false,
    },
    {
      name: 'zone DoesNotExist',
      a: { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] } },
      m1: false,
      m2: true,
    },
    {
      name: 'AND of clauses',
      a: { labelSelector: { matchLabels: { env: 'prod' } }, clusterNames: ['m2'] },
      m1: false,
      m2: false,
    },
    {
      name: 'invalid selector matches nothing',
      a: { labelSelector: { matchExpressions: [{ key: 'env', operator: 'Bad' as 'In' }] } },
      m1: false,
      m2: false,
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      assert.equal(clusterMatches(c, t.a), t.m1);
      assert.equal(clusterMatches(bare, t.a), t.m2);
    });
  }
});

describe('filter plugins', () => {
  const tainted = testCluster('t', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  const exec = testCluster('x', { taints: [{ key: 'cluster.karmada.io/not-ready', effect: 'NoExecute' }] });
  const prefer = testCluster('p', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] });
  const cases: {
    name: string;
    run: () => ReturnType<typeof apiEnablementPlugin.filter>;
    ok: boolean;
    reason?: string;
  }[] = [
    {
      name: 'taint: untolerated NoSchedule fails',
      run: () => taintTolerationPlugin.filter(ctx({}), tainted),
      ok: false,
      reason: 'cluster(s) had untolerated taint {dedicated=gpu:NoSchedule}',
    },
    {
      name: 'taint: Equal toleration passes',
      run: () =>
        taintTolerationPlugin.filter(
          ctx({
            clusterTolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
          }),
          tainted,
        ),
      ok: true,
    },
    {
      name: 'taint: wrong value fails',
      run: () =>
        taintTolerationPlugin.filter(
          ctx({ clusterTolerations: [{ key: 'dedicated', value: 'cpu' }] }),
          tainted,
        ),
      ok: false,
    },
    {
      name: 'taint: Exists with empty key tolerates all',
      run: () => taintTolerationPlugin.filter(ctx({ clusterTolerations: [{ operator: 'Exists' }] }), tainted),
      ok: true,
    },
    {
      name: 'taint: NoExecute untolerated fails',
      run: () => taintTolerationPlugin.filter(ctx({}), exec),
      ok: false,
      reason: 'cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoExecute}',
    },
    {
      name: 'taint: effect mismatch does not tolerate',
      run: () =>
        taintTolerationPlugin.filter(
          ctx({
            clusterTolerations: [
              { key: 'cluster.karmada.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
            ],
          }),
          exec,
        ),
      ok: false,
    },
    {
      name: 'taint: PreferNoSchedule ignored',
      run: () => taintTolerationPlugin.filter(ctx({}), prefer),
      ok: true,
    },
    {
      name: 'taint: existing target passes',
      run: () => taintTolerationPlugin.filter(ctx({}, { targets: new Set(['t']) }), tainted),
      ok: true,
    },
    {
      name: 'api: enabled passes',
      run: () => apiEnablementPlugin.filter(ctx({}), testCluster('a')),
      ok: true,
    },
    {
      name: 'api: missing with complete list fails',
      run: () => apiEnablementPlugin.filter(ctx({}), testCluster('a', { apis: [] })),
      ok: false,
      reason: 'cluster(s) did not have the API resource',
    },
    {
      name: 'api: missing with incomplete list (APIUnknown) fails',
      run: () => apiEnablementPlugin.filter(ctx({}), testCluster('a', { apis: [], complete: false })),
      ok: false,
    },
    {
      name: 'api: existing target passes',
      run: () =>
        apiEnablementPlugin.filter(ctx({}, { targets: new Set(['a']) }), testCluster('a', { apis: [] })),
      ok: true,
    },
    {
      name: 'affinity: mismatch',
      run: () =>
        clusterAffinityPlugin.filter(ctx({ clusterAffinity: { clusterNames: ['b'] } }), testCluster('a')),
      ok: false,
      reason: 'cluster(s) did not match the placement cluster affinity constraint',
    },
    {
      name: 'affinity: term by observed name',
      run: () =>
        clusterAffinityPlugin.filter(
          ctx(
            {
              clusterAffinities: [
                { affinityName: 'x', clusterNames: ['b'] },
                { affinityName: 'y', clusterNames: ['a'] },
              ],
            },
            { affinityName: 'y' },
          ),
          testCluster('a'),
        ),
      ok: true,
    },
    {
      name: 'affinity: overflow affinities for workloads',
      run: () =>
        clusterAffinityPlugin.filter(
          ctx(
            {
              clusterAffinities: [
                {
                  affinityName: 'x',
                  clusterNames: ['b'],
                  overflowAffinities: [{ affinityName: 'o', clusterNames: ['a'] }],
                },
              ],
            },
            { affinityName: 'x' },
          ),
          testCluster('a'),
        ),
      ok: true,
    },
    {
      name: 'eviction: evicting cluster fails',
      run: () =>
        clusterEvictionPlugin.filter(
          ctx(
            {},
            {},
            {
              gracefulEvictionTasks: [
                { fromCluster: 'a', reason: 'TaintUntolerated', producer: 'taint-manager' },
              ],
            },
          ),
          testCluster('a'),
        ),
      ok: false,
      reason: 'cluster(s) is in the process of eviction',
    },
    {
      name: 'spread: region constraint needs a region',
      run: () =>
        spreadConstraintPlugin.filter(
          ctx({ spreadConstraints: [{ spreadByField: 'region', minGroups: 1 }] }),
          testCluster('a'),
        ),
      ok: false,
      reason: 'cluster(s) did not have region property',
    },
    {
      name: 'spread: zone constraint with zones passes',
      run: () =>
        spreadConstraintPlugin.filter(
          ctx({ spreadConstraints: [{ spreadByField: 'zone' }] }),
          testCluster('a', { zones: ['z'] }),
        ),
      ok: true,
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const r = t.run();
      assert.equal(r.ok, t.ok);
      if (t.reason !== undefined && !r.ok) assert.equal(r.reason, t.reason);
    });
  }

  it('taint: a tolerated NoExecute taint notes its tolerationSeconds', () => {
    const r = taintTolerationPlugin.filter(
      ctx({
        clusterTolerations: [
          {
            key: 'cluster.karmada.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 30,
          },
        ],
      }),
      exec,
    );
    assert.deepEqual(r, {
      ok: true,
      notes: ['taint {cluster.karmada.io/not-ready:NoExecute} tolerated for 30s'],
    });
  });

  it('locality scores existing targets 100', () => {
    assert.equal(clusterLocalityPlugin.score(ctx({}, { targets: new Set(['a']) }), testCluster('a')), 100);
    assert.equal(clusterLocalityPlugin.score(ctx({}), testCluster('a')), 0);
  });
});
