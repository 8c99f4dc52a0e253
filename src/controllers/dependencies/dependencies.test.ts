/**
 * propagateDeps end to end against real API servers: a control plane and three member servers,
 * the federation controllers (push execution), the scheduler, and the propagation controllers
 * with the dependencies distributor. What a user observes is which members hold which objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bindingName, LABELS } from '../../api/karmada/names.ts';
import type { Cluster, ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import { joinCluster } from '../../federation/join.ts';
import { conditionOf } from '../../federation/status-write.ts';
import { type Fleet, startFleet } from '../../federation/testing.ts';
import { type RunningScheduler, startScheduler } from '../../scheduler/index.ts';
import { type RunningPropagationControllers, startPropagationControllers } from '../propagation.ts';
import { waitFor } from '../testing/wait.ts';
import { DEPENDENCIES_ANNOTATION, dependedByLabelKey } from './attached.ts';

const NS = 'default';
const WAIT = 30_000;

function web(volumes: { configMap?: string; secret?: string }): KubeObject {
  const containers = [
    {
      name: 'c',
      image: 'nginx',
      ...(volumes.secret ? { envFrom: [{ secretRef: { name: volumes.secret } }] } : {}),
    },
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers,
          ...(volumes.configMap
            ? { volumes: [{ name: 'conf', configMap: { name: volumes.configMap } }] }
            : {}),
        },
      },
    },
  };
}

function policy(
  name: string,
  selector: { kind: string; name: string; apiVersion?: string },
  clusters: string[],
) {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: NS },
    spec: {
      propagateDeps: true,
      resourceSelectors: [
        { apiVersion: selector.apiVersion ?? 'apps/v1', kind: selector.kind, name: selector.name },
      ],
      placement: { clusterAffinity: { clusterNames: clusters } },
    },
  };
}

describe('dependencies distributor against real API servers', { timeout: 180_000 }, () => {
  let f: Fleet;
  let scheduler: RunningScheduler;
  let propagation: RunningPropagationControllers;
  const member = (name: string): Client => {
    const m = f.members.find((x) => x.name === name);
    assert.ok(m, name);
    return m.client;
  };
  /** The members (of all three) holding `kind/name`, sorted. */
  const holders = async (ref: ResourceRef, name: string): Promise<string[]> => {
    const out: string[] = [];
    for (const m of f.members) {
      const found = await m.client.get(ref, { name, namespace: NS }).catch(() => undefined);
      if (found && !found.metadata.deletionTimestamp) out.push(m.name);
    }
    return out;
  };
  const until = (what: string, ref: ResourceRef, name: string, want: string[]) =>
    waitFor(
      `${what} in exactly ${want.join(', ') || 'no member'}`,
      async () => JSON.stringify(await holders(ref, name)) === JSON.stringify(want),
      WAIT,
    );
  /** Read-modify-write as a user would, again on Conflict (controllers write status meanwhile). */
  const edit = (ref: ResourceRef, name: string, change: (o: KubeObject) => void) =>
    waitFor(
      `edit of ${name}`,
      async () => {
        const o = await f.client.get(ref, { name, namespace: NS });
        change(o);
        return f.client.update(ref, o);
      },
      WAIT,
    );
  const rb = (name: string) =>
    f.client.get<ResourceBinding>(resources.resourcebindings, { name, namespace: NS }).catch(() => undefined);

  before(async () => {
    f = await startFleet(['member1', 'member2', 'member3']);
    for (const m of f.members) {
      await joinCluster({
        controlPlane: f.client,
        name: m.name,
        memberKubeConfig: kubeConfigFromUrl({ server: m.server.url, token: 'member-token' }),
      });
    }
    await waitFor(
      'every member Ready',
      async () => {
        const list = await f.client.list<Cluster>(resources.clusters);
        return list.items.length === 3 && list.items.every((c) => conditionOf(c, 'Ready')?.status === 'True');
      },
      WAIT,
    );
    scheduler = startScheduler({ client: f.client });
    await scheduler.ready;
    propagation = await startPropagationControllers({ client: f.client, discoveryIntervalMs: 1_000 });
  });
  after(async () => {
    await propagation?.stop();
    await scheduler?.stop();
    await f?.close();
  });

  it('carries the ConfigMap and Secret a Deployment references to exactly its clusters', async () => {
    const c = f.client;
    await c.create(resources.configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: NS },
      data: { mode: 'blue' },
    });
    await c.create(resources.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-secret', namespace: NS },
      stringData: { token: 's3cret' },
    });
    await c.create(resources.configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'unrelated', namespace: NS },
      data: { x: '1' },
    });
    await c.create(
      resources.propagationpolicies,
      policy('web', { kind: 'Deployment', name: 'web' }, ['member1', 'member2']),
    );
    await c.create(resources.deployments, web({ configMap: 'web-config', secret: 'web-secret' }));

    await until('Deployment web', resources.deployments, 'web', ['member1', 'member2']);
    await until('ConfigMap web-config', resources.configmaps, 'web-config', ['member1', 'member2']);
    await until('Secret web-secret', resources.secrets, 'web-secret', ['member1', 'member2']);
    assert.deepEqual(await holders(resources.configmaps, 'unrelated'), []);
    const secret = await member('member2').get(resources.secrets, { name: 'web-secret', namespace: NS });
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 's3cret');

    const parent = await rb(bindingName('Deployment', 'web'));
    assert.ok(parent);
    assert.deepEqual(JSON.parse(parent.metadata.annotations?.[DEPENDENCIES_ANNOTATION] ?? '[]'), [
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'web-config' },
      { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'web-secret' },
    ]);
    const attached = await rb('web-config-configmap');
    assert.ok(attached, 'attached binding web-config-configmap');
    assert.equal(attached.spec.placement, undefined);
    assert.equal(attached.spec.conflictResolution, 'Abort');
    assert.equal(
      attached.metadata.labels?.[dependedByLabelKey(NS, 'web-deployment')],
      parent.metadata.labels?.[LABELS.rbPermanentId],
    );
    assert.deepEqual(
      attached.spec.requiredBy?.map((r) => [
        r.namespace,
        r.name,
        (r.clusters ?? []).map((x) => x.name).sort(),
      ]),
      [[NS, 'web-deployment', ['member1', 'member2']]],
    );
    assert.equal(attached.metadata.ownerReferences?.[0]?.kind, 'ConfigMap');
  });

  it('updates the members when the dependency changes', async () => {
    await edit(resources.configmaps, 'web-config', (cm) => {
      cm.data = { mode: 'green' };
    });
    await waitFor(
      'member1 sees mode=green',
      async () =>
        (await member('member1').get(resources.configmaps, { name: 'web-config', namespace: NS })).data
          ?.mode === 'green',
      WAIT,
    );
  });

  it('follows the workload when its placement moves', async () => {
    await edit(resources.propagationpolicies, 'web', (pp) => {
      pp.spec.placement.clusterAffinity.clusterNames = ['member2', 'member3'];
    });
    await until('Deployment web', resources.deployments, 'web', ['member2', 'member3']);
    await until('ConfigMap web-config', resources.configmaps, 'web-config', ['member2', 'member3']);
    await until('Secret web-secret', resources.secrets, 'web-secret', ['member2', 'member3']);
  });

  it('removes the attached binding and the member copies when the reference is dropped', async () => {
    await edit(resources.deployments, 'web', (d) => {
      d.spec.template.spec = web({ configMap: 'web-config' }).spec.template.spec;
    });
    await waitFor(
      'web-secret-secret deleted',
      async () => (await rb('web-secret-secret')) === undefined,
      WAIT,
    );
    await until('Secret web-secret', resources.secrets, 'web-secret', []);
    assert.deepEqual(await holders(resources.configmaps, 'web-config'), ['member2', 'member3']);
    const parent = await rb(bindingName('Deployment', 'web'));
    assert.deepEqual(JSON.parse(parent?.metadata.annotations?.[DEPENDENCIES_ANNOTATION] ?? '[]'), [
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'web-config' },
    ]);
  });

  it('merges the requirement into a dependency a policy already places', async () => {
    const c = f.client;
    await c.create(resources.configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace: NS },
      data: { k: 'v' },
    });
    await c.create(
      resources.propagationpolicies,
      policy('shared', { apiVersion: 'v1', kind: 'ConfigMap', name: 'shared' }, ['member1']),
    );
    await until('ConfigMap shared (its own policy)', resources.configmaps, 'shared', ['member1']);
    await c.create(resources.propagationpolicies, {
      ...policy('api', { kind: 'Deployment', name: 'api' }, ['member3']),
      spec: {
        ...policy('api', { kind: 'Deployment', name: 'api' }, ['member3']).spec,
        conflictResolution: 'Overwrite',
      },
    });
    const api = web({ configMap: 'shared' });
    api.metadata.name = 'api';
    await c.create(resources.deployments, api);
    await until('ConfigMap shared (policy ∪ required)', resources.configmaps, 'shared', [
      'member1',
      'member3',
    ]);
    const own = await rb('shared-configmap');
    assert.ok(own?.spec.placement, 'the policy binding keeps its placement');
    // The requirer asks for Overwrite; a binding its own policy placed keeps that policy's strategy.
    assert.equal(own?.spec.conflictResolution, 'Abort');
    assert.deepEqual(
      own?.spec.requiredBy?.map((r) => r.name),
      ['api-deployment'],
    );

    // The requirer goes away: the policy's own placement stays, the required cluster goes.
    await c.delete(resources.deployments, { name: 'api', namespace: NS });
    await until('ConfigMap shared (policy only)', resources.configmaps, 'shared', ['member1']);
    const after = await rb('shared-configmap');
    assert.ok(after, 'the policy binding survives its requirer');
    assert.equal(after.spec.requiredBy, undefined);
  });

  it('releases everything when the workload is deleted, and nothing when propagateDeps is off', async () => {
    await f.client.delete(resources.deployments, { name: 'web', namespace: NS });
    await waitFor(
      'web-config-configmap deleted',
      async () => (await rb('web-config-configmap')) === undefined,
      WAIT,
    );
    await until('ConfigMap web-config', resources.configmaps, 'web-config', []);
    await until('Deployment web', resources.deployments, 'web', []);

    const pp = policy('plain', { kind: 'Deployment', name: 'plain' }, ['member1']);
    pp.spec.propagateDeps = false;
    await f.client.create(resources.propagationpolicies, pp);
    const plain = web({ configMap: 'web-config' });
    plain.metadata.name = 'plain';
    await f.client.create(resources.deployments, plain);
    await until('Deployment plain', resources.deployments, 'plain', ['member1']);
    assert.equal(await rb('web-config-configmap'), undefined);
    assert.deepEqual(await holders(resources.configmaps, 'web-config'), []);
  });
});
