import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { dependenciesOf, hasDependencyInterpreter } from './extract.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

function deployment(podSpec: Obj, kind = 'Deployment', apiVersion = 'apps/v1'): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: podSpec } },
  };
}

/** `Kind/name` pairs, the compact form the table below states expectations in. */
const short = (o: KubeObject) => dependenciesOf(o).map((d) => `${d.kind}/${d.name}`);

const cases: { name: string; obj: KubeObject; want: string[] }[] = [
  {
    name: 'ConfigMap and Secret volumes',
    obj: deployment({
      volumes: [
        { name: 'a', configMap: { name: 'settings' } },
        { name: 'b', secret: { secretName: 'creds' } },
        { name: 'c', emptyDir: {} },
      ],
    }),
    want: ['ConfigMap/settings', 'Secret/creds'],
  },
  {
    name: 'env valueFrom and envFrom, in init, regular and ephemeral containers',
    obj: deployment({
      initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'init-env' } }] }],
      containers: [
        {
          name: 'c',
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-key', key: 'a' } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'secret-key', key: 'b' } } },
            { name: 'C', value: 'plain' },
            { name: 'D', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          envFrom: [{ secretRef: { name: 'secret-env' } }],
        },
      ],
      ephemeralContainers: [{ name: 'e', envFrom: [{ configMapRef: { name: 'debug' } }] }],
    }),
    want: [
      'ConfigMap/cm-key',
      'ConfigMap/debug',
      'ConfigMap/init-env',
      'Secret/secret-env',
      'Secret/secret-key',
    ],
  },
  {
    name: 'imagePullSecrets',
    obj: deployment({ imagePullSecrets: [{ name: 'registry' }], containers: [{ name: 'c' }] }),
    want: ['Secret/registry'],
  },
  {
    name: 'projected volumes (ConfigMap and Secret sources; token sources ignored)',
    obj: deployment({
      volumes: [
        {
          name: 'p',
          projected: {
            sources: [
              { configMap: { name: 'proj-cm' } },
              { secret: { name: 'proj-secret' } },
              { serviceAccountToken: { path: 'token' } },
            ],
          },
        },
      ],
    }),
    want: ['ConfigMap/proj-cm', 'Secret/proj-secret'],
  },
  {
    name: 'secrets of storage volume sources (CSI, RBD, azureFile)',
    obj: deployment({
      volumes: [
        { name: 'x', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi-secret' } } },
        { name: 'y', rbd: { image: 'i', secretRef: { name: 'rbd-secret' } } },
        { name: 'z', azureFile: { secretName: 'azure-secret', shareName: 's' } },
      ],
    }),
    want: ['Secret/azure-secret', 'Secret/csi-secret', 'Secret/rbd-secret'],
  },
  {
    name: 'a ServiceAccount other than default',
    obj: deployment({ serviceAccountName: 'bookinfo-reviews', containers: [{ name: 'c' }] }),
    want: ['ServiceAccount/bookinfo-reviews'],
  },
  {
    name: 'the default ServiceAccount is not a dependency',
    obj: deployment({ serviceAccountName: 'default', containers: [{ name: 'c' }] }),
    want: [],
  },
  {
    name: 'PersistentVolumeClaims from volumes',
    obj: deployment({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-pvc' } }] }),
    want: ['PersistentVolumeClaim/data-pvc'],
  },
  {
    name: 'the same name referenced twice is listed once; groups in Karmada order, names sorted',
    obj: deployment({
      serviceAccountName: 'sa',
      volumes: [
        { name: 'a', configMap: { name: 'zeta' } },
        { name: 'b', configMap: { name: 'alpha' } },
        { name: 'c', persistentVolumeClaim: { claimName: 'pvc' } },
      ],
      containers: [
        { name: 'c', envFrom: [{ configMapRef: { name: 'zeta' } }, { secretRef: { name: 's' } }] },
      ],
    }),
    want: ['ConfigMap/alpha', 'ConfigMap/zeta', 'Secret/s', 'ServiceAccount/sa', 'PersistentVolumeClaim/pvc'],
  },
  {
    name: 'a Pod uses its own spec',
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { volumes: [{ name: 'a', configMap: { name: 'pod-cm' } }] },
    },
    want: ['ConfigMap/pod-cm'],
  },
  {
    name: 'a CronJob reads its job template',
    obj: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj', namespace: 'shop' },
      spec: { jobTemplate: { spec: { template: { spec: { imagePullSecrets: [{ name: 'pull' }] } } } } },
    },
    want: ['Secret/pull'],
  },
  {
    name: 'a StatefulSet leaves out claims made from its volumeClaimTemplates',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        template: {
          spec: {
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
              { name: 'shared', persistentVolumeClaim: { claimName: 'shared' } },
            ],
          },
        },
      },
    },
    want: ['PersistentVolumeClaim/shared'],
  },
  {
    name: 'an Ingress depends on its TLS Secrets',
    obj: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'in', namespace: 'shop' },
      spec: {
        tls: [{ secretName: 'tls-a' }, { hosts: ['x'] }, { secretName: 'tls-a' }, { secretName: 'tls-b' }],
      },
    },
    want: ['Secret/tls-a', 'Secret/tls-b'],
  },
  {
    name: 'a Service is not a dependency of anything, nor has dependencies',
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' } },
    },
    want: [],
  },
  {
    name: 'a kind of the wrong group has no interpreter',
    obj: deployment({ volumes: [{ name: 'a', configMap: { name: 'x' } }] }, 'Deployment', 'example.com/v1'),
    want: [],
  },
  {
    name: 'malformed specs yield nothing rather than throwing',
    obj: deployment({ volumes: 'nope', containers: [null, { env: [{ valueFrom: null }] }] }),
    want: [],
  },
];

describe('dependenciesOf', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(short(c.obj), c.want);
    });
  }

  it('references are v1 objects in the template namespace', () => {
    const deps = dependenciesOf(deployment({ volumes: [{ name: 'a', configMap: { name: 'settings' } }] }));
    assert.deepEqual(deps, [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' }]);
  });

  it('knows which kinds have an interpreter', () => {
    assert.equal(hasDependencyInterpreter({ apiVersion: 'apps/v1', kind: 'Deployment' }), true);
    assert.equal(hasDependencyInterpreter({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }), true);
    assert.equal(hasDependencyInterpreter({ apiVersion: 'v1', kind: 'Service' }), false);
    assert.equal(hasDependencyInterpreter({ apiVersion: 'v1', kind: 'ConfigMap' }), false);
  });
});
