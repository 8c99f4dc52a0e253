import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Cluster,
  OverridePolicy,
  PropagationPolicy,
  ResourceBinding,
  Work,
} from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { clustersView, ReadinessHistory } from './clusters.ts';
import { placementView } from './placement.ts';
import { placementLines, policiesView } from './policies.ts';

function binding(
  name: string,
  spec: Partial<ResourceBinding['spec']>,
  status?: ResourceBinding['status'],
  annotations: Record<string, string> = {},
): ResourceBinding {
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name: `${name}-deployment`, namespace: 'default', annotations },
    spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name }, ...spec },
    ...(status ? { status } : {}),
  };
}

describe('placement cells', () => {
  const cases: [string, ResourceBinding, Work | undefined, { state: string; text?: string }][] = [
    [
      'ready when the member reports every assigned replica ready',
      binding(
        'a',
        { replicas: 2, clusters: [{ name: 'm1', replicas: 2 }] },
        {
          aggregatedStatus: [{ clusterName: 'm1', applied: true, status: { readyReplicas: 2 } }],
        },
      ),
      undefined,
      { state: 'ready' },
    ],
    [
      'failed with the apply error',
      binding(
        'b',
        { replicas: 1, clusters: [{ name: 'm1', replicas: 1 }] },
        {
          aggregatedStatus: [{ clusterName: 'm1', applied: false, appliedMessage: 'quota exceeded' }],
        },
      ),
      undefined,
      { state: 'failed', text: 'quota exceeded' },
    ],
    [
      'pending while the Work is not applied',
      binding('c', { replicas: 1, clusters: [{ name: 'm1', replicas: 1 }] }),
      {
        apiVersion: 'work.karmada.io/v1alpha1',
        kind: 'Work',
        metadata: { name: 'w', namespace: 'karmada-es-m1' },
        spec: {},
      },
      { state: 'pending', text: 'the Work is not applied yet' },
    ],
    [
      'evicting while a graceful eviction keeps the copy, with the reason',
      binding('e', {
        replicas: 1,
        clusters: [],
        gracefulEvictionTasks: [
          {
            fromCluster: 'm1',
            replicas: 1,
            reason: 'TaintUntolerated',
            message: 'taint t:NoExecute',
            producer: 'TaintManager',
          },
        ],
      }),
      {
        apiVersion: 'work.karmada.io/v1alpha1',
        kind: 'Work',
        metadata: { name: 'w', namespace: 'karmada-es-m1' },
        spec: {},
        status: {
          manifestStatuses: [
            {
              identifier: {
                ordinal: 0,
                group: 'apps',
                version: 'v1',
                kind: 'Deployment',
                resource: 'deployments',
                name: 'e',
              },
              status: { readyReplicas: 1 },
            },
          ],
        },
      },
      { state: 'evicting', text: 'taint t:NoExecute' },
    ],
    [
      'removing when only the status still names the cluster',
      binding(
        'd',
        { replicas: 1, clusters: [] },
        {
          aggregatedStatus: [{ clusterName: 'm1', applied: true, status: { readyReplicas: 1 } }],
        },
      ),
      undefined,
      { state: 'removing' },
    ],
  ];
  for (const [what, b, work, want] of cases) {
    it(what, () => {
      const view = placementView({
        bindings: [b],
        clusters: ['m1'],
        work: () => work,
        template: () => undefined,
      });
      const cell = view.rows[0]?.cells[0];
      assert.equal(cell?.state, want.state);
      if (want.text) assert.equal(cell?.message, want.text);
    });
  }

  it('a binding without replicas (a Service) shows applied cells, columns include unknown clusters', () => {
    const b = binding(
      'svc',
      { clusters: [{ name: 'gone' }] },
      {
        aggregatedStatus: [{ clusterName: 'gone', applied: true, health: 'Healthy' }],
      },
    );
    const view = placementView({
      bindings: [b],
      clusters: ['m1'],
      work: () => undefined,
      template: () => undefined,
    });
    assert.deepEqual(view.clusters, ['gone', 'm1']);
    assert.deepEqual(view.rows[0]?.cells, [
      { cluster: 'gone', applied: true, health: 'Healthy', state: 'ready' },
    ]);
  });
});

