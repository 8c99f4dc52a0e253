import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CTX, first, makePod, testRuntime, waitFor } from './test-support.ts';

const CIDR = '127.41.0.0/16';

describe('process runtime: restarts and probes', () => {
  it('restarts a failing container with growing back-off, as CrashLoopBackOff, keeping current and previous logs', async (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('crasher', {
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo out; echo err >&2; exit 1'] }],
    });
    const uid = pod.metadata.uid ?? '';
    rt.syncPod(pod, CTX);
    const messages = new Set<string>();
    const status = await waitFor('three restarts', () => {
      const s = rt.podStatus(uid);
      const w = first(s)?.state.waiting;
      if (w?.reason === 'CrashLoopBackOff' && w.message) messages.add(w.message);
      return (
        (first(s)?.restartCount ?? 0) >= 3 && messages.size >= 2 && w?.reason === 'CrashLoopBackOff' && s
      );
    });
    assert.equal(status.phase, 'Running', 'a crash-looping pod with restartPolicy Always is Running');
    assert.ok(
      messages.has(`back-off 200ms restarting failed container=c pod=crasher_default(${uid})`),
      [...messages].join('\n'),
    );
    assert.ok(
      [...messages].some((m) => m.startsWith('back-off 400ms ')),
      [...messages].join('\n'),
    );
    const cs = first(status);
    assert.equal(cs?.lastState.terminated?.exitCode, 1);
    assert.equal(cs?.lastState.terminated?.reason, 'Error');
    assert.equal(cs?.ready, false);
    assert.equal(
      status.conditions.find((c) => c.type === 'Ready')?.message,
      'containers with unready status: [c]',
    );
    assert.equal(rt.logs(uid, 'c'), 'out\nerr\n');
    assert.equal(rt.logs(uid, 'c', { previous: true }), 'out\nerr\n');
    assert.ok(
      events.some(
        (e) =>
          e.reason === 'BackOff' &&
          e.message === `Back-off restarting failed container c in pod crasher_default(${uid})`,
      ),
    );
  });

  it('honours restartPolicy Never and OnFailure', async (t) => {
    const { rt } = testRuntime(t, { podCIDR: CIDR });
    const cases = [
      { policy: 'Never', code: 3, phase: 'Failed' },
      { policy: 'Never', code: 0, phase: 'Succeeded' },
      { policy: 'OnFailure', code: 0, phase: 'Succeeded' },
    ];
    for (const c of cases) {
      const pod = makePod(`job-${c.policy.toLowerCase()}-${c.code}`, {
        restartPolicy: c.policy,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `exit ${c.code}`] }],
      });
      rt.syncPod(pod, CTX);
      const s = await waitFor(`${c.policy}/${c.code} terminal`, () => {
        const st = rt.podStatus(pod.metadata.uid ?? '');
        return st?.phase === c.phase && st;
      });
      const term = first(s)?.state.terminated;
      assert.equal(term?.exitCode, c.code);
      assert.equal(term?.reason, c.code === 0 ? 'Completed' : 'Error');
      assert.equal(first(s)?.restartCount, 0);
      assert.equal(s.conditions.find((x) => x.type === 'Ready')?.reason, 'PodCompleted');
    }
    assert.throws(
      () => rt.logs(rt.podUids()[0] ?? '', 'c', { previous: true }),
      /previous terminated container "c" in pod ".*" not found/,
    );
  });

  it('kills and restarts a container whose liveness probe fails', async (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('unhealthy', {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          command: ['sleep', '1000'],
          livenessProbe: {
            exec: { command: ['sh', '-c', 'echo sick; exit 1'] },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      ],
    });
    const uid = pod.metadata.uid ?? '';
    rt.syncPod(pod, CTX);
    await waitFor('a liveness restart', () => (first(rt.podStatus(uid))?.restartCount ?? 0) >= 1, 15_000);
    assert.ok(
      events.some(
        (e) =>
          e.reason === 'Unhealthy' && e.type === 'Warning' && e.message === 'Liveness probe failed: sick\n',
      ),
    );
    assert.ok(
      events.some(
        (e) => e.reason === 'Killing' && e.message === 'Container c failed liveness probe, will be restarted',
      ),
    );
    assert.equal(first(rt.podStatus(uid))?.lastState.terminated?.exitCode, 143, 'SIGTERM');
  });

  it('gates readiness on a startup probe and reports tcpSocket readiness', async (t) => {
    const { rt } = testRuntime(t, { podCIDR: CIDR });
    const server = `require('net').createServer().listen(8080, process.env.POD_IP)`;
    const pod = makePod('slowstart', {
      containers: [
        {
          name: 'c',
          image: 'node',
          command: [process.execPath, '-e', `setTimeout(() => ${server}, 1200)`],
          ports: [{ name: 'tcp', containerPort: 8080 }],
          startupProbe: { tcpSocket: { port: 'tcp' }, periodSeconds: 1, failureThreshold: 10 },
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    });
    const uid = pod.metadata.uid ?? '';
    rt.syncPod(pod, CTX);
    await waitFor('running', () => first(rt.podStatus(uid))?.state.running);
    assert.equal(first(rt.podStatus(uid))?.started, false);
    await waitFor('ready', () => first(rt.podStatus(uid))?.ready, 15_000);
    assert.equal(first(rt.podStatus(uid))?.started, true);
    assert.equal(rt.podStatus(uid)?.conditions.find((c) => c.type === 'ContainersReady')?.status, 'True');
  });
});
