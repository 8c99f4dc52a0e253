/**
 * API semantics beyond plain CRUD: watches from a resourceVersion, paging, dry runs, finalizers,
 * garbage collection through ownerReferences, namespace deletion, CRDs, and 410 after compaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a watch stream until `count` events arrived. */
async function watchEvents(url: string, count: number, ms = 5000): Promise<{ type: string; object: any }[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(url, { signal: ac.signal });
  const events: { type: string; object: any }[] = [];
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (events.length >= count) break;
    }
  } catch {
    // aborted
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

describe('API semantics', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ compactionIntervalMs: 60_000 });
  });
  after(async () => {
    await t.close();
  });
  const cm = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...extra },
    data: { k: name },
  });

  it('watches from a resourceVersion and replays what followed', async () => {
    const first = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('w1'));
    const rv = first.body.metadata.resourceVersion;
    await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('w2'));
    await t.request('DELETE', '/api/v1/namespaces/default/configmaps/w1');
    const events = await watchEvents(
      `${t.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`,
      2,
    );
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED w2', 'DELETED w1'],
    );
  });

  it('sends initial events then a bookmark marking their end, and ends at timeoutSeconds', async () => {
    await t.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('init-a', { labels: { set: 'init' } }),
    );
    await t.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('init-b', { labels: { set: 'init' } }),
    );
    const started = Date.now();
    const events = await watchEvents(
      `${t.url}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=set%3Dinit&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
      10,
      5000,
    );
    assert.deepEqual(
      events.slice(0, 2).map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED init-a', 'ADDED init-b'],
    );
    assert.equal(events[2]?.type, 'BOOKMARK');
    assert.equal(events[2]?.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(Date.now() - started < 4000, 'the stream ended at timeoutSeconds');
  });

  it('pages lists with limit and continue over one snapshot', async () => {
    for (let i = 0; i < 7; i++)
      await t.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        cm(`page-${i}`, { labels: { set: 'paging' } }),
      );
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await t.request(
        'GET',
        `/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpaging&limit=3${cont ? `&continue=${cont}` : ''}`,
      );
      assert.equal(r.status, 200);
      names.push(...r.body.items.map((i: any) => i.metadata.name));
      cont = r.body.metadata.continue ?? '';
      pages++;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(
      names,
      [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    );
  });

  it('dry runs return the would-be object and persist nothing', async () => {
    const r = await t.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    assert.equal(r.body.metadata.name, 'dry');
    const g = await t.request('GET', '/api/v1/namespaces/default/configmaps/dry');
    assert.equal(g.status, 404);
  });

  it('holds objects with finalizers until the finalizers are removed', async () => {
    await t.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('fin', { finalizers: ['example.com/hold'] }),
    );
    const del = await t.request('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(del.status, 202);
    const held = await t.request('GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.ok(held.body.metadata.deletionTimestamp);
    await t.request(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/fin',
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const gone = await t.request('GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(gone.status, 404);
  });

  it('collects dependents of a deleted owner, and orphans them when asked', async () => {
    const owner = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('owner'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.body.metadata.uid };
    await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('dep', { ownerReferences: [ref] }));
    await t.request('DELETE', '/api/v1/namespaces/default/configmaps/owner', {
      propagationPolicy: 'Background',
    });
    await until(
      async () =>
        (await t.request('GET', '/api/v1/namespaces/default/configmaps/dep')).status === 404
          ? true
          : undefined,
      'dependent collected',
    );

    const owner2 = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('owner2'));
    const ref2 = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner2', uid: owner2.body.metadata.uid };
    await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('dep2', { ownerReferences: [ref2] }));
    await t.request('DELETE', '/api/v1/namespaces/default/configmaps/owner2', {
      propagationPolicy: 'Orphan',
    });
    await until(
      async () =>
        (await t.request('GET', '/api/v1/namespaces/default/configmaps/owner2')).status === 404
          ? true
          : undefined,
      'owner gone',
    );
    const dep2 = await t.request('GET', '/api/v1/namespaces/default/configmaps/dep2');
    assert.equal(dep2.status, 200);
    assert.equal(dep2.body.metadata.ownerReferences, undefined);
  });

  it('deletes a namespace with everything in it', async () => {
    await t.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'doomed' },
    });
    await t.request('POST', '/api/v1/namespaces/doomed/configmaps', cm('inside'));
    await t.request(
      'POST',
      '/api/v1/namespaces/doomed/configmaps',
      cm('held', { finalizers: ['example.com/hold'] }),
    );
    const del = await t.request('DELETE', '/api/v1/namespaces/doomed');
    assert.ok(del.status === 200 || del.status === 202);
    assert.equal(del.body.status.phase, 'Terminating');
    await until(
      async () =>
        (await t.request('GET', '/api/v1/namespaces/doomed/configmaps/inside')).status === 404
          ? true
          : undefined,
      'contents deleted',
    );
    const refused = await t.request('POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /because it is being terminated/);
    const ns = await t.request('GET', '/api/v1/namespaces/doomed');
    assert.equal(ns.status, 200, 'a namespace waits for content held by finalizers');
    await t.request(
      'PATCH',
      '/api/v1/namespaces/doomed/configmaps/held',
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await until(
      async () => ((await t.request('GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined),
      'namespace gone',
    );
  });

  it('serves a kind defined by a CustomResourceDefinition, with its printer columns', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
          },
        ],
      },
    };
    const c = await t.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    await until(
      async () =>
        (await t.request('GET', '/apis/example.com/v1/namespaces/default/widgets')).status === 200
          ? true
          : undefined,
      'widgets served',
    );
    const w = await t.request('POST', '/apis/example.com/v1/namespaces/default/widgets', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 3 },
    });
    assert.equal(w.status, 201);
    const k = await t.kubectl(['get', 'wd']);
    assert.equal(k.code, 0, k.stderr);
    // As upstream: a CRD that declares printer columns gets exactly those after NAME (no implicit AGE).
    assert.match(k.stdout.split('\n')[0]!, /^NAME\s+SIZE$/);
    assert.match(k.stdout, /^w\s+3$/m);
  });
});

describe('history and compaction', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ watchCacheSize: 2 });
  });
  after(async () => {
    await t.close();
  });
  const cm = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { k: name },
  });

  it('ends a watch from a compacted revision with 410 Expired', async () => {
    const a = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('old'));
    const oldRv = Number(a.body.metadata.resourceVersion);
    for (let i = 0; i < 3; i++)
      await t.request('POST', '/api/v1/namespaces/default/configmaps', cm(`newer-${i}`));
    await t.storage.compact(await t.storage.currentRevision());
    const events = await watchEvents(
      `${t.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRv - 1}`,
      1,
    );
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
    const list = await t.request(
      'GET',
      `/api/v1/namespaces/default/configmaps?resourceVersion=${oldRv}&resourceVersionMatch=Exact`,
    );
    assert.equal(list.status, 410);
    assert.equal(list.body.reason, 'Expired');
  });
});
