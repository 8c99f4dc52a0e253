/**
 * `flotilla join` / `flotilla unjoin` through the real CLI, against a control plane whose
 * kubeconfig sits in the state directory and a member API server, with the federation
 * controllers running so the joined cluster turns Ready and unjoin's cleanup completes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../../src/api/karmada/types.ts';
import { Client } from '../../src/client/client.ts';
import { kubeConfigFromUrl } from '../../src/client/kubeconfig.ts';
import { resources } from '../../src/client/resources.ts';
import { waitFor } from '../../src/controllers/testing/wait.ts';
import { type RunningFederation, startFederationControllers } from '../../src/federation/index.ts';
import { TEST_HEALTH } from '../../src/federation/testing.ts';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

const CLI = resolve(import.meta.dirname, '../../src/cmd/flotilla.ts');

function flotilla(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('flotilla join / unjoin', { timeout: 120_000 }, () => {
  let plane: TestServer;
  let memberServer: TestServer;
  let client: Client;
  let federation: RunningFederation;
  let dir: string;

  before(async () => {
    plane = await startTestServer();
    memberServer = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'flotilla-join-'));
    await copyFile(plane.kubeconfig, join(dir, 'karmada-apiserver.config'));
    client = new Client({ kubeConfig: kubeConfigFromUrl({ server: plane.url }) });
    federation = await startFederationControllers({ client, health: TEST_HEALTH });
  });
  after(async () => {
    await federation?.stop();
    await client?.close();
    await memberServer?.close();
    await plane?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('joins a cluster, refuses a second join, and unjoins it', async () => {
    const args = ['join', 'member1', '--kubeconfig', memberServer.kubeconfig, '--state-dir', dir];
    const first = await flotilla([...args, '--region', 'eu', '--zones', 'a,b', '--labels', 'env=dev']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'cluster(member1) is joined successfully');
    const c = await waitFor('member1 Ready', async () => {
      const c = await client.get<Cluster>(resources.clusters, { name: 'member1' });
      return c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? c : undefined;
    });
    assert.deepEqual(
      [c.spec.syncMode, c.spec.apiEndpoint, c.spec.region, c.spec.zones, c.metadata.labels?.env],
      ['Push', memberServer.url, 'eu', ['a', 'b'], 'dev'],
    );

    const again = await flotilla(args);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim().split('\n').length, 1);
    assert.match(again.stderr, /^flotilla: cluster "member1" is already joined/);

    const gone = await flotilla(['unjoin', 'member1', '--state-dir', dir]);
    assert.equal(gone.code, 0, gone.stderr);
    await assert.rejects(client.get(resources.clusters, { name: 'member1' }), /not found/);
    await assert.rejects(client.get(resources.namespaces, { name: 'karmada-es-member1' }), /not found/);

    const twice = await flotilla(['unjoin', 'member1', '--state-dir', dir]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^flotilla: cluster "member1" is not joined/);
  });

  it('rejects a join without --kubeconfig as a usage error', async () => {
    const r = await flotilla(['join', 'x', '--state-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /join needs --kubeconfig FILE/);
  });
});
