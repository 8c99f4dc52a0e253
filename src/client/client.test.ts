/** Client against a real Flotilla API server: CRUD, paging, patches, deletes, watch, discovery. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../tests/helpers/apiserver.ts';
import { isConflict, isExpired, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from './client.ts';
import { Discovery } from './discovery.ts';
import { kubeConfigFromFile, kubeConfigFromUrl } from './kubeconfig.ts';
import { resources } from './resources.ts';

const cm = (
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data,
});

describe('Client', () => {
  let t: TestServer;
  let client: Client;
  before(async () => {
    t = await startTestServer();
    client = new Client({ kubeConfig: kubeConfigFromUrl({ server: t.url }) });
  });
  after(async () => {
    await client.close();
    await t.close();
  });

  it('creates, reads, updates and deletes, with Status errors as ApiError', async () => {
    const created = await client.create(resources.configmaps, cm('a', { v: '1' }));
    assert.equal(created.metadata.namespace, 'default');
    const got = await client.get(resources.configmaps, { namespace: 'default', name: 'a' });
    assert.deepEqual(got.data, { v: '1' });
    const updated = await client.update(resources.configmaps, { ...got, data: { v: '2' } });
    assert.equal(updated.data.v, '2');
    await assert.rejects(client.update(resources.configmaps, { ...got, data: { v: '3' } }), (err) => {
      assert.ok(isConflict(err));
      assert.equal((err as { code: number }).code, 409);
      return true;
    });
    await assert.rejects(client.create(resources.configmaps, cm('a')), (err) => {
      assert.equal((err as { reason: string }).reason, 'AlreadyExists');
      assert.equal((err as { details: { name: string } }).details.name, 'a');
      return true;
    });
    await assert.rejects(
      client.delete(resources.configmaps, {
        namespace: 'default',
        name: 'a',
        preconditions: { uid: 'nope' },
      }),
      (err) => isConflict(err),
    );
    await client.delete(resources.configmaps, {
      namespace: 'default',
      name: 'a',
      propagationPolicy: 'Background',
    });
    await assert.rejects(client.get(resources.configmaps, { namespace: 'default', name: 'a' }), (err) => {
      assert.ok(isNotFound(err));
      assert.match((err as Error).message, /configmaps "a" not found/);
      return true;
    });
  });

  it('lists with selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 7; i++) {
      await client.create(resources.configmaps, cm(`page-${i}`, {}, { set: 'paging', odd: String(i % 2) }));
    }
    const page = await client.list(resources.configmaps, {
      namespace: 'default',
      labelSelector: 'set=paging',
      limit: 3,
    });
    assert.equal(page.items.length, 3);
    assert.ok(page.metadata.continue);
    const all = await client.listAll(resources.configmaps, {
      namespace: 'default',
      labelSelector: 'set=paging',
    });
    assert.equal(all.items.length, 7);
    assert.match(all.metadata.resourceVersion ?? '', /^\d+$/);
    const odd = await client.list(resources.configmaps, { labelSelector: 'set=paging,odd=1' });
    assert.deepEqual(odd.items.map((o) => o.metadata.name).sort(), ['page-1', 'page-3', 'page-5']);
    const byName = await client.list(resources.configmaps, {
      namespace: 'default',
      fieldSelector: 'metadata.name=page-2',
    });
    assert.deepEqual(
      byName.items.map((o) => o.metadata.name),
      ['page-2'],
    );
  });

  it('patches with merge, json, strategic and apply', async () => {
    await client.create(resources.configmaps, cm('p', { a: '1' }));
    const key = { namespace: 'default', name: 'p' };
    let o = await client.patch(resources.configmaps, { ...key, type: 'merge', patch: { data: { b: '2' } } });
    assert.deepEqual(o.data, { a: '1', b: '2' });
    o = await client.patch(resources.configmaps, {
      ...key,
      type: 'json',
      patch: [{ op: 'remove', path: '/data/a' }],
    });
    assert.deepEqual(o.data, { b: '2' });
    o = await client.patch(resources.configmaps, { ...key, type: 'strategic', patch: { data: { c: '3' } } });
    assert.deepEqual(o.data, { b: '2', c: '3' });
    o = await client.apply(resources.configmaps, cm('applied', { x: '1' }), { fieldManager: 'test' });
    assert.deepEqual(o.data, { x: '1' });
    // Flotilla's server drops managedFields when apply creates the object, so apply again.
    o = await client.apply(resources.configmaps, cm('applied', { x: '2' }), { fieldManager: 'test' });
    assert.deepEqual(o.data, { x: '2' });
    assert.equal(o.metadata.managedFields?.[0]?.manager, 'test');
    await assert.rejects(
      client.apply(resources.configmaps, cm('applied', { x: '3' }), { fieldManager: 'other' }),
      (err) => isConflict(err),
    );
    o = await client.apply(resources.configmaps, cm('applied', { x: '3' }), {
      fieldManager: 'other',
      force: true,
    });
    assert.deepEqual(o.data, { x: '3' });
  });

  it('updates the status subresource of a deployment', async () => {
    const dep: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    };
    const created = await client.create(resources.deployments, dep);
    const withStatus = await client.updateStatus(resources.deployments, {
      ...created,
      status: { replicas: 1 },
    });
    assert.equal(withStatus.status.replicas, 1);
  });

  it('streams watch events with bookmarks and ends on timeoutSeconds', async () => {
    const list = await client.list(resources.configmaps, { namespace: 'default' });
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of client.watch(resources.configmaps, {
        namespace: 'default',
        resourceVersion: list.metadata.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 1,
      })) {
        seen.push(`${e.type} ${e.object.metadata.name}`);
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await client.create(resources.configmaps, cm('w'));
    await client.delete(resources.configmaps, { namespace: 'default', name: 'w' });
    await done;
    assert.deepEqual(seen, ['ADDED w', 'DELETED w']);
  });

  it('stops a watch when its signal aborts', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of client.watch(resources.namespaces, { signal: ac.signal }))
        seen.push(e.object.metadata.name ?? '');
    })();
    setTimeout(() => ac.abort(), 200);
    await done;
    assert.ok(seen.includes('default'));
  });

  it('reports a compacted resourceVersion as Expired', async () => {
    const rev = await t.storage.currentRevision();
    await client.create(resources.configmaps, cm('c1'));
    await client.create(resources.configmaps, cm('c2'));
    await t.storage.compact(await t.storage.currentRevision());
    await assert.rejects(
      client.list(resources.configmaps, {
        namespace: 'default',
        limit: 1,
        resourceVersion: String(rev),
        resourceVersionMatch: 'Exact',
      }),
      (err) => isExpired(err),
    );
  });

  it('resolves kinds through discovery, built-in, Karmada and unknown', async () => {
    const d = new Discovery({ client });
    assert.deepEqual(
      { ...(await d.resolve({ apiVersion: 'apps/v1', kind: 'Deployment' })) },
      { ...resources.deployments },
    );
    assert.deepEqual(
      { ...(await d.resolve({ apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding' })) },
      { ...resources.resourcebindings },
    );
    assert.equal((await d.resolve({ apiVersion: 'v1', kind: 'Namespace' })).namespaced, false);
    await assert.rejects(d.resolve({ apiVersion: 'v1', kind: 'Nope' }), (err) => isNotFound(err));
    await assert.rejects(d.resolve({ apiVersion: 'nope.io/v1', kind: 'Nope' }), (err) => isNotFound(err));
    assert.ok((await d.groupVersions()).includes('networking.istio.io/v1'));
  });

  it('loads a kubeconfig file and paces requests with its QPS limit', async () => {
    const slow = new Client({ kubeConfig: kubeConfigFromFile(t.kubeconfig), qps: 20, burst: 1 });
    const start = performance.now();
    for (let i = 0; i < 6; i++) await slow.get(resources.namespaces, { name: 'default' });
    const elapsed = performance.now() - start;
    await slow.close();
    // 1 token at once, then 5 more at 20/s: at least 250 ms.
    assert.ok(elapsed >= 240, `elapsed ${elapsed}`);
  });
});
