/**
 * Pull-mode registration and least privilege against the real control plane (`flotilla up`'s
 * API server: TLS, static and bootstrap tokens, client certificates, the authorizer, the CSR
 * signer): a bootstrap token buys a certificate for `system:karmada:agent:edge` through a CSR
 * after the CA hash is checked; with it the agent runs and its own Works apply, while another
 * cluster's execution namespace, another Cluster's status and every template answer 403 —
 * through the client and through real kubectl.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BootstrapError, discoverCa, requestAgentCertificate } from '../../src/agent/bootstrap.ts';
import { type RunningAgent, startAgent } from '../../src/agent/index.ts';
import { agentKubeconfigPath, writeAgentKubeconfig } from '../../src/agent/kubeconfig.ts';
import type { Cluster, Work } from '../../src/api/karmada/types.ts';
import { type RunningControlPlane, startControlPlane } from '../../src/cli/control-plane.ts';
import { statePaths } from '../../src/cli/state-dir.ts';
import { Client } from '../../src/client/client.ts';
import { kubeConfigFromFile, kubeConfigFromUrl } from '../../src/client/kubeconfig.ts';
import { resources } from '../../src/client/resources.ts';
import { waitFor } from '../../src/controllers/testing/wait.ts';
import { createBootstrapToken } from '../../src/controlplane/bootstrap-tokens.ts';
import { type RunningFederation, startFederationControllers } from '../../src/federation/index.ts';
import { conditionOf } from '../../src/federation/status-write.ts';
import { TEST_HEALTH } from '../../src/federation/testing.ts';
import { silentLogger } from '../../src/log/index.ts';
import { caCertHash } from '../../src/pki/index.ts';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

const work = (cluster: string, name: string) => ({
  apiVersion: 'work.karmada.io/v1alpha1',
  kind: 'Work',
  metadata: { name, namespace: `karmada-es-${cluster}` },
  spec: { workload: { manifests: [deployment(name)] } },
});

/** Asserts a 403 whose message names the user, the verb and the resource. */
async function forbidden(p: Promise<unknown>, verb: string, resource: string): Promise<void> {
  await assert.rejects(p, (err: Error & { code?: number }) => {
    assert.equal(err.code, 403, err.message);
    assert.match(err.message, /User "system:karmada:agent:edge" cannot /);
    assert.ok(err.message.includes(`cannot ${verb} resource "${resource}"`), err.message);
    return true;
  });
}

