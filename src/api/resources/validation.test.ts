import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, StatusCause } from '../meta.ts';
import { defOf, find, scenario } from './test-fixtures.ts';
import { validateObjectMeta } from './validation.ts';

const app = scenario('bookinfo-karmada.yaml');
const mesh = scenario('bookinfo-gateway.yaml');
const policies = scenario('propagation.yaml');

function validate(kind: string, obj: KubeObject, group?: string): StatusCause[] {
  const def = defOf(kind, group);
  const copy = structuredClone(obj);
  def.defaulting?.(copy);
  return [...validateObjectMeta(copy, def), ...(def.validate?.(copy, {}) ?? [])];
}

const fields = (causes: StatusCause[]): string[] => causes.map((c) => `${c.field}|${c.reason}`);

describe('validateObjectMeta', () => {
  it('requires a name', () => {
    const causes = validateObjectMeta(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } },
      defOf('ConfigMap'),
    );
    assert.deepEqual(causes, [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      },
    ]);
  });
  it('uses the DNS-1123 label rule for namespaces and DNS-1035 for services', () => {
    const [ns] = validateObjectMeta(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } },
      defOf('Namespace'),
    );
    assert.equal(
      ns?.message,
      "Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
    const svc = validateObjectMeta(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: '1abc', namespace: 'd' } },
      defOf('Service'),
    );
    assert.match(svc[0]?.message ?? '', /^Invalid value: "1abc": a DNS-1035 label must consist/);
    assert.deepEqual(
      validateObjectMeta(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b', namespace: 'd' } },
        defOf('ConfigMap'),
      ),
      [],
    );
  });
  it('requires a namespace only for namespaced kinds', () => {
    assert.deepEqual(
      fields(validateObjectMeta({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, defOf('Pod'))),
      ['metadata.namespace|FieldValueRequired'],
    );
    assert.deepEqual(
      fields(
        validateObjectMeta(
          { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } },
          defOf('Node'),
        ),
      ),
      ['metadata.namespace|FieldValueForbidden'],
    );
  });
  it('checks label syntax and annotation size', () => {
    const meta = {
      name: 'x',
      namespace: 'd',
      labels: { 'bad key!': 'v', ok: 'bad value!' },
      annotations: { a: 'x'.repeat(262144) },
    };
    assert.deepEqual(
      fields(validateObjectMeta({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta }, defOf('ConfigMap'))),
      [
        'metadata.labels|FieldValueInvalid',
        'metadata.labels|FieldValueInvalid',
        'metadata.annotations|FieldValueTooLong',
      ],
    );
  });
  it('accepts generateName', () => {
    assert.deepEqual(
      validateObjectMeta(
        { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-', namespace: 'd' } },
        defOf('Pod'),
      ),
      [],
    );
  });
});

describe('workloads', () => {
  it('accepts every bookinfo manifest', () => {
    for (const o of [...app, ...mesh, ...policies]) {
      assert.deepEqual(validate(o.kind, o), [], `${o.kind}/${o.metadata.name}`);
    }
  });
  it('Deployment selector, replicas, containers and image', () => {
    const d = find(app, 'Deployment', 'details-v1');
    d.spec.replicas = -1;
    d.spec.selector = { matchLabels: { app: 'other' } };
    d.spec.template.spec.containers.push(
      { name: 'details' },
      { name: 'x', image: 'y', ports: [{ containerPort: 70000 }] },
    );
    const causes = validate('Deployment', d);
    assert.deepEqual(fields(causes), [
      'spec.replicas|FieldValueInvalid',
      'spec.template.metadata.labels|FieldValueInvalid',
      'spec.template.spec.containers[1].name|FieldValueDuplicate',
      'spec.template.spec.containers[1].image|FieldValueRequired',
      'spec.template.spec.containers[2].ports[0].containerPort|FieldValueInvalid',
    ]);
    assert.equal(causes[0]?.message, 'Invalid value: -1: must be greater than or equal to 0');
    assert.equal(
      causes[1]?.message,
      'Invalid value: map[string]string{"app":"details", "version":"v1"}: `selector` does not match template `labels`',
    );
    assert.equal(causes[4]?.message, 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  });
  it('Deployment without selector or containers', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'x' },
      spec: { template: { spec: {} } },
    };
    assert.deepEqual(fields(validate('Deployment', d)), [
      'spec.selector|FieldValueRequired',
      'spec.template.spec.containers|FieldValueRequired',
    ]);
  });
  it('probes need exactly one handler', () => {
    const d = find(app, 'Deployment', 'details-v1');
    d.spec.template.spec.containers[0].livenessProbe = { periodSeconds: 5 };
    d.spec.template.spec.containers[0].readinessProbe = { httpGet: { port: 80 }, tcpSocket: { port: 80 } };
    assert.deepEqual(fields(validate('Deployment', d)), [
      'spec.template.spec.containers[0].livenessProbe|FieldValueRequired',
      'spec.template.spec.containers[0].readinessProbe.tcpSocket|FieldValueForbidden',
    ]);
  });
  it('Job templates may not restart Always', () => {
    const j: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'd' },
      spec: { template: { spec: { containers: [{ name: 'a', image: 'b' }] } } },
    };
    assert.deepEqual(fields(validate('Job', j)), ['spec.template.spec.restartPolicy|FieldValueNotSupported']);
  });
});

