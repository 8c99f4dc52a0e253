/**
 * `kubectl get -w` streams rows as objects change, over a Table watch.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

describe('kubectl get -w', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('prints the list, then a row for each change', async () => {
    await t.request('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'first' },
      data: { a: '1' },
    });
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        t.kubeconfig,
        '--cache-dir',
        join(t.dir, 'cache'),
        'get',
        'configmaps',
        '-w',
        '--output-watch-events',
      ],
      {
        env: { ...process.env, HOME: t.dir },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (re: RegExp): Promise<void> => {
      const end = Date.now() + 15_000;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(/first/);
      assert.match(out.split('\n')[0]!, /^EVENT\s+NAME\s+DATA\s+AGE$/);
      await t.request('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'second' },
        data: { a: '1', b: '2' },
      });
      await until(/ADDED\s+second\s+2\s+\d+s/);
      await t.request('DELETE', '/api/v1/namespaces/default/configmaps/first');
      await until(/DELETED\s+first\s+1\s+\d+s/);
    } finally {
      child.kill();
    }
  });
});
