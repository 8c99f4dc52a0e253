import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Overriders } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { applyPatch } from './json-patch.ts';
import { applyOverriders } from './overriders.ts';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'main', image: 'docker.io/web:1.0', command: ['serve'], args: ['--port=80', '-v'] },
            { name: 'side', image: 'proxy:2.0' },
          ],
        },
      },
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: test reads open JSON
const containers = (o: KubeObject): any[] => o.spec.template.spec.containers;

describe('applyOverriders', () => {
  const cases: {
    name: string;
    overriders: Overriders;
    check: (o: KubeObject) => void;
    base?: () => KubeObject;
  }[] = [
    {
      name: 'image without predicate rewrites every container',
      overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.io' }] },
      check: (o) =>
        assert.deepEqual(
          containers(o).map((c) => c.image),
          ['mirror.io/web:1.0', 'mirror.io/proxy:2.0'],
        ),
    },
    {
      name: 'image with predicate rewrites one path',
      overriders: {
        imageOverrider: [
          {
            predicate: { path: '/spec/template/spec/containers/1/image' },
            component: 'Tag',
            operator: 'replace',
            value: '3.0',
          },
        ],
      },
      check: (o) =>
        assert.deepEqual(
          containers(o).map((c) => c.image),
          ['docker.io/web:1.0', 'proxy:3.0'],
        ),
    },
    {
      name: 'image on a Pod uses /spec/containers',
      base: () => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'a', image: 'x:1' }] },
      }),
      overriders: { imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2' }] },
      check: (o) => assert.equal(o.spec.containers[0].image, 'x:2'),
    },
    {
      name: 'image on an unknown kind without predicate is a no-op',
      base: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { image: 'x:1' } }),
      overriders: { imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2' }] },
      check: (o) => assert.equal(o.data.image, 'x:1'),
    },
    {
      name: 'command add appends to the named container only',
      overriders: { commandOverrider: [{ containerName: 'main', operator: 'add', value: ['--debug'] }] },
      check: (o) => {
        assert.deepEqual(containers(o)[0].command, ['serve', '--debug']);
        assert.equal(containers(o)[1].command, undefined);
      },
    },
    {
      name: 'command add creates a missing list',
      overriders: { commandOverrider: [{ containerName: 'side', operator: 'add', value: ['run'] }] },
      check: (o) => assert.deepEqual(containers(o)[1].command, ['run']),
    },
    {
      name: 'args remove deletes matching items',
      overriders: { argsOverrider: [{ containerName: 'main', operator: 'remove', value: ['-v'] }] },
      check: (o) => assert.deepEqual(containers(o)[0].args, ['--port=80']),
    },
    {
      name: 'labels add/replace/remove',
      overriders: {
        labelsOverrider: [
          { operator: 'add', value: { 'team/owner': 'a', app: 'x' } },
          { operator: 'replace', value: { app: 'web2', missing: 'no' } },
          { operator: 'remove', value: { 'team/owner': '' } },
        ],
      },
      check: (o) => assert.deepEqual(o.metadata.labels, { app: 'web2' }),
    },
    {
      name: 'annotations add creates the map',
      overriders: { annotationsOverrider: [{ operator: 'add', value: { note: 'hi' } }] },
      check: (o) => assert.deepEqual(o.metadata.annotations, { note: 'hi' }),
    },
    {
      name: 'annotations replace on a missing map is a no-op',
      overriders: { annotationsOverrider: [{ operator: 'replace', value: { note: 'hi' } }] },
      check: (o) => assert.equal(o.metadata.annotations, undefined),
    },
    {
      name: 'field overrider patches embedded JSON',
      base: () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { 'cfg.json': '{"db":{"host":"a"},"x":1}' },
      }),
      overriders: {
        fieldOverrider: [
          {
            fieldPath: '/data/cfg.json',
            json: [
              { subPath: '/db/host', operator: 'replace', value: 'b' },
              { subPath: '/x', operator: 'remove' },
              { subPath: '/y', operator: 'add', value: [1] },
            ],
          },
        ],
      },
      check: (o) => assert.deepEqual(JSON.parse(o.data['cfg.json']), { db: { host: 'b' }, y: [1] }),
    },
    {
      name: 'field overrider patches embedded YAML',
      base: () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { 'cfg.yaml': 'db:\n  host: a\n' },
      }),
      overriders: {
        fieldOverrider: [
          { fieldPath: '/data/cfg.yaml', yaml: [{ subPath: '/db/port', operator: 'add', value: 5432 }] },
        ],
      },
      check: (o) => assert.equal(o.data['cfg.yaml'], 'db:\n  host: a\n  port: 5432\n'),
    },
    {
      name: 'plaintext JSON patch ops',
      overriders: {
        plaintext: [
          { path: '/spec/replicas', operator: 'replace', value: 5 },
          { path: '/metadata/labels/tier', operator: 'add', value: 'front' },
          { path: '/spec/template/spec/containers/1', operator: 'remove' },
        ],
      },
      check: (o) => {
        assert.equal(o.spec.replicas, 5);
        assert.equal(o.metadata.labels?.tier, 'front');
        assert.equal(containers(o).length, 1);
      },
    },
    {
      name: 'fixed order: image, then plaintext sees the rewritten image',
      overriders: {
        plaintext: [{ path: '/metadata/annotations', operator: 'add', value: { seen: 'yes' } }],
        imageOverrider: [{ component: 'Tag', operator: 'replace', value: '9' }],
        labelsOverrider: [{ operator: 'add', value: { l: '1' } }],
      },
      check: (o) => {
        assert.equal(containers(o)[0].image, 'docker.io/web:9');
        assert.equal(o.metadata.labels?.l, '1');
        assert.deepEqual(o.metadata.annotations, { seen: 'yes' });
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obj = (c.base ?? deployment)();
      applyOverriders(obj, c.overriders);
      c.check(obj);
    });
  }

  const failures: [string, Overriders][] = [
    [
      'plaintext replace on a missing path',
      { plaintext: [{ path: '/spec/nope', operator: 'replace', value: 1 }] },
    ],
    ['plaintext add under a missing parent', { plaintext: [{ path: '/a/b/c', operator: 'add', value: 1 }] }],
    ['field overrider on a non-string', { fieldOverrider: [{ fieldPath: '/spec/replicas', json: [] }] }],
    [
      'image predicate on a missing path',
      { imageOverrider: [{ predicate: { path: '/spec/x' }, component: 'Tag', operator: 'remove' }] },
    ],
  ];
  for (const [name, overriders] of failures) {
    it(`fails: ${name}`, () =>
      assert.throws(() => applyOverriders(deployment(), overriders), { name: 'OverrideError' }));
  }
});

describe('applyPatch', () => {
  it('adds into arrays by index and with -', () => {
    const doc = { a: [1, 3] };
    applyPatch(doc, [
      { op: 'add', path: '/a/1', value: 2 },
      { op: 'add', path: '/a/-', value: 4 },
    ]);
    assert.deepEqual(doc.a, [1, 2, 3, 4]);
  });
  it('unescapes ~0 and ~1', () => {
    const doc: Record<string, unknown> = { 'a/b': 1, 'c~d': 2 };
    applyPatch(doc, [
      { op: 'replace', path: '/a~1b', value: 10 },
      { op: 'remove', path: '/c~0d' },
    ]);
    assert.deepEqual(doc, { 'a/b': 10 });
  });
});
