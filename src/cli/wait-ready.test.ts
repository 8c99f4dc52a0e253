import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePki } from '../pki/index.ts';
import { NotReadyError, waitForReady } from './wait-ready.ts';

describe('waitForReady', () => {
  let dir: string;
  let caCert: string;
  let otherCa: string;
  let url: string;
  let readyAfter = 0;
  let requests = 0;
  const server = createServer();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-ready-'));
    const pki = await ensurePki(join(dir, 'a'));
    caCert = pki.caCert;
    otherCa = (await ensurePki(join(dir, 'b'))).caCert;
    server.setSecureContext({ cert: pki.serving.cert, key: pki.serving.key });
    server.on('request', (req, res) => {
      requests++;
      if (req.url !== '/readyz') return res.writeHead(404).end();
      if (req.headers.authorization !== 'Bearer tok') return res.writeHead(401).end('no');
      if (requests <= readyAfter) return res.writeHead(500).end('starting');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('retries until 200, reporting progress', async () => {
    requests = 0;
    readyAfter = 3;
    const progress: string[] = [];
    await waitForReady({
      url,
      caCert,
      token: 'tok',
      intervalMs: 10,
      onProgress: (p) => progress.push(p.lastError),
    });
    assert.deepEqual(progress, ['HTTP 500: starting', 'HTTP 500: starting', 'HTTP 500: starting']);
  });

  it('gives up at the deadline with the last error', async () => {
    readyAfter = 0;
    await assert.rejects(
      waitForReady({ url, caCert, token: 'wrong', timeoutMs: 100, intervalMs: 10 }),
      (err) => {
        assert.ok(err instanceof NotReadyError);
        assert.match(err.message, /HTTP 401/);
        return true;
      },
    );
  });

  it('refuses a server whose certificate does not chain to the CA', async () => {
    await assert.rejects(
      waitForReady({ url, caCert: otherCa, token: 'tok', timeoutMs: 100, intervalMs: 10 }),
      /certificate|self[- ]signed|issuer/i,
    );
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const closed = `http://127.0.0.1:1`;
    setTimeout(() => controller.abort(new Error('child exited')), 50);
    await assert.rejects(
      waitForReady({ url: closed, timeoutMs: 10_000, intervalMs: 10, signal: controller.signal }),
      /child exited/,
    );
  });
});
