import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import type { KubeObject } from '../../api/meta.ts';
import { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { resources } from '../../client/resources.ts';
import { waitFor } from '../../controllers/testing/wait.ts';
import type { MeshInput } from '../input.ts';
import type { CompiledMesh, Diagnostic } from '../routing/types.ts';
import { MeshController } from './controller.ts';

// The controller is tested against real API servers (a control plane and two members) with a
// stand-in compiler that reports what it was given: which endpoints each service has, and which
// subset each VirtualService routes to, flagging subsets no DestinationRule defines.
interface Echo extends CompiledMesh {
  endpoints: Record<string, string[]>;
  routes: Record<string, string>;
}

function echoCompile(input: MeshInput): CompiledMesh {
  const subsets = new Set(
    input.destinationRules.flatMap((dr) => (dr.spec?.subsets ?? []).map((s: { name: string }) => s.name)),
  );
  const diagnostics: Diagnostic[] = [];
  const routes: Record<string, string> = {};
  for (const vs of input.virtualServices) {
    const subset = String(vs.spec?.http?.[0]?.route?.[0]?.destination?.subset ?? '');
    if (subset !== '' && !subsets.has(subset)) {
      diagnostics.push({
        kind: 'VirtualService',
        namespace: vs.metadata.namespace ?? '',
        name: vs.metadata.name ?? '',
        field: 'spec.http[0].route[0].destination.subset',
        message: `subset "${subset}" is not defined`,
      });
      continue;
    }
    routes[vs.metadata.name ?? ''] = subset;
  }
  const endpoints: Record<string, string[]> = {};
  for (const s of input.services)
    endpoints[s.hostname] = s.endpoints.map((e) => `${e.cluster}/${e.address}/${e.labels.version ?? ''}`);
  const echo: Echo = { gatewayServers: [], mesh: [], clusters: {}, diagnostics, endpoints, routes };
  return echo;
}

function client(url: string): Client {
  return new Client({ kubeConfig: kubeConfigFromUrl({ server: url }), qps: Number.POSITIVE_INFINITY });
}

async function addEndpoint(c: Client, name: string, ip: string, version: string): Promise<void> {
  const pod = `reviews-${version}-abc12-${name}`;
  await c.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace: 'default', labels: { app: 'reviews', version } },
    spec: { containers: [{ name: 'reviews', image: 'reviews' }] },
  });
  await c.create(resources.endpointslices, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `reviews-${name}`,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'reviews' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
    endpoints: [{ addresses: [ip], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod } }],
  });
}

