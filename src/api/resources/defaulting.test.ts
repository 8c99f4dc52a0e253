import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaultPullPolicy } from './pod-spec.ts';
import { defOf, find, scenario } from './test-fixtures.ts';

const app = scenario('bookinfo-karmada.yaml');
const policies = scenario('propagation.yaml');

function defaulted(kind: string, obj: KubeObject, group?: string): KubeObject {
  const copy = structuredClone(obj);
  defOf(kind, group).defaulting?.(copy);
  return copy;
}

describe('defaulting', () => {
  it('Secret stringData is folded into base64 data and not kept', () => {
    const out = defaulted('Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'eA==' },
      stringData: { b: 'héllo' },
    });
    assert.deepEqual(out.data, { a: 'eA==', b: Buffer.from('héllo').toString('base64') });
    assert.equal(out.stringData, undefined);
    assert.equal(out.type, 'Opaque');
  });

  it('imagePullPolicy follows the tag', () => {
    assert.equal(defaultPullPolicy('nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultPullPolicy('localhost:5000/nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  });

  it('Deployment gets replicas, strategy, limits and pod template defaults', () => {
    const d = find(app, 'Deployment', 'details-v1');
    delete d.spec.replicas;
    const out = defaulted('Deployment', d);
    assert.equal(out.spec.replicas, 1);
    assert.deepEqual(out.spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    assert.equal(out.spec.revisionHistoryLimit, 10);
    assert.equal(out.spec.progressDeadlineSeconds, 600);
    const pod = out.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Always');
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.schedulerName, 'default-scheduler');
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(pod.securityContext, {});
    assert.equal(pod.serviceAccountName, 'bookinfo-details');
    const c = pod.containers[0];
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
  });

  it('Recreate strategy gets no rollingUpdate', () => {
    const d = find(app, 'Deployment', 'details-v1');
    d.spec.strategy = { type: 'Recreate' };
    assert.deepEqual(defaulted('Deployment', d).spec.strategy, { type: 'Recreate' });
  });

  it('Pod gets the default service account, ReplicaSet replicas 1', () => {
    const pod = defaulted('Pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    });
    assert.equal(pod.spec.serviceAccountName, 'default');
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(pod.status.qosClass, 'BestEffort');
    const rs = defaulted('ReplicaSet', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: {},
    });
    assert.equal(rs.spec.replicas, 1);
  });

  it('Service gets type, affinity, families and target ports, but no cluster IP', () => {
    const out = defaulted('Service', find(app, 'Service', 'details'));
    assert.equal(out.spec.type, 'ClusterIP');
    assert.equal(out.spec.sessionAffinity, 'None');
    assert.deepEqual(out.spec.ipFamilies, ['IPv4']);
    assert.equal(out.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(out.spec.ports, [{ port: 9080, name: 'http', protocol: 'TCP', targetPort: 9080 }]);
    assert.equal(out.spec.clusterIP, undefined);
  });

  it('Namespace, Secret', () => {
    const ns = defaulted('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'demo');
    assert.equal(
      defaulted('Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }).type,
      'Opaque',
    );
  });

  it('PropagationPolicy gets CRD and webhook defaults', () => {
    const pp = find(policies, 'PropagationPolicy', 'service-propagation');
    pp.spec.placement.spreadConstraints = [{ maxGroups: 2 }];
    pp.spec.placement.replicaScheduling = { replicaSchedulingType: 'Divided' };
    pp.spec.failover = { application: {} };
    const out = defaulted('PropagationPolicy', pp);
    assert.equal(out.spec.conflictResolution, 'Abort');
    assert.equal(out.spec.preemption, 'Never');
    assert.equal(out.spec.priority, 0);
    assert.equal(out.spec.schedulerName, 'default-scheduler');
    assert.equal(out.spec.resourceSelectors[0].namespace, 'default');
    assert.deepEqual(out.spec.placement.spreadConstraints, [
      { maxGroups: 2, spreadByField: 'cluster', minGroups: 1 },
    ]);
    assert.equal(out.spec.placement.replicaScheduling.replicaDivisionPreference, 'Weighted');
    assert.deepEqual(out.spec.failover.application, {
      decisionConditions: { tolerationSeconds: 300 },
      purgeMode: 'Gracefully',
      gracePeriodSeconds: 600,
    });
    assert.match(out.metadata.labels?.['propagationpolicy.karmada.io/permanent-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('Cluster gets the nine default resource models and zones from zone', () => {
    const c = defaulted(
      'Cluster',
      {
        apiVersion: 'cluster.karmada.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'member1' },
        spec: { syncMode: 'Push', zone: 'z1' },
      },
      'cluster.karmada.io',
    );
    assert.equal(c.spec.resourceModels.length, 9);
    assert.deepEqual(c.spec.resourceModels[1], {
      grade: 1,
      ranges: [
        { name: 'cpu', min: '1', max: '2' },
        { name: 'memory', min: '4Gi', max: '16Gi' },
      ],
    });
    assert.equal(c.spec.resourceModels[8].ranges[0].max, '9223372036854775807');
    assert.deepEqual(c.spec.zones, ['z1']);
  });
});
