import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../controllers/testing/wait.ts';
import { MeshClient } from './client.ts';
import { mergePrometheus } from './prometheus.ts';
import { type RunningMeshServer, startMeshServer } from './server.ts';

const TOKEN = 'mesh-test-token';

interface Snap {
  n: number;
}

function client(url: string, seen: Array<[number, number]>, id = 'p1', token = TOKEN, metricsUrl?: string) {
  const c = new MeshClient<Snap>({
    url,
    token,
    proxy: { id, role: 'sidecar', ...(metricsUrl ? { metricsUrl } : {}) },
    onSnapshot: (s, v) => seen.push([s.n, v]),
    backoff: { initialMs: 20, maxMs: 100 },
  });
  c.start();
  return c;
}

async function metricsServer(text: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end(text));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats/prometheus`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('mesh stream', () => {
  const cleanup: Array<() => unknown> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it('gives a connecting proxy the current version at once, then every new one in order', async () => {
    const server = await startMeshServer<Snap>({ port: 0, token: TOKEN, heartbeatMs: 50 });
    cleanup.push(() => server.close());
    server.publish({ n: 1 });
    server.publish({ n: 2 });
    const seen: Array<[number, number]> = [];
    const c = client(server.url, seen);
    cleanup.push(() => c.stop());
    await c.waitForSnapshot();
    assert.deepEqual(seen, [[2, 2]]);
    assert.equal(server.publish({ n: 3 }), 3);
    await waitFor('version 3', () => c.version === 3);
    assert.deepEqual(seen, [
      [2, 2],
      [3, 3],
    ]);
    assert.deepEqual(
      server.proxies().map((p) => [p.id, p.role, p.version]),
      [['p1', 'sidecar', 3]],
    );
  });

  it('holds a proxy that connects before the first snapshot until one exists', async () => {
    const server = await startMeshServer<Snap>({ port: 0, token: TOKEN });
    cleanup.push(() => server.close());
    const seen: Array<[number, number]> = [];
    const c = client(server.url, seen);
    cleanup.push(() => c.stop());
    await waitFor('connected', () => server.proxies().length === 1);
    assert.deepEqual(seen, []);
    server.publish({ n: 7 });
    await c.waitForSnapshot();
    assert.deepEqual(seen, [[7, 1]]);
  });

  it('keeps the last snapshot while the controller is down and takes the new epoch after it restarts', async () => {
    let server: RunningMeshServer<Snap> = await startMeshServer<Snap>({ port: 0, token: TOKEN });
    const port = server.port;
    server.publish({ n: 1 });
    server.publish({ n: 2 });
    const seen: Array<[number, number]> = [];
    const c = client(server.url, seen);
    cleanup.push(() => c.stop());
    await waitFor('version 2', () => c.version === 2);
    await server.close();
    await waitFor('disconnected', () => !c.connected);
    assert.equal(c.version, 2, 'the last snapshot stays in force');
    server = await startMeshServer<Snap>({ port, token: TOKEN });
    cleanup.push(() => server.close());
    server.publish({ n: 10 });
    // A restarted controller starts again at version 1: the new epoch is taken anyway.
    await waitFor('the new epoch', () => seen.length === 2);
    assert.deepEqual(seen[1], [10, 1]);
  });

  it('refuses a wrong token with 401 and keeps the client retrying without a snapshot', async () => {
    const server = await startMeshServer<Snap>({ port: 0, token: TOKEN });
    cleanup.push(() => server.close());
    server.publish({ n: 1 });
    const res = await fetch(`${server.url}/v1/stream?proxy=x`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: string }).error, /bearer token/);
    const seen: Array<[number, number]> = [];
    const c = client(server.url, seen, 'p1', 'nope');
    cleanup.push(() => c.stop());
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, []);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const noId = await fetch(`${server.url}/v1/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(noId.status, 400);
  });

  it('aggregates the metrics of connected proxies, summing identical series', async () => {
    const server = await startMeshServer<Snap>({ port: 0, token: TOKEN });
    cleanup.push(() => server.close());
    server.publish({ n: 1 });
    const family = (v: number, w: string) =>
      `# HELP istio_requests_total Total requests.\n# TYPE istio_requests_total counter\nistio_requests_total{source_workload="${w}",response_code="200"} ${v}\n`;
    const a = await metricsServer(family(3, 'productpage-v1'));
    const b = await metricsServer(family(4, 'productpage-v1') + family(5, 'reviews-v2'));
    cleanup.push(a.close, b.close);
    const ca = client(server.url, [], 'a', TOKEN, a.url);
    const cb = client(server.url, [], 'b', TOKEN, b.url);
    cleanup.push(
      () => ca.stop(),
      () => cb.stop(),
    );
    await waitFor('both connected', () => server.proxies().length === 2);
    const res = await fetch(`${server.url}/stats/prometheus`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(text.match(/# TYPE istio_requests_total counter/g)?.length, 1);
    assert.match(text, /istio_requests_total\{source_workload="productpage-v1",response_code="200"\} 7\n/);
    assert.match(text, /istio_requests_total\{source_workload="reviews-v2",response_code="200"\} 5\n/);
    assert.match(text, /flotilla_mesh_proxies_connected 2\n/);
  });
});

describe('mergePrometheus', () => {
  it('keeps histogram parts in their family, sums buckets, and ignores unreadable lines', () => {
    const h = (n: number) =>
      [
        '# TYPE d histogram',
        `d_bucket{le="10"} ${n}`,
        `d_bucket{le="+Inf"} ${n}`,
        `d_sum ${n * 2}`,
        `d_count ${n}`,
        'garbage line without value',
      ].join('\n');
    assert.equal(
      mergePrometheus([h(1), h(2)]),
      ['# TYPE d histogram', 'd_bucket{le="10"} 3', 'd_bucket{le="+Inf"} 3', 'd_sum 6', 'd_count 3', ''].join(
        '\n',
      ),
    );
  });

  it('reads label values containing spaces and braces', () => {
    const text = 'm{path="/a b}"} 1\nm{path="/a b}"} 2 1700000000\n';
    assert.equal(mergePrometheus([text]), 'm{path="/a b}"} 3\n');
  });
});
