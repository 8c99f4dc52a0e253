/**
 * Scheduler core throughput: bindings scheduled per second over 100 clusters — Duplicated,
 * static weights and dynamic weights — beside a trivial baseline measured in the same run
 * (filtering the same clusters by clusterNames alone).
 */
import type { Placement, ResourceBindingSpec } from '../src/api/karmada/types.ts';
import { testCluster } from '../src/scheduler/fixtures.ts';
import { schedule } from '../src/scheduler/index.ts';
import { type Bench, benchLine } from './lib.ts';

const CLUSTERS = Array.from({ length: 100 }, (_, i) =>
  testCluster(`member-${String(i).padStart(3, '0')}`, {
    labels: { env: i % 2 ? 'prod' : 'dev', tier: String(i % 5) },
    region: `region-${i % 7}`,
    pods: 50 + ((i * 37) % 200),
    cpu: `${8 + (i % 16)}`,
  }),
);
const NAMES = CLUSTERS.map((c) => c.metadata.name ?? '');

function spec(i: number, placement: Placement): ResourceBindingSpec {
  return {
    resource: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'default',
      name: `app-${i}`,
      uid: `uid-${i}`,
    },
    replicas: 50,
    replicaRequirements: { resourceRequest: { cpu: '250m' } },
    placement,
  };
}

const PLACEMENTS: Record<string, Placement> = {
  duplicated: { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } },
  static: {
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: {
        staticWeightList: [0, 1, 2, 3, 4].map((t) => ({
          targetCluster: { labelSelector: { matchLabels: { tier: String(t) } } },
          weight: t + 1,
        })),
      },
    },
  },
  dynamic: {
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: { dynamicWeight: 'AvailableReplicas' },
    },
  },
};

function rate(durationMs: number, op: (i: number) => unknown): { rate: number; n: number } {
  for (let i = 0; i < 50; i++) op(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) op(n++);
  return { rate: (n / (performance.now() - start)) * 1000, n };
}

const bench: Bench = {
  name: 'scheduler',
  description: 'pure scheduling core over 100 clusters, beside filtering by clusterNames alone',
  async run({ quick, log }) {
    const ms = quick ? 300 : 2000;
    const wanted = new Set(NAMES.filter((_, i) => i % 3 === 0));
    let sink = 0;
    const baseline = rate(ms, () => {
      for (const c of CLUSTERS) if (wanted.has(c.metadata.name ?? '')) sink++;
    });
    for (const [name, placement] of Object.entries(PLACEMENTS)) {
      const r = rate(ms, (i) => {
        const out = schedule({ spec: spec(i, placement), clusters: CLUSTERS });
        if (out.kind !== 'Success') throw new Error(`${name}: ${out.kind}`);
      });
      log(`${name}: ${r.rate.toFixed(0)} bindings/s (baseline filter ${baseline.rate.toFixed(0)}/s)`);
      benchLine(`scheduler.${name}.100clusters`, r.rate, 'ops/s', { baseline: baseline.rate, n: r.n });
    }
    if (sink < 0) log('unreachable');
  },
};
export default bench;
