import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../tests/helpers/apiserver.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { EventRecorder } from './events.ts';

describe('EventRecorder', () => {
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

  const cm = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7' },
  });

  it('writes a core/v1 Event naming the object and aggregates repeats by count', async () => {
    const rec = new EventRecorder({ client, component: 'test-controller' });
    rec.event(cm('a'), { type: 'Normal', reason: 'Poked', message: 'poked a' });
    rec.event(cm('a'), { type: 'Normal', reason: 'Poked', message: 'poked a' });
    rec.event(cm('a'), { type: 'Warning', reason: 'Failed', message: 'it broke' });
    await rec.flush();
    const list = await client.list(resources.events, { namespace: 'default' });
    const mine = list.items.filter((e) => e.involvedObject?.name === 'a');
    assert.equal(mine.length, 2);
    const poked = mine.find((e) => e.reason === 'Poked');
    assert.ok(poked);
    assert.equal(poked.count, 2);
    assert.equal(poked.type, 'Normal');
    assert.match(poked.metadata.name ?? '', /^a\.[0-9a-f]+$/);
    assert.deepEqual(poked.involvedObject, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'a',
      namespace: 'default',
      uid: 'uid-a',
      resourceVersion: '7',
    });
    assert.equal(poked.source.component, 'test-controller');
    assert.equal(poked.reportingComponent, 'test-controller');
    assert.ok(poked.firstTimestamp && poked.lastTimestamp);
    assert.equal(mine.find((e) => e.reason === 'Failed')?.type, 'Warning');
  });

  it('rate-limits each object to its burst', async () => {
    let now = 1_000_000;
    const rec = new EventRecorder({ client, component: 'spam', burst: 3, now: () => now });
    for (let i = 0; i < 6; i++) rec.event(cm('b'), { type: 'Normal', reason: 'Spam', message: `m${i}` });
    now += 300_000; // one more token after five minutes
    rec.event(cm('b'), { type: 'Normal', reason: 'Spam', message: 'late' });
    await rec.flush();
    const list = await client.list(resources.events, { namespace: 'default' });
    const msgs = list.items.filter((e) => e.involvedObject?.name === 'b').map((e) => e.message);
    assert.deepEqual(msgs.sort(), ['late', 'm0', 'm1', 'm2']);
  });

  it('never throws when the server refuses or is unreachable', async () => {
    const dead = new Client({ kubeConfig: kubeConfigFromUrl({ server: 'http://127.0.0.1:1' }) });
    const rec = new EventRecorder({ client: dead, component: 'x' });
    assert.doesNotThrow(() => rec.event(cm('c'), { type: 'Normal', reason: 'R', message: 'm' }));
    await rec.flush();
    await dead.close();
  });
});
