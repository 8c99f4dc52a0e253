import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatchByContentType } from './index.ts';
import { deploymentSchema } from './test-schemas.ts';

const live = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y' },
        ],
      },
    },
  },
});

describe('applyPatchByContentType', () => {
  const opts = { schema: deploymentSchema, manager: 'kubectl' };
  it('dispatches JSON patch', () => {
    const out = applyPatchByContentType(
      'application/json-patch+json',
      live(),
      [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      opts,
    );
    assert.equal(out.spec.replicas, 3);
  });
  it('dispatches merge patch (arrays replaced)', () => {
    const out = applyPatchByContentType(
      'application/merge-patch+json',
      live(),
      { spec: { template: { spec: { containers: [{ name: 'b' }] } } } },
      opts,
    );
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'b' }]);
  });
  it('dispatches strategic merge (merged by name), ignoring charset', () => {
    const out = applyPatchByContentType(
      'application/strategic-merge-patch+json; charset=utf-8',
      live(),
      { spec: { template: { spec: { containers: [{ name: 'b', image: 'z' }] } } } },
      opts,
    );
    assert.deepEqual(out.spec.template.spec.containers, [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'z' },
    ]);
  });
  it('dispatches apply, creating when there is no live object', () => {
    const out = applyPatchByContentType('application/apply-patch+yaml', undefined, live(), opts);
    const meta = out.metadata as { managedFields?: Array<{ manager?: string }> };
    assert.equal(meta.managedFields?.[0]?.manager, 'kubectl');
  });
  it('answers 415 to strategic merge on a kind without a schema', () => {
    assert.throws(
      () =>
        applyPatchByContentType('application/strategic-merge-patch+json', live(), {}, { manager: 'kubectl' }),
      {
        code: 415,
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      },
    );
  });
  it('answers 415 to an unknown type', () => {
    assert.throws(() => applyPatchByContentType('application/json', live(), {}, opts), {
      code: 415,
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    });
  });
  it('never lets a TypeError escape for odd bodies', () => {
    for (const type of [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ]) {
      for (const body of [null, undefined, 1, 'x', [1], { a: 1 }, [{ op: 'add' }]]) {
        try {
          applyPatchByContentType(type, live(), body, opts);
        } catch (err) {
          assert.equal((err as Error).name, 'ApiError', `${type} ${JSON.stringify(body)}: ${String(err)}`);
        }
      }
    }
  });
});
