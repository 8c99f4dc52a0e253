import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PropagationPolicy, ResourceSelector } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { specificationChanged } from './filter.ts';
import { applyClaim, bestPolicy, claimOf, policySelectorKeys, templateSelectorKeys } from './policy.ts';
import { interpretReplicas } from './replicas.ts';

const tmpl: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
};
const p = (
  name: string,
  selectors: Partial<ResourceSelector>[],
  priority?: number,
  deleting = false,
): PropagationPolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'propagationpolicy.karmada.io/permanent-id': `id-${name}` },
    ...(deleting ? { deletionTimestamp: 'x' } : {}),
  },
  spec: {
    resourceSelectors: selectors.map((s) => ({ apiVersion: 'apps/v1', kind: 'Deployment', ...s })),
    ...(priority !== undefined ? { priority } : {}),
  },
});

describe('bestPolicy', () => {
  const cases: [string, PropagationPolicy[], string | undefined][] = [
    ['none match', [p('a', [{ name: 'other' }])], undefined],
    ['explicit priority first', [p('a', [{ name: 'web' }]), p('b', [{}], 1)], 'b'],
    [
      'name beats label',
      [p('a', [{ labelSelector: { matchLabels: { app: 'web' } } }]), p('b', [{ name: 'web' }])],
      'b',
    ],
    ['label beats all', [p('a', [{}]), p('b', [{ labelSelector: { matchLabels: { app: 'web' } } }])], 'b'],
    ['name ascending breaks ties', [p('foo', [{}]), p('bar', [{}])], 'bar'],
    ['deleting policies are skipped', [p('a', [{ name: 'web' }], 9, true), p('b', [{}])], 'b'],
    ['namespace mismatch', [p('a', [{ namespace: 'other' }])], undefined],
    ['best selector of a policy counts', [p('a', [{ name: 'x' }, {}]), p('b', [{ labelSelector: {} }])], 'b'],
  ];
  for (const [name, policies, want] of cases)
    it(name, () => assert.equal(bestPolicy(tmpl, policies)?.metadata.name, want));

  // The detector looks policies up by selector key instead of scanning them all; the candidates
  // must never lose the policy a full scan would choose.
  const noise = [
    p('other-kind', [{ kind: 'StatefulSet' }]),
    p('other-name', [{ name: 'api' }]),
    p('other-version', [{ apiVersion: 'apps/v2', name: 'web' }]),
  ];
  for (const [name, policies, want] of cases)
    it(`selector-key candidates: ${name}`, () => {
      const all = [...policies, ...noise];
      const keys = new Set(templateSelectorKeys(tmpl));
      const candidates = all.filter((x) => policySelectorKeys(x).some((k) => keys.has(k)));
      assert.ok(!candidates.some((x) => x.metadata.name?.startsWith('other-')));
      assert.equal(bestPolicy(tmpl, candidates)?.metadata.name, want);
    });
});

describe('claims', () => {
  it('a PP claim replaces a CPP claim', () => {
    const meta = {
      labels: { 'clusterpropagationpolicy.karmada.io/permanent-id': 'c' },
      annotations: { 'clusterpropagationpolicy.karmada.io/name': 'cpp' },
    };
    assert.equal(claimOf(meta)?.kind, 'cpp');
    assert.equal(applyClaim(meta, p('a', [{}]), false), true);
    assert.deepEqual(meta, {
      labels: { 'propagationpolicy.karmada.io/permanent-id': 'id-a' },
      annotations: {
        'propagationpolicy.karmada.io/namespace': 'ns',
        'propagationpolicy.karmada.io/name': 'a',
      },
    });
    assert.equal(applyClaim(meta, p('a', [{}]), false), false);
  });
});

describe('interpretReplicas', () => {
  const cases: [string, KubeObject, number | undefined][] = [
    ['deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 4 } }, 4],
    [
      'job parallelism capped by completions',
      { apiVersion: 'batch/v1', kind: 'Job', metadata: {}, spec: { parallelism: 5, completions: 2 } },
      2,
    ],
    ['pod', { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } }, 1],
    ['configmap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, undefined],
  ];
  for (const [name, obj, want] of cases) it(name, () => assert.equal(interpretReplicas(obj)?.replicas, want));
  it('sums container requests, limits standing in, max with init containers', () => {
    const r = interpretReplicas({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {},
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { resources: { requests: { cpu: '500m' }, limits: { memory: '1Gi' } } },
              { resources: { requests: { cpu: '1', memory: '512Mi' } } },
            ],
            initContainers: [{ resources: { requests: { cpu: '2' } } }],
          },
        },
      },
    });
    assert.deepEqual(r?.replicaRequirements, { resourceRequest: { cpu: '2', memory: '1536Mi' } });
  });
});

describe('specificationChanged', () => {
  it('ignores status, managedFields and resourceVersion', () => {
    const a: KubeObject = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'a', resourceVersion: '1' },
      status: { x: 1 },
    };
    assert.equal(
      specificationChanged(a, {
        ...a,
        metadata: { name: 'a', resourceVersion: '2', managedFields: [] },
        status: { x: 2 },
      }),
      false,
    );
    assert.equal(specificationChanged(a, { ...a, metadata: { name: 'a', labels: { l: '1' } } }), true);
  });
});
