import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { compareKubeVersions, resourceDefFromCRD, validateCRD } from './crd.ts';
import { evaluateJsonPath } from './jsonpath.ts';
import { CREATED, NOW } from './test-fixtures.ts';

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [
      { name: 'v1alpha1', served: true, storage: false },
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
        },
        additionalPrinterColumns: [
          { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'First', type: 'string', jsonPath: '.spec.items[0].name', priority: 1 },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        selectableFields: [{ jsonPath: '.spec.color' }],
      },
      { name: 'v2beta1', served: false, storage: false },
    ],
  },
};

describe('resourceDefFromCRD', () => {
  const def = resourceDefFromCRD(crd);
  it('takes names, scope, served versions (preferred first) and subresources', () => {
    assert.equal(def.group, 'example.com');
    assert.deepEqual(def.versions, ['v1', 'v1alpha1']);
    assert.equal(def.kind, 'Widget');
    assert.equal(def.listKind, 'WidgetList');
    assert.deepEqual(def.shortNames, ['wd']);
    assert.deepEqual(def.categories, ['all']);
    assert.equal(def.namespaced, true);
    assert.deepEqual(def.subresources, {
      status: true,
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    });
    assert.equal(def.patchSchema, undefined);
    assert.equal(def.fromCRD, 'widgets.example.com');
  });
  it('evaluates printer columns', () => {
    assert.deepEqual(
      def.table.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Hosts', 'string', 0],
        ['Replicas', 'integer', 0],
        ['First', 'string', 1],
        ['Ready', 'string', 0],
        ['Age', 'date', 0],
      ],
    );
    const w: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', creationTimestamp: CREATED },
      spec: { hosts: ['a', 'b<c'], replicas: 2, items: [{ name: 'first' }], color: 'red' },
      status: {
        conditions: [
          { type: 'Synced', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
    };
    assert.deepEqual(def.table.cells(w, NOW), ['w1', '["a","b\\u003cc"]', 2, 'first', 'True', '5m10s']);
    assert.deepEqual(def.table.cells({ ...w, spec: {}, status: {} }, NOW), [
      'w1',
      null,
      null,
      null,
      null,
      '5m10s',
    ]);
    assert.equal(def.fieldSelectors['spec.color']?.(w), 'red');
  });
  it('gives a CRD without printer columns Name and Age', () => {
    const bare = structuredClone(crd);
    bare.spec.versions = [{ name: 'v1', served: true, storage: true }];
    bare.spec.scope = 'Cluster';
    const d = resourceDefFromCRD(bare);
    assert.deepEqual(
      d.table.columns.map((c) => c.name),
      ['Name', 'Age'],
    );
    assert.equal(d.namespaced, false);
    assert.deepEqual(d.subresources, {});
  });
});

describe('validateCRD', () => {
  it('accepts a well-formed CRD', () => assert.deepEqual(validateCRD(crd), []));
  it('rejects a bad name, group, scope and storage count', () => {
    const bad = structuredClone(crd);
    bad.metadata.name = 'widgets';
    bad.spec.group = 'example';
    bad.spec.scope = 'Global';
    bad.spec.versions[0].storage = true;
    assert.deepEqual(
      validateCRD(bad).map((c) => c.field),
      ['metadata.name', 'spec.group', 'spec.scope', 'spec.versions'],
    );
  });
});

describe('JSONPath and version order', () => {
  it('supports wildcards, indexes and quoted keys', () => {
    const o = { a: { 'b.c': [{ x: 1 }, { x: 2 }] } };
    assert.deepEqual(evaluateJsonPath(o, ".a['b.c'][*].x"), [1, 2]);
    assert.deepEqual(evaluateJsonPath(o, "{.a['b.c'][-1].x}"), [2]);
    assert.deepEqual(evaluateJsonPath(o, '.missing.x'), []);
  });
  it('sorts GA before beta before alpha', () => {
    assert.deepEqual(['v1alpha3', 'v1beta1', 'v2', 'v1', 'foo'].sort(compareKubeVersions), [
      'v2',
      'v1',
      'v1beta1',
      'v1alpha3',
      'foo',
    ]);
  });
});
