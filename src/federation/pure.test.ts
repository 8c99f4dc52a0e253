import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TAINTS } from '../api/karmada/names.ts';
import type { AggregatedStatusItem, Cluster, Work } from '../api/karmada/types.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import { desiredTaints } from '../controllers/cluster/controller.ts';
import { ReadyDebouncer } from '../controllers/status/cluster-status.ts';
import { desiredObject } from './apply.ts';
import { formatResources } from './health.ts';
import { aggregateStatus, interpretHealth } from './interpret.ts';
import { credentialsFromKubeConfig } from './join.ts';
import { credentialsOf } from './members.ts';
import { isSubset, retainMemberFields, stripKarmadaMetadata } from './retain.ts';

const work: Work = {
  apiVersion: 'work.karmada.io/v1alpha1',
  kind: 'Work',
  metadata: { name: 'w', namespace: 'karmada-es-a' },
  spec: {},
};

describe('apply and retain', () => {
  it('marks the desired object managed and drops system metadata and status', () => {
    const d = desiredObject(work, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'n', uid: 'u', resourceVersion: '5' },
      status: { a: 1 },
    });
    assert.deepEqual(d.metadata, {
      name: 'x',
      namespace: 'n',
      labels: { [LABELS.managed]: 'true' },
      annotations: { [ANNOTATIONS.workNamespace]: 'karmada-es-a', [ANNOTATIONS.workName]: 'w' },
    });
    assert.equal(d.status, undefined);
  });

  it('keeps member-owned fields and unmanaged labels, drops labels the template stopped managing', () => {
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 's',
        resourceVersion: '9',
        labels: { mine: 'x', old: 'y' },
        annotations: { [ANNOTATIONS.managedLabels]: 'old' },
        finalizers: ['f'],
      },
      spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30080 }] },
    };
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', labels: { a: 'b' } },
      spec: { ports: [{ port: 80 }] },
    };
    const next = retainMemberFields(desired, live);
    assert.deepEqual(next.metadata.labels, { mine: 'x', a: 'b' });
    assert.equal(next.metadata.resourceVersion, '9');
    assert.deepEqual(next.metadata.finalizers, ['f']);
    assert.equal(next.spec.clusterIP, '10.0.0.1');
    assert.equal(next.spec.ports[0].nodePort, 30080);
  });

  const cases: [string, unknown, unknown, boolean][] = [
    ['server defaults are ignored', { spec: { a: 1 } }, { spec: { a: 1, b: 2 }, status: {} }, true],
    ['a changed field is a change', { spec: { a: 1 } }, { spec: { a: 2 } }, false],
    ['array length matters', { spec: { l: [1] } }, { spec: { l: [1, 2] } }, false],
    [
      'an extra label is a change',
      { metadata: { labels: { a: '1' } } },
      { metadata: { labels: { a: '1', b: '2' } } },
      false,
    ],
    [
      'resourceVersion is ignored',
      { metadata: { resourceVersion: '1' } },
      { metadata: { resourceVersion: '2' } },
      true,
    ],
  ];
  for (const [what, want, have, expected] of cases) {
    it(`isSubset: ${what}`, () => assert.equal(isSubset(want, have), expected));
  }

  it('strips karmada.io labels and annotations', () => {
    const o = stripKarmadaMetadata({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        labels: { [LABELS.managed]: 'true', app: 'a' },
        annotations: { [ANNOTATIONS.workName]: 'w' },
      },
    });
    assert.deepEqual([o.metadata.labels, o.metadata.annotations], [{ app: 'a' }, {}]);
  });
});

