import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch, JSON_PATCH_REJECTED } from './json-patch.ts';

const doc = () => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: {
    name: 'web',
    resourceVersion: '1009',
    labels: { A: 'true', 'a/b': 'x', 'm~n': 'y' },
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
  },
  spec: { list: [1, 2, 3] },
});

describe('applyJsonPatch: operations', () => {
  const cases: Array<[string, unknown[], (d: ReturnType<typeof doc>) => unknown]> = [
    [
      'add a key',
      [{ op: 'add', path: '/metadata/labels/B', value: 'b' }],
      (d) => ({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, B: 'b' } } }),
    ],
    [
      'add into a list',
      [{ op: 'add', path: '/spec/list/1', value: 9 }],
      (d) => ({ ...d, spec: { list: [1, 9, 2, 3] } }),
    ],
    [
      'append with -',
      [{ op: 'add', path: '/spec/list/-', value: 4 }],
      (d) => ({ ...d, spec: { list: [1, 2, 3, 4] } }),
    ],
    [
      'remove a list item',
      [{ op: 'remove', path: '/spec/list/0' }],
      (d) => ({ ...d, spec: { list: [2, 3] } }),
    ],
    [
      'replace a list item',
      [{ op: 'replace', path: '/spec/list/2', value: 7 }],
      (d) => ({ ...d, spec: { list: [1, 2, 7] } }),
    ],
    [
      'escaped ~1 and ~0',
      [
        { op: 'remove', path: '/metadata/labels/a~1b' },
        { op: 'remove', path: '/metadata/labels/m~0n' },
      ],
      (d) => ({ ...d, metadata: { ...d.metadata, labels: { A: 'true' } } }),
    ],
    [
      'move',
      [{ op: 'move', from: '/spec/list', path: '/spec/moved' }],
      (d) => ({ ...d, spec: { moved: [1, 2, 3] } }),
    ],
    [
      'copy',
      [{ op: 'copy', from: '/spec/list/0', path: '/spec/first' }],
      (d) => ({ ...d, spec: { list: [1, 2, 3], first: 1 } }),
    ],
    [
      'test then replace',
      [
        { op: 'test', path: '/metadata/labels/A', value: 'true' },
        { op: 'replace', path: '/metadata/labels/A', value: 'false' },
      ],
      (d) => ({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, A: 'false' } } }),
    ],
    [
      'test ignores key order',
      [{ op: 'test', path: '/metadata/labels', value: { 'm~n': 'y', 'a/b': 'x', A: 'true' } }],
      (d) => d,
    ],
    ['replace the whole document', [{ op: 'replace', path: '', value: { a: 1 } }], () => ({ a: 1 })],
    [
      "kubectl's managedFields migration (wire §7.3 #18)",
      [
        {
          op: 'replace',
          path: '/metadata/managedFields',
          value: [{ manager: 'kubectl', operation: 'Apply' }],
        },
        { op: 'replace', path: '/metadata/resourceVersion', value: '1010' },
      ],
      (d) => ({
        ...d,
        metadata: {
          ...d.metadata,
          resourceVersion: '1010',
          managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
        },
      }),
    ],
  ];
  for (const [name, patch, want] of cases) {
    it(name, () => {
      const live = doc();
      assert.deepEqual(applyJsonPatch(live, patch), want(doc()));
      assert.deepEqual(live, doc(), 'input must not be modified');
    });
  }
  it('copies values so later ops do not alias', () => {
    const out = applyJsonPatch({ a: { x: 1 } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'replace', path: '/b/x', value: 2 },
    ]);
    assert.deepEqual(out, { a: { x: 1 }, b: { x: 2 } });
  });
});

describe('applyJsonPatch: errors', () => {
  const rejected: Array<[string, unknown[], RegExp]> = [
    [
      'failed test',
      [{ op: 'test', path: '/metadata/labels/A', value: 'false' }],
      /testing value \/metadata\/labels\/A failed/,
    ],
    ['test of a missing path', [{ op: 'test', path: '/nope/x', value: 1 }], /testing value/],
    [
      'replace of a missing key',
      [{ op: 'replace', path: '/metadata/nope', value: 1 }],
      /replace operation does not apply: doc is missing key/,
    ],
    [
      'remove of a missing key',
      [{ op: 'remove', path: '/metadata/nope' }],
      /remove operation does not apply/,
    ],
    [
      'add under a missing parent',
      [{ op: 'add', path: '/nope/x', value: 1 }],
      /add operation does not apply: doc is missing path/,
    ],
    ['index out of range', [{ op: 'add', path: '/spec/list/9', value: 1 }], /out of bounds/],
    ['non-numeric index', [{ op: 'replace', path: '/spec/list/x', value: 1 }], /invalid array index/],
    ['leading zero index', [{ op: 'remove', path: '/spec/list/01' }], /invalid array index/],
    ['pointer without slash', [{ op: 'add', path: 'metadata', value: 1 }], /must start with '\/'/],
    ['path not a string', [{ op: 'add', path: 3, value: 1 }], /path must be a string/],
    ['missing path', [{ op: 'add', value: 1 }], /operation missing path/],
    ['missing value', [{ op: 'add', path: '/a' }], /missing "value"/],
    ['unknown op', [{ op: 'frob', path: '/a' }], /Unexpected kind: frob/],
    ['move into own child', [{ op: 'move', from: '/spec', path: '/spec/x' }], /child/],
    ['move from missing', [{ op: 'move', from: '/nope', path: '/x' }], /missing/],
    ['copy without from', [{ op: 'copy', path: '/x' }], /missing "from"/],
    ['traverse through a scalar', [{ op: 'add', path: '/kind/x', value: 1 }], /missing path/],
  ];
  for (const [name, patch, detail] of rejected) {
    it(`${name} → 422 Invalid`, () => {
      assert.throws(
        () => applyJsonPatch(doc(), patch),
        (err: { code: number; reason: string; message: string; cause: Error }) => {
          assert.equal(err.code, 422);
          assert.equal(err.reason, 'Invalid');
          assert.equal(err.message, JSON_PATCH_REJECTED);
          assert.match(err.cause.message, detail);
          return true;
        },
      );
    });
  }
  it('applies nothing when a later op fails', () => {
    const live = doc();
    assert.throws(() =>
      applyJsonPatch(live, [
        { op: 'add', path: '/x', value: 1 },
        { op: 'test', path: '/x', value: 2 },
      ]),
    );
    assert.deepEqual(live, doc());
  });

  const malformed: Array<[string, unknown, string]> = [
    ['an object', { op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['null', null, 'json: cannot unmarshal null into Go value of type jsonpatch.Patch'],
    ['a string', 'x', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    ['a list of strings', ['x'], 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
  ];
  for (const [name, patch, message] of malformed) {
    it(`${name} → 400 BadRequest`, () =>
      assert.throws(() => applyJsonPatch(doc(), patch), { code: 400, reason: 'BadRequest', message }));
  }
  it('too many operations → 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ServiceAccount' }));
    assert.throws(() => applyJsonPatch(doc(), ops), { code: 413, reason: 'RequestEntityTooLarge' });
  });
});
