import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceBindingSpec } from '../api/karmada/types.ts';
import { type Decision, decodeDecision, encodeDecision } from './decision.ts';
import { testCluster } from './fixtures.ts';
import { schedule } from './schedule.ts';

function decisionFor(clusters: number, names: string[]): Decision {
  const spec: ResourceBindingSpec = {
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', uid: 'u' },
    replicas: 2,
    placement: { clusterAffinity: { clusterNames: names } },
  };
  const r = schedule({
    spec,
    status: undefined,
    clusters: Array.from({ length: clusters }, (_, i) =>
      testCluster(`c${String(i).padStart(3, '0')}`, { pods: 10 }),
    ),
  });
  return { kind: r.kind, at: '2026-01-01T00:00:00Z', ...r.diagnosis };
}

describe('decision annotation', () => {
  it('round-trips: decoding the compact form gives the full diagnosis, verdicts by name', () => {
    const d = decisionFor(20, ['c003', 'c011']);
    const back = decodeDecision(encodeDecision(d));
    const byName = (x: Decision) => ({
      ...x,
      terms: x.terms.map((t) => ({
        ...t,
        clusters: [...t.clusters].sort((a, b) => a.name.localeCompare(b.name)),
      })),
    });
    assert.deepEqual(back, byName(d));
    assert.equal(back?.terms[0]?.clusters.length, 20);
    assert.equal(
      back?.terms[0]?.clusters.find((c) => c.name === 'c000')?.rejected?.plugin,
      'ClusterAffinity',
    );
    assert.equal(back?.terms[0]?.clusters.find((c) => c.name === 'c003')?.rejected, undefined);
  });

  it('groups identical rejections, so a hundred clusters stay small', () => {
    const d = decisionFor(100, ['c001', 'c002', 'c003']);
    const full = JSON.stringify(d).length;
    const compact = encodeDecision(d).length;
    assert.ok(compact * 5 < full, `compact ${compact} B vs full ${full} B`);
    const wire = JSON.parse(encodeDecision(d));
    assert.equal(wire.terms[0].rejectedGroups.length, 1);
    assert.equal(wire.terms[0].rejectedGroups[0].clusters.length, 97);
  });

  it('reads a full (uncompacted) annotation as it is, and refuses what is not a decision', () => {
    const d = decisionFor(3, ['c000']);
    assert.equal(decodeDecision(JSON.stringify(d))?.terms[0]?.clusters.length, 3);
    assert.equal(decodeDecision('not json'), undefined);
    assert.equal(decodeDecision('{"kind":"Success"}'), undefined);
    assert.equal(decodeDecision(undefined), undefined);
  });
});
