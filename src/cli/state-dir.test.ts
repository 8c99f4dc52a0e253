import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runDown } from './down.ts';
import { isAlive, readPidFile, removePidFile, runningPid, statePaths, writePidFile } from './state-dir.ts';

describe('state dir pid file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ignores a missing, garbled, own or dead pid', async () => {
    const paths = statePaths(dir);
    assert.equal(await runningPid(paths), undefined);
    await writeFile(paths.pid, 'not a pid\n');
    assert.equal(await readPidFile(paths), undefined);
    await writePidFile(paths, process.pid);
    assert.equal(await runningPid(paths), undefined);
    await writePidFile(paths, 2 ** 22 + 12345);
    assert.equal(await runningPid(paths), undefined);
  });

  it('removes the pid file only while it names the given pid', async () => {
    const paths = statePaths(dir);
    await writePidFile(paths, 42);
    await removePidFile(paths, 43);
    assert.equal(await readPidFile(paths), 42);
    await removePidFile(paths, 42);
    assert.equal(await readPidFile(paths), undefined);
  });

  it('down leaves a live process that is not flotilla alone (recycled pid)', async () => {
    const paths = statePaths(dir);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => sleeper.once('spawn', resolve));
      await writePidFile(paths, sleeper.pid ?? 0);
      const lines: string[] = [];
      const code = await runDown({
        paths,
        terminal: { out: (l) => lines.push(l), err: (l) => lines.push(l) },
      });
      assert.equal(code, 0);
      assert.match(lines.join('\n'), /nothing is running/);
      assert.ok(isAlive(sleeper.pid ?? 0));
    } finally {
      sleeper.kill();
    }
  });
});
