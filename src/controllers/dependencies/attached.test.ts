import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABELS } from '../../api/karmada/names.ts';
import type { ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import {
  dependedByLabelKey,
  dependenciesAnnotation,
  desiredAttached,
  effectiveStrategy,
  recordedDependencies,
  releasedAttached,
} from './attached.ts';

function parent(
  name: string,
  clusters: string[],
  extra: Partial<ResourceBinding['spec']> = {},
): ResourceBinding {
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name, namespace: 'shop', labels: { [LABELS.rbPermanentId]: `id-${name}` } },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
      clusters: clusters.map((c) => ({ name: c, replicas: 1 })),
      propagateDeps: true,
      ...extra,
    },
  };
}

const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop', uid: 'cm-uid', resourceVersion: '7' },
};

describe('attached bindings', () => {
  it('label key: Karmada prefix plus a stable hash of namespace/name', () => {
    const key = dependedByLabelKey('shop', 'web-deployment');
    assert.match(key, /^resourcebinding\.karmada\.io\/depended-by-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(key, dependedByLabelKey('shop', 'web-deployment'));
    assert.notEqual(key, dependedByLabelKey('shop', 'api-deployment'));
    assert.ok(key.split('/')[1]!.length <= 63);
  });

  it('a new attached binding: named <dep>-<kind>, owned by the dependency, placement unset', () => {
    const web = parent('web-deployment', ['m1', 'm2']);
    const b = desiredAttached({
      parent: web,
      dependency: configMap,
      existing: undefined,
      lookup: () => undefined,
    });
    assert.ok(b);
    assert.equal(b.metadata.name, 'settings-configmap');
    assert.equal(b.metadata.namespace, 'shop');
    assert.equal(b.spec.placement, undefined);
    assert.deepEqual(b.metadata.finalizers, ['karmada.io/binding-controller']);
    assert.deepEqual(b.metadata.ownerReferences?.[0], {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'settings',
      uid: 'cm-uid',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.ok(b.metadata.labels?.[LABELS.rbPermanentId]);
    assert.equal(b.metadata.labels?.[dependedByLabelKey('shop', 'web-deployment')], 'id-web-deployment');
    assert.deepEqual(b.spec.resource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'settings',
      uid: 'cm-uid',
      resourceVersion: '7',
    });
    assert.deepEqual(b.spec.requiredBy, [
      {
        namespace: 'shop',
        name: 'web-deployment',
        clusters: [
          { name: 'm1', replicas: 1 },
          { name: 'm2', replicas: 1 },
        ],
      },
    ]);
    assert.equal(b.spec.conflictResolution, 'Abort');
    assert.equal(b.spec.preserveResourcesOnDeletion, false);
  });

  it('a second requirer is merged; Overwrite and preserve win if any requirer wants them', () => {
    const web = parent('web-deployment', ['m1']);
    const api = parent('api-deployment', ['m3'], {
      conflictResolution: 'Overwrite',
      preserveResourcesOnDeletion: true,
    });
    const first = desiredAttached({
      parent: web,
      dependency: configMap,
      existing: undefined,
      lookup: () => undefined,
    });
    assert.ok(first);
    const lookup = (_ns: string, name: string) => (name === 'web-deployment' ? web : undefined);
    const both = desiredAttached({ parent: api, dependency: configMap, existing: first, lookup });
    assert.ok(both);
    assert.deepEqual(
      both.spec.requiredBy?.map((r) => [r.name, r.clusters?.map((c) => c.name)]),
      [
        ['web-deployment', ['m1']],
        ['api-deployment', ['m3']],
      ],
    );
    assert.equal(both.spec.conflictResolution, 'Overwrite');
    assert.equal(both.spec.preserveResourcesOnDeletion, true);
    // Same input again: nothing to write.
    assert.equal(desiredAttached({ parent: api, dependency: configMap, existing: both, lookup }), undefined);
  });

  it('a binding a policy placed keeps its own strategy', () => {
    const owned: ResourceBinding = {
      ...parent('settings-configmap', ['m9']),
      spec: {
        resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings' },
        placement: {},
        conflictResolution: 'Abort',
      },
    };
    owned.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', uid: 'cm-uid', controller: true },
    ];
    const api = parent('api-deployment', ['m3'], { conflictResolution: 'Overwrite' });
    const b = desiredAttached({
      parent: api,
      dependency: configMap,
      existing: owned,
      lookup: () => undefined,
    });
    assert.equal(b?.spec.conflictResolution, 'Abort');
    assert.deepEqual(b?.spec.placement, {});
    assert.equal(b?.spec.requiredBy?.length, 1);
  });

  it('refuses to touch a binding controlled by another object', () => {
    const stale = desiredAttached({
      parent: parent('web-deployment', ['m1']),
      dependency: { ...configMap, metadata: { ...configMap.metadata, uid: 'old-uid' } },
      existing: undefined,
      lookup: () => undefined,
    });
    assert.ok(stale);
    assert.throws(
      () =>
        desiredAttached({
          parent: parent('web-deployment', ['m1']),
          dependency: configMap,
          existing: stale,
          lookup: () => undefined,
        }),
      /different owner reference UID/,
    );
  });

  it('release: the last requirer deletes an attached binding; others keep it with their strategy', () => {
    const web = parent('web-deployment', ['m1']);
    const api = parent('api-deployment', ['m3'], { conflictResolution: 'Overwrite' });
    const lookup = (_ns: string, name: string) =>
      name === 'web-deployment' ? web : name === 'api-deployment' ? api : undefined;
    const one = desiredAttached({ parent: web, dependency: configMap, existing: undefined, lookup });
    assert.ok(one);
    const two = desiredAttached({ parent: api, dependency: configMap, existing: one, lookup });
    assert.ok(two);
    const left = releasedAttached(two, 'shop', 'api-deployment', lookup);
    assert.ok(left && left !== 'delete');
    assert.deepEqual(
      left.spec.requiredBy?.map((r) => r.name),
      ['web-deployment'],
    );
    assert.equal(left.metadata.labels?.[dependedByLabelKey('shop', 'api-deployment')], undefined);
    assert.equal(left.spec.conflictResolution, 'Abort');
    assert.equal(releasedAttached(left, 'shop', 'web-deployment', lookup), 'delete');
    assert.equal(releasedAttached(left, 'shop', 'never-required', lookup), undefined);
  });

  it('release from a policy binding keeps the binding, without requiredBy', () => {
    const web = parent('web-deployment', ['m1']);
    const placed: ResourceBinding = {
      ...parent('settings-configmap', []),
      spec: { resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings' }, placement: {} },
    };
    const merged = desiredAttached({
      parent: web,
      dependency: configMap,
      existing: placed,
      lookup: () => undefined,
    });
    assert.ok(merged);
    const released = releasedAttached(merged, 'shop', 'web-deployment', () => undefined);
    assert.ok(released && released !== 'delete');
    assert.equal(released.spec.requiredBy, undefined);
    assert.deepEqual(released.spec.placement, {});
  });

  it('effective strategy defaults to Abort and no preservation', () => {
    assert.deepEqual(effectiveStrategy([]), {
      conflictResolution: 'Abort',
      preserveResourcesOnDeletion: false,
    });
  });

  it('the dependencies annotation round-trips; garbage reads as none', () => {
    const deps = [{ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 's' }];
    const b = {
      metadata: { annotations: { 'resourcebinding.karmada.io/dependencies': dependenciesAnnotation(deps) } },
    };
    assert.deepEqual(recordedDependencies(b), deps);
    assert.deepEqual(
      recordedDependencies({ metadata: { annotations: { 'resourcebinding.karmada.io/dependencies': '{' } } }),
      [],
    );
    assert.deepEqual(recordedDependencies({ metadata: {} }), []);
  });
});
