import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CTX, first, makePod, testRuntime, waitFor } from './test-support.ts';

const CIDR = '127.42.0.0/16';

describe('process runtime: bad input', () => {
  it('reports an unknown image as ErrImagePull then ImagePullBackOff, and runs it once the catalog file has it', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-catalog-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const catalogFile = path.join(dir, 'images.yaml');
    const { rt, events } = testRuntime(t, { podCIDR: CIDR, catalogFile });
    const pod = makePod('nope', { containers: [{ name: 'c', image: 'example.com/nope:1.0' }] });
    const uid = pod.metadata.uid ?? '';
    rt.syncPod(pod, CTX);
    const msg = `image "example.com/nope:1.0" is not in Flotilla's image catalog; add it to ${catalogFile}`;
    const w = first(rt.podStatus(uid))?.state.waiting;
    assert.deepEqual(w, { reason: 'ErrImagePull', message: msg });
    assert.equal(rt.podStatus(uid)?.phase, 'Pending');
    assert.ok(
      events.some(
        (e) =>
          e.type === 'Warning' &&
          e.reason === 'Failed' &&
          e.message === `Failed to pull image "example.com/nope:1.0": ${msg}`,
      ),
    );
    assert.ok(events.some((e) => e.message === 'Error: ErrImagePull'));
    await waitFor(
      'ImagePullBackOff',
      () => first(rt.podStatus(uid))?.state.waiting?.reason === 'ImagePullBackOff',
    );
    assert.throws(
      () => rt.logs(uid, 'c'),
      /container "c" in pod "nope" is waiting to start: ImagePullBackOff/,
    );
    fs.writeFileSync(
      catalogFile,
      'images:\n  - match: "example.com/nope:*"\n    command: [sh, -c]\n    args: ["echo catalog $(CONTAINER_PORT) $(MODE); sleep 1000"]\n    env: {MODE: fast}\n',
    );
    await waitFor('running from the catalog', () => first(rt.podStatus(uid))?.state.running, 5000);
    await waitFor('catalog program output', () => rt.logs(uid, 'c') === 'catalog 9080 fast\n');
  });

  it('reports an invalid probe as CreateContainerError', (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const cases = [
      [
        {},
        'invalid readinessProbe: must specify exactly one handler (exec, httpGet, tcpSocket or grpc), found none',
      ],
      [
        { exec: { command: ['true'] }, tcpSocket: { port: 80 } },
        'invalid readinessProbe: must specify exactly one handler (exec, httpGet, tcpSocket or grpc), found exec and tcpSocket',
      ],
    ] as const;
    for (const [probe, message] of cases) {
      const pod = makePod('badprobe', {
        containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'], readinessProbe: probe }],
      });
      rt.syncPod(pod, CTX);
      assert.deepEqual(first(rt.podStatus(pod.metadata.uid ?? ''))?.state.waiting, {
        reason: 'CreateContainerError',
        message,
      });
      assert.ok(
        events.some(
          (e) => e.podUid === pod.metadata.uid && e.type === 'Warning' && e.message === `Error: ${message}`,
        ),
      );
    }
  });

  it('reports a missing command as RunContainerError and a missing ConfigMap as CreateContainerConfigError', async (t) => {
    const { rt, events } = testRuntime(t, { podCIDR: CIDR });
    const pod = makePod('nocmd', {
      containers: [{ name: 'c', image: 'busybox', command: ['no-such-program-xyz'] }],
    });
    rt.syncPod(pod, CTX);
    const message = 'exec: "no-such-program-xyz": executable file not found in $PATH';
    assert.deepEqual(first(rt.podStatus(pod.metadata.uid ?? ''))?.state.waiting, {
      reason: 'RunContainerError',
      message,
    });
    assert.equal(first(rt.podStatus(pod.metadata.uid ?? ''))?.lastState.terminated?.reason, 'StartError');
    assert.ok(events.some((e) => e.message === `Error: failed to start container "c": ${message}`));

    const cm = makePod('needscm', {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          command: ['sh', '-c', 'echo $(V); sleep 1000'],
          env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }],
        },
      ],
    });
    const uid = cm.metadata.uid ?? '';
    rt.syncPod(cm, CTX);
    assert.deepEqual(first(rt.podStatus(uid))?.state.waiting, {
      reason: 'CreateContainerConfigError',
      message: 'configmap "cfg" not found',
    });
    rt.syncPod(cm, { ...CTX, configMaps: { cfg: { k: 'from-configmap' } } });
    await waitFor(
      'config value in logs',
      () => first(rt.podStatus(uid))?.state.running && rt.logs(uid, 'c') === 'from-configmap\n',
    );
  });

  it('never throws out of syncPod, whatever the pod', (t) => {
    const { rt } = testRuntime(t, { podCIDR: CIDR });
    const junk: unknown[] = [
      null,
      {},
      { metadata: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { uid: 'u1', name: 'x' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { uid: 'u2', name: 'y' },
        spec: { containers: [null, 5, { name: 'c' }] },
      },
    ];
    for (const p of junk) assert.doesNotThrow(() => rt.syncPod(p as never, CTX));
    assert.throws(() => rt.logs('missing', 'c'), { code: 'NotFound' });
  });
});
