import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { cidrContains, parseCidr } from '../ip.ts';
import { alive, CTX, first, makePod, testRuntime, waitFor } from './test-support.ts';

const CIDR = '127.40.0.0/16';

describe('process runtime: Bookinfo', () => {
  it('runs a details pod on its own IP, Ready through an httpGet readiness probe', async (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('details-v1-abc', {
      containers: [
        {
          name: 'details',
          image: 'docker.io/istio/examples-bookinfo-details-v1:1.20.3',
          ports: [{ name: 'http', containerPort: 9080 }],
          readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 1 },
        },
      ],
    });
    const changed: string[] = [];
    rt.onChange((uid) => changed.push(uid));
    rt.syncPod(pod, CTX);
    rt.syncPod(pod, CTX);
    const uid = pod.metadata.uid ?? '';
    const status = await waitFor('details Ready', () => {
      const s = rt.podStatus(uid);
      return s?.conditions.find((c) => c.type === 'Ready')?.status === 'True' && s;
    });
    assert.equal(status.phase, 'Running');
    assert.ok(status.podIP && cidrContains(parseCidr(CIDR), status.podIP), status.podIP);
    const cs = first(status);
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.ok(cs?.state.running?.startedAt);
    assert.match(cs?.containerID ?? '', /^flotilla:\/\/[0-9a-f]{64}$/);
    const res = await fetch(`http://${status.podIP}:9080/details/0`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { id: number }).id, 0);
    assert.ok(changed.includes(uid));
    assert.deepEqual(
      events.filter((e) => e.podUid === uid && e.reason !== 'Unhealthy').map((e) => e.reason),
      ['Pulled', 'Created', 'Started'],
      'a second syncPod starts nothing new',
    );
    assert.equal(events[0]?.fieldPath, 'spec.containers{details}');
    const logs = await waitFor('access log line', () => {
      const text = rt.logs(uid, 'details') as string;
      return text.includes('/details/0') && text;
    });
    assert.match(logs, /Server listening on: http:\/\/127\.40\./);
  });

  it('gives reviews v3 its image settings and the pod its environment', async (t) => {
    const { rt } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('envcheck', {
      containers: [
        {
          name: 'c',
          image: 'registry.example/team/examples-bookinfo-reviews-v3:latest',
          command: ['sh', '-c', 'env | sort; sleep 1000'],
          env: [
            { name: 'GREETING', value: 'hello' },
            {
              name: 'MESSAGE',
              value: '$(GREETING) from $(MY_POD) at $(DETAILS_SERVICE_HOST) $(UNDEFINED) $$(GREETING)',
            },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
        },
      ],
    });
    rt.syncPod(pod, CTX);
    const uid = pod.metadata.uid ?? '';
    const text = await waitFor('env output', () => {
      const s = rt.podStatus(uid);
      if (!s?.containerStatuses[0]?.state.running) return false;
      const out = rt.logs(uid, 'c') as string;
      return out.includes('POD_IP=') && out;
    });
    const env = Object.fromEntries(
      text
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const ip = rt.podStatus(uid)?.podIP;
    assert.equal(env.HOSTNAME, 'envcheck');
    assert.equal(env.POD_IP, ip);
    assert.equal(env.MY_IP, ip);
    assert.equal(env.MY_NS, 'default');
    assert.equal(env.CLUSTER_NAME, 'member1');
    assert.equal(env.DETAILS_SERVICE_HOST, '127.100.0.10');
    assert.equal(env.ENABLE_RATINGS, 'true');
    assert.equal(env.STAR_COLOR, 'red');
    assert.equal(env.MESSAGE, 'hello from $(MY_POD) at 127.100.0.10 $(UNDEFINED) $(GREETING)');
    assert.equal(env.NODE_TEST_CONTEXT, undefined, 'the host environment does not leak in');
  });

  it('follows logs, tails them, and killPod stops the whole process tree and frees the IP', async (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('tree', {
      terminationGracePeriodSeconds: 5,
      containers: [
        // `$$$$` is Kubernetes' escape for the shell's `$$`.
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', 'sleep 1000 & echo $!; echo $$$$; echo one; wait'],
        },
      ],
    });
    rt.syncPod(pod, CTX);
    const uid = pod.metadata.uid ?? '';
    const out = await waitFor('pids in log', () => {
      const text = rt.logs(uid, 'main') as string;
      return text.includes('one') && text;
    });
    const pids = out.split('\n').slice(0, 2).map(Number);
    assert.ok(
      pids.every((p) => p > 0 && alive(p)),
      `processes alive: ${pids}`,
    );
    assert.equal(rt.logs(uid, 'main', { tailLines: 1 }), 'one\n');
    assert.match(
      rt.logs(uid, 'main', { timestamps: true, tailLines: 1 }) as string,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z one\n$/,
    );
    const stream = rt.logs(uid, 'main', { follow: true }) as Readable;
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const ended = new Promise((r) => stream.on('end', r));
    await rt.killPod(uid);
    await ended;
    assert.match(chunks.join(''), /one\n$/);
    assert.ok(
      pids.every((p) => !alive(p)),
      'no process left',
    );
    assert.equal(rt.podStatus(uid), undefined);
    assert.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container main'));
    const again = makePod('tree2', {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '1000'] }],
    });
    rt.syncPod(again, CTX);
    assert.ok(rt.podStatus(again.metadata.uid ?? '')?.podIP);
  });

  it('stop() stops every process it started and ignores later syncs', async (t) => {
    const { rt } = testRuntime(t, { podCIDR: CIDR });
    const uids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const pod = makePod(`p${i}`, {
        containers: [{ name: 'c', image: 'x', command: ['sh', '-c', 'echo $$$$; exec sleep 1000'] }],
      });
      rt.syncPod(pod, CTX);
      uids.push(pod.metadata.uid ?? '');
    }
    const pids = await waitFor('all pids', () => {
      const got = uids.map((u) => Number.parseInt(rt.logs(u, 'c') as string, 10) || 0);
      return got.every((p) => p > 0) && got;
    });
    await rt.stop();
    assert.ok(
      pids.every((p) => !alive(p)),
      'every process stopped',
    );
    rt.syncPod(makePod('late', { containers: [{ name: 'c', image: 'x', command: ['sleep', '1'] }] }), CTX);
    assert.deepEqual(rt.podUids(), []);
  });
});
