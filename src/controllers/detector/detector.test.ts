import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import { bindingName, FINALIZERS, LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { Client } from '../../client/client.ts';
import { Discovery } from '../../client/discovery.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { type RunningPropagationControllers, startPropagationControllers } from '../propagation.ts';
import { waitFor } from '../testing/wait.ts';

let t: TestServer;
let client: Client;
let discovery: Discovery;
let running: RunningPropagationControllers;

async function apply(obj: KubeObject, namespace = 'default'): Promise<KubeObject> {
  const ref = await discovery.resolve(obj);
  return client.create(ref, obj, ref.namespaced ? { namespace: obj.metadata.namespace ?? namespace } : {});
}
async function get(
  obj: { apiVersion: string; kind: string },
  name: string,
  namespace?: string,
): Promise<KubeObject> {
  return client.get(await discovery.resolve(obj), { name, namespace });
}
const deploy = (
  name: string,
  namespace: string,
  labels: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels: { app: name, ...labels } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'c', image: 'nginx:1', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
        ],
        ...extra,
      },
    },
  },
});
const pp = (
  name: string,
  namespace: string,
  spec: Partial<PropagationPolicy['spec']>,
): PropagationPolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: { name, namespace },
  spec: { resourceSelectors: [], ...spec },
});
const cpp = (name: string, spec: Partial<PropagationPolicy['spec']>): PropagationPolicy => ({
  ...pp(name, '', spec),
  kind: 'ClusterPropagationPolicy',
  metadata: { name },
});
const ns = (name: string) => apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const claimedBy = async (name: string, namespace: string) => {
  const d = await get({ apiVersion: 'apps/v1', kind: 'Deployment' }, name, namespace);
  return (
    d.metadata.annotations?.['propagationpolicy.karmada.io/name'] ??
    d.metadata.annotations?.['clusterpropagationpolicy.karmada.io/name']
  );
};
const binding = (kind: string, name: string, namespace: string) =>
  client.get<ResourceBinding>(resources.resourcebindings, { name: bindingName(kind, name), namespace });

before(async () => {
  t = await startTestServer();
  client = new Client({ kubeConfig: kubeConfigFromUrl({ server: t.url }), qps: Number.POSITIVE_INFINITY });
  discovery = new Discovery({ client });
  running = await startPropagationControllers({ client, discoveryIntervalMs: 500 });
});
after(async () => {
  await running.stop();
  await client.close();
  await t.close();
});

