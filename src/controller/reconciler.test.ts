/** Controller: sync gating, requeueAfter, retries, TerminalError, exclusivity, metrics, a real informer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { startTestServer } from '../../tests/helpers/apiserver.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { Informer } from './informer.ts';
import { Controller, type InformerLike, TerminalError } from './reconciler.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(10);
  }
}

/** An informer stand-in whose sync the test controls. */
function fakeInformer(): InformerLike & { sync(): void } {
  let synced = false;
  let release: () => void = () => {};
  const ready = new Promise<void>((r) => {
    release = r;
  });
  return {
    hasSynced: () => synced,
    waitForSync: () => ready,
    addHandlers: () => () => {},
    sync() {
      synced = true;
      release();
    },
  };
}

describe('Controller', () => {
  it('processes nothing until its informers have synced', async () => {
    const informer = fakeInformer();
    const seen: string[] = [];
    const c = new Controller({
      name: 't',
      informers: [informer],
      reconcile: async (key) => {
        seen.push(key);
      },
    });
    c.enqueue('default/a');
    const started = c.start();
    await tick(30);
    assert.deepEqual(seen, []);
    informer.sync();
    await started;
    await until(() => seen.length === 1, 'reconcile');
    await c.stop();
  });

  it('requeues after requeueAfter, retries errors with back-off, and drops TerminalErrors', async () => {
    const calls = new Map<string, number[]>();
    const start = Date.now();
    const c = new Controller({
      name: 't',
      workers: 3,
      rateLimiter: { baseDelayMs: 20 },
      reconcile: async (key) => {
        const list = calls.get(key) ?? [];
        list.push(Date.now() - start);
        calls.set(key, list);
        if (key === 'later' && list.length === 1) return { requeueAfter: 100 };
        if (key === 'flaky' && list.length < 4) throw new Error('transient');
        if (key === 'bad') throw new TerminalError('spec is invalid', { cause: new Error('why') });
      },
    });
    await c.start();
    for (const k of ['later', 'flaky', 'bad']) c.enqueue(k);
    await until(
      () => (calls.get('later')?.length ?? 0) === 2 && (calls.get('flaky')?.length ?? 0) === 4,
      'passes',
    );
    await tick(200);
    const later = calls.get('later')!;
    assert.ok(later[1]! - later[0]! >= 95, `requeueAfter honoured: ${later}`);
    const flaky = calls.get('flaky')!;
    const gaps = flaky.slice(1).map((t, i) => t - flaky[i]!);
    assert.ok(gaps[0]! >= 15 && gaps[1]! >= 35 && gaps[2]! >= 75, `back-off grows: ${gaps}`);
    assert.equal(calls.get('bad')!.length, 1, 'terminal error not retried');
    assert.equal(c.queue.retries('flaky'), 0, 'success forgets the back-off');
    await c.stop();
  });

  it('never reconciles one key on two workers at once, and re-runs a key re-added meanwhile', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const c = new Controller({
      name: 't',
      workers: 4,
      reconcile: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await tick(20);
        running--;
      },
    });
    await c.start();
    c.enqueue('k');
    await tick(5);
    for (let i = 0; i < 5; i++) c.enqueue('k');
    await until(() => runs === 2 && running === 0, 'second run');
    await tick(40);
    assert.equal(runs, 2);
    assert.equal(maxRunning, 1);
    await c.stop();
  });

  it('records prom-client metrics by result', async () => {
    const registry = new Registry();
    const reconcileTotal = new Counter({
      name: 'reconcile_total',
      help: 'h',
      labelNames: ['controller', 'result'],
      registers: [registry],
    });
    const reconcileDuration = new Histogram({
      name: 'reconcile_seconds',
      help: 'h',
      labelNames: ['controller'],
      registers: [registry],
    });
    const queueDepth = new Gauge({
      name: 'depth',
      help: 'h',
      labelNames: ['controller'],
      registers: [registry],
    });
    const c = new Controller({
      name: 'm',
      metrics: { reconcileTotal, reconcileDuration, queueDepth },
      reconcile: async (key) => {
        if (key === 'bad') throw new TerminalError('no');
      },
    });
    c.enqueue('a');
    c.enqueue('bad');
    await c.start();
    await until(() => c.queue.len === 0, 'drain');
    await c.stop();
    const text = await registry.metrics();
    assert.match(text, /reconcile_total\{controller="m",result="success"\} 1/);
    assert.match(text, /reconcile_total\{controller="m",result="terminal"\} 1/);
    assert.match(text, /reconcile_seconds_count\{controller="m"\} 2/);
    assert.match(text, /depth\{controller="m"\} 0/);
  });

  it('reconciles from an informer cache fed by a real API server', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    const informer = new Informer({ client, resource: resources.configmaps, namespace: 'default' });
    // Copies every ConfigMap's data into a `<name>-copy` ConfigMap.
    const c = new Controller({
      name: 'copier',
      informers: [informer],
      reconcile: async (key) => {
        const obj = informer.store.get(key);
        if (!obj || obj.metadata.name?.endsWith('-copy')) return;
        const copy: KubeObject = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${obj.metadata.name}-copy`, namespace: obj.metadata.namespace ?? 'default' },
          data: structuredClone(obj.data),
        };
        await client.apply(resources.configmaps, copy, { fieldManager: 'copier', force: true });
      },
    });
    c.watch(informer);
    informer.start();
    await c.start();
    t.after(async () => {
      await c.stop();
      await informer.stop();
    });
    await client.create(resources.configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'src', namespace: 'default' },
      data: { a: '1' },
    });
    await until(() => informer.store.get('default/src-copy')?.data?.a === '1', 'copy');
  });
});
