import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { createRuntime } from '../index.ts';
import { cidrContains, parseCidr } from '../ip.ts';
import type { RuntimeEvent } from '../types.ts';

const ctx = { serviceEnv: {}, clusterName: 'sim' };

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'default', uid: `uid-${i}` },
    spec: { restartPolicy: 'Always', containers: [{ name: 'web', image: 'nginx:1.25' }] },
  };
}

describe('simulated runtime', () => {
  it('brings 10,000 pods Running and Ready at once, each with its own IP', async () => {
    const rt = createRuntime('simulated', { podCIDR: '127.50.0.0/16' });
    const changed = new Set<string>();
    rt.onChange((uid) => changed.add(uid));
    for (let i = 0; i < 10_000; i++) rt.syncPod(pod(i), ctx);
    const ips = new Set<string>();
    const cidr = parseCidr('127.50.0.0/16');
    for (let i = 0; i < 10_000; i++) {
      const s = rt.podStatus(`uid-${i}`);
      assert.equal(s?.phase, 'Running');
      assert.equal(s?.conditions.find((c) => c.type === 'Ready')?.status, 'True');
      assert.equal(s?.containerStatuses[0]?.ready, true);
      assert.ok(s?.podIP && cidrContains(cidr, s.podIP));
      ips.add(s.podIP);
    }
    assert.equal(ips.size, 10_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(changed.size, 10_000, 'one change notification per pod');
    await rt.killPod('uid-0');
    assert.equal(rt.podStatus('uid-0'), undefined);
    await rt.stop();
    assert.deepEqual(rt.podUids(), []);
  });

  it('shows ContainerCreating until readyDelayMs has passed, then notifies', async () => {
    const rt = createRuntime('simulated', { podCIDR: '127.51.0.0/16', readyDelayMs: 50 });
    const events: RuntimeEvent[] = [];
    rt.onEvent((e) => events.push(e));
    const ready = new Promise<string>((resolve) =>
      rt.onChange((uid) => rt.podStatus(uid)?.containerStatuses[0]?.ready && resolve(uid)),
    );
    rt.syncPod(pod(1), ctx);
    const s = rt.podStatus('uid-1');
    assert.equal(s?.phase, 'Pending');
    assert.deepEqual(s?.containerStatuses[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(await ready, 'uid-1');
    assert.deepEqual(
      events.map((e) => `${e.reason}: ${e.message}`),
      [
        'Pulled: Container image "nginx:1.25" already present on machine',
        'Created: Created container: web',
        'Started: Started container web',
      ],
    );
    assert.equal(rt.logs('uid-1', 'web'), '');
    assert.throws(() => rt.logs('uid-1', 'nope'), { code: 'BadRequest' });
    await rt.stop();
  });
});
