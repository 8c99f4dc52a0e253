/** The client over HTTPS with a bearer token: CA trust from the kubeconfig, 401 without a token. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reasonOf } from '../api/errors.ts';
import { startApiServer } from '../apiserver/index.ts';
import { createTokenAuthenticator, ensureTokenFile } from '../cli/tokens.ts';
import { Informer } from '../controller/informer.ts';
import { ensurePki } from '../pki/index.ts';
import { openStorage } from '../storage/index.ts';
import { Client } from './client.ts';
import { kubeConfigFromFile, kubeConfigFromUrl } from './kubeconfig.ts';
import { resources } from './resources.ts';

describe('Client over HTTPS', () => {
  it('trusts the CA, sends the bearer token, and watches through an informer', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-tls-'));
    const pki = await ensurePki(join(dir, 'pki'));
    const { entries, adminToken } = await ensureTokenFile(join(dir, 'tokens.csv'));
    const storage = await openStorage('memory://');
    const server = await startApiServer({
      storage,
      port: 0,
      tls: pki.serving,
      authenticate: createTokenAuthenticator(entries),
    });
    t.after(async () => {
      await server.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    });
    assert.match(server.url, /^https:/);

    const client = new Client({
      kubeConfig: kubeConfigFromUrl({ server: server.url, token: adminToken, caData: pki.caCert }),
    });
    t.after(() => client.close());
    const ns = await client.get(resources.namespaces, { name: 'default' });
    assert.equal(ns.metadata.name, 'default');

    const informer = new Informer({ client, resource: resources.configmaps, namespace: 'default' });
    const added: string[] = [];
    informer.addHandlers({ onAdd: (o) => added.push(o.metadata.name ?? '') });
    informer.start();
    t.after(() => informer.stop());
    await informer.waitForSync();
    await client.create(resources.configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'over-tls', namespace: 'default' },
    });
    const end = Date.now() + 5000;
    while (!added.includes('over-tls') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(added, ['over-tls']);

    // The same through a kubeconfig file with the CA embedded.
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: server.url,
              'certificate-authority-data': Buffer.from(pki.caCert).toString('base64'),
            },
          },
        ],
        users: [{ name: 'u', user: { token: adminToken } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const fromFile = new Client({ kubeConfig: kubeConfigFromFile(kubeconfig) });
    t.after(() => fromFile.close());
    assert.equal(
      (await fromFile.get(resources.configmaps, { namespace: 'default', name: 'over-tls' })).kind,
      'ConfigMap',
    );

    const anonymous = new Client({
      kubeConfig: kubeConfigFromUrl({ server: server.url, caData: pki.caCert }),
    });
    t.after(() => anonymous.close());
    await assert.rejects(
      anonymous.get(resources.namespaces, { name: 'default' }),
      (err) => reasonOf(err) === 'Unauthorized',
    );

    const untrusting = new Client({
      kubeConfig: kubeConfigFromUrl({ server: server.url, token: adminToken }),
    });
    t.after(() => untrusting.close());
    await assert.rejects(untrusting.get(resources.namespaces, { name: 'default' }), (err) => {
      assert.equal(reasonOf(err), undefined, 'a TLS failure is not an API error');
      return true;
    });
  });
});
