/**
 * A record on disk of every process group the runtime started, so a runtime that starts after a
 * crash of its predecessor can kill the orphans. A record is trusted only when the process's start
 * time (Linux `/proc/<pid>/stat`) still matches, so a reused pid is never killed.
 */
import fs from 'node:fs';
import path from 'node:path';

function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Process groups by container ID, one small file each under `dir`. */
export class PidRegistry {
  readonly dir: string;

  /** Uses (and creates) `dir`. */
  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Records that container `id` runs as process group `pid`. */
  add(id: string, pid: number): void {
    try {
      fs.writeFileSync(path.join(this.dir, id), `${pid} ${startTime(pid) ?? ''}`);
    } catch {
      // best effort: only orphan clean-up after a crash depends on it
    }
  }

  /** Forgets container `id`. */
  remove(id: string): void {
    fs.rmSync(path.join(this.dir, id), { force: true });
  }

  /** SIGKILLs every recorded group whose leader is still the process recorded; returns how many. */
  reap(): number {
    let killed = 0;
    for (const id of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, id);
      const [pidText = '', recorded = ''] = fs.readFileSync(file, 'utf8').split(' ');
      const pid = Number(pidText);
      if (pid > 0 && recorded !== '' && startTime(pid) === recorded) {
        try {
          process.kill(-pid, 'SIGKILL');
          killed++;
        } catch {
          // already gone
        }
      }
      fs.rmSync(file, { force: true });
    }
    return killed;
  }
}