describe('agent registration and permissions (real control plane)', { timeout: 120_000 }, () => {
  let dir: string;
  let plane: RunningControlPlane;
  let admin: Client;
  let federation: RunningFederation;
  let member: TestServer;
  let ca: string;
  let token: string;
  let agentClient: Client;
  let agentConfig: string;
  let agent: RunningAgent | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-authz-'));
    plane = await startControlPlane({
      paths: statePaths(dir),
      storeUrl: 'memory://',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
    });
    admin = new Client({ kubeConfig: kubeConfigFromFile(plane.kubeconfigPath ?? '') });
    federation = await startFederationControllers({ client: admin, health: TEST_HEALTH });
    member = await startTestServer();
    token = (await createBootstrapToken(admin, { ttlMs: 3600_000 })).token;
    // Another cluster the agent must not touch.
    await admin.create(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'other' },
      spec: { syncMode: 'Push', apiEndpoint: 'https://127.0.0.1:1' },
    });
    await waitFor('karmada-es-other', () => admin.get(resources.namespaces, { name: 'karmada-es-other' }));
    await admin.create(resources.works, work('other', 'secret-app'));
  });
  after(async () => {
    await agent?.stop();
    await agentClient?.close();
    await federation?.stop();
    await admin?.close();
    await member?.close();
    await plane?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('discovers the CA from cluster-info only when its hash matches', async () => {
    const hash = caCertHash(plane.caCert ?? '');
    ca = await discoverCa({ server: plane.url, caCertHash: hash.toUpperCase().replace('SHA256', 'sha256') });
    assert.equal(ca, plane.caCert);
    await assert.rejects(
      discoverCa({ server: plane.url, caCertHash: `sha256:${'0'.repeat(64)}` }),
      (err) => err instanceof BootstrapError && err.code === 'CaHashMismatch',
    );
  });

  it('refuses the bootstrap identity everything but its certificate request', async () => {
    const boot = new Client({ kubeConfig: kubeConfigFromUrl({ server: plane.url, token, caData: ca }) });
    try {
      await assert.rejects(
        boot.list(resources.works, { namespace: 'karmada-es-other' }),
        /cannot list resource "works"/,
      );
      await assert.rejects(boot.list(resources.clusters), /403|Forbidden|cannot list/);
      const list = await boot.list(resources.certificatesigningrequests);
      assert.ok(Array.isArray(list.items));
    } finally {
      await boot.close();
    }
    const stranger = new Client({
      kubeConfig: kubeConfigFromUrl({ server: plane.url, token: 'abcdef.0123456789abcdef', caData: ca }),
    });
    await assert.rejects(
      stranger.list(resources.clusters),
      (err: Error & { code?: number }) => err.code === 401,
    );
    // A wrong token is 401 even where anonymous requests are allowed (kube-public/cluster-info).
    await assert.rejects(
      stranger.get(resources.configmaps, { namespace: 'kube-public', name: 'cluster-info' }),
      (err: Error & { code?: number }) => err.code === 401,
    );
    await stranger.close();
  });

  it('denies a bootstrap request for the name of a Push cluster', async () => {
    await assert.rejects(
      requestAgentCertificate({ server: plane.url, ca, token, cluster: 'other' }),
      (err) => err instanceof BootstrapError && err.code === 'Denied' && /Push cluster/.test(err.message),
    );
  });

  it('issues the agent a certificate through a CSR', async () => {
    const cert = await requestAgentCertificate({ server: plane.url, ca, token, cluster: 'edge' });
    assert.match(cert.cert, /BEGIN CERTIFICATE/);
    const csr = await admin.get(resources.certificatesigningrequests, { name: cert.csrName });
    assert.match(csr.spec.username, /^system:bootstrap:[a-z0-9]{6}$/);
    assert.ok(csr.status.conditions.some((c: { type: string }) => c.type === 'Approved'));
    agentConfig = agentKubeconfigPath(dir, 'edge');
    await writeAgentKubeconfig(agentConfig, { cluster: 'edge', server: plane.url, ca, ...cert });
    agentClient = new Client({ kubeConfig: kubeConfigFromFile(agentConfig) });
  });

  it("runs the agent on its credentials: registers edge and applies edge's Works", async () => {
    agent = await startAgent({
      controlPlane: agentClient,
      cluster: 'edge',
      memberKubeConfig: kubeConfigFromUrl({ server: member.url }),
      health: TEST_HEALTH,
    });
    await waitFor('edge Ready', async () => {
      const c = await admin.get<Cluster>(resources.clusters, { name: 'edge' });
      return conditionOf(c, 'Ready')?.status === 'True' ? c : undefined;
    });
    await waitFor('karmada-es-edge', () => admin.get(resources.namespaces, { name: 'karmada-es-edge' }));
    await agentClient.create(resources.works, work('edge', 'mine'));
    await waitFor('mine applied', async () => {
      const w = await agentClient.get<Work>(resources.works, { name: 'mine', namespace: 'karmada-es-edge' });
      return conditionOf(w, 'Applied')?.status === 'True' ? w : undefined;
    });
    const memberClient = new Client({ kubeConfig: kubeConfigFromUrl({ server: member.url }) });
    await memberClient.get(resources.deployments, { name: 'mine', namespace: 'default' });
    await memberClient.close();
    const lease = await admin.get(resources.leases, { name: 'edge', namespace: 'karmada-cluster' });
    assert.equal(lease.spec.holderIdentity, 'edge');
  });

  it("answers 403 for another cluster's execution namespace, another Cluster's status and templates", async () => {
    const other = { namespace: 'karmada-es-other' };
    await forbidden(agentClient.list(resources.works, other), 'list', 'works');
    await forbidden(agentClient.get(resources.works, { ...other, name: 'secret-app' }), 'get', 'works');
    await forbidden(agentClient.create(resources.works, work('other', 'evil')), 'create', 'works');
    await forbidden(agentClient.delete(resources.works, { ...other, name: 'secret-app' }), 'delete', 'works');
    const theirs = await admin.get<Cluster>(resources.clusters, { name: 'other' });
    await forbidden(agentClient.updateStatus(resources.clusters, theirs), 'update', 'clusters/status');
    await forbidden(agentClient.get(resources.clusters, { name: 'other' }), 'get', 'clusters');
    await forbidden(agentClient.list(resources.deployments, { namespace: 'default' }), 'list', 'deployments');
    await forbidden(agentClient.create(resources.deployments, deployment('sneaky')), 'create', 'deployments');
    await forbidden(
      agentClient.list(resources.propagationpolicies, { namespace: 'default' }),
      'list',
      'propagationpolicies',
    );
    await forbidden(agentClient.list(resources.secrets, { namespace: 'karmada-cluster' }), 'list', 'secrets');
    await forbidden(agentClient.list(resources.works), 'list', 'works');
    const status = await agentClient.get(resources.clusters, { name: 'edge' }).then(() => 'ok');
    assert.equal(status, 'ok');
  });

  it('shows the refusal through real kubectl', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        'kubectl',
        ['--kubeconfig', agentConfig, 'get', 'deployments', '-n', 'default'],
        { env: { ...process.env, HOME: dir }, timeout: 30_000 },
        (err, _out, stderr) => done({ code: err ? 1 : 0, stderr }),
      ),
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /deployments\.apps is forbidden: User "system:karmada:agent:edge" cannot list resource "deployments" in API group "apps" in the namespace "default"/,
    );
  });

  it("denies the agent a certificate for another cluster's identity", async () => {
    const { createCertificateRequest } = await import('../../src/pki/index.ts');
    const { csr } = await createCertificateRequest({
      commonName: 'system:karmada:agent:stolen',
      organizations: ['system:karmada:agents'],
    });
    await agentClient.create(resources.certificatesigningrequests, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'steal' },
      spec: {
        request: Buffer.from(csr).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['digital signature', 'client auth'],
        username: 'system:admin',
        groups: ['system:masters'],
      },
    });
    const denied = await waitFor('steal denied', async () => {
      const c = await admin.get(resources.certificatesigningrequests, { name: 'steal' });
      return c.status?.conditions?.find((x: { type: string }) => x.type === 'Denied');
    });
    assert.match(
      denied.message,
      /user "system:karmada:agent:edge" may not request a certificate for cluster "stolen"/,
    );
  });

  it('lets an admin approve any CSR with kubectl certificate approve; the signer issues only agent certificates', async () => {
    const { createCertificateRequest } = await import('../../src/pki/index.ts');
    const { csr } = await createCertificateRequest({
      commonName: 'alice',
      organizations: ['system:masters'],
    });
    await admin.create(resources.certificatesigningrequests, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'alice' },
      spec: {
        request: Buffer.from(csr).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['digital signature', 'client auth'],
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    const pending = await admin.get(resources.certificatesigningrequests, { name: 'alice' });
    assert.equal(pending.status?.conditions, undefined, 'the agent approver leaves other CSRs to an admin');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        'kubectl',
        ['--kubeconfig', plane.kubeconfigPath ?? '', 'certificate', 'approve', 'alice'],
        { env: { ...process.env, HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => done({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    const failed = await waitFor('alice refused by the signer', async () => {
      const c = await admin.get(resources.certificatesigningrequests, { name: 'alice' });
      return c.status?.conditions?.find((x: { type: string }) => x.type === 'Failed') ? c : undefined;
    });
    assert.ok(failed.status.conditions.some((x: { type: string }) => x.type === 'Approved'));
    assert.equal(failed.status.certificate, undefined);
  });

  it('refuses an expired bootstrap token and the cleaner removes it', async () => {
    const { removeExpiredTokens } = await import('../../src/controlplane/pull-mode.ts');
    const old = await createBootstrapToken(admin, { ttlMs: 3600_000, now: new Date(Date.now() - 7200_000) });
    const client = new Client({
      kubeConfig: kubeConfigFromUrl({ server: plane.url, token: old.token, caData: ca }),
    });
    await assert.rejects(
      client.list(resources.certificatesigningrequests),
      (err: Error & { code?: number }) => err.code === 401,
    );
    await client.close();
    assert.deepEqual(await removeExpiredTokens(admin), [old.id]);
    await assert.rejects(
      admin.get(resources.secrets, { namespace: 'kube-system', name: `bootstrap-token-${old.id}` }),
      /not found/,
    );
  });
});
