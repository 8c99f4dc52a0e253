/**
 * Karmada's propagation scenarios beyond the seed guide, end to end: one `flotilla up` with three
 * push members on the simulated runtime, driven only by real kubectl and the kubeconfigs `up`
 * writes, as a user would. Each scenario uses its own names (and its own cluster label keys), so
 * they share the running system.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/e2e.ts';
import { deployment, MEMBERS, policy, System, WAIT } from './propagation-fixture.ts';

describe('propagation scenarios (e2e, one flotilla up, three push members)', { timeout: 900_000 }, () => {
  const sys = new System();
  before(() => sys.up());
  after(() => sys.down());

  it('refuses invalid policies with a field-level 422 and leaves placed workloads alone', async () => {
    await sys.apply(
      `${deployment('steady')}---${policy('steady', 'clusterAffinity: {clusterNames: [member1, member2]}')}`,
    );
    await sys.placed('deployment', 'steady', ['member1', 'member2']);
    const identity = () =>
      Promise.all(
        MEMBERS.map((m) => sys.jsonpath(m, 'deployment', 'steady', '{.metadata.uid}/{.metadata.generation}')),
      );
    const before = await identity();

    const invalid: { what: string; yaml: string; field: string; message: RegExp }[] = [
      {
        what: 'an unknown fieldSelector key',
        yaml: policy(
          'bad-field',
          'clusterAffinity: {fieldSelector: {matchExpressions: [{key: colour, operator: In, values: [blue]}]}}',
        ),
        field: 'spec.placement.clusterAffinity.fieldSelector',
        message: /unsupported key "colour", must be provider, region, or zone/,
      },
      {
        what: 'maxGroups below minGroups',
        yaml: policy(
          'bad-spread',
          'spreadConstraints: [{spreadByField: cluster, minGroups: 3, maxGroups: 2}]',
        ),
        field: 'spec.placement.spreadConstraints[0]',
        message: /maxGroups lower than minGroups is not allowed/,
      },
      {
        what: 'an empty selector list',
        yaml: `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: bad-empty}
spec:
  resourceSelectors: []
`,
        field: 'spec.resourceSelectors',
        message: /should have at least 1 items/,
      },
      {
        what: 'a static weight below 1',
        yaml: policy(
          'bad-weight',
          `replicaScheduling:
  replicaSchedulingType: Divided
  weightPreference:
    staticWeightList: [{targetCluster: {clusterNames: [member1]}, weight: 0}]`,
        ),
        field: 'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight',
        message: /should be greater than or equal to 1/,
      },
      {
        what: 'an invalid update of the policy that placed steady',
        yaml: policy('steady', 'spreadConstraints: [{spreadByField: cluster, minGroups: 2, maxGroups: 1}]'),
        field: 'spec.placement.spreadConstraints[0]',
        message: /maxGroups lower than minGroups is not allowed/,
      },
    ];
    for (const c of invalid) {
      const r = await sys.kubectlRaw('karmada-apiserver', 'apply', '-v=6', '-f', await sys.write(c.yaml));
      assert.notEqual(r.code, 0, `${c.what} was accepted`);
      assert.match(r.stderr, / 422 Unprocessable Entity/, `${c.what}: no 422 in\n${r.stderr}`);
      assert.ok(
        r.stderr.includes(`is invalid: ${c.field}: `),
        `${c.what}: ${c.field} not named in\n${r.stderr}`,
      );
      assert.match(r.stderr, c.message, c.what);
    }
    const policies = (await sys.plane('get', 'pp', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    for (const bad of ['bad-field', 'bad-spread', 'bad-empty', 'bad-weight'])
      assert.ok(!policies.includes(bad), bad);
    assert.equal(
      await sys.jsonpath(
        'karmada-apiserver',
        'pp',
        'steady',
        '{.spec.placement.clusterAffinity.clusterNames}',
      ),
      '["member1","member2"]',
    );
    // Give the controllers time to (wrongly) act, then check nothing moved or was recreated.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(await identity(), before);
    assert.deepEqual(await sys.holders('deployment', 'steady'), ['member1', 'member2']);
  });

  it('places by cluster labels and by cluster fields (region)', async () => {
    await sys.plane('label', 'cluster', 'member3', 'scenario-env=prod');
    for (const [m, region] of [
      ['member1', 'eu'],
      ['member2', 'us'],
      ['member3', 'us'],
    ] as const) {
      await sys.plane('patch', 'cluster', m, '--type', 'merge', '-p', `{"spec":{"region":"${region}"}}`);
    }
    await sys.apply(
      `${deployment('by-label')}---${policy(
        'by-label',
        'clusterAffinity: {labelSelector: {matchLabels: {scenario-env: prod}}}',
      )}---${deployment('by-field')}---${policy(
        'by-field',
        'clusterAffinity: {fieldSelector: {matchExpressions: [{key: region, operator: In, values: [us]}]}}',
      )}`,
    );
    await sys.placed('deployment', 'by-label', ['member3']);
    await sys.placed('deployment', 'by-field', ['member2', 'member3']);
  });

  it('moves a Duplicated workload when a cluster label moves', async () => {
    await sys.plane('label', 'cluster', 'member1', 'scenario-tier=gold');
    await sys.apply(
      `${deployment('follow')}---${policy(
        'follow',
        `clusterAffinity: {labelSelector: {matchLabels: {scenario-tier: gold}}}
replicaScheduling: {replicaSchedulingType: Duplicated}`,
      )}`,
    );
    await sys.placed('deployment', 'follow', ['member1']);
    await sys.plane('label', 'cluster', 'member2', 'scenario-tier=gold');
    await sys.plane('label', 'cluster', 'member1', 'scenario-tier-');
    await sys.placed('deployment', 'follow', ['member2']);
  });

  it('applies Karmada precedence: name beats label selector; explicit priority beats both', async () => {
    await sys.apply(
      `${policy('prec-label', 'clusterAffinity: {clusterNames: [member1]}', {
        selector: '{apiVersion: apps/v1, kind: Deployment, labelSelector: {matchLabels: {app: prec}}}',
      })}---${policy('prec', 'clusterAffinity: {clusterNames: [member2]}')}---${policy(
        'prio-name',
        'clusterAffinity: {clusterNames: [member1]}',
        { selector: '{apiVersion: apps/v1, kind: Deployment, name: prio}' },
      )}---${policy('prio-high', 'clusterAffinity: {clusterNames: [member3]}', {
        selector: '{apiVersion: apps/v1, kind: Deployment, labelSelector: {matchLabels: {app: prio}}}',
        spec: '  priority: 5',
      })}`,
    );
    await sys.apply(`${deployment('prec')}---${deployment('prio')}`);
    await sys.placed('deployment', 'prec', ['member2']);
    await sys.placed('deployment', 'prio', ['member3']);
    const claim = (name: string) =>
      sys.jsonpath(
        'karmada-apiserver',
        'deployment',
        name,
        '{.metadata.annotations.propagationpolicy\\.karmada\\.io/name}',
      );
    assert.equal(await claim('prec'), 'prec');
    assert.equal(await claim('prio'), 'prio-high');
  });

  it('follows a policy update, keeps members on policy deletion, removes them on template deletion', async () => {
    await sys.apply(
      `${deployment('moving')}---${policy('moving', 'clusterAffinity: {clusterNames: [member1]}')}`,
    );
    await sys.placed('deployment', 'moving', ['member1']);
    await sys.apply(policy('moving', 'clusterAffinity: {clusterNames: [member2, member3]}'));
    await sys.placed('deployment', 'moving', ['member2', 'member3']);

    await sys.plane('delete', 'pp', 'moving');
    await until('the claim gone from the template', WAIT, async () =>
      (await sys.jsonpath(
        'karmada-apiserver',
        'deployment',
        'moving',
        '{.metadata.annotations.propagationpolicy\\.karmada\\.io/name}',
      )) === ''
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(await sys.holders('deployment', 'moving'), ['member2', 'member3']);

    await sys.plane('delete', 'deployment', 'moving');
    await sys.placed('deployment', 'moving', []);
  });

  it('applies an OverridePolicy per cluster', async () => {
    await sys.apply(`${deployment('ovr')}---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata: {name: ovr}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: ovr}]
  overrideRules:
    - targetCluster: {clusterNames: [member2]}
      overriders:
        imageOverrider: [{component: Tag, operator: replace, value: "2"}]
    - targetCluster: {clusterNames: [member3]}
      overriders:
        labelsOverrider: [{operator: add, value: {tier: edge}}]
---${policy('ovr', 'clusterAffinity: {clusterNames: [member1, member2, member3]}')}`);
    await sys.placed('deployment', 'ovr', ['member1', 'member2', 'member3']);
    const image = '{.spec.template.spec.containers[0].image}';
    await sys.until('member2', 'deployment', 'ovr', image, 'example.com/ovr:2');
    assert.equal(await sys.jsonpath('member1', 'deployment', 'ovr', image), 'example.com/ovr:1');
    assert.equal(await sys.jsonpath('member3', 'deployment', 'ovr', image), 'example.com/ovr:1');
    assert.equal(await sys.jsonpath('member3', 'deployment', 'ovr', '{.metadata.labels.tier}'), 'edge');
    assert.equal(await sys.jsonpath('member1', 'deployment', 'ovr', '{.metadata.labels.tier}'), '');
  });

  it('aborts on a pre-existing member object, and adopts it with conflictResolution Overwrite', async () => {
    await sys.apply(deployment('clash', 'example.com/clash:theirs'), 'member1');
    await sys.apply(
      `${deployment('clash')}---${policy('clash', 'clusterAffinity: {clusterNames: [member1, member2]}')}`,
    );
    await sys.placed('deployment', 'clash', ['member1', 'member2']);
    const image = '{.spec.template.spec.containers[0].image}';
    await sys.until('member2', 'deployment', 'clash', image, 'example.com/clash:1');
    const applied = '{.status.aggregatedStatus[?(@.clusterName=="member1")].applied}';
    await sys.until('karmada-apiserver', 'rb', 'clash-deployment', applied, 'false');
    assert.equal(await sys.jsonpath('member1', 'deployment', 'clash', image), 'example.com/clash:theirs');
    assert.equal(
      await sys.jsonpath('member1', 'deployment', 'clash', '{.metadata.labels.karmada\\.io/managed}'),
      '',
    );

    await sys.apply(
      policy('clash', 'clusterAffinity: {clusterNames: [member1, member2]}', {
        spec: '  conflictResolution: Overwrite',
      }),
    );
    await sys.until('member1', 'deployment', 'clash', image, 'example.com/clash:1');
    await sys.until('member1', 'deployment', 'clash', '{.metadata.labels.karmada\\.io/managed}', 'true');
    await sys.until('karmada-apiserver', 'rb', 'clash-deployment', applied, 'true');
  });

  it('reverts drift in a member and recreates a member object deleted by hand', async () => {
    await sys.apply(
      `${deployment('drift')}---${policy('drift', 'clusterAffinity: {clusterNames: [member2]}')}`,
    );
    await sys.placed('deployment', 'drift', ['member2']);
    await sys.kubectl('member2', 'set', 'image', 'deployment/drift', 'app=example.com/evil:1');
    await sys.until(
      'member2',
      'deployment',
      'drift',
      '{.spec.template.spec.containers[0].image}',
      'example.com/drift:1',
    );
    const uid = await sys.jsonpath('member2', 'deployment', 'drift', '{.metadata.uid}');
    await sys.kubectl('member2', 'delete', 'deployment', 'drift');
    await until('drift recreated in member2', WAIT, async () => {
      const now = await sys.jsonpath('member2', 'deployment', 'drift', '{.metadata.uid}');
      return now && now !== uid ? true : undefined;
    });
  });

  it('propagates namespaces to every member, except those labelled to skip', async () => {
    await sys.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-private, labels: {namespace.karmada.io/skip-auto-propagation: "true"}}
`);
    await until('team-a in every member', WAIT, async () => {
      for (const m of MEMBERS)
        if (!(await sys.jsonpath(m, 'namespace', 'team-a', '{.metadata.name}'))) return undefined;
      return true;
    });
    for (const m of MEMBERS)
      assert.equal(await sys.jsonpath(m, 'namespace', 'team-private', '{.metadata.name}'), '', m);
  });

  it('propagates dependencies: ConfigMap and Secret follow the Deployment; a dropped reference is removed', async () => {
    const withDeps = (envFromSecret: boolean) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: deps, labels: {app: deps}}
spec:
  replicas: 1
  selector: {matchLabels: {app: deps}}
  template:
    metadata: {labels: {app: deps}}
    spec:
      volumes: [{name: conf, configMap: {name: deps-config}}]
      containers:
        - name: app
          image: example.com/deps:1
${envFromSecret ? '          envFrom: [{secretRef: {name: deps-secret}}]' : ''}
`;
    await sys.apply(`
apiVersion: v1
kind: ConfigMap
metadata: {name: deps-config}
data: {mode: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: deps-secret}
stringData: {token: s3cret}
---
${policy('deps', 'clusterAffinity: {clusterNames: [member2, member3]}', { spec: '  propagateDeps: true' })}
---
${withDeps(true)}`);
    await sys.placed('deployment', 'deps', ['member2', 'member3']);
    await sys.placed('configmap', 'deps-config', ['member2', 'member3']);
    await sys.placed('secret', 'deps-secret', ['member2', 'member3']);
    const token = await sys.jsonpath('member3', 'secret', 'deps-secret', '{.data.token}');
    assert.equal(Buffer.from(token, 'base64').toString(), 's3cret');
    assert.equal(
      await sys.jsonpath(
        'karmada-apiserver',
        'rb',
        'deps-config-configmap',
        '{.spec.requiredBy[0].name} {.spec.requiredBy[0].clusters[*].name}',
      ),
      'deps-deployment member2 member3',
    );

    await sys.apply(withDeps(false));
    await until('attached binding deps-secret-secret deleted', WAIT, async () => {
      const r = await sys.kubectlRaw('karmada-apiserver', 'get', 'rb', 'deps-secret-secret');
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    });
    await sys.placed('secret', 'deps-secret', []);
    assert.deepEqual(await sys.holders('configmap', 'deps-config'), ['member2', 'member3']);
  });
});
