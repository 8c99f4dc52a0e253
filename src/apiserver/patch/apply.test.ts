import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../api/meta.ts';
import { applyPatch } from './apply.ts';
import { deploymentSchema } from './test-schemas.ts';

const now = () => new Date('2025-01-02T03:04:05.678Z');
const TIME = '2025-01-02T03:04:05Z';

const config = (image = 'nginx:1.25', replicas = 2): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['example.com/x'] },
  spec: {
    replicas,
    template: { spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
  },
});

const apply = (live: JsonObject | undefined, applied: unknown, manager = 'kubectl', force = false) =>
  applyPatch(live, applied, { manager, force, schema: deploymentSchema, now }).object;

// biome-ignore lint/suspicious/noExplicitAny: tests poke into arbitrary object shapes
type Any = any;

describe('applyPatch: create and ownership', () => {
  it('creates and records a realistic fieldsV1', () => {
    const out = apply(undefined, config()) as Any;
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: TIME,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:finalizers': { 'v:"example.com/x"': {} }, 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('treats lists as atomic without a schema', () => {
    const out = applyPatch(undefined, config(), { manager: 'm', now }).object as Any;
    assert.deepEqual(out.metadata.managedFields[0].fieldsV1['f:spec']['f:template'], {
      'f:spec': { 'f:containers': {} },
    });
  });

  it('re-applying updates values and removes fields no longer applied', () => {
    const first = apply(undefined, config());
    const next = config('nginx:1.26');
    (next as Any).metadata.labels = { tier: 'front' };
    (next as Any).metadata.finalizers = [];
    const out = apply(first, next) as Any;
    assert.deepEqual(out.metadata.labels, { tier: 'front' });
    assert.deepEqual(out.metadata.finalizers, []);
    assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(out.metadata.managedFields.length, 1);
  });

  it('removes a keyed list element the manager stopped applying', () => {
    const two = config();
    (two as Any).spec.template.spec.containers.push({ name: 'sidecar', image: 'envoy' });
    const out = apply(apply(undefined, two), config()) as Any;
    assert.deepEqual(
      out.spec.template.spec.containers.map((c: Any) => c.name),
      ['nginx'],
    );
  });

  it('keeps fields the server or other writers set', () => {
    const live = apply(undefined, config()) as Any;
    live.metadata.uid = 'u1';
    live.status = { replicas: 2 };
    live.spec.template.spec.containers[0].imagePullPolicy = 'Always';
    const out = apply(live, config('nginx:1.26')) as Any;
    assert.equal(out.metadata.uid, 'u1');
    assert.deepEqual(out.status, { replicas: 2 });
    assert.equal(out.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  });

  it('does not modify its inputs', () => {
    const live = apply(undefined, config());
    const frozen = structuredClone(live);
    const applied = config('x');
    apply(live, applied);
    assert.deepEqual(live, frozen);
    assert.deepEqual(applied, config('x'));
  });

  it('carries Update entries over untouched', () => {
    const live = apply(undefined, config()) as Any;
    const update = {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': {} },
    };
    live.metadata.managedFields.unshift(update);
    const out = apply(live, config('nginx:1.26')) as Any;
    assert.deepEqual(out.metadata.managedFields[0], update);
    assert.equal(out.metadata.managedFields[1].manager, 'kubectl');
  });
});

describe('applyPatch: conflicts', () => {
  const owned = () => apply(undefined, config(), 'other');

  it('conflicts with another Apply manager over a differing value', () => {
    assert.throws(
      () => apply(owned(), config('nginx:1.25', 5), 'kubectl'),
      (err: Any) => {
        assert.equal(err.code, 409);
        assert.equal(err.reason, 'Conflict');
        assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "other": .spec.replicas');
        assert.deepEqual(err.toStatus().details.causes, [
          { reason: 'FieldManagerConflict', message: 'conflict with "other"', field: '.spec.replicas' },
        ]);
        return true;
      },
    );
  });

  it('lists several conflicts grouped by manager', () => {
    assert.throws(() => apply(owned(), config('nginx:2', 5)), {
      code: 409,
      message:
        'Apply failed with 2 conflicts: conflicts with "other":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    });
  });

  it('shares ownership of equal values without conflict', () => {
    const out = apply(owned(), config()) as Any;
    assert.deepEqual(
      out.metadata.managedFields.map((e: Any) => e.manager),
      ['other', 'kubectl'],
    );
    // kubectl stops applying replicas: other still owns it, so it stays.
    const less = config() as Any;
    delete less.spec.replicas;
    assert.equal((apply(out, less) as Any).spec.replicas, 2);
  });

  it('force takes the field over', () => {
    const out = apply(owned(), config('nginx:1.25', 5), 'kubectl', true) as Any;
    assert.equal(out.spec.replicas, 5);
    const other = out.metadata.managedFields.find((e: Any) => e.manager === 'other');
    assert.equal(other.fieldsV1['f:spec']['f:replicas'], undefined);
    assert.deepEqual(
      out.metadata.managedFields.find((e: Any) => e.manager === 'kubectl').fieldsV1['f:spec']['f:replicas'],
      {},
    );
  });

  it('a manager never conflicts with itself', () => {
    assert.equal((apply(owned(), config('nginx:1.25', 7), 'other') as Any).spec.replicas, 7);
  });
});

describe('applyPatch: adversarial input', () => {
  for (const body of [null, [], 'x', 3]) {
    it(`rejects a ${JSON.stringify(body)} configuration with 400`, () =>
      assert.throws(() => apply(undefined, body), { code: 400, reason: 'BadRequest' }));
  }
  it('requires a field manager', () =>
    assert.throws(() => applyPatch(undefined, config(), { manager: '' }), {
      code: 400,
      message: 'PATCH requests of type application/apply-patch+yaml must have fieldManager set',
    }));
  it('tolerates garbage managedFields', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { managedFields: [{ manager: 'a', operation: 'Apply', fieldsV1: 'junk' }] },
    };
    const out = applyPatch(
      live as Any,
      { apiVersion: 'v1', kind: 'X', data: { a: '1' } },
      { manager: 'b', now },
    ).object as Any;
    assert.equal(out.data.a, '1');
  });
  it('ignores nulls in the configuration', () => {
    const out = apply(undefined, { ...config(), spec: { replicas: null } }) as Any;
    assert.equal(out.spec.replicas, undefined);
  });
});
