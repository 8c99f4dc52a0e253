/** `openStorage` URL handling, and etcd's unreachable mapping (no etcd needed). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EtcdStorage, isStorageError, MemoryStorage, openStorage, SqliteStorage } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  for (const [url, backend] of [
    ['memory://', MemoryStorage],
    [`sqlite://${join(dir, 'nested', 'a.db')}`, SqliteStorage],
    [`sqlite://${join(dir, 'b.db')}?sync=full`, SqliteStorage],
    ['etcd://127.0.0.1:2379', EtcdStorage],
    ['etcd://127.0.0.1:2379,127.0.0.2:2379/flotilla/', EtcdStorage],
  ] as const) {
    it(`opens ${url}`, async () => {
      const storage = await openStorage(url);
      try {
        assert.ok(storage instanceof backend);
      } finally {
        await storage.close();
      }
    });
  }

  for (const url of [
    '',
    'postgres://x',
    'sqlite://',
    `sqlite://${join(dir, 'c.db')}?sync=off`,
    'etcd://',
    'etcd://host',
  ]) {
    it(`rejects ${JSON.stringify(url)} with InvalidURL`, async () => {
      await assert.rejects(openStorage(url), (err) => isStorageError(err, 'InvalidURL'));
    });
  }

  it('sqlite keeps data across reopen', async () => {
    const url = `sqlite://${join(dir, 'reopen.db')}`;
    const first = await openStorage(url);
    const kv = await first.create('/a', '1');
    await first.delete('/a');
    await first.compact(await first.currentRevision());
    await first.close();
    const second = await openStorage(url);
    try {
      // The trailing tombstone is compacted away; the compaction point still carries the revision.
      assert.equal(await second.currentRevision(), kv.modRevision + 1);
      assert.equal((await second.create('/b', '1')).modRevision, kv.modRevision + 2);
      await assert.rejects(second.list('/', { revision: kv.modRevision }), (err) =>
        isStorageError(err, 'Compacted'),
      );
    } finally {
      await second.close();
    }
  });

  it('maps an unreachable etcd to Unavailable', async () => {
    const storage = await openStorage('etcd://127.0.0.1:1/x');
    try {
      await assert.rejects(storage.get('/a'), (err) => isStorageError(err, 'Unavailable'));
      await assert.rejects(storage.create('/a', '1'), (err) => isStorageError(err, 'Unavailable'));
    } finally {
      await storage.close();
    }
  });
});
