import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Informer } from '../../controller/informer.ts';
import { isPodActive, isPodReady } from '../common/pods.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { waitFor } from '../testing/wait.ts';

function deployment(
  name: string,
  replicas: number,
  image: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

describe('Deployment controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const pods = async (app: string) =>
    (await h.list(resources.pods, 'default', `app=${app}`)).filter(isPodActive);
  const patch = (name: string, body: unknown) =>
    h.client.patch(resources.deployments, { name, namespace: 'default', type: 'strategic', patch: body });
  const getDeploy = (name: string) => h.client.get(resources.deployments, { name, namespace: 'default' });

  it('creates one ReplicaSet and its pods, and reports 3/3 available', async () => {
    const created = await h.client.create(resources.deployments, deployment('web', 3, 'nginx:1'));
    const d = await waitFor('web available', async () => {
      const d = await getDeploy('web');
      return d.status?.availableReplicas === 3 && d.status?.observedGeneration === d.metadata.generation && d;
    });
    assert.equal(d.status.replicas, 3);
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.readyReplicas, 3);
    assert.equal(d.status.unavailableReplicas ?? 0, 0);
    const available = d.status.conditions.find((c: KubeObject) => c.type === 'Available');
    assert.equal(available.status, 'True');
    assert.equal(available.reason, 'MinimumReplicasAvailable');
    await waitFor('progress complete', async () =>
      (await getDeploy('web')).status.conditions.find(
        (c: KubeObject) => c.reason === 'NewReplicaSetAvailable',
      ),
    );

    const sets = await h.list(resources.replicasets, 'default', 'app=web');
    assert.equal(sets.length, 1);
    const rs = sets[0]!;
    const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.spec.selector.matchLabels['pod-template-hash'], hash);
    assert.equal(rs.spec.template.metadata.labels['pod-template-hash'], hash);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.deepEqual(rs.metadata.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: created.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);

    const ps = await pods('web');
    assert.equal(ps.length, 3);
    for (const p of ps) {
      assert.ok(p.metadata.name?.startsWith(`web-${hash}-`));
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);
      assert.equal(p.spec.nodeName, 'node-1');
      assert.ok(isPodReady(p));
    }
    const events = await waitFor('events', async () => {
      const e = await h.events('web');
      return e.some((x) => x.reason === 'ScalingReplicaSet') && e;
    });
    assert.ok(events.some((e) => e.message === `Scaled up replica set web-${hash} from 0 to 3`));
    const rsEvents = await h.events(rs.metadata.name ?? '');
    assert.equal(rsEvents.filter((e) => e.reason === 'SuccessfulCreate').length, 3);
  });

  it('repairs a deleted pod', async () => {
    const [victim] = await pods('web');
    await h.client.delete(resources.pods, { name: victim!.metadata.name ?? '', namespace: 'default' });
    await waitFor('3 pods again', async () => {
      const ps = await pods('web');
      return ps.length === 3 && !ps.some((p) => p.metadata.name === victim!.metadata.name);
    });
    await waitFor('3 available', async () => (await getDeploy('web')).status.availableReplicas === 3);
  });

  it('scales 3 → 5 → 1', async () => {
    const scale = async (n: number) => {
      await patch('web', { spec: { replicas: n } });
      await waitFor(`${n} pods`, async () => {
        const d = await getDeploy('web');
        return (
          (await pods('web')).length === n &&
          d.status.availableReplicas === n &&
          d.status.replicas === n &&
          d.status.observedGeneration === d.metadata.generation
        );
      });
    };
    await scale(5);
    await scale(1);
    assert.equal((await h.list(resources.replicasets, 'default', 'app=web')).length, 1);
  });

  it('rolls out a new image within maxSurge/maxUnavailable and trims history', async () => {
    const replicas = 4;
    const maxSurge = 1;
    const maxUnavailable = 1;
    await h.client.create(
      resources.deployments,
      deployment('roll', replicas, 'img:1', {
        revisionHistoryLimit: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: '25%' } },
      }),
    );
    await waitFor(
      'roll available',
      async () => (await getDeploy('roll')).status?.availableReplicas === replicas,
    );

    const watcher = new Informer({
      client: h.client,
      resource: resources.pods,
      namespace: 'default',
      labelSelector: 'app=roll',
    });
    let maxPods = 0;
    let minReady = Number.POSITIVE_INFINITY;
    let synced = false;
    const check = () => {
      if (!synced) return;
      const active = watcher.store.list().filter(isPodActive);
      maxPods = Math.max(maxPods, active.length);
      minReady = Math.min(minReady, active.filter(isPodReady).length);
    };
    watcher.addHandlers({ onAdd: check, onUpdate: check, onDelete: check });
    watcher.start();
    await watcher.waitForSync();
    synced = true;
    check();
    try {
      for (const image of ['img:2', 'img:3']) {
        await patch('roll', { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } });
        await waitFor(`rollout to ${image}`, async () => {
          const d = await getDeploy('roll');
          const ps = await pods('roll');
          return (
            d.status.updatedReplicas === replicas &&
            d.status.availableReplicas === replicas &&
            d.status.replicas === replicas &&
            ps.length === replicas &&
            ps.every((p) => p.spec.containers[0].image === image)
          );
        });
      }
    } finally {
      await watcher.stop();
    }
    assert.ok(maxPods <= replicas + maxSurge, `saw ${maxPods} pods`);
    assert.ok(minReady >= replicas - maxUnavailable, `saw only ${minReady} ready`);

    const sets = await waitFor('history trimmed', async () => {
      const s = await h.list(resources.replicasets, 'default', 'app=roll');
      return s.length === 2 && s;
    });
    const byRev = sets.sort(
      (a, b) =>
        Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']),
    );
    assert.equal(byRev[0]!.spec.replicas, 0);
    assert.equal(byRev[0]!.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(byRev[1]!.spec.replicas, replicas);
    assert.equal(byRev[1]!.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    const scaled = (await h.events('roll'))
      .filter((e) => e.reason === 'ScalingReplicaSet')
      .map((e) => e.message);
    assert.ok(
      scaled.some((m) => /^Scaled down replica set roll-\w+ from \d+ to 0$/.test(m)),
      scaled.join('\n'),
    );
  });

  it('Recreate scales the old ReplicaSet to zero before the new one grows', async () => {
    await h.client.create(
      resources.deployments,
      deployment('rec', 2, 'img:1', { strategy: { type: 'Recreate' } }),
    );
    await waitFor('rec available', async () => (await getDeploy('rec')).status?.availableReplicas === 2);
    await patch('rec', { spec: { template: { spec: { containers: [{ name: 'app', image: 'img:2' }] } } } });
    await waitFor('rec rolled', async () => {
      const ps = await pods('rec');
      const d = await getDeploy('rec');
      return (
        ps.length === 2 &&
        ps.every((p) => p.spec.containers[0].image === 'img:2') &&
        d.status.availableReplicas === 2
      );
    });
    const msgs = (await h.events('rec'))
      .filter((e) => e.reason === 'ScalingReplicaSet')
      .map((e) => e.message);
    assert.equal(msgs.length, 3, msgs.join('\n'));
    assert.match(msgs[1] ?? '', /^Scaled down replica set rec-\w+ from 2 to 0$/);
    assert.match(msgs[2] ?? '', /^Scaled up replica set rec-\w+ from 0 to 2$/);
  });
});
