import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../controllers/testing/wait.ts';
import type { MeshInput } from '../input.ts';
import { compileMesh } from '../routing/index.ts';
import type { CompiledMesh } from '../routing/types.ts';
import { type RunningMeshServer, startMeshServer } from '../stream/server.ts';
import { type RunningMeshProxy, runMeshProxy } from './run.ts';

const TOKEN = 'sidecar-test-token';

/** GET `url` through the proxy at `proxy` (absolute-form request line, as HTTP_PROXY clients send). */
function viaProxy(proxy: string, url: string): Promise<{ status: number; body: string }> {
  const p = new URL(proxy);
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: p.hostname, port: p.port, path: url, headers: { host: target.host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

describe('runMeshProxy (sidecar fed by the mesh stream)', () => {
  let upstream: http.Server;
  let server: RunningMeshServer<CompiledMesh>;
  let sidecar: RunningMeshProxy;
  let mesh: CompiledMesh;

  before(async () => {
    upstream = http.createServer((_req, res) => res.end('hello from web'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const input: MeshInput = {
      gateways: [],
      virtualServices: [],
      destinationRules: [],
      serviceEntries: [],
      services: [
        {
          name: 'web',
          namespace: 'default',
          hostname: 'web.default.svc.cluster.local',
          ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: port }],
          clusterIPs: [{ cluster: 'm1', ip: '10.96.0.10' }],
          clusters: ['m1'],
          endpoints: [
            {
              address: '127.0.0.1',
              ports: { http: port },
              cluster: 'm1',
              ready: true,
              labels: { app: 'web' },
            },
          ],
        },
      ],
    };
    mesh = compileMesh(input);
    server = await startMeshServer<CompiledMesh>({ port: 0, token: TOKEN });
    sidecar = await runMeshProxy({
      role: 'sidecar',
      id: 'm1/default/client-1',
      identity: { cluster: 'm1', namespace: 'default', workload: 'client', labels: { app: 'client' } },
      listen: [{ host: '127.0.0.1', port: 0 }],
      metricsListen: { host: '127.0.0.1', port: 0 },
      statusListen: { host: '127.0.0.1', port: 0 },
      mesh: { url: server.url, token: TOKEN },
    });
  });

  after(async () => {
    await sidecar?.close();
    await server?.close();
    await new Promise((r) => upstream?.close(r));
  });

  it('is not ready until its first configuration arrives, then routes by service name and Service IP', async () => {
    const status = `${sidecar.statusUrl}/healthz/ready`;
    assert.equal((await fetch(status)).status, 503);
    server.publish(mesh);
    await waitFor('ready', async () => (await fetch(status)).status === 200);
    const proxy = sidecar.proxy.urls[0] ?? '';
    for (const name of ['web', 'web.default', 'web.default.svc.cluster.local', '10.96.0.10']) {
      const res = await viaProxy(proxy, `http://${name}/`);
      assert.deepEqual(res, { status: 200, body: 'hello from web' }, name);
    }
  });

  it('registers its metrics with the mesh controller, which aggregates them', async () => {
    assert.equal(server.proxies()[0]?.id, 'm1/default/client-1');
    const text = await (await fetch(`${server.url}/stats/prometheus`)).text();
    assert.match(
      text,
      /istio_requests_total\{[^}]*source_workload="client"[^}]*destination_service_name="web"/,
    );
  });

  it('keeps serving its last configuration while the mesh controller is gone', async () => {
    await server.close();
    await waitFor('disconnected', () => !sidecar.client.connected);
    const res = await viaProxy(sidecar.proxy.urls[0] ?? '', 'http://web.default/');
    assert.equal(res.status, 200);
    assert.equal((await fetch(`${sidecar.statusUrl}/healthz/ready`)).status, 200);
  });
});
