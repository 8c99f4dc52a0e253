import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PropagationPolicy } from '../api/karmada/types.ts';
import { parseManifests } from '../controlplane/manifests.ts';
import { parseTarget } from './explain.ts';
import { lossReason, type PolicyMatch } from './explain-render.ts';
import { formatTable } from './table.ts';

function match(
  name: string,
  opts: { cluster?: boolean; priority?: number; implicit?: number } = {},
): PolicyMatch {
  const policy: PropagationPolicy = {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: opts.cluster ? 'ClusterPropagationPolicy' : 'PropagationPolicy',
    metadata: { name, ...(opts.cluster ? {} : { namespace: 'default' }) },
    spec: { resourceSelectors: [], ...(opts.priority !== undefined ? { priority: opts.priority } : {}) },
  } as PropagationPolicy;
  return { policy, cluster: opts.cluster ?? false, implicit: opts.implicit ?? 3 };
}

describe('explain: why a policy lost', () => {
  const cases: [string, PolicyMatch, PolicyMatch, RegExp][] = [
    [
      'PP beats CPP',
      match('a'),
      match('b', { cluster: true }),
      /PropagationPolicy in the template's namespace/,
    ],
    ['explicit priority', match('z', { priority: 5 }), match('a', { priority: 1 }), /^priority 1 < 5$/],
    [
      'implicit priority',
      match('z', { implicit: 3 }),
      match('a', { implicit: 2 }),
      /by label selector, the winner by name/,
    ],
    ['name', match('a'), match('b'), /"a" sorts first by name/],
  ];
  for (const [what, winner, loser, want] of cases) {
    it(what, () => assert.match(lossReason(winner, loser), want));
  }
});

describe('explain: KIND/NAME', () => {
  it('splits and rejects malformed targets', () => {
    assert.deepEqual(parseTarget('deployment/reviews-v1'), { kind: 'deployment', name: 'reviews-v1' });
    for (const bad of ['deployment', '/x', 'x/', 'a/b/c'])
      assert.throws(() => parseTarget(bad), /KIND\/NAME/);
  });
});

describe('table and manifests', () => {
  it('aligns columns and trims trailing spaces', () => {
    assert.deepEqual(
      formatTable([
        ['A', 'BB'],
        ['ccc', ''],
      ]),
      ['A    BB', 'ccc'],
    );
  });
  it('parses multi-document YAML, flattens Lists and names bad documents', () => {
    const objs = parseManifests(
      '---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n',
    );
    assert.deepEqual(
      objs.map((o) => `${o.kind}/${o.metadata.name}`),
      ['ConfigMap/a', 'Secret/b'],
    );
    assert.throws(
      () => parseManifests('kind: X\n', 'f.yaml'),
      /f\.yaml: document 1 is not a Kubernetes object/,
    );
    assert.throws(
      () => parseManifests('apiVersion: v1\nkind: X\nmetadata: {}\n', 'f.yaml'),
      /has no metadata.name/,
    );
  });
});
