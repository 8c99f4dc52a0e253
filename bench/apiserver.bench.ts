/**
 * API server throughput and latency per storage backend — create, get, list and watch fan-out —
 * each beside the raw store doing the same work in the same run, as ratios.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startApiServer } from '../src/apiserver/index.ts';
import { openStorage } from '../src/storage/index.ts';
import type { Storage } from '../src/storage/types.ts';
import { startEtcd } from '../tests/fixtures/etcd.ts';
import { type Bench, benchLine, loop, reportLoop } from './lib.ts';

const CONCURRENCY = 16;

function configMap(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, namespace: 'default', labels: { bench: 'yes' } },
    data: { i: String(i), pad: 'x'.repeat(200) },
  });
}

async function benchBackend(
  name: string,
  storage: Storage,
  quick: boolean,
  log: (l: string) => void,
): Promise<void> {
  const n = quick ? 300 : 2000;
  const watchers = quick ? 10 : 50;
  const writes = quick ? 50 : 200;

  // Raw store baseline, in its own key space.
  const rawCreate = await loop(n, CONCURRENCY, (i) => storage.create(`/bench/raw/${i}`, configMap(i)));
  const rawGet = await loop(n, CONCURRENCY, (i) => storage.get(`/bench/raw/${i}`));
  const rawList = await loop(quick ? 5 : 20, 1, () => storage.list('/bench/raw/'));
  const rawFan = await fanOutRaw(storage, watchers, writes);

  const server = await startApiServer({ storage, port: 0 });
  const pool = new Pool(server.url, { connections: CONCURRENCY, pipelining: 1 });
  const call = async (method: 'GET' | 'POST', path: string, body?: string): Promise<void> => {
    const res = await pool.request({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body } : {}),
    });
    await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode}`);
  };
  try {
    const create = await loop(n, CONCURRENCY, (i) =>
      call('POST', '/api/v1/namespaces/default/configmaps', configMap(i)),
    );
    const get = await loop(n, CONCURRENCY, (i) =>
      call('GET', `/api/v1/namespaces/default/configmaps/cm-${i}`),
    );
    const list = await loop(quick ? 5 : 20, 1, () => call('GET', '/api/v1/namespaces/default/configmaps'));
    const fan = await fanOutApi(server.url, watchers, writes, call, storage);
    log(
      `${name}: create ${create.rate.toFixed(0)}/s (raw ${rawCreate.rate.toFixed(0)}/s), get ${get.rate.toFixed(0)}/s (raw ${rawGet.rate.toFixed(0)}/s), list of ${n} ${list.latencies[0]?.toFixed(1)} ms (raw ${rawList.latencies[0]?.toFixed(1)} ms), watch fan-out ${fan.toFixed(0)} events/s (raw ${rawFan.toFixed(0)}/s)`,
    );
    reportLoop(`apiserver.${name}.create`, create, rawCreate, 'req/s');
    reportLoop(`apiserver.${name}.get`, get, rawGet, 'req/s');
    reportLoop(`apiserver.${name}.list${n}`, list, rawList, 'req/s');
    benchLine(`apiserver.${name}.watch-fanout.rate`, fan, 'events/s', {
      baseline: rawFan,
      n: watchers * writes,
    });
  } finally {
    await pool.close();
    await server.close();
  }
}

async function fanOutRaw(storage: Storage, watchers: number, writes: number): Promise<number> {
  const from = await storage.currentRevision();
  let received = 0;
  const total = watchers * writes;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const handles = await Promise.all(
    Array.from({ length: watchers }, () =>
      storage.watch('/bench/fan/', from, {
        onEvents: (events) => {
          received += events.length;
          if (received >= total) done();
        },
        onError: () => undefined,
      }),
    ),
  );
  const t0 = performance.now();
  await loop(writes, CONCURRENCY, (i) => storage.create(`/bench/fan/${i}`, configMap(i)));
  await finished;
  const rate = (total / (performance.now() - t0)) * 1000;
  await Promise.all(handles.map((h) => h.close()));
  return rate;
}

/**
 * Watch fan-out through the API server: the same writes as the raw baseline go straight into
 * storage, so the ratio measures the watch path (watch cache, encoding, HTTP streaming) alone.
 */
async function fanOutApi(
  url: string,
  watchers: number,
  writes: number,
  call: (m: 'GET' | 'POST', p: string, b?: string) => Promise<void>,
  storage: Storage,
): Promise<number> {
  await call(
    'POST',
    '/api/v1/namespaces',
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fan' } }),
  );
  const total = watchers * writes;
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const controllers: AbortController[] = [];
  await Promise.all(
    Array.from({ length: watchers }, async () => {
      const ac = new AbortController();
      controllers.push(ac);
      const res = await fetch(`${url}/api/v1/namespaces/fan/configmaps?watch=true&resourceVersion=0`, {
        signal: ac.signal,
      });
      void (async () => {
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            for (const b of chunk) if (b === 10) received++;
            if (received >= total) done();
          }
        } catch {
          // aborted
        }
      })();
    }),
  );
  const t0 = performance.now();
  await loop(writes, CONCURRENCY, (i) =>
    storage.create(
      `/registry/core/configmaps/fan/cm-${i}`,
      configMap(i).replace('"namespace":"default"', '"namespace":"fan"'),
    ),
  );
  await finished;
  const rate = (total / (performance.now() - t0)) * 1000;
  for (const ac of controllers) ac.abort();
  return rate;
}

const bench: Bench = {
  name: 'apiserver',
  description: 'API server create/get/list/watch fan-out per backend, beside the raw store',
  async run({ quick, log }) {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
    try {
      for (const backend of ['memory', 'sqlite', 'etcd'] as const) {
        let stopEtcd: (() => Promise<void>) | undefined;
        let url = 'memory://';
        if (backend === 'sqlite') url = `sqlite://${join(dir, 'bench.db')}`;
        if (backend === 'etcd') {
          const etcd = await startEtcd();
          stopEtcd = etcd.stop;
          url = `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`;
        }
        const storage = await openStorage(url);
        try {
          await benchBackend(backend, storage, quick, log);
        } finally {
          await storage.close();
          await stopEtcd?.();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
