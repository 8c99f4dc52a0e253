import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyStrategicMergePatch } from './strategic-merge.ts';
import { deploymentSchema } from './test-schemas.ts';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a', 'b'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80 }, { containerPort: 443 }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            args: ['--x', '--y'],
          },
          { name: 'sidecar', image: 'envoy' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
});

type D = ReturnType<typeof deployment>;
const containers = (d: unknown): unknown[] => (d as D).spec.template.spec.containers;

describe('applyStrategicMergePatch: kubectl bodies', () => {
  it("applies kubectl's re-apply SMP (wire §7.2)", () => {
    const patch = {
      metadata: { annotations: { [LAST]: '{"kind":"Deployment"}\n' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.26', name: 'nginx' }],
          },
        },
      },
    };
    const want = deployment();
    want.spec.replicas = 3;
    (want.metadata as Record<string, unknown>).annotations = { [LAST]: '{"kind":"Deployment"}\n' };
    want.spec.template.spec.containers[0]!.image = 'nginx:1.26';
    const live = deployment();
    const out = applyStrategicMergePatch(live, patch, deploymentSchema);
    // sidecar is server-only: kept, after nginx as in the live order.
    assert.deepEqual(out, want);
    assert.deepEqual(live, deployment(), 'input must not be modified');
  });

  it("applies kubectl diff's SMP with a resourceVersion (wire §7.4)", () => {
    const patch = {
      metadata: { resourceVersion: '1006' },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.26', name: 'nginx' }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deployment(), patch, deploymentSchema) as D & {
      metadata: { resourceVersion: string };
    };
    assert.equal(out.metadata.resourceVersion, '1006');
    assert.equal(out.spec.template.spec.containers[0]!.image, 'nginx:1.26');
  });
});

describe('applyStrategicMergePatch: semantics', () => {
  const cases: Array<[string, unknown, (d: D) => unknown]> = [
    [
      'null deletes a field',
      { spec: { strategy: null } },
      (d) => ({ ...d, spec: { ...d.spec, strategy: undefined } }),
    ],
    [
      'maps merge',
      { metadata: { labels: { tier: 'front', app: null } } },
      (d) => ({ ...d, metadata: { ...d.metadata, labels: { tier: 'front' } } }),
    ],
    [
      'a new element goes first without $setElementOrder (as apimachinery orders it)',
      { spec: { template: { spec: { containers: [{ name: 'log', image: 'busybox' }] } } } },
      (d) => [{ name: 'log', image: 'busybox' }, ...d.spec.template.spec.containers],
    ],
    [
      'nested merge by key: ports by containerPort, env by name',
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'nginx',
                  ports: [{ containerPort: 443, name: 'https' }],
                  env: [
                    { name: 'B', value: null },
                    { name: 'C', value: '3' },
                  ],
                },
              ],
            },
          },
        },
      },
      (d) => [
        {
          ...d.spec.template.spec.containers[0],
          ports: [{ containerPort: 80 }, { containerPort: 443, name: 'https' }],
          env: [{ name: 'A', value: '1' }, { name: 'B' }, { name: 'C', value: '3' }],
        },
        d.spec.template.spec.containers[1],
      ],
    ],
    [
      'lists without a merge strategy are replaced',
      { spec: { template: { spec: { containers: [{ name: 'nginx', args: ['--z'] }] } } } },
      (d) => [{ ...d.spec.template.spec.containers[0], args: ['--z'] }, d.spec.template.spec.containers[1]],
    ],
    [
      '$patch: delete on an element',
      { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      (d) => [d.spec.template.spec.containers[0]],
    ],
    [
      '$patch: replace on a list',
      { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
      () => [{ name: 'only', image: 'x' }],
    ],
    [
      '$patch: merge element is a no-op',
      { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } },
      (d) => d.spec.template.spec.containers,
    ],
    [
      '$setElementOrder reorders',
      {
        spec: {
          template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] } },
        },
      },
      (d) => [d.spec.template.spec.containers[1], d.spec.template.spec.containers[0]],
    ],
    [
      '$setElementOrder with a new element in the middle',
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'log' }, { name: 'sidecar' }],
              containers: [{ name: 'log', image: 'busybox' }],
            },
          },
        },
      },
      (d) => [
        d.spec.template.spec.containers[0],
        { name: 'log', image: 'busybox' },
        d.spec.template.spec.containers[1],
      ],
    ],
  ];
  for (const [name, patch, want] of cases) {
    it(name, () => {
      const out = applyStrategicMergePatch(deployment(), patch, deploymentSchema);
      const expected = want(deployment());
      if (Array.isArray(expected)) assert.deepEqual(containers(out), expected);
      else assert.deepEqual(out, JSON.parse(JSON.stringify(expected)));
    });
  }

  const finalizers: Array<[string, unknown, string[]]> = [
    [
      'set merge keeps live items and orders patch items first',
      { metadata: { finalizers: ['c', 'a'] } },
      ['c', 'a', 'b'],
    ],
    ['$deleteFromPrimitiveList', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, ['b']],
    [
      '$setElementOrder on primitives',
      { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'], finalizers: ['c'] } },
      ['b', 'c', 'a'],
    ],
  ];
  for (const [name, patch, want] of finalizers) {
    it(`finalizers: ${name}`, () =>
      assert.deepEqual(
        (applyStrategicMergePatch(deployment(), patch, deploymentSchema) as D).metadata.finalizers,
        want,
      ));
  }

  it('$retainKeys clears keys not listed', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      deploymentSchema,
    ) as D;
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });
  it('$patch: replace on a map', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } },
      deploymentSchema,
    ) as D;
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });
  it('$patch: delete on a map empties it', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { $patch: 'delete' } } },
      deploymentSchema,
    ) as D;
    assert.deepEqual(out.metadata.labels, {});
  });
  it('new keys drop nulls and directives', () => {
    const out = applyStrategicMergePatch(
      {},
      { spec: { a: null, b: { c: null, d: 1 }, gone: { $patch: 'delete' } } },
      deploymentSchema,
    );
    assert.deepEqual(out, { spec: { b: { d: 1 } } });
  });
  it('type change replaces', () => {
    assert.deepEqual(applyStrategicMergePatch({ a: [1] }, { a: { b: 1 } }, {}), { a: { b: 1 } });
  });
  it('a list with no schema is replaced', () => {
    assert.deepEqual(
      applyStrategicMergePatch({ a: [{ name: 'x' }, { name: 'y' }] }, { a: [{ name: 'y' }] }, {}),
      { a: [{ name: 'y' }] },
    );
  });
});

