import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { leaseClusterIndex } from './index-lease.ts';

describe('cluster index leases', () => {
  it('gives clusters on one machine distinct indexes, reuses released ones and takes over dead owners', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-lease-'));
    try {
      const a = leaseClusterIndex(0, dir);
      const b = leaseClusterIndex(0, dir);
      assert.equal(a.index, 0);
      assert.equal(b.index, 1);
      a.release();
      const c = leaseClusterIndex(0, dir);
      assert.equal(c.index, 0);
      // A lease left by a process that no longer exists is taken over.
      const dead = spawnSync(process.execPath, [
        '-e',
        'process.stdout.write(String(process.pid))',
      ]).stdout.toString();
      writeFileSync(join(dir, '5'), dead);
      assert.equal(leaseClusterIndex(5, dir).index, 5);
      b.release();
      c.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
