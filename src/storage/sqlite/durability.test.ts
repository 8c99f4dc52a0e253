/**
 * Acknowledged sqlite writes survive `kill -9` of the writing process, in both sync modes: a
 * child writes in a loop and prints each acknowledged key; the test kills it mid-stream, reopens
 * the database and checks every acknowledged key is there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStorage } from '../index.ts';

const writer = join(import.meta.dirname, 'durability-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'flotilla-durability-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `acks` keys, kills it with SIGKILL, returns the keys. */
async function writeThenKill(url: string, acks: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--no-warnings', writer, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keys: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    keys.push(...lines);
    if (keys.length >= acks) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const signal = await exited;
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `writer ended on its own: ${stderr}`);
  assert.ok(keys.length >= acks, `writer acknowledged only ${keys.length} keys: ${stderr}`);
  return keys;
}

describe('sqlite durability', () => {
  for (const [mode, query, acks] of [
    ['synchronous=NORMAL (default)', '', 3000],
    ['synchronous=FULL', '?sync=full', 300],
  ] as const) {
    it(`every acknowledged write survives kill -9 with ${mode}`, async () => {
      const url = `sqlite://${join(dir, `${query === '' ? 'normal' : 'full'}.db`)}${query}`;
      const acked = await writeThenKill(url, acks);
      const storage = await openStorage(url);
      try {
        const { items } = await storage.list('/durable/');
        const present = new Set(items.map((i) => i.key));
        const missing = acked.filter((k) => !present.has(k));
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged keys lost`);
        // Revisions continue after the recovered ones: the first write was revision 2.
        assert.equal(await storage.currentRevision(), items.length + 1);
        const next = await storage.create('/after-crash', 'ok');
        assert.equal(next.modRevision, items.length + 2);
      } finally {
        await storage.close();
      }
    });
  }
});