describe('resource detector', () => {
  it('claims bookinfo templates with the seed policies and builds one binding each', async () => {
    for (const file of ['bookinfo-karmada.yaml', 'propagation.yaml']) {
      const text = await readFile(new URL(`../../../examples/bookinfo/${file}`, import.meta.url), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJSON() as KubeObject | null;
        if (obj) await apply(obj);
      }
    }
    const expected: [string, string, string][] = [
      ['Service', 'productpage', 'service-propagation'],
      ['Service', 'ratings', 'service-propagation'],
      ['Deployment', 'productpage-v1', 'produtpage-propagation'],
      ['ServiceAccount', 'bookinfo-productpage', 'produtpage-propagation'],
      ['Deployment', 'reviews-v3', 'reviews-propagation'],
      ['Deployment', 'ratings-v1', 'ratings-propagation'],
      ['ServiceAccount', 'bookinfo-details', 'details-propagation'],
    ];
    for (const [kind, name, policy] of expected) {
      const apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1';
      const b = await waitFor(`${kind}/${name} binding`, () => binding(kind, name, 'default'));
      const tmpl = await get({ apiVersion, kind }, name, 'default');
      const p = await client.get<PropagationPolicy>(resources.propagationpolicies, {
        name: policy,
        namespace: 'default',
      });
      const id = p.metadata.labels?.[LABELS.ppPermanentId];
      assert.ok(id);
      assert.equal(tmpl.metadata.labels?.[LABELS.ppPermanentId], id);
      assert.equal(tmpl.metadata.annotations?.['propagationpolicy.karmada.io/name'], policy);
      assert.equal(tmpl.metadata.annotations?.['propagationpolicy.karmada.io/namespace'], 'default');
      assert.equal(b.metadata.labels?.[LABELS.ppPermanentId], id);
      assert.equal(b.metadata.annotations?.['propagationpolicy.karmada.io/name'], policy);
      assert.ok(b.metadata.labels?.[LABELS.rbPermanentId]);
      assert.deepEqual(b.metadata.finalizers, [FINALIZERS.bindingController]);
      assert.deepEqual(
        b.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [[kind, name, tmpl.metadata.uid, true]],
      );
      assert.equal(b.spec.resource.uid, tmpl.metadata.uid);
      assert.equal(b.spec.resource.apiVersion, apiVersion);
      assert.deepEqual(b.spec.placement?.clusterAffinity, p.spec.placement?.clusterAffinity);
      assert.equal(b.spec.schedulerName, 'default-scheduler');
      assert.equal(b.spec.conflictResolution, 'Abort');
      assert.equal(b.spec.clusters, undefined);
      assert.ok(p.metadata.finalizers?.includes(FINALIZERS.propagationPolicy));
    }
    const d = await binding('Deployment', 'productpage-v1', 'default');
    assert.equal(d.spec.replicas, 1);
  });

  it('copies replicas and replica requirements from a Deployment', async () => {
    await ns('rr');
    await apply(pp('all', 'rr', { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] }));
    await apply(
      deploy(
        'web',
        'rr',
        {},
        { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists' }] },
      ),
    );
    const b = await waitFor('binding', () => binding('Deployment', 'web', 'rr'));
    assert.equal(b.spec.replicas, 3);
    assert.deepEqual(b.spec.replicaRequirements, {
      nodeClaim: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists' }] },
      resourceRequest: { cpu: '250m', memory: '64Mi' },
    });
  });

  it('applies precedence: PP beats CPP, priority, name > label > all, name order', async () => {
    await ns('prec');
    const sel = (extra: Record<string, unknown> = {}) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      ...extra,
    });
    await apply(
      cpp('prec-cpp-high', { priority: 100, resourceSelectors: [sel({ namespace: 'prec', name: 'a' })] }),
    );
    await apply(pp('z-all', 'prec', { resourceSelectors: [sel()] }));
    await apply(
      pp('y-label', 'prec', {
        resourceSelectors: [sel({ labelSelector: { matchLabels: { tier: 'web' } } })],
      }),
    );
    await apply(pp('x-name', 'prec', { resourceSelectors: [sel({ name: 'b' })] }));
    await apply(pp('w-prio', 'prec', { priority: 5, resourceSelectors: [sel({ name: 'c' })] }));
    await apply(pp('b-dup', 'prec', { resourceSelectors: [sel({ name: 'e' })] }));
    await apply(pp('a-dup', 'prec', { resourceSelectors: [sel({ name: 'e' })] }));
    await new Promise((r) => setTimeout(r, 200));
    await apply(deploy('a', 'prec'));
    await apply(deploy('b', 'prec', { tier: 'web' }));
    await apply(deploy('c', 'prec', { tier: 'web' }));
    await apply(deploy('d', 'prec', { tier: 'web' }));
    await apply(deploy('e', 'prec'));
    const want: Record<string, string> = { a: 'z-all', b: 'x-name', c: 'w-prio', d: 'y-label', e: 'a-dup' };
    for (const [name, policy] of Object.entries(want)) {
      assert.equal(await waitFor(`${name} claimed`, () => claimedBy(name, 'prec')), policy, name);
    }
  });

  it('uses a CPP when no PP matches, and keeps an existing claim (sticky)', async () => {
    await ns('sticky');
    await apply(
      cpp('sticky-cpp', {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sticky' }],
      }),
    );
    await apply(deploy('s', 'sticky'));
    assert.equal(await waitFor('cpp claim', () => claimedBy('s', 'sticky')), 'sticky-cpp');
    const b = await binding('Deployment', 's', 'sticky');
    assert.equal(b.metadata.annotations?.['clusterpropagationpolicy.karmada.io/name'], 'sticky-cpp');
    await apply(
      pp('sticky-pp', 'sticky', {
        priority: 10,
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 's' }],
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await claimedBy('s', 'sticky'), 'sticky-cpp');
  });

  it('waits for a policy created after the template', async () => {
    await ns('late');
    await apply(deploy('l', 'late'));
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(binding('Deployment', 'l', 'late'), { reason: 'NotFound' } as object);
    await apply(
      pp('late-pp', 'late', {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'l' }],
      }),
    );
    assert.equal(await waitFor('late claim', () => claimedBy('l', 'late')), 'late-pp');
    await waitFor('late binding', () => binding('Deployment', 'l', 'late'));
  });

  it('un-claims templates a policy update no longer matches, keeping their bindings', async () => {
    await ns('upd');
    await apply(
      pp('upd-pp', 'upd', {
        resourceSelectors: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'u1' },
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'u2' },
        ],
      }),
    );
    await apply(deploy('u1', 'upd'));
    await apply(deploy('u2', 'upd'));
    await waitFor('u2 binding', () => binding('Deployment', 'u2', 'upd'));
    await waitFor('u1 binding', () => binding('Deployment', 'u1', 'upd'));
    const p = await client.get<PropagationPolicy>(resources.propagationpolicies, {
      name: 'upd-pp',
      namespace: 'upd',
    });
    p.spec.resourceSelectors = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'u1', namespace: 'upd' }];
    p.spec.placement = { clusterAffinity: { clusterNames: ['member9'] } };
    await client.update(resources.propagationpolicies, p);
    await waitFor('u2 unclaimed', async () => (await claimedBy('u2', 'upd')) === undefined);
    const b2 = await waitFor('u2 binding unclaimed', async () => {
      const b = await binding('Deployment', 'u2', 'upd');
      return b.metadata.labels?.[LABELS.ppPermanentId] === undefined && b;
    });
    assert.equal(b2.spec.resource.name, 'u2');
    const b1 = await waitFor('u1 placement', async () => {
      const b = await binding('Deployment', 'u1', 'upd');
      return b.spec.placement?.clusterAffinity?.clusterNames?.[0] === 'member9' && b;
    });
    assert.ok(b1);
  });

  it('strips claims on policy deletion, leaves bindings, and lets the delete complete', async () => {
    await ns('del');
    await apply(pp('del-pp', 'del', { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] }));
    await apply(deploy('x', 'del'));
    await waitFor('claim', () => claimedBy('x', 'del'));
    await waitFor('binding', () => binding('Deployment', 'x', 'del'));
    await client.delete(resources.propagationpolicies, { name: 'del-pp', namespace: 'del' });
    await waitFor('policy gone', async () => {
      try {
        await client.get(resources.propagationpolicies, { name: 'del-pp', namespace: 'del' });
        return false;
      } catch {
        return true;
      }
    });
    await waitFor('template unclaimed', async () => (await claimedBy('x', 'del')) === undefined);
    const b = await binding('Deployment', 'x', 'del');
    assert.equal(b.metadata.labels?.[LABELS.ppPermanentId], undefined);
    assert.equal(b.metadata.annotations?.['propagationpolicy.karmada.io/name'], undefined);
  });

  it('skips templates in reserved and kube-* namespaces', async () => {
    await ns('kube-extra');
    await apply(cpp('everything', { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }] }));
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'kube-extra' } });
    await ns('open');
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'open' } });
    await waitFor('open cm bound', () => binding('ConfigMap', 'cm', 'open'));
    await assert.rejects(binding('ConfigMap', 'cm', 'kube-extra'), { reason: 'NotFound' } as object);
  });
});
