/**
 * A local cluster on the process runtime, driven through its API server: the Node and its Lease,
 * a pod bound to the node running Bookinfo's details service on its own IP, its status and
 * events, `pods/log` and its errors, a ClusterIP reaching the pod through the service proxy,
 * deletion killing the process, and `stop` leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../api/meta.ts';
import { resources } from '../client/resources.ts';
import { silentLogger } from '../log/index.ts';
import { type RunningLocalCluster, startLocalCluster } from './index.ts';

const DETAILS = 'docker.io/istio/examples-bookinfo-details-v1:1.20.1';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('local cluster (process runtime)', () => {
  let dir: string;
  let cluster: RunningLocalCluster;
  const pod = (name: string, containers: object[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { nodeName: cluster.nodeName, containers },
  });
  const get = (name: string) => cluster.client.get(resources.pods, { namespace: 'default', name });
  const ready = (name: string) =>
    until(`${name} Ready`, async () => {
      const p = await get(name);
      return p.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      )
        ? p
        : undefined;
    });
  const logs = (name: string, query = '') =>
    fetch(`${cluster.url}/api/v1/namespaces/default/pods/${name}/log${query}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-lc-'));
    cluster = await startLocalCluster({
      name: 'lctest',
      index: 87,
      stateDir: dir,
      port: 0,
      runtime: 'process',
      storeUrl: 'memory://',
      logger: silentLogger(),
    });
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a Ready Node with its capacity and a node Lease', async () => {
    const node = await cluster.client.get(resources.nodes, { name: 'lctest-node' });
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'lctest-node');
    assert.equal(node.status.capacity.pods, '1000');
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.ok(
      node.status.conditions.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      ),
    );
    const lease = await until('lease', () =>
      cluster.client.get(resources.leases, { namespace: 'kube-node-lease', name: 'lctest-node' }),
    );
    assert.equal(lease.spec.holderIdentity, 'lctest-node');
  });

  it('runs a bound pod on its own IP, reports status and events, and serves its logs', async () => {
    await cluster.client.create(
      resources.pods,
      pod('details', [{ name: 'details', image: DETAILS, ports: [{ containerPort: 9080 }] }]),
    );
    const p = await ready('details');
    assert.match(p.status.podIP, /^127\.97\./);
    // Without a readiness probe a pod is Ready once its process runs, before it listens.
    const body = await until('details to answer', async () =>
      (await fetch(`http://${p.status.podIP}:9080/details/0`)).json(),
    );
    assert.equal((body as { author: string }).author, 'William Shakespeare');
    const events = await until('Started event', async () => {
      const list = await cluster.client.list(resources.events, { namespace: 'default' });
      return list.items.some((e) => (e as { reason?: string }).reason === 'Started') ? list.items : undefined;
    });
    assert.ok(events.some((e) => (e as { reason?: string }).reason === 'Pulled'));
    const res = await logs('details');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Server listening on: http:\/\/127\.97\./);
  });

  it('answers kubectl logs errors as Kubernetes does', async () => {
    assert.equal((await logs('nope')).status, 404);
    await cluster.client.create(
      resources.pods,
      pod('two', [
        { name: 'a', image: 'busybox', command: ['sleep', '30'] },
        { name: 'b', image: 'no-such-image-anywhere:1' },
      ]),
    );
    const ambiguous = await logs('two');
    assert.equal(ambiguous.status, 400);
    assert.match(
      await ambiguous.text(),
      /a container name must be specified for pod two, choose one of: \[a b\]/,
    );
    const waiting = await until('image pull failure', async () => {
      const r = await logs('two', '?container=b');
      const text = ((await r.json()) as { message: string }).message;
      return /ImagePullBackOff|ErrImagePull/.test(text) ? { status: r.status, text } : undefined;
    });
    assert.equal(waiting.status, 400);
    assert.match(
      waiting.text,
      /container "b" in pod "two" is waiting to start: (ErrImagePull|ImagePullBackOff)/,
    );
  });

  it('forwards a ClusterIP to the ready endpoints of its EndpointSlices', async () => {
    const svc: KubeObject = await cluster.client.create<KubeObject>(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'details', namespace: 'default' },
      spec: { selector: { app: 'details' }, ports: [{ name: 'http', port: 9080 }] },
    });
    assert.match(svc.spec.clusterIP, /^127\.187\./);
    const p = await get('details');
    await cluster.client.create(resources.endpointslices, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'details-manual',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'details' },
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
      endpoints: [{ addresses: [p.status.podIP], conditions: { ready: true } }],
    });
    const text = await until('the ClusterIP to answer', async () => {
      const r = await fetch(`http://${svc.spec.clusterIP}:9080/details/1`);
      return r.ok ? r.text() : undefined;
    });
    assert.match(text, /"id":1/);
  });

  it('kills the process when its pod is deleted', async () => {
    const p = await get('details');
    await cluster.client.delete(resources.pods, { namespace: 'default', name: 'details' });
    await until('the pod IP to stop answering', async () => {
      try {
        await fetch(`http://${p.status.podIP}:9080/health`, { signal: AbortSignal.timeout(500) });
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