describe('MeshController', () => {
  let plane: TestServer;
  let cp: Client;
  const members: Array<{ server: TestServer; client: Client }> = [];
  const published: Echo[] = [];
  let controller: MeshController;
  const last = () => published[published.length - 1];

  before(async () => {
    plane = await startTestServer();
    cp = client(plane.url);
    await cp.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'karmada-cluster' },
    });
    for (const [i, name] of ['member1', 'member2'].entries()) {
      const server = await startTestServer();
      const c = client(server.url);
      members.push({ server, client: c });
      await c.create(resources.services, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
      });
      await cp.create(resources.secrets, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: 'karmada-cluster' },
        data: { token: Buffer.from(`token-${i}`).toString('base64') },
      });
      await cp.create(resources.clusters, {
        apiVersion: 'cluster.karmada.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name },
        spec: {
          apiEndpoint: server.url,
          syncMode: i === 0 ? 'Push' : 'Pull',
          secretRef: { namespace: 'karmada-cluster', name },
          region: `region-${i + 1}`,
        },
      });
    }
    await addEndpoint(members[0]!.client, 'm1', '127.10.0.5', 'v1');
    await addEndpoint(members[1]!.client, 'm2', '127.11.0.7', 'v3');
    controller = new MeshController({
      client: cp,
      compile: echoCompile,
      publish: (mesh) => published.push(mesh as Echo),
      debounceMs: 50,
      memberSyncGraceMs: 500,
    });
    await controller.start();
  });

  after(async () => {
    await controller?.stop();
    for (const m of members) {
      await m.client.close();
      await m.server.close();
    }
    await cp?.close();
    await plane?.close();
  });

  it('merges the same Service of every member (Push and Pull) into one with the union of endpoints', async () => {
    assert.deepEqual(controller.members, ['member1', 'member2']);
    await waitFor(
      'endpoints of both members',
      () => last()?.endpoints['reviews.default.svc.cluster.local']?.length === 2,
    );
    assert.deepEqual(last()?.endpoints['reviews.default.svc.cluster.local'], [
      'member1/127.10.0.5/v1',
      'member2/127.11.0.7/v3',
    ]);
  });

  it('publishes a new endpoint within moments, coalescing bursts and skipping unchanged results', async () => {
    const before = published.length;
    await addEndpoint(members[1]!.client, 'm2b', '127.11.0.8', 'v2');
    await waitFor('the new endpoint', () =>
      last()?.endpoints['reviews.default.svc.cluster.local']?.includes('member2/127.11.0.8/v2'),
    );
    // A pod add and a slice add arrive together: at most two compiles publish.
    assert.ok(published.length - before <= 2, `published ${published.length - before} times`);
    const settled = published.length;
    await members[1]!.client.patch(resources.services, {
      namespace: 'default',
      name: 'reviews',
      type: 'merge',
      patch: { metadata: { annotations: { note: 'no effect on the mesh' } } },
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(published.length, settled, 'an identical compile result is not published again');
  });

  it('keeps the last valid VirtualService when an update is invalid, and reports it on status and as an Event', async () => {
    await cp.create(resources.destinationrules, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    });
    const vs = (subset: string): KubeObject => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
    });
    await cp.create(resources.virtualservices, vs('v1'));
    await waitFor('route to v1', () => last()?.routes.reviews === 'v1');
    await cp.apply(resources.virtualservices, vs('v9'), {
      namespace: 'default',
      fieldManager: 'test',
      force: true,
    });
    const status = await waitFor('validationMessages', async () => {
      const got = await cp.get(resources.virtualservices, { namespace: 'default', name: 'reviews' });
      return got.status?.validationMessages?.length > 0 ? got.status : undefined;
    });
    assert.deepEqual(status.validationMessages, [
      {
        level: 'ERROR',
        type: { name: 'InvalidConfig' },
        field: 'spec.http[0].route[0].destination.subset',
        message: 'subset "v9" is not defined',
      },
    ]);
    assert.equal(status.conditions[0].status, 'False');
    assert.equal(last()?.routes.reviews, 'v1', 'the last valid version stays in force');
    const events = await waitFor('a Warning event', async () => {
      const list = await cp.list(resources.events, { namespace: 'default' });
      return list.items.find((e) => e.reason === 'InvalidConfig' && e.involvedObject?.name === 'reviews');
    });
    assert.match(events.message, /subset "v9" is not defined; its last valid version stays in force/);
    assert.equal(events.type, 'Warning');

    await cp.patch(resources.destinationrules, {
      namespace: 'default',
      name: 'reviews',
      type: 'merge',
      patch: {
        spec: {
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v9', labels: {} },
          ],
        },
      },
    });
    await waitFor('route to v9', () => last()?.routes.reviews === 'v9');
    const cleared = await waitFor('messages cleared', async () => {
      const got = await cp.get(resources.virtualservices, { namespace: 'default', name: 'reviews' });
      return got.status?.validationMessages?.length === 0 ? got.status : undefined;
    });
    assert.equal(cleared.conditions[0].status, 'True');
  });

  it('reports a member it cannot reach as an Event on its Cluster, and keeps serving the others', async () => {
    await cp.create(resources.clusters, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member3' },
      // Nothing listens there: the watch keeps retrying, the mesh goes on without it.
      spec: { apiEndpoint: 'http://127.0.0.1:9', syncMode: 'Pull' },
    });
    const event = await waitFor('MeshEndpointsUnavailable', async () => {
      const list = await cp.list(resources.events, { namespace: 'default' });
      return list.items.find(
        (e) => e.reason === 'MeshEndpointsUnavailable' && e.involvedObject?.name === 'member3',
      );
    });
    assert.match(
      event.message,
      /cannot list this cluster's Services and EndpointSlices at http:\/\/127\.0\.0\.1:9/,
    );
    assert.ok(controller.members.includes('member3'));
    assert.equal(last()?.routes.reviews, 'v9', 'the mesh still compiles');
    await cp.delete(resources.clusters, { name: 'member3' });
  });

  it('drops a member’s endpoints when its Cluster is deleted', async () => {
    await cp.delete(resources.clusters, { name: 'member1' });
    await waitFor('member1 gone', () =>
      last()?.endpoints['reviews.default.svc.cluster.local']?.every((e) => e.startsWith('member2/')),
    );
    assert.deepEqual(controller.members, ['member2']);
  });
});
