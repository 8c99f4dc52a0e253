import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { CREATED, columnNames, defOf, find, NOW, scenario } from './test-fixtures.ts';

const app = scenario('bookinfo-karmada.yaml');
const mesh = scenario('bookinfo-gateway.yaml');
const policies = scenario('propagation.yaml');

function row(kind: string, obj: KubeObject, group?: string): unknown[] {
  return defOf(kind, group).table.cells(obj, NOW);
}

describe('Deployment table', () => {
  it('has kubectl columns with Name as the name-format column', () => {
    const def = defOf('Deployment');
    assert.deepEqual(columnNames(def, 0), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    assert.deepEqual(columnNames(def, 1), ['Containers', 'Images', 'Selector']);
    assert.equal(def.table.columns[0]?.format, 'name');
  });
  it('prints a bookinfo deployment', () => {
    const d = find(app, 'Deployment', 'details-v1');
    d.status = { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
    assert.deepEqual(row('Deployment', d), [
      'details-v1',
      '1/1',
      1,
      1,
      '5m10s',
      'details',
      'registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/examples-bookinfo-details-v1:1.19.1',
      'app=details,version=v1',
    ]);
  });
});

describe('Service table', () => {
  it('prints ClusterIP services with ports and selector', () => {
    const s = find(app, 'Service', 'details');
    defOf('Service').defaulting?.(s);
    s.spec.clusterIP = '10.96.0.12';
    s.spec.clusterIPs = ['10.96.0.12'];
    assert.deepEqual(row('Service', s), [
      'details',
      'ClusterIP',
      '10.96.0.12',
      '<none>',
      '9080/TCP',
      '5m10s',
      'app=details',
    ]);
  });
  it('shows <pending> for a LoadBalancer without ingress and node ports', () => {
    const s: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', creationTimestamp: CREATED },
      spec: {
        type: 'LoadBalancer',
        clusterIPs: ['10.0.0.1'],
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
      },
    };
    assert.deepEqual(row('Service', s).slice(1, 5), [
      'LoadBalancer',
      '10.0.0.1',
      '<pending>',
      '80:30080/TCP',
    ]);
  });
});

describe('Pod table', () => {
  const base = (status: object, extra: object = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: CREATED, ...extra },
    spec: { containers: [{ name: 'a', image: 'x' }] },
    status,
  });
  it('has kubectl columns', () => {
    assert.deepEqual(columnNames(defOf('Pod')), [
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
  });
  it('prints a running pod', () => {
    const p = base({
      phase: 'Running',
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
    });
    p.spec.nodeName = 'member1';
    assert.deepEqual(row('Pod', p), [
      'p',
      '1/1',
      'Running',
      '0',
      '5m10s',
      '10.244.0.5',
      'member1',
      '<none>',
      '<none>',
    ]);
  });
  it('shows the waiting reason and restarts with the last restart age', () => {
    const p = base({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'a',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: '2025-06-01T11:59:48Z' } },
        },
      ],
    });
    assert.deepEqual(row('Pod', p).slice(1, 4), ['0/1', 'CrashLoopBackOff', '3 (12s ago)']);
  });
  it('shows ContainerCreating, Pending, init progress and Terminating', () => {
    const creating = base({
      phase: 'Pending',
      containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    assert.equal(row('Pod', creating)[2], 'ContainerCreating');
    assert.equal(row('Pod', base({ phase: 'Pending' }))[2], 'Pending');
    const init = base({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] });
    init.spec.initContainers = [{ name: 'i', image: 'x' }];
    assert.equal(row('Pod', init)[2], 'Init:0/1');
    const deleting = base({ phase: 'Running' }, { deletionTimestamp: '2025-06-01T11:59:00Z' });
    assert.equal(row('Pod', deleting)[2], 'Terminating');
    const done = base({
      phase: 'Succeeded',
      containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    assert.equal(row('Pod', done)[2], 'Completed');
  });
});

describe('other core tables', () => {
  it('ServiceAccount, ConfigMap, Secret, Namespace', () => {
    const sa = find(app, 'ServiceAccount', 'bookinfo-details');
    assert.deepEqual(row('ServiceAccount', sa), ['bookinfo-details', 0, '5m10s']);
    const meta = { name: 'x', creationTimestamp: CREATED };
    assert.deepEqual(
      row('ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1', b: '2' } }),
      ['x', 2, '5m10s'],
    );
    assert.deepEqual(
      row('Secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta,
        type: 'Opaque',
        data: { a: 'MQ==' },
      }),
      ['x', 'Opaque', 1, '5m10s'],
    );
    assert.deepEqual(
      row('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: meta, status: { phase: 'Active' } }),
      ['x', 'Active', '5m10s'],
    );
  });
  it('Event puts Last Seen first and Name last', () => {
    const def = defOf('Event');
    assert.deepEqual(columnNames(def, 0), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', creationTimestamp: CREATED },
      involvedObject: { kind: 'Deployment', name: 'web' },
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-1 to 3 ',
      firstTimestamp: CREATED,
      lastTimestamp: '2025-06-01T11:59:30Z',
      source: { component: 'deployment-controller' },
    };
    assert.deepEqual(def.table.cells(ev, NOW), [
      '30s',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up replica set web-1 to 3',
      '5m10s',
      1,
      'web.1',
    ]);
  });
  it('Node shows readiness, roles and version', () => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'n1',
        creationTimestamp: CREATED,
        labels: { 'node-role.kubernetes.io/control-plane': '' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: { kubeletVersion: 'v1.32.0' },
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      },
    };
    assert.deepEqual(row('Node', node).slice(0, 6), [
      'n1',
      'Ready,SchedulingDisabled',
      'control-plane',
      '5m10s',
      'v1.32.0',
      '172.18.0.2',
    ]);
  });
  it('EndpointSlice lists ports and at most three endpoints', () => {
    const s: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'details-abc', creationTimestamp: CREATED },
      addressType: 'IPv4',
      ports: [{ port: 9080 }],
      endpoints: [
        { addresses: ['10.0.0.1'] },
        { addresses: ['10.0.0.2'] },
        { addresses: ['10.0.0.3'] },
        { addresses: ['10.0.0.4'] },
      ],
    };
    assert.deepEqual(row('EndpointSlice', s), [
      'details-abc',
      'IPv4',
      '9080',
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
      '5m10s',
    ]);
  });
  it('ReplicaSet, Lease and CRD', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', creationTimestamp: CREATED },
      spec: { replicas: 3, template: { spec: { containers: [] } } },
      status: { replicas: 3, readyReplicas: 2 },
    };
    assert.deepEqual(row('ReplicaSet', rs).slice(0, 5), ['rs', 3, 3, 2, '5m10s']);
    assert.deepEqual(
      row('Lease', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'l', creationTimestamp: CREATED },
        spec: { holderIdentity: 'me' },
      }),
      ['l', 'me', '5m10s'],
    );
    assert.deepEqual(columnNames(defOf('CustomResourceDefinition')), ['Name', 'Created At']);
    assert.deepEqual(
      row('CustomResourceDefinition', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'a.b.c', creationTimestamp: '2025-06-01T11:54:50.000Z' },
      }),
      ['a.b.c', '2025-06-01T11:54:50Z'],
    );
  });
});

