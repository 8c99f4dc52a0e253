import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { FakeKubelet } from '../testing/kubelet.ts';
import { waitFor } from '../testing/wait.ts';
import { filterNode, fitErrorMessage } from './filters.ts';
import { parseQuantity, podRequests } from './quantity.ts';

describe('parseQuantity', () => {
  const cases: [string, number][] = [
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['4Ki', 4096],
    ['1k', 1000],
    ['1M', 1e6],
    ['2G', 2e9],
    ['1e3', 1000],
    ['1.5E2', 150],
    ['1E', 1e18],
    ['100n', 1e-7],
  ];
  for (const [q, want] of cases) {
    it(`parses ${q}`, () =>
      assert.ok(Math.abs(parseQuantity(q) - want) <= want * 1e-12, `${parseQuantity(q)} != ${want}`));
  }
  it('rejects garbage', () => assert.throws(() => parseQuantity('12xb')));
  it('sums containers and floors by init containers', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {},
      spec: {
        initContainers: [{ resources: { requests: { cpu: '2' } } }],
        containers: [
          { resources: { requests: { cpu: '500m', memory: '1Gi' } } },
          { resources: { limits: { cpu: '250m' } } },
        ],
      },
    };
    assert.deepEqual(podRequests(pod), { cpu: 2, memory: 2 ** 30 });
  });
});

describe('filters', () => {
  const node = (extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n', labels: { disk: 'ssd' } },
    spec: {},
    status: {
      allocatable: { cpu: '2', memory: '4Gi', pods: '2' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
    ...extra,
  });
  const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {},
    spec: { containers: [{}], ...spec },
  });
  const idle = { requested: { cpu: 0, memory: 0 }, pods: 0 };
  const cases: [string, KubeObject, KubeObject, string[]][] = [
    ['fits', pod(), node(), []],
    ['unschedulable node', pod(), node({ spec: { unschedulable: true } }), ['node(s) were unschedulable']],
    [
      'tainted node',
      pod(),
      node({ spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }),
      ['node(s) had untolerated taint {k: v}'],
    ],
    [
      'tolerated taint',
      pod({ tolerations: [{ key: 'k', operator: 'Exists' }] }),
      node({ spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }),
      [],
    ],
    [
      'PreferNoSchedule ignored',
      pod(),
      node({ spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } }),
      [],
    ],
    [
      'not ready node',
      pod(),
      node({ status: { allocatable: { cpu: '2' }, conditions: [{ type: 'Ready', status: 'False' }] } }),
      ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    ],
    [
      'nodeSelector',
      pod({ nodeSelector: { disk: 'hdd' } }),
      node(),
      ["node(s) didn't match Pod's node affinity/selector"],
    ],
    [
      'affinity NotIn',
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] },
              ],
            },
          },
        },
      }),
      node(),
      ["node(s) didn't match Pod's node affinity/selector"],
    ],
    [
      'affinity In/Exists',
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'disk', operator: 'In', values: ['ssd'] },
                    { key: 'disk', operator: 'Exists' },
                  ],
                },
              ],
            },
          },
        },
      }),
      node(),
      [],
    ],
    [
      'too much cpu and memory',
      pod({ containers: [{ resources: { requests: { cpu: '3', memory: '5Gi' } } }] }),
      node(),
      ['Insufficient cpu', 'Insufficient memory'],
    ],
  ];
  for (const [name, p, n, want] of cases) it(name, () => assert.deepEqual(filterNode(p, n, idle), want));
  it('counts pods against allocatable pods', () => {
    assert.deepEqual(filterNode(pod(), node(), { requested: { cpu: 0, memory: 0 }, pods: 2 }), [
      'Too many pods',
    ]);
  });
  it("renders Kubernetes' FitError message", () => {
    const diag = new Map([
      ['a', ['Insufficient cpu']],
      ['b', ['node(s) were unschedulable']],
      ['c', ['node(s) were unschedulable']],
    ]);
    assert.equal(
      fitErrorMessage(3, diag),
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
  });
});

describe('scheduler', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ allocatable: { cpu: '4', memory: '8Gi', pods: '110' } });
  });
  after(async () => {
    await h.close();
  });

  const pod = (name: string, cpu: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] },
  });
  const get = (name: string) => h.client.get(resources.pods, { name, namespace: 'default' });

  it('binds a pod that fits, sets PodScheduled and records Scheduled', async () => {
    await h.client.create(resources.pods, pod('small', '1'));
    const p = await waitFor('bound', async () => {
      const p = await get('small');
      return p.spec.nodeName === 'node-1' && p;
    });
    assert.equal(p.spec.nodeName, 'node-1');
    const ev = await waitFor('Scheduled event', async () =>
      (await h.events('small')).find((e) => e.reason === 'Scheduled'),
    );
    assert.equal(ev.message, 'Successfully assigned default/small to node-1');
    assert.equal(ev.source.component, 'default-scheduler');
    await waitFor('PodScheduled', async () =>
      (await get('small')).status.conditions?.some(
        (c: KubeObject) => c.type === 'PodScheduled' && c.status === 'True',
      ),
    );
  });

  it('leaves a pod asking for more CPU than allocatable Pending with FailedScheduling, then binds it when a node fits', async () => {
    await h.client.create(resources.pods, pod('huge', '8'));
    const message =
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
    const cond = await waitFor('Unschedulable', async () =>
      (await get('huge')).status.conditions?.find(
        (c: KubeObject) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, message);
    const p = await get('huge');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.spec.nodeName, undefined);
    const ev = await waitFor('FailedScheduling', async () =>
      (await h.events('huge')).find((e) => e.reason === 'FailedScheduling'),
    );
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, message);

    const big = new FakeKubelet({
      client: h.client,
      node: 'node-big',
      allocatable: { cpu: '16' },
      subnet: 2,
    });
    await big.start();
    try {
      await waitFor('bound to node-big', async () => (await get('huge')).spec.nodeName === 'node-big');
    } finally {
      await big.stop();
    }
  });

  it('accounts for pods already bound when placing more', async () => {
    // node-1 has 4 CPUs with 1 requested; node-big is gone from consideration once cordoned.
    const n = await h.client.get(resources.nodes, { name: 'node-big' });
    n.spec.unschedulable = true;
    await h.client.update(resources.nodes, n);
    await h.client.create(resources.pods, pod('a', '2'));
    await h.client.create(resources.pods, pod('b', '2'));
    await waitFor('a bound', async () => (await get('a')).spec.nodeName === 'node-1');
    const cond = await waitFor('b unschedulable', async () =>
      (await get('b')).status.conditions?.find(
        (c: KubeObject) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    assert.equal(
      cond.message,
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    await h.client.delete(resources.pods, { name: 'small', namespace: 'default' });
    await waitFor('b bound after room freed', async () => (await get('b')).spec.nodeName === 'node-1');
  });
});
