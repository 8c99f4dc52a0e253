import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../tests/helpers/apiserver.ts';
import type { Cluster, PropagationPolicy, ResourceBinding } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { waitFor } from '../controllers/testing/wait.ts';
import { type RunningDashboard, startDashboard } from './index.ts';

const ADMIN = 'admin-token';
const READER = 'reader-token';

// biome-ignore lint/suspicious/noExplicitAny: views are checked field by field
type Json = any;

/** Reads an SSE stream into `events` until aborted. */
function listen(url: string, token: string, signal: AbortSignal): { name: string; data: Json }[] {
  const events: { name: string; data: Json }[] = [];
  void (async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
    const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return;
      buffer += chunk.value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (name && data) events.push({ name, data: JSON.parse(data) });
      }
    }
  })().catch(() => {});
  return events;
}

describe('dashboard server against a real API server', () => {
  let t: TestServer;
  let client: Client;
  let dashboard: RunningDashboard;
  const get = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${dashboard.url}${path}`, {
      ...init,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  before(async () => {
    t = await startTestServer({
      authenticate: (token) =>
        token === ADMIN
          ? { name: 'admin', groups: ['system:masters'] }
          : token === READER
            ? { name: 'reader', groups: [] }
            : undefined,
      // As RBAC: nothing for anonymous requests, no Clusters for the reader.
      authorize: (user, req) =>
        user.name === 'system:anonymous'
          ? 'anonymous requests are not allowed'
          : user.name === 'reader' && req.resource === 'clusters'
            ? 'reader may not read clusters'
            : undefined,
    });
    client = new Client({ kubeConfig: kubeConfigFromUrl({ server: t.url, token: ADMIN }) });
    await client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'karmada-es-member1' },
    });
    const cluster = await client.create<Cluster>(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member1' },
      spec: { syncMode: 'Pull', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    await client.updateStatus(resources.clusters, {
      ...cluster,
      status: {
        kubernetesVersion: 'v1.32.4',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ClusterReady',
            message: 'ok',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
        resourceSummary: { allocatable: { cpu: '8', pods: '110' }, allocated: { cpu: '2500m', pods: '10' } },
      },
    });
    const policy = await client.create<PropagationPolicy>(resources.propagationpolicies, {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'web-pp', namespace: 'default' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }] },
    });
    await client.create<KubeObject>(resources.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { 'propagationpolicy.karmada.io/permanent-id': policy.metadata.uid ?? 'x' },
        annotations: {
          'propagationpolicy.karmada.io/namespace': 'default',
          'propagationpolicy.karmada.io/name': 'web-pp',
        },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'web' }] },
        },
      },
    });
    const rb = await client.create<ResourceBinding>(resources.resourcebindings, {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'web-deployment', namespace: 'default' },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' },
        replicas: 2,
        clusters: [{ name: 'member1', replicas: 2 }],
      },
    });
    await client.updateStatus(resources.resourcebindings, {
      ...rb,
      status: {
        aggregatedStatus: [
          { clusterName: 'member1', applied: true, health: 'Healthy', status: { readyReplicas: 1 } },
        ],
      },
    });
    dashboard = await startDashboard({
      kubeConfig: kubeConfigFromUrl({ server: t.url, token: ADMIN }),
      port: 0,
      trafficIntervalMs: 100,
    });
  });

  after(async () => {
    await dashboard?.close();
    await client?.close();
    await t?.close();
  });

  it("passes the API server's 401 and 403 through and lets the admin in", async () => {
    const none = await get('/api/views/clusters');
    assert.equal(none.status, 401);
    assert.equal((await none.json()).reason, 'Unauthorized');
    assert.equal((await get('/api/views/clusters', 'nope')).status, 401);
    const reader = await get('/api/views/clusters', READER);
    assert.equal(reader.status, 403);
    assert.match(
      (await reader.json()).message,
      /User "reader" cannot list resource "clusters".*reader may not read clusters/,
    );
    assert.equal((await get('/api/events', READER)).status, 403);
    assert.equal((await get('/api/views/clusters', ADMIN)).status, 200);
  });

  it('builds the views from the caches: cluster capacity and taints, cells, claims', async () => {
    const clusters: Json = await waitFor('the cluster in the view', async () => {
      const v = await (await get('/api/views/clusters', ADMIN)).json();
      return v.clusters.length === 1 ? v : undefined;
    });
    const c = clusters.clusters[0];
    assert.equal(c.mode, 'Pull');
    assert.equal(c.ready, 'True');
    assert.deepEqual(c.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.deepEqual(c.capacity[0], { resource: 'cpu', allocatable: 8, used: 2.5, free: 5.5 });
    assert.deepEqual(c.history, [{ at: '2026-01-01T00:00:00Z', status: 'True', reason: 'ClusterReady' }]);

    const placement = await (await get('/api/views/placement', ADMIN)).json();
    assert.deepEqual(placement.policies, ['PropagationPolicy default/web-pp']);
    const row = placement.rows[0];
    assert.equal(row.id, 'default/Deployment/web');
    assert.deepEqual(row.cells, [
      { cluster: 'member1', replicas: 2, ready: 1, applied: true, health: 'Healthy', state: 'progressing' },
    ]);

    const policies: Json = await waitFor('the claim in the policies view', async () => {
      const v = await (await get('/api/views/policies', ADMIN)).json();
      return v.policies[0]?.templates.length === 1 ? v : undefined;
    });
    assert.equal(policies.policies[0].templates[0].name, 'web');
  });

  it('pushes a changed view over the event stream, and a readiness transition into the history', async () => {
    const abort = new AbortController();
    const events = listen(`${dashboard.url}/api/events`, ADMIN, abort.signal);
    try {
      await waitFor('the first views', () => (events.some((e) => e.name === 'placement') ? true : undefined));
      assert.deepEqual(
        new Set(events.map((e) => e.name)),
        new Set(['clusters', 'placement', 'policies', 'traffic']),
      );
      const rb = await client.get<ResourceBinding>(resources.resourcebindings, {
        name: 'web-deployment',
        namespace: 'default',
      });
      await client.updateStatus(resources.resourcebindings, {
        ...rb,
        status: {
          aggregatedStatus: [
            { clusterName: 'member1', applied: true, health: 'Healthy', status: { readyReplicas: 2 } },
          ],
        },
      });
      await waitFor('the ready cell', () =>
        events.some((e) => e.name === 'placement' && e.data.rows[0]?.cells[0]?.state === 'ready')
          ? true
          : undefined,
      );
      const cluster = await client.get<Cluster>(resources.clusters, { name: 'member1' });
      await client.updateStatus(resources.clusters, {
        ...cluster,
        status: {
          ...cluster.status,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ClusterNotReachable',
              message: 'down',
              lastTransitionTime: '2026-01-01T00:05:00Z',
            },
          ],
        },
      });
      const down: Json = await waitFor('the cluster going down', () =>
        events.findLast((e) => e.name === 'clusters' && e.data.clusters[0]?.ready === 'False'),
      );
      assert.deepEqual(
        down.data.clusters[0].history.map((h: { status: string; at: string }) => `${h.status}@${h.at}`),
        ['True@2026-01-01T00:00:00Z', 'False@2026-01-01T00:05:00Z'],
      );
    } finally {
      abort.abort();
    }
  });

  it('explains a workload with the same text as flotilla explain', async () => {
    const res = await get(
      '/api/explain?apiVersion=apps/v1&kind=Deployment&namespace=default&name=web',
      ADMIN,
    );
    assert.equal(res.status, 200);
    const model = await res.json();
    const { runExplain } = await import('../cli/explain.ts');
    assert.deepEqual(model.text, await runExplain(client, 'deployment/web', 'default'));
    assert.equal(model.policy.claimedBy, 'PropagationPolicy default/web-pp');
    assert.equal(model.scheduling.binding, 'default/web-deployment');
    const missing = await get(
      '/api/explain?apiVersion=apps/v1&kind=Deployment&namespace=default&name=gone',
      ADMIN,
    );
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).message, /deployment\/gone not found/);
  });

  it('answers bad requests with a Status naming the fields, and serves only web/ files', async () => {
    const bad = await (await get('/api/explain?kind=Deployment', ADMIN)).json();
    assert.equal(bad.code, 400);
    assert.deepEqual(
      bad.details.causes.map((c: { field: string }) => c.field),
      ['apiVersion', 'name'],
    );
    assert.equal((await get('/api/views/nope', ADMIN)).status, 404);
    assert.equal((await get('/api/views/clusters', ADMIN, { method: 'POST' })).status, 405);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/.hidden.js', '/nothing.js']) {
      assert.equal((await get(path)).status, 404, path);
    }
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="app.js">/);
  });

  it('says when no mesh metrics endpoint is known', async () => {
    const traffic = await (await get('/api/views/traffic', ADMIN)).json();
    assert.equal(traffic.source.state, 'none');
    assert.deepEqual(traffic.edges, []);
  });
});