describe('custom kinds', () => {
  it('VirtualService renders arrays as JSON', () => {
    const vs = find(mesh, 'VirtualService', 'bookinfo');
    assert.deepEqual(columnNames(defOf('VirtualService')), ['Name', 'Gateways', 'Hosts', 'Age']);
    assert.deepEqual(row('VirtualService', vs), ['bookinfo', '["bookinfo-gateway"]', '["*"]', '5m10s']);
  });
  it('Gateway has only Name and Age', () => {
    assert.deepEqual(row('Gateway', find(mesh, 'Gateway', 'bookinfo-gateway')), [
      'bookinfo-gateway',
      '5m10s',
    ]);
  });
  it('PropagationPolicy shows conflict resolution and priority after defaulting', () => {
    const def = defOf('PropagationPolicy');
    const pp = find(policies, 'PropagationPolicy', 'service-propagation');
    def.defaulting?.(pp);
    assert.deepEqual(columnNames(def), ['Name', 'CONFLICT-RESOLUTION', 'PRIORITY', 'AGE']);
    assert.deepEqual(def.table.cells(pp, NOW), ['service-propagation', 'Abort', '0', '5m10s']);
  });
  it('ResourceBinding and Work evaluate filter and wildcard paths', () => {
    const rb: KubeObject = {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'details-v1-deployment', creationTimestamp: CREATED },
      status: { conditions: [{ type: 'Scheduled', status: 'True' }] },
    };
    assert.deepEqual(row('ResourceBinding', rb), ['details-v1-deployment', 'True', null, '5m10s']);
    const work: KubeObject = {
      apiVersion: 'work.karmada.io/v1alpha1',
      kind: 'Work',
      metadata: { name: 'w', creationTimestamp: CREATED },
      spec: { workload: { manifests: [{ kind: 'Deployment' }] } },
      status: { conditions: [{ type: 'Applied', status: 'False' }] },
    };
    assert.deepEqual(row('Work', work), ['w', 'Deployment', 'False', '5m10s']);
  });
  it('Cluster prints the aggregated apiserver columns', () => {
    const def = defOf('Cluster', 'cluster.karmada.io');
    assert.deepEqual(columnNames(def, 0), ['Name', 'Version', 'Mode', 'Ready', 'Age']);
    const c: KubeObject = {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member1', creationTimestamp: CREATED },
      spec: { syncMode: 'Push', apiEndpoint: 'https://127.0.0.1:6443' },
      status: { kubernetesVersion: 'v1.32.0', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.deepEqual(def.table.cells(c, NOW), [
      'member1',
      'v1.32.0',
      'Push',
      'True',
      '5m10s',
      '<none>',
      '<none>',
      '<none>',
      'https://127.0.0.1:6443',
      '<none>',
    ]);
  });
});
