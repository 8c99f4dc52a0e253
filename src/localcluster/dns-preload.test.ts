/**
 * The DNS preload, loaded as pods load it (`NODE_OPTIONS=--import=…` in a child Node): `http`,
 * `fetch`, `dns.lookup` and `dns/promises` resolve Service names through the hosts file with the
 * pod's search path, and other names still reach the real resolver.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDns } from './cluster-dns.ts';

const PROGRAM = `
import http from 'node:http';
import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
const port = Number(process.argv[2]);
const viaHttp = await new Promise((resolve, reject) => {
  http.get('http://echo:' + port + '/a', (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve(body));
  }).on('error', reject);
});
const viaFetch = await (await fetch('http://echo.shop.svc.cluster.local:' + port + '/b')).text();
const cb = await new Promise((resolve) => dns.lookup('echo.shop', (err, address) => resolve(err ? err.code : address)));
const all = await lookup('echo.shop.svc', { all: true });
const miss = await lookup('no-such-service.invalid').then(() => 'resolved', (err) => err.code);
const local = (await lookup('localhost', { family: 4 })).address;
console.log(JSON.stringify({ viaHttp, viaFetch, cb, all, miss, local }));
`;

describe('cluster DNS preload', () => {
  let dir: string;
  let server: http.Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-dns-'));
    server = http.createServer((req, res) => res.end(`${req.url} from ${req.socket.localAddress}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.53', r));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves Service names for net/http, fetch and dns in a pod process', async () => {
    const dns = new ClusterDns({ dir });
    dns.update([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'echo', namespace: 'shop' },
        spec: { clusterIP: '127.0.0.53', ports: [{ port: 80 }] },
      },
    ]);
    const program = join(dir, 'program.mjs');
    writeFileSync(program, PROGRAM);
    const port = (server.address() as AddressInfo).port;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [program, String(port)],
        { env: { PATH: process.env.PATH ?? '', ...dns.podEnv('shop') } },
        (err, stdout, stderr) => (err ? reject(new Error(stderr, { cause: err })) : resolve(stdout)),
      ),
    );
    assert.deepEqual(JSON.parse(out), {
      viaHttp: '/a from 127.0.0.53',
      viaFetch: '/b from 127.0.0.53',
      cb: '127.0.0.53',
      all: [{ address: '127.0.0.53', family: 4 }],
      miss: 'ENOTFOUND',
      local: '127.0.0.1',
    });
  });
});