describe('interpreters', () => {
  const dep = (status: object, generation = 2): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', generation },
    spec: { replicas: 2 },
    status,
  });

  it('judges Deployment health as Karmada does', () => {
    assert.equal(
      interpretHealth(dep({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 })),
      'Healthy',
    );
    assert.equal(
      interpretHealth(dep({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 })),
      'Unhealthy',
    );
    assert.equal(
      interpretHealth(dep({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 1 })),
      'Unhealthy',
    );
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), 'Healthy');
  });

  it('sums Deployment counters and advances observedGeneration only when every member caught up', () => {
    const item = (c: string, rtg: number): AggregatedStatusItem => ({
      clusterName: c,
      applied: true,
      status: {
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 3,
        generation: 3,
        resourceTemplateGeneration: rtg,
      },
    });
    const t = dep({ observedGeneration: 1 });
    const behind = aggregateStatus(t, [item('a', 2), item('b', 1)]);
    assert.equal(behind?.readyReplicas, 2);
    assert.equal(behind?.observedGeneration, 1);
    const caughtUp = aggregateStatus(t, [item('a', 2), item('b', 2)]);
    assert.equal(caughtUp?.observedGeneration, 2);
    assert.equal((caughtUp?.conditions as Condition[] | undefined)?.[0]?.status, 'True');
  });
});

describe('cluster health and taints', () => {
  const ready = (status: 'True' | 'False'): Condition => ({ type: 'Ready', status });

  it('holds a Ready flip until it persisted for the threshold', () => {
    const d = new ReadyDebouncer(1000, 500);
    assert.equal(d.decide('c', undefined, ready('True'), 0).status, 'True');
    assert.equal(d.decide('c', ready('True'), ready('False'), 0).status, 'True');
    assert.equal(d.decide('c', ready('True'), ready('False'), 999).status, 'True');
    assert.equal(d.decide('c', ready('True'), ready('False'), 1000).status, 'False');
    assert.equal(d.decide('c', ready('False'), ready('True'), 2000).status, 'False');
    assert.equal(d.decide('c', ready('False'), ready('False'), 2100).status, 'False');
    assert.equal(d.decide('c', ready('False'), ready('True'), 2200).status, 'False');
    assert.equal(d.decide('c', ready('False'), ready('True'), 2700).status, 'True');
  });

  const cluster = (cond: Condition | undefined, taints: Cluster['spec']['taints'] = []): Cluster => ({
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'c' },
    spec: { syncMode: 'Push', taints },
    status: cond ? { conditions: [cond] } : {},
  });
  const keys = (c: Cluster) => desiredTaints(c).map((t) => `${t.key}:${t.effect}`);

  it('adds NoSchedule taints by Ready status and keeps user taints', () => {
    assert.deepEqual(keys(cluster(undefined)), [`${TAINTS.notReady}:NoSchedule`]);
    assert.deepEqual(keys(cluster({ type: 'Ready', status: 'Unknown' })), [
      `${TAINTS.unreachable}:NoSchedule`,
    ]);
    const user = { key: 'x', effect: 'NoExecute' as const };
    assert.deepEqual(keys(cluster(ready('True'), [user, { key: TAINTS.notReady, effect: 'NoSchedule' }])), [
      'x:NoExecute',
    ]);
  });

  it('formats resource sums as quantities', () => {
    assert.deepEqual(formatResources({ cpu: 3.5, memory: 8 * 2 ** 30, pods: 110 }), {
      cpu: '3500m',
      memory: '8Gi',
      pods: '110',
    });
  });
});

describe('credentials', () => {
  it('reads certificate credentials from a kubeconfig and back out of a Secret', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'm', server: 'https://m:6443', skipTLSVerify: true }],
      users: [
        {
          name: 'm',
          certData: Buffer.from('CERT').toString('base64'),
          keyData: Buffer.from('KEY').toString('base64'),
        },
      ],
      contexts: [{ name: 'm', cluster: 'm', user: 'm' }],
      currentContext: 'm',
    });
    const creds = credentialsFromKubeConfig(kc);
    assert.deepEqual(creds, {
      apiEndpoint: 'https://m:6443',
      clientCert: 'CERT',
      clientKey: 'KEY',
      insecure: true,
    });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {},
      data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') },
    };
    const c: Cluster = {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'm' },
      spec: { syncMode: 'Push', apiEndpoint: 'https://m:6443', insecureSkipTLSVerification: true },
    };
    assert.deepEqual(credentialsOf(c, secret), creds);
  });
});
