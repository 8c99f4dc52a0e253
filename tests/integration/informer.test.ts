/**
 * An informer from @kubernetes/client-node sees adds, updates and deletes in order, and keeps
 * working across a restart of the API server on the same storage.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { RunningApiServer } from '../../src/apiserver/types.ts';
import { openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/types.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('client-node informer', () => {
  let dir: string;
  let storage: Storage;
  let server: RunningApiServer;
  let port: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-informer-'));
    storage = await openStorage(`sqlite://${join(dir, 'store.db')}`);
    port = await freePort();
    server = await startApiServer({ storage, port });
  });
  after(async () => {
    await server.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sees adds, updates and deletes in order and survives a server restart', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () =>
      api.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${o.data?.v}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.v}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    let stopped = false;
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 300);
    });
    await informer.start();

    const cm = (name: string, v: string) => ({ metadata: { name }, data: { v } });
    await api.createNamespacedConfigMap({ namespace: 'default', body: cm('a', '1') });
    await api.replaceNamespacedConfigMap({ name: 'a', namespace: 'default', body: cm('a', '2') });
    await api.createNamespacedConfigMap({ namespace: 'default', body: cm('b', '1') });
    await api.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
    await until(() => seen.length >= 4, 'four events');
    assert.deepEqual(seen, ['add a 1', 'update a 2', 'add b 1', 'delete a']);

    await server.close();
    server = await startApiServer({ storage, port });
    await api.createNamespacedConfigMap({ namespace: 'default', body: cm('c', '1') });
    await api.replaceNamespacedConfigMap({ name: 'b', namespace: 'default', body: cm('b', '2') });
    await until(() => seen.includes('add c 1') && seen.includes('update b 2'), 'events after restart');
    assert.deepEqual(
      informer
        .list()
        .map((o) => `${o.metadata?.name}=${o.data?.v}`)
        .sort(),
      ['b=2', 'c=1'],
    );
    stopped = true;
    await informer.stop();
  });
});