describe('core kinds', () => {
  it('Service ports need names when several, valid numbers, unique names', () => {
    const s = find(app, 'Service', 'details');
    s.spec.ports = [{ port: 0, name: 'http' }, { port: 80, name: 'http' }, { port: 81 }];
    assert.deepEqual(fields(validate('Service', s)), [
      'spec.ports[0].port|FieldValueInvalid',
      'spec.ports[0].targetPort|FieldValueInvalid',
      'spec.ports[1].name|FieldValueDuplicate',
      'spec.ports[2].name|FieldValueRequired',
    ]);
  });
  it('ConfigMap keys', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'd' },
      data: { 'a b': '1', ok: '2' },
    };
    const causes = validate('ConfigMap', cm);
    assert.deepEqual(fields(causes), ['data[a b]|FieldValueInvalid']);
    assert.match(
      causes[0]?.message ?? '',
      /^Invalid value: "a b": a valid config key must consist of alphanumeric characters/,
    );
  });
});

describe('Karmada and Istio', () => {
  it('PropagationPolicy rules', () => {
    const pp = find(policies, 'PropagationPolicy', 'service-propagation');
    pp.spec.resourceSelectors.push({ kind: 'Service' });
    pp.spec.placement.clusterAffinity.fieldSelector = {
      matchExpressions: [{ key: 'city', operator: 'In', values: ['x'] }],
    };
    pp.spec.placement.spreadConstraints = [{ spreadByField: 'region', minGroups: 3, maxGroups: 2 }];
    pp.spec.placement.replicaScheduling = {
      replicaSchedulingType: 'Divided',
      weightPreference: { staticWeightList: [{ targetCluster: {}, weight: 0 }] },
    };
    pp.spec.conflictResolution = 'Ignore';
    const causes = validate('PropagationPolicy', pp);
    assert.deepEqual(fields(causes), [
      'spec.resourceSelectors[4].apiVersion|FieldValueRequired',
      'spec.conflictResolution|FieldValueNotSupported',
      'spec.placement.clusterAffinity.fieldSelector|FieldValueInvalid',
      'spec.placement.spreadConstraints[0]|FieldValueInvalid',
      'spec.placement.spreadConstraints|FieldValueInvalid',
      'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight|FieldValueInvalid',
    ]);
    assert.match(causes[2]?.message ?? '', /unsupported key "city", must be provider, region, or zone$/);
    assert.match(causes[3]?.message ?? '', /maxGroups lower than minGroups is not allowed$/);
  });
  it('PropagationPolicy needs resource selectors', () => {
    const pp: KubeObject = {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'p', namespace: 'd' },
      spec: { resourceSelectors: [] },
    };
    assert.deepEqual(fields(validate('PropagationPolicy', pp)), ['spec.resourceSelectors|FieldValueInvalid']);
  });
  it('Cluster needs a sync mode and a short DNS label name', () => {
    const c: KubeObject = {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'm'.repeat(49) },
      spec: {},
    };
    assert.deepEqual(fields(validate('Cluster', c, 'cluster.karmada.io')), [
      'metadata.name|FieldValueInvalid',
      'spec.syncMode|FieldValueRequired',
    ]);
  });
  it('VirtualService hosts and weights', () => {
    const vs = find(mesh, 'VirtualService', 'bookinfo');
    vs.spec.hosts = [];
    vs.spec.http[0].route[0].weight = -1;
    assert.deepEqual(fields(validate('VirtualService', vs)), [
      'spec.hosts|FieldValueRequired',
      'spec.http[0].route[0].weight|FieldValueInvalid',
    ]);
  });
});

describe('updates', () => {
  it('Deployment selector is immutable', () => {
    const def = defOf('Deployment');
    const old = find(app, 'Deployment', 'details-v1');
    const next = structuredClone(old);
    next.spec.selector = { matchLabels: { app: 'details' } };
    const causes = def.validate?.(next, { old }) ?? [];
    assert.deepEqual(fields(causes), ['spec.selector|FieldValueInvalid']);
    assert.match(causes[0]?.message ?? '', /field is immutable$/);
    assert.deepEqual(def.validate?.(structuredClone(old), { old }), []);
  });
});
