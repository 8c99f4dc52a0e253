/**
 * Machine-wide leases on local-cluster indexes. A process-runtime cluster binds real loopback
 * addresses (pods in 127.<10+i>.0.0/16, Services in 127.<100+i>.0.0/16), so two clusters on one
 * machine — two `flotilla up` state dirs, or tests running side by side — must not share an
 * index. A lease is a file in the temp directory holding the owner's pid, created exclusively;
 * a lease whose owner is dead is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MAX_INDEX = 89;

export interface IndexLease {
  index: number;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leases the first free index at or after `preferred` (wrapping around); throws when all are taken. */
export function leaseClusterIndex(
  preferred: number,
  dir = path.join(os.tmpdir(), 'flotilla-cluster-indexes'),
): IndexLease {
  fs.mkdirSync(dir, { recursive: true });
  for (let step = 0; step <= MAX_INDEX; step++) {
    const index = (preferred + step) % (MAX_INDEX + 1);
    const file = path.join(dir, String(index));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return {
          index,
          release: () => {
            try {
              if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
            } catch {
              // already gone
            }
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(fs.readFileSync(file, 'utf8'));
        if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && alive(owner))) break;
        fs.rmSync(file, { force: true }); // its owner died: take it over
      }
    }
  }
  throw new Error(`every local cluster index (0…${MAX_INDEX}) is in use on this machine`);
}
