import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch } from './merge-patch.ts';

describe('applyMergePatch', () => {
  const pp = {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'web-pp', annotations: { a: '1' } },
    spec: {
      placement: {
        clusterAffinity: { clusterNames: ['member1'] },
        replicaScheduling: { type: 'Duplicated' },
      },
    },
  };
  const cases: Array<[string, unknown, unknown, unknown]> = [
    [
      'RFC 7386 example',
      { a: 'b', c: { d: 'e', f: 'g' } },
      { a: 'z', c: { f: null } },
      { a: 'z', c: { d: 'e' } },
    ],
    ['null deletes', { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ['null for a missing key is a no-op', { a: 1 }, { z: null }, { a: 1 }],
    ['arrays are replaced', { a: [1, 2, 3] }, { a: [4] }, { a: [4] }],
    ['object replaces scalar', { a: 1 }, { a: { b: 1, c: null } }, { a: { b: 1 } }],
    ['scalar replaces object', { a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
    ['empty patch', { a: 1 }, {}, { a: 1 }],
    [
      "kubectl's PropagationPolicy patch (wire §7.2)",
      pp,
      {
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
        spec: { placement: { clusterAffinity: { clusterNames: ['member1', 'member2', 'member3'] } } },
      },
      {
        ...pp,
        metadata: {
          name: 'web-pp',
          annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
        },
        spec: {
          placement: {
            clusterAffinity: { clusterNames: ['member1', 'member2', 'member3'] },
            replicaScheduling: { type: 'Duplicated' },
          },
        },
      },
    ],
    [
      "kubectl's VirtualService patch (wire §7.2)",
      { spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', subset: 'v1' } }] }] } },
      { spec: { http: [{ route: [{ destination: { host: 'web', subset: 'v2' } }] }] } },
      { spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', subset: 'v2' } }] }] } },
    ],
  ];
  for (const [name, doc, patch, want] of cases) {
    it(name, () => {
      const before = structuredClone(doc);
      assert.deepEqual(applyMergePatch(doc, patch), want);
      assert.deepEqual(doc, before, 'input must not be modified');
    });
  }
  it('rejects a null patch with 400', () =>
    assert.throws(() => applyMergePatch({}, null), {
      code: 400,
      reason: 'BadRequest',
      message: 'Invalid JSON Patch',
    }));
  for (const patch of [[1], 'x', 3, true]) {
    it(`rejects a ${typeof patch} patch with 422`, () =>
      assert.throws(() => applyMergePatch({}, patch), { code: 422, reason: 'Invalid' }));
  }
});
