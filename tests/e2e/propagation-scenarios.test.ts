/**
 * Karmada's propagation scenarios beyond the seed guide, end to end: one `flotilla up` with three
 * push members on the simulated runtime, driven only by real kubectl and the kubeconfigs `up`
 * writes, as a user would. Each scenario uses its own names, so they share the running system.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, type Result, run, until } from '../helpers/e2e.ts';

const MEMBERS = ['member1', 'member2', 'member3'] as const;
const WAIT = 60_000;

function deployment(name: string, extra = ''): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: example.com/${name}:1${extra}}]
`;
}

function policy(name: string, placement: string, extraSpec = ''): string {
  return `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: ${name}}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: ${name}}]
  placement:
${placement
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
${extraSpec}`;
}

describe('propagation scenarios (e2e, one flotilla up, three push members)', { timeout: 900_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let files = 0;
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 200_000);
  const kubectlRaw = (cluster: string, ...args: string[]): Promise<Result> =>
    run('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.config`), ...args], env);
  const kubectl = async (cluster: string, ...args: string[]) => {
    const r = await kubectlRaw(cluster, ...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} on ${cluster}: ${r.stderr}`);
    return r.stdout;
  };
  const plane = (...args: string[]) => kubectl('karmada-apiserver', ...args);
  const write = async (yaml: string) => {
    const file = join(home, `manifest-${files++}.yaml`);
    await writeFile(file, yaml);
    return file;
  };
  const apply = async (yaml: string) => plane('apply', '-f', await write(yaml));
  /** The members holding `kind/name` in `default`, in order. */
  const holders = async (kind: string, name: string): Promise<string[]> => {
    const out: string[] = [];
    for (const m of MEMBERS) {
      const got = await kubectl(m, 'get', kind, name, '--ignore-not-found', '-o', 'name');
      if (got.trim()) out.push(m);
    }
    return out;
  };
  const placed = (kind: string, name: string, want: readonly string[]) =>
    until(`${kind}/${name} in exactly [${want.join(', ')}]`, WAIT, async () => {
      const got = await holders(kind, name);
      return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
    });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-prop-scenarios-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    const up = await flotilla(
      'up',
      '--members',
      MEMBERS.join(','),
      '--pull',
      '',
      '--runtime',
      'simulated',
      '--detach',
      '--port',
      '0',
    );
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  });
  after(async () => {
    await flotilla('down');
    await rm(home, { recursive: true, force: true });
  });

  it('refuses invalid policies with a field-level 422 and leaves placed workloads alone', async () => {
    await apply(
      `${deployment('steady')}---${policy('steady', 'clusterAffinity: {clusterNames: [member1, member2]}')}`,
    );
    await placed('deployment', 'steady', ['member1', 'member2']);
    const identity = async () =>
      Promise.all(
        MEMBERS.map((m) =>
          kubectl(
            m,
            'get',
            'deployment',
            'steady',
            '--ignore-not-found',
            '-o',
            'jsonpath={.metadata.uid}/{.metadata.generation}',
          ),
        ),
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
      const r = await kubectlRaw('karmada-apiserver', 'apply', '-v=6', '-f', await write(c.yaml));
      assert.notEqual(r.code, 0, `${c.what} was accepted`);
      assert.match(r.stderr, / 422 Unprocessable Entity/, `${c.what}: no 422 in\n${r.stderr}`);
      assert.ok(
        r.stderr.includes(`is invalid: ${c.field}: `),
        `${c.what}: field ${c.field} not named in\n${r.stderr}`,
      );
      assert.match(r.stderr, c.message, c.what);
    }
    const policies = (await plane('get', 'pp', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    for (const bad of ['bad-field', 'bad-spread', 'bad-empty', 'bad-weight'])
      assert.ok(!policies.includes(bad), bad);
    assert.equal(
      await plane('get', 'pp', 'steady', '-o', 'jsonpath={.spec.placement.clusterAffinity.clusterNames}'),
      '["member1","member2"]',
    );
    // Give the controllers time to (wrongly) act, then check nothing moved or was recreated.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(await identity(), before);
    assert.deepEqual(await holders('deployment', 'steady'), ['member1', 'member2']);
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
    await apply(`
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
${policy('deps', 'clusterAffinity: {clusterNames: [member2, member3]}', '  propagateDeps: true')}
---
${withDeps(true)}`);
    await placed('deployment', 'deps', ['member2', 'member3']);
    await placed('configmap', 'deps-config', ['member2', 'member3']);
    await placed('secret', 'deps-secret', ['member2', 'member3']);
    const token = await kubectl('member3', 'get', 'secret', 'deps-secret', '-o', 'jsonpath={.data.token}');
    assert.equal(Buffer.from(token, 'base64').toString(), 's3cret');
    const requiredBy = await plane(
      'get',
      'rb',
      'deps-config-configmap',
      '-o',
      'jsonpath={.spec.requiredBy[0].name} {.spec.requiredBy[0].clusters[*].name}',
    );
    assert.equal(requiredBy, 'deps-deployment member2 member3');

    await apply(withDeps(false));
    await until('attached binding deps-secret-secret deleted', WAIT, async () => {
      const r = await kubectlRaw('karmada-apiserver', 'get', 'rb', 'deps-secret-secret');
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    });
    await placed('secret', 'deps-secret', []);
    assert.deepEqual(await holders('configmap', 'deps-config'), ['member2', 'member3']);
  });
});
