import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureMeshToken, listenPreferring, meshTokenPath } from './mesh.ts';
import { statePaths } from './state-dir.ts';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('mesh CLI helpers', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const fn of cleanup) await fn();
  });

  it('creates the mesh token once (0600) and reads the same one back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helper-m2-token-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const paths = statePaths(dir);
    const token = await ensureMeshToken(paths);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await ensureMeshToken(paths), token);
    assert.equal((await stat(meshTokenPath(paths))).mode & 0o777, 0o600);
  });

  it('moves a taken default port to a free one, but never a port the user gave', async () => {
    const taken = await listen(0);
    cleanup.push(() => new Promise((r) => taken.close(r)));
    const port = (taken.address() as net.AddressInfo).port;
    let moved = false;
    const server = await listenPreferring(port, false, listen, () => {
      moved = true;
    });
    cleanup.push(() => new Promise((r) => server.close(r)));
    assert.ok(moved);
    assert.notEqual((server.address() as net.AddressInfo).port, port);
    await assert.rejects(listenPreferring(port, true, listen), { code: 'EADDRINUSE' });
  });
});
