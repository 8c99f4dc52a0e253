import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cluster, ClusterAffinity, OverridePolicy, OverrideSpec } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import {
  appliedOverrideAnnotations,
  applyOverridePolicies,
  clusterMatches,
  formatAppliedOverrides,
} from './index.ts';

const template: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: { template: { spec: { containers: [{ name: 'main', image: 'web:1' }] } } },
};

const member1: Cluster = {
  apiVersion: 'cluster.karmada.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'member1', labels: { env: 'prod' } },
  spec: { syncMode: 'Push', provider: 'aws', region: 'eu', zones: ['eu-1a', 'eu-1b'] },
};

function policy(name: string, spec: OverrideSpec, namespace?: string): OverridePolicy {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: namespace ? 'OverridePolicy' : 'ClusterOverridePolicy',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec,
  };
}

const tagRule = (tag: string, targetCluster?: ClusterAffinity) => ({
  ...(targetCluster ? { targetCluster } : {}),
  overriders: { imageOverrider: [{ component: 'Tag' as const, operator: 'replace' as const, value: tag }] },
});
const sel = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  ...extra,
});

describe('clusterMatches', () => {
  const cases: [string, ClusterAffinity, boolean][] = [
    ['empty affinity', {}, true],
    ['clusterNames contains', { clusterNames: ['member1', 'x'] }, true],
    ['clusterNames misses', { clusterNames: ['member2'] }, false],
    ['exclude wins', { clusterNames: ['member1'], exclude: ['member1'] }, false],
    ['labelSelector', { labelSelector: { matchLabels: { env: 'prod' } } }, true],
    ['labelSelector misses', { labelSelector: { matchLabels: { env: 'dev' } } }, false],
    [
      'provider In',
      { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } },
      true,
    ],
    [
      'region NotIn',
      { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] } },
      false,
    ],
    [
      'zone In overlaps',
      { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['eu-1b'] }] } },
      true,
    ],
    [
      'zone NotIn any overlap',
      { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['eu-1a'] }] } },
      false,
    ],
    ['zone Exists', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }, true],
    [
      'zone DoesNotExist',
      { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] } },
      false,
    ],
  ];
  for (const [name, affinity, want] of cases)
    it(name, () => assert.equal(clusterMatches(member1, affinity), want));
});

describe('applyOverridePolicies', () => {
  const image = (cops: OverridePolicy[], ops: OverridePolicy[]) =>
    applyOverridePolicies({
      manifest: template,
      cluster: member1,
      clusterOverridePolicies: cops,
      overridePolicies: ops,
    });

  it('applies ClusterOverridePolicies first, then OverridePolicies (namespaced wins)', () => {
    const r = image(
      [policy('a-cop', { overrideRules: [tagRule('cop')] })],
      [policy('z-op', { overrideRules: [tagRule('op')] }, 'shop')],
    );
    assert.equal(r.manifest.spec.template.spec.containers[0].image, 'web:op');
    assert.deepEqual(
      r.appliedClusterOverrides.map((a) => a.policyName),
      ['a-cop'],
    );
    assert.deepEqual(
      r.appliedOverrides.map((a) => a.policyName),
      ['z-op'],
    );
    assert.equal(template.spec.template.spec.containers[0].image, 'web:1', 'input untouched');
  });

  it('orders by ascending implicit priority (all < label < name), then name', () => {
    const ops = [
      policy(
        'a-by-name',
        { resourceSelectors: [sel({ name: 'web' })], overrideRules: [tagRule('name')] },
        'shop',
      ),
      policy(
        'b-by-label',
        {
          resourceSelectors: [sel({ labelSelector: { matchLabels: { app: 'web' } } })],
          overrideRules: [tagRule('label')],
        },
        'shop',
      ),
      policy('c-all', { resourceSelectors: [sel()], overrideRules: [tagRule('all')] }, 'shop'),
      policy('d-nil', { overrideRules: [tagRule('nil')] }, 'shop'),
    ];
    const r = image([], ops);
    assert.deepEqual(
      r.appliedOverrides.map((a) => a.policyName),
      ['c-all', 'd-nil', 'b-by-label', 'a-by-name'],
    );
    assert.equal(r.manifest.spec.template.spec.containers[0].image, 'web:name');
  });

  it('skips policies of other namespaces, non-matching selectors and non-matching rules', () => {
    const r = image(
      [
        policy('cop', {
          overrideRules: [
            tagRule('m2', { clusterNames: ['member2'] }),
            tagRule('m1', { clusterNames: ['member1'] }),
          ],
        }),
      ],
      [
        policy('other-ns', { overrideRules: [tagRule('x')] }, 'elsewhere'),
        policy(
          'other-name',
          { resourceSelectors: [sel({ name: 'api' })], overrideRules: [tagRule('y')] },
          'shop',
        ),
        policy(
          'other-kind',
          { resourceSelectors: [{ apiVersion: 'v1', kind: 'Service' }], overrideRules: [tagRule('z')] },
          'shop',
        ),
      ],
    );
    assert.equal(r.manifest.spec.template.spec.containers[0].image, 'web:m1');
    assert.equal(r.appliedClusterOverrides.length, 1);
    assert.deepEqual(r.appliedOverrides, []);
  });

  it('supports the deprecated top-level targetCluster/overriders', () => {
    const r = image(
      [],
      [
        policy(
          'old',
          { targetCluster: { clusterNames: ['member1'] }, overriders: tagRule('old').overriders },
          'shop',
        ),
      ],
    );
    assert.equal(r.manifest.spec.template.spec.containers[0].image, 'web:old');
  });

  it('ignores OverridePolicies for cluster-scoped templates', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const r = applyOverridePolicies({
      manifest: ns,
      cluster: member1,
      clusterOverridePolicies: [
        policy('cop', {
          overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { a: 'b' } }] } }],
        }),
      ],
      overridePolicies: [
        policy(
          'op',
          { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { c: 'd' } }] } }] },
          'shop',
        ),
      ],
    });
    assert.deepEqual(r.manifest.metadata.labels, { a: 'b' });
  });
});

describe('applied-overrides annotations', () => {
  it('renders Go-ordered JSON sorted by policy name, one item per rule', () => {
    const text = formatAppliedOverrides([
      { policyName: 'b', overriders: { labelsOverrider: [{ operator: 'add', value: { z: '1', a: '2' } }] } },
      {
        policyName: 'a',
        overriders: {
          imageOverrider: [{ value: 'v2', operator: 'replace', component: 'Tag' }],
          plaintext: [{ operator: 'remove', path: '/x' }],
        },
      },
    ]);
    assert.equal(
      text,
      '[{"policyName":"a","overriders":{"plaintext":[{"path":"/x","operator":"remove"}],"imageOverrider":[{"component":"Tag","operator":"replace","value":"v2"}]}},' +
        '{"policyName":"b","overriders":{"labelsOverrider":[{"operator":"add","value":{"a":"2","z":"1"}}]}}]',
    );
  });
  it('omits empty kinds', () => {
    assert.deepEqual(appliedOverrideAnnotations({ appliedClusterOverrides: [], appliedOverrides: [] }), {});
    const a = appliedOverrideAnnotations({
      appliedClusterOverrides: [{ policyName: 'c', overriders: {} }],
      appliedOverrides: [],
    });
    assert.deepEqual(a, {
      'policy.karmada.io/applied-cluster-overrides': '[{"policyName":"c","overriders":{}}]',
    });
  });
});
