import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { coversHosts, ensurePki } from './index.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flotilla-pki-'));
}

function get(options: {
  port: number;
  host: string;
  ca: string;
  servername?: string;
}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ ...options, path: '/', method: 'GET', agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

describe('ensurePki', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a CA and a serving certificate whose chain verifies', async () => {
    const pki = await ensurePki(dir, { hosts: ['apiserver.example', '10.1.2.3'] });
    assert.deepEqual(pki.created, { ca: true, serving: true });
    const ca = new X509Certificate(await readFile(join(dir, 'ca.crt'), 'utf8'));
    const leaf = new X509Certificate(await readFile(join(dir, 'apiserver.crt'), 'utf8'));
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(ca.verify(ca.publicKey));
    const years = (new Date(ca.validTo).getTime() - Date.now()) / (365 * 86_400_000);
    assert.ok(years > 9.9 && years < 10.1, `CA valid for ${years} years`);
  });

  it('puts 127.0.0.1, ::1, localhost and the given hosts in the SANs', async () => {
    const leaf = new X509Certificate(await readFile(join(dir, 'apiserver.crt'), 'utf8'));
    for (const host of ['127.0.0.1', '::1', '10.1.2.3']) assert.equal(leaf.checkIP(host), host);
    for (const host of ['localhost', 'apiserver.example']) assert.equal(leaf.checkHost(host), host);
    assert.equal(leaf.checkIP('10.9.9.9'), undefined);
    assert.match(leaf.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1/);
  });

  it('writes keys with mode 0600', async () => {
    for (const name of ['ca.key', 'apiserver.key']) {
      assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
    }
  });

  it('reuses valid material on the next call', async () => {
    const before = await readFile(join(dir, 'apiserver.crt'), 'utf8');
    const pki = await ensurePki(dir, { hosts: ['apiserver.example'] });
    assert.deepEqual(pki.created, { ca: false, serving: false });
    assert.equal(pki.serving.cert, before);
  });

  it('reissues the serving certificate (same CA) when a host is missing', async () => {
    const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
    const pki = await ensurePki(dir, { hosts: ['other.example'] });
    assert.deepEqual(pki.created, { ca: false, serving: true });
    assert.equal(pki.caCert, ca);
    assert.ok(coversHosts(new X509Certificate(pki.serving.cert), ['other.example', '127.0.0.1']));
  });

  it('reissues the serving certificate when it expires within 30 days', async () => {
    const later = new Date(Date.now() + 340 * 86_400_000);
    const pki = await ensurePki(dir, { now: later });
    assert.deepEqual(pki.created, { ca: false, serving: true });
    assert.equal((await ensurePki(dir, { now: later })).created.serving, false);
    // Issued "in the future", so not yet valid today: replaced again.
    assert.equal((await ensurePki(dir)).created.serving, true);
  });

  it('reissues the serving certificate when it was signed by another CA', async () => {
    const pki = await ensurePki(dir);
    const otherDir = await tempDir();
    try {
      const other = await ensurePki(otherDir);
      await writeFile(join(dir, 'apiserver.crt'), other.serving.cert);
      await writeFile(join(dir, 'apiserver.key'), other.serving.key);
      const again = await ensurePki(dir);
      assert.deepEqual(again.created, { ca: false, serving: true });
      assert.ok(new X509Certificate(again.serving.cert).verify(new X509Certificate(pki.caCert).publicKey));
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('serving certificate over real TLS', () => {
  it('is accepted by a Node client that trusts only ca.crt, by IP and by name', async () => {
    const dir = await tempDir();
    try {
      const pki = await ensurePki(dir);
      const server = createServer({ cert: pki.serving.cert, key: pki.serving.key }, (_req, res) =>
        res.end('ok'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        for (const servername of [undefined, 'localhost']) {
          const res = await get({
            host: '127.0.0.1',
            port,
            ca: pki.caCert,
            ...(servername ? { servername } : {}),
          });
          assert.equal(res.statusCode, 200);
          res.resume();
        }
        const otherDir = await tempDir();
        try {
          const other = await ensurePki(otherDir);
          await assert.rejects(
            get({ host: '127.0.0.1', port, ca: other.caCert }),
            /self[- ]signed|unable to verify|issuer/i,
          );
        } finally {
          await rm(otherDir, { recursive: true, force: true });
        }
      } finally {
        server.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
