import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { controllerRef, isPodActive } from '../common/pods.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { waitFor } from '../testing/wait.ts';
import { rankPodsForDeletion, slowStartBatch } from './rank.ts';

describe('ReplicaSet helpers', () => {
  it('slow-starts in batches of 1, 2, 4 and stops at the first failing batch', async () => {
    const calls: number[] = [];
    const r = await slowStartBatch(10, 1, async (i) => {
      calls.push(i);
      if (i === 5) throw new Error('boom');
    });
    assert.deepEqual(calls, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(r.succeeded, 6); // batches 1 + 2 + 4, one failing in the third
    assert.equal((r.error as Error).message, 'boom');
  });

  it('ranks unscheduled, pending, not-ready and newest pods first for deletion', () => {
    const pod = (name: string, extra: Record<string, unknown>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z' },
      ...extra,
    });
    const ready = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    };
    const ranked = rankPodsForDeletion([
      pod('ready-old', { spec: { nodeName: 'n' }, status: ready }),
      pod('unready', { spec: { nodeName: 'n' }, status: { phase: 'Running' } }),
      pod('pending', { spec: { nodeName: 'n' }, status: { phase: 'Pending' } }),
      pod('unscheduled', { spec: {}, status: { phase: 'Pending' } }),
      {
        ...pod('ready-new', { spec: { nodeName: 'n' }, status: ready }),
        metadata: { name: 'ready-new', creationTimestamp: '2024-02-01T00:00:00Z' },
      },
    ]);
    assert.deepEqual(
      ranked.map((p) => p.metadata.name),
      ['unscheduled', 'pending', 'unready', 'ready-new', 'ready-old'],
    );
  });
});

describe('ReplicaSet controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('adopts a matching orphan, releases a pod that stops matching, and reports status', async () => {
    await h.client.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'solo' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    const rs: KubeObject = await h.client.create(resources.replicasets, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'solo', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'solo' } },
        template: {
          metadata: { labels: { app: 'solo' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
    const owned = async () =>
      (await h.list(resources.pods, 'default', 'app=solo')).filter(
        (p) => isPodActive(p) && controllerRef(p)?.uid === rs.metadata.uid,
      );
    const pods = await waitFor('2 owned pods', async () => {
      const ps = await owned();
      return ps.length === 2 && ps;
    });
    assert.ok(
      pods.some((p) => p.metadata.name === 'orphan'),
      'the orphan was adopted',
    );
    const created = pods.find((p) => p.metadata.name !== 'orphan')!;
    assert.match(created.metadata.name ?? '', /^solo-[a-z0-9]{5}$/);
    const status = await waitFor('status', async () => {
      const r = await h.client.get(resources.replicasets, { name: 'solo', namespace: 'default' });
      return r.status?.readyReplicas === 2 && r.status?.availableReplicas === 2 && r.status;
    });
    assert.equal(status.replicas, 2);
    assert.equal(status.fullyLabeledReplicas, 2);
    assert.equal(status.observedGeneration, rs.metadata.generation);

    const orphan = await h.client.get(resources.pods, { name: 'orphan', namespace: 'default' });
    orphan.metadata.labels = { app: 'elsewhere' };
    await h.client.update(resources.pods, orphan);
    await waitFor('released and replaced', async () => {
      const released = await h.client.get(resources.pods, { name: 'orphan', namespace: 'default' });
      const ps = await owned();
      return !controllerRef(released) && ps.length === 2 && !ps.some((p) => p.metadata.name === 'orphan');
    });
    const events = await h.events('solo');
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate').length, 2);
  });

  it('deletes surplus pods with SuccessfulDelete events', async () => {
    await h.client.patch(resources.replicasets, {
      name: 'solo',
      namespace: 'default',
      type: 'merge',
      patch: { spec: { replicas: 0 } },
    });
    await waitFor('no pods', async () => (await h.list(resources.pods, 'default', 'app=solo')).length === 0);
    await waitFor('SuccessfulDelete', async () =>
      (await h.events('solo')).some((e) => e.reason === 'SuccessfulDelete'),
    );
  });
});
