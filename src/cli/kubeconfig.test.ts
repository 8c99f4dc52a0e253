import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { formatKubeconfig, parseKubeconfig, readKubeconfig, writeKubeconfig } from './kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const spec = { name: 'karmada-apiserver', server: 'https://127.0.0.1:5443', caCert: CA, token: 'secret' };

describe('kubeconfig', () => {
  it('has the fields kubectl needs and no insecure-skip-tls-verify', () => {
    const doc = parse(formatKubeconfig(spec));
    assert.equal(doc['current-context'], 'karmada-apiserver');
    assert.deepEqual(doc.contexts, [
      {
        name: 'karmada-apiserver',
        context: { cluster: 'karmada-apiserver', user: 'karmada-apiserver-admin', namespace: 'default' },
      },
    ]);
    assert.deepEqual(doc.clusters[0], {
      name: 'karmada-apiserver',
      cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(CA).toString('base64') },
    });
    assert.deepEqual(doc.users[0], { name: 'karmada-apiserver-admin', user: { token: 'secret' } });
    assert.doesNotMatch(formatKubeconfig(spec), /insecure/);
  });

  it('parses back what it writes', () => {
    assert.deepEqual(parseKubeconfig(formatKubeconfig(spec)), {
      ...spec,
      namespace: 'default',
      user: 'karmada-apiserver-admin',
    });
  });

  it('follows current-context among several', () => {
    const text = `
apiVersion: v1
kind: Config
current-context: b
clusters:
- {name: ca, cluster: {server: "https://a:1"}}
- {name: cb, cluster: {server: "https://b:2"}}
users:
- {name: ub, user: {token: tb}}
contexts:
- {name: a, context: {cluster: ca, user: ub}}
- {name: b, context: {cluster: cb, user: ub, namespace: prod}}
`;
    assert.deepEqual(parseKubeconfig(text), {
      name: 'b',
      server: 'https://b:2',
      namespace: 'prod',
      token: 'tb',
      user: 'ub',
    });
  });

  it('throws on a kubeconfig without a usable current context', () => {
    assert.throws(() => parseKubeconfig('apiVersion: v1\nkind: Config\n'), /no current context/);
    assert.throws(
      () => parseKubeconfig('current-context: x\ncontexts: [{name: x, context: {cluster: nope}}]\n'),
      /no cluster server/,
    );
  });

  it('writes with mode 0600 and reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-kubeconfig-'));
    try {
      const path = join(dir, 'sub', 'karmada-apiserver.config');
      await writeKubeconfig(path, spec);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await readKubeconfig(path)).token, 'secret');
      assert.match(await readFile(path, 'utf8'), /certificate-authority-data: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
