/** Leader election between two candidates on a real API server's Lease. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../../tests/helpers/apiserver.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { LeaderElector, type LeaderElectorOptions } from './leader.ts';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LeaderElector', () => {
  it('elects one of two candidates and hands over when the leader stops', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    const events: string[] = [];
    const candidate = (identity: string) =>
      new LeaderElector({
        client,
        namespace: 'kube-system',
        name: 'test-controller',
        identity,
        leaseDurationMs: 2000,
        renewIntervalMs: 100,
        retryPeriodMs: 100,
        onStartedLeading: (signal) => {
          events.push(`start ${identity}`);
          signal.addEventListener('abort', () => events.push(`abort ${identity}`));
        },
        onStoppedLeading: () => events.push(`stop ${identity}`),
      });
    const a = candidate('a');
    const b = candidate('b');
    a.start();
    await until(() => a.isLeader(), 'a leads');
    b.start();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(b.isLeader(), false, 'b follows while a renews');
    const lease = await client.get(resources.leases, { namespace: 'kube-system', name: 'test-controller' });
    assert.equal(lease.spec.holderIdentity, 'a');
    assert.equal(lease.spec.leaseDurationSeconds, 2);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const handover = Date.now();
    await a.stop();
    await until(() => b.isLeader(), 'b takes over');
    assert.ok(Date.now() - handover < 1500, 'released lease is taken without waiting it out');
    assert.deepEqual(events, ['start a', 'abort a', 'stop a', 'start b']);
    const after = await client.get(resources.leases, { namespace: 'kube-system', name: 'test-controller' });
    assert.equal(after.spec.holderIdentity, 'b');
    assert.equal(after.spec.leaseTransitions, 1);
    await b.stop();
  });

  it('takes over from a leader that vanished without releasing, once its lease expires', async (t) => {
    const server = await startTestServer();
    const client = new Client({ kubeConfig: kubeConfigFromUrl({ server: server.url }) });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    const base: Omit<LeaderElectorOptions, 'identity'> = {
      client,
      namespace: 'kube-system',
      name: 'crashy',
      leaseDurationMs: 1000,
      renewIntervalMs: 100,
      retryPeriodMs: 100,
    };
    // A holder that crashed: its lease is in place and never renewed.
    await client.create(resources.leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { namespace: 'kube-system', name: 'crashy' },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: '2020-01-01T00:00:00.000000Z' },
    });
    const b = new LeaderElector({ ...base, identity: 'b' });
    const started = Date.now();
    b.start();
    t.after(() => b.stop());
    await until(() => b.isLeader(), 'b takes over');
    // Expiry is judged on b's clock from when it first saw the lease, not from the stale renewTime.
    assert.ok(Date.now() - started >= 900, `took ${Date.now() - started} ms`);
  });
});
