/** Informer against a real API server: ordering, indexes, frozen objects, 410 relist, restarts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { startTestServer } from '../../tests/helpers/apiserver.ts';
import type { KubeObject } from '../api/meta.ts';
import { startApiServer } from '../apiserver/index.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { InformerFactory } from './factory.ts';
import { Informer } from './informer.ts';
import { byNamespace, byOwnerUid } from './store.ts';

const cm = (name: string, v: string, ns = 'default', labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels },
  data: { v },
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A logger whose messages land in `messages`. */
function capture(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => messages.push(JSON.parse(line).msg) });
  return { logger, messages };
}

function record(informer: Informer): string[] {
  const seen: string[] = [];
  informer.addHandlers({
    onAdd: (o) => seen.push(`add ${o.metadata.name} ${o.data?.v}`),
    onUpdate: (a, b) => seen.push(`update ${b.metadata.name} ${a.data?.v}->${b.data?.v}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  return seen;
}

describe('Informer', () => {
  it('lists, then sees adds, updates and deletes in order, with indexes and frozen objects', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    await client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'other' },
    });
    await client.create(resources.configmaps, cm('pre', '0'));
    const informer = new Informer({
      client,
      resource: resources.configmaps,
      labelSelector: 'keep!=no',
      pageSize: 1,
      indexers: { namespace: byNamespace, owner: byOwnerUid },
    });
    const seen = record(informer);
    assert.equal(informer.hasSynced(), false);
    informer.start();
    await informer.waitForSync();
    t.after(() => informer.stop());
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(seen, ['add pre 0']);

    const a = await client.create(resources.configmaps, cm('a', '1'));
    await client.update(resources.configmaps, { ...a, data: { v: '2' } });
    await client.create(resources.configmaps, cm('b', '1', 'other'));
    await client.create(resources.configmaps, cm('hidden', '1', 'default', { keep: 'no' }));
    await client.delete(resources.configmaps, { namespace: 'default', name: 'a' });
    await until(() => seen.length >= 5, 'five events');
    assert.deepEqual(seen, ['add pre 0', 'add a 1', 'update a 1->2', 'add b 1', 'delete a']);

    assert.deepEqual(informer.store.keys().sort(), ['default/pre', 'other/b']);
    assert.deepEqual(
      informer.store.byIndex('namespace', 'other').map((o) => o.metadata.name),
      ['b'],
    );
    const pre = informer.store.get('default/pre');
    assert.ok(pre);
    assert.equal(pre.apiVersion, 'v1');
    assert.equal(pre.kind, 'ConfigMap');
    assert.throws(() => {
      pre.data.v = 'mutated';
    }, TypeError);
    assert.throws(() => {
      pre.metadata.name = 'x';
    }, TypeError);

    const late: string[] = [];
    informer.addHandlers({ onAdd: (o) => late.push(o.metadata.name ?? '') });
    assert.deepEqual(late.sort(), ['b', 'pre']);
  });

  it('relists on 410 Expired, emitting deletes for vanished objects and updates for changed ones', async (t) => {
    const first = await startTestServer({ watchCacheSize: 2, keepStorage: true });
    const { storage } = first;
    const port = first.server.port;
    const kubeConfig = kubeConfigFromUrl({ server: first.url });
    const client = new Client({ kubeConfig });
    let running = first.server;
    t.after(async () => {
      await client.close();
      await running.close();
      await storage.close();
    });
    await client.create(resources.configmaps, cm('gone', '1'));
    await client.create(resources.configmaps, cm('changed', '1'));
    await client.create(resources.configmaps, cm('same', '1'));
    const log = capture();
    const informer = new Informer({
      client,
      resource: resources.configmaps,
      namespace: 'default',
      backoff: { initialMs: 50 },
      logger: log.logger,
    });
    const seen = record(informer);
    informer.start();
    t.after(() => informer.stop());
    await informer.waitForSync();
    const rvBefore = informer.resourceVersion;

    // While the informer's server is down, another server on the same storage changes things and
    // compacts history, so resuming from the informer's resourceVersion is impossible.
    await first.server.close();
    const side = await startApiServer({ storage, port: 0, watchCacheSize: 2 });
    const sideClient = new Client({ kubeConfig: kubeConfigFromUrl({ server: side.url }) });
    await sideClient.delete(resources.configmaps, { namespace: 'default', name: 'gone' });
    const changed = await sideClient.get(resources.configmaps, { namespace: 'default', name: 'changed' });
    await sideClient.update(resources.configmaps, { ...changed, data: { v: '2' } });
    await sideClient.create(resources.configmaps, cm('new', '1'));
    await sideClient.close();
    await side.close();
    await storage.compact(await storage.currentRevision());

    running = await startApiServer({ storage, port, watchCacheSize: 2 });
    await until(() => seen.length >= 6, 'relist events');
    assert.deepEqual(seen.slice(3).sort(), ['add new 1', 'delete gone', 'update changed 1->2']);
    assert.notEqual(informer.resourceVersion, rvBefore);
    assert.ok(log.messages.includes('resourceVersion expired; relisting'), log.messages.join('\n'));
    assert.deepEqual(informer.store.keys().sort(), ['default/changed', 'default/new', 'default/same']);

    await client.create(resources.configmaps, cm('after', '1'));
    await until(() => seen.includes('add after 1'), 'event after relist');
  });

  it('survives a server restart and resumes from its last resourceVersion without relisting', async (t) => {
    const first = await startTestServer({ keepStorage: true });
    const { storage } = first;
    const port = first.server.port;
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: first.url }) });
    let running = first.server;
    t.after(async () => {
      await client.close();
      await running.close();
      await storage.close();
    });
    const log = capture();
    const informer = new Informer({
      client,
      resource: resources.configmaps,
      namespace: 'default',
      backoff: { initialMs: 50 },
      logger: log.logger,
    });
    const seen = record(informer);
    informer.start();
    t.after(() => informer.stop());
    await informer.waitForSync();
    await client.create(resources.configmaps, cm('a', '1'));
    await until(() => seen.length === 1, 'first add');

    await first.server.close();
    // Connection refused for a while: the informer backs off and keeps trying.
    await new Promise((r) => setTimeout(r, 400));
    running = await startApiServer({ storage, port });
    const a = await client.get(resources.configmaps, { namespace: 'default', name: 'a' });
    await client.update(resources.configmaps, { ...a, data: { v: '2' } });
    await client.create(resources.configmaps, cm('b', '1'));
    await until(() => seen.length >= 3, 'events after restart');
    assert.deepEqual(seen, ['add a 1', 'update a 1->2', 'add b 1']);
    assert.equal(log.messages.filter((m) => m === 'listed').length, 1, 'listed once');
    assert.ok(log.messages.includes('list/watch failed; retrying'), 'saw the outage');
  });

  it('re-delivers cached objects as updates every resync period', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    await client.create(resources.configmaps, cm('r', '1'));
    const informer = new Informer({
      client,
      resource: resources.configmaps,
      namespace: 'default',
      resyncMs: 100,
    });
    const seen = record(informer);
    informer.start();
    t.after(() => informer.stop());
    await until(() => seen.filter((s) => s === 'update r 1->1').length >= 2, 'two resyncs');
    assert.equal(seen[0], 'add r 1');
  });

  it('shares one informer per resource and scope through the factory', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    const factory = new InformerFactory({ client });
    const a = factory.informer(resources.configmaps);
    assert.equal(factory.informer(resources.configmaps), a);
    assert.notEqual(factory.informer(resources.configmaps, { namespace: 'default' }), a);
    factory.start();
    t.after(() => factory.stop());
    const late = factory.informer(resources.namespaces);
    await factory.waitForSync();
    assert.ok(late.hasSynced());
    assert.ok(late.store.get('default'));
  });
});
