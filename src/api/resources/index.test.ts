import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { builtinResources } from './index.ts';
import { defOf } from './test-fixtures.ts';

describe('builtinResources', () => {
  it('returns a fresh array each call', () => {
    const a = builtinResources();
    const b = builtinResources();
    assert.notEqual(a, b);
    assert.notEqual(a[0], b[0]);
  });
  it('has unique group/plural and short names', () => {
    const defs = builtinResources();
    const keys = defs.map((d) => `${d.group}/${d.plural}`);
    assert.equal(new Set(keys).size, keys.length);
    const shorts = defs.flatMap((d) => d.shortNames);
    assert.equal(new Set(shorts).size, shorts.length);
  });
  it('gives every built-in Kubernetes kind a patch schema and no custom kind one', () => {
    for (const d of builtinResources()) {
      const custom = d.group.endsWith('karmada.io') || d.group.endsWith('istio.io');
      assert.equal(d.patchSchema === undefined, custom, `${d.kind}.${d.group}`);
    }
  });
  it('declares names, scopes and categories as kubectl expects', () => {
    const get = (kind: string) => defOf(kind);
    assert.equal(get('Namespace').namespaced, false);
    assert.deepEqual(get('Namespace').shortNames, ['ns']);
    assert.deepEqual(get('Deployment').subresources.scale?.specReplicasPath, '.spec.replicas');
    assert.deepEqual(get('CustomResourceDefinition').shortNames, ['crd', 'crds']);
    assert.deepEqual(get('VirtualService').versions, ['v1', 'v1beta1', 'v1alpha3']);
    const all = builtinResources()
      .filter((d) => d.categories.includes('all'))
      .map((d) => d.plural)
      .sort();
    assert.deepEqual(all, [
      'daemonsets',
      'deployments',
      'jobs',
      'pods',
      'replicasets',
      'services',
      'statefulsets',
    ]);
    for (const d of builtinResources()) {
      const first = d.table.columns[0];
      if (d.kind !== 'Event') assert.equal(first?.format, 'name', d.kind);
    }
  });
  it('has merge keys from the Go types', () => {
    const pod = defOf('Pod').patchSchema;
    const containers = pod?.fields?.spec?.fields?.containers;
    assert.equal(containers?.mergeKey, 'name');
    assert.equal(containers?.items?.fields?.ports?.mergeKey, 'containerPort');
    assert.equal(containers?.items?.fields?.volumeMounts?.mergeKey, 'mountPath');
    assert.equal(defOf('Service').patchSchema?.fields?.spec?.fields?.ports?.mergeKey, 'port');
    assert.equal(defOf('Deployment').patchSchema?.fields?.spec?.fields?.strategy?.strategy, 'retainKeys');
    assert.equal(defOf('Deployment').patchSchema?.fields?.metadata?.fields?.finalizers?.strategy, 'merge');
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      nodeName: 'n1',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'sa',
    },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
  it('extracts pod fields', () => {
    const fs = defOf('Pod').fieldSelectors;
    assert.equal(fs['spec.nodeName']?.(pod), 'n1');
    assert.equal(fs['status.phase']?.(pod), 'Running');
    assert.equal(fs['status.podIP']?.(pod), '10.0.0.1');
    assert.equal(fs['spec.serviceAccountName']?.(pod), 'sa');
    assert.equal(fs['status.nominatedNodeName']?.(pod), '');
  });
  it('extracts event, secret, namespace, node, replicaset and job fields', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default', uid: 'u1' },
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      reportingComponent: 'deployment-controller',
    };
    const evs = defOf('Event').fieldSelectors;
    assert.equal(evs['involvedObject.kind']?.(ev), 'Deployment');
    assert.equal(evs['involvedObject.uid']?.(ev), 'u1');
    assert.equal(evs.source?.(ev), 'deployment-controller');
    assert.equal(evs.type?.(ev), 'Normal');
    assert.equal(
      defOf('Secret').fieldSelectors.type?.({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {},
        type: 'Opaque',
      }),
      'Opaque',
    );
    assert.equal(
      defOf('Namespace').fieldSelectors['status.phase']?.({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {},
        status: { phase: 'Active' },
      }),
      'Active',
    );
    assert.equal(
      defOf('Node').fieldSelectors['spec.unschedulable']?.({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {},
        spec: {},
      }),
      'false',
    );
    assert.equal(
      defOf('ReplicaSet').fieldSelectors['status.replicas']?.({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {},
        status: { replicas: 3 },
      }),
      '3',
    );
    assert.equal(
      defOf('Job').fieldSelectors['status.successful']?.({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {},
        status: {},
      }),
      '0',
    );
    assert.deepEqual(Object.keys(defOf('ConfigMap').fieldSelectors), []);
  });
});