describe('applyStrategicMergePatch: errors', () => {
  const bad: Array<[string, unknown, number, RegExp]> = [
    ['a list patch', [{ a: 1 }], 400, /cannot unmarshal array into Go value of type map/],
    ['a string patch', 'x', 400, /cannot unmarshal string/],
    [
      'element without merge key',
      { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
      400,
      /does not contain declared merge key: name/,
    ],
    [
      'delete without merge key',
      { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
      400,
      /does not contain declared merge key/,
    ],
    ['unknown $patch on a map', { spec: { $patch: 'frob' } }, 400, /unknown patch type: frob/],
    [
      'unknown $patch in a list',
      { spec: { template: { spec: { containers: [{ name: 'x', $patch: 'frob' }] } } } },
      400,
      /unknown patch type/,
    ],
    [
      '$retainKeys not a list',
      { spec: { strategy: { $retainKeys: 'type' } } },
      400,
      /^invalid patch format of retainKeys$/,
    ],
    [
      '$retainKeys missing a patched key',
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } },
      400,
      /^invalid patch format of retainKeys$/,
    ],
    [
      '$setElementOrder not a list',
      { spec: { template: { spec: { '$setElementOrder/containers': 'x' } } } },
      400,
      /expected a \[\]interface/,
    ],
    ['$setElementOrder without a field', { metadata: { $setElementOrder: [] } }, 400, /setElementOrder list/],
    [
      '$setElementOrder missing a patched element',
      {
        spec: {
          template: {
            spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ name: 'other' }] },
          },
        },
      },
      400,
      /doesn't match \$setElementOrder list/,
    ],
    [
      '$deleteFromPrimitiveList not a list',
      { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
      400,
      /expected a \[\]interface/,
    ],
    ['mixed element types', { metadata: { finalizers: [1] } }, 400, /list element types are not identical/],
    [
      'container is a string',
      { spec: { template: { spec: { containers: ['nginx'] } } } },
      400,
      /list element types are not identical/,
    ],
    ['list of lists', { metadata: { finalizers: [['x']] } }, 422, /^the server rejected our request/],
  ];
  for (const [name, patch, code, message] of bad) {
    it(`${name} → ${code}`, () => {
      assert.throws(
        () => applyStrategicMergePatch(deployment(), patch, deploymentSchema),
        (err: { code: number; name: string; message: string }) => {
          assert.equal(err.name, 'ApiError');
          assert.equal(err.code, code);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
