/**
 * `kill -9` of the API server during a stream of writes loses no acknowledged write: a restart on
 * the same sqlite store serves them all, and a watch resumes from a resourceVersion taken before
 * the crash.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const stderrs = new WeakMap<ChildProcess, string[]>();

function stderrOf(child: ChildProcess): string {
  return (stderrs.get(child) ?? []).join('').slice(-2000);
}

function startServer(dir: string, port: number): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      join(ROOT, 'src/cmd/flotilla.ts'),
      'apiserver',
      '--insecure-http',
      '--port',
      String(port),
      '--state-dir',
      dir,
      '--store',
      `sqlite://${join(dir, 'store.db')}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines: string[] = [];
  stderrs.set(child, lines);
  child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
  return child;
}

async function waitReady(url: string): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crash safety', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write across kill -9, and watches resume', async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = startServer(dir, port);
    children.push(first);
    await waitReady(url);
    const list = await (await fetch(`${url}/api/v1/namespaces/default/configmaps`)).json();
    const startRv = list.metadata.resourceVersion as string;

    const acked: string[] = [];
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        try {
          const r = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name },
              data: { i: String(i) },
            }),
          });
          if (r.status === 201) acked.push(name);
          await r.body?.cancel();
        } catch {
          if (stop) return; // the server died under us, as intended
          await new Promise((r) => setTimeout(r, 20)); // a transient failure under load: try again
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    const writeDeadline = Date.now() + 60_000;
    while (acked.length < 400) {
      if (Date.now() > writeDeadline || first.exitCode !== null) {
        stop = true;
        throw new Error(
          `only ${acked.length} writes acknowledged before the deadline; server stderr:\n${stderrOf(first)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    first.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    // The exit may already have happened while the writers wound down.
    if (first.exitCode === null && first.signalCode === null) await new Promise((r) => first.once('exit', r));
    assert.ok(acked.length >= 400);

    const second = startServer(dir, port);
    children.push(second);
    await waitReady(url);
    const after = await (await fetch(`${url}/api/v1/namespaces/default/configmaps`)).json();
    const present = new Set((after.items as { metadata: { name: string } }[]).map((i) => i.metadata.name));
    const lost = acked.filter((n) => !present.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);

    // A watch from before the crash replays every write since.
    const ac = new AbortController();
    const res = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${startRv}`,
      { signal: ac.signal },
    );
    const seen = new Set<string>();
    let buf = '';
    const deadline = setTimeout(() => ac.abort(), 15_000);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const e = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (e.type === 'ADDED') seen.add(e.object.metadata.name);
        }
        if (acked.every((n) => seen.has(n))) break;
      }
    } catch {
      // aborted on deadline
    } finally {
      clearTimeout(deadline);
      ac.abort();
    }
    const missing = acked.filter((n) => !seen.has(n));
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes missing from the resumed watch`);
    second.kill('SIGTERM');
  });
});