describe('policies view', () => {
  const template: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', 'clusterpropagationpolicy.karmada.io/permanent-id': 'id-1' },
      annotations: { 'clusterpropagationpolicy.karmada.io/name': 'everything' },
    },
  };
  const rows = placementView({
    bindings: [binding('web', { replicas: 1 }), binding('api', { replicas: 1 })],
    clusters: [],
    work: () => undefined,
    template: (r) => (r.name === 'web' ? template : undefined),
  }).rows;
  const pp = (name: string, cluster: boolean): PropagationPolicy => ({
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: cluster ? 'ClusterPropagationPolicy' : 'PropagationPolicy',
    metadata: { name, ...(cluster ? {} : { namespace: 'default' }) },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
      placement: {
        clusterAffinity: { exclude: ['m1'] },
        replicaScheduling: {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: { dynamicWeight: 'AvailableReplicas' },
        },
      },
    },
  });
  const op: OverridePolicy = {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'OverridePolicy',
    metadata: { name: 'web-image', namespace: 'default' },
    spec: {
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { app: 'web' } } },
      ],
      overrideRules: [
        {
          targetCluster: { clusterNames: ['m2'] },
          overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'r' }] },
        },
      ],
    },
  };

  it('a CPP claims what the template records; an OverridePolicy selects by label from the cached template', () => {
    const view = policiesView({
      propagation: [pp('unused', false)],
      clusterPropagation: [pp('everything', true)],
      override: [op],
      clusterOverride: [],
      rows,
      template: (row) => (row.name === 'web' ? template : undefined),
    });
    const byName = new Map(view.policies.map((p) => [p.name, p]));
    assert.deepEqual(
      byName.get('everything')?.templates.map((t) => t.name),
      ['web'],
    );
    assert.deepEqual(byName.get('unused')?.templates, []);
    assert.deepEqual(
      byName.get('web-image')?.templates.map((t) => t.name),
      ['web'],
    );
    assert.deepEqual(byName.get('web-image')?.rules, ['clusters m2: imageOverrider ×1']);
    assert.deepEqual(byName.get('everything')?.selectors, ['apps/v1 Deployment: all']);
  });

  it('summarises a placement in lines', () => {
    assert.deepEqual(placementLines(pp('x', false).spec.placement), [
      'affinity: exclude m1',
      'replicas: Divided (Weighted), weights by AvailableReplicas',
    ]);
    assert.deepEqual(placementLines(undefined), ['every cluster (no placement)']);
  });
});

describe('clusters view and readiness history', () => {
  const cluster = (status: 'True' | 'False', at: string): Cluster => ({
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'm1' },
    spec: { syncMode: 'Push' },
    status: { conditions: [{ type: 'Ready', status, reason: 'R', message: '', lastTransitionTime: at }] },
  });

  it('records transitions only, stamped by the condition, and removal', () => {
    const h = new ReadinessHistory();
    assert.equal(h.observe({ ...cluster('True', 'x'), status: {} }), false);
    assert.equal(h.observe(cluster('True', '2026-01-01T00:00:00Z')), true);
    assert.equal(h.observe(cluster('True', '2026-01-01T00:00:00Z')), false);
    h.observe(cluster('False', '2026-01-01T00:01:00Z'));
    // An older stamp than the last event (a relist) is replaced by the time it was seen.
    h.observe(cluster('True', '2025-01-01T00:00:00Z'), new Date('2026-01-01T00:02:00Z'));
    h.removed('m1', new Date('2026-01-01T00:03:00Z'));
    assert.deepEqual(
      h.of('m1').map((e) => `${e.status}@${e.at}`),
      [
        'True@2026-01-01T00:00:00Z',
        'False@2026-01-01T00:01:00Z',
        'True@2026-01-01T00:02:00.000Z',
        'Removed@2026-01-01T00:03:00.000Z',
      ],
    );
    const row = clustersView([cluster('True', '2026-01-01T00:02:00Z')], h).clusters[0];
    assert.equal(row?.history.length, 4);
    assert.deepEqual(row?.capacity, []);
  });
});
