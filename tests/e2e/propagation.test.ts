/**
 * The seed guide's Step 1 as a new user meets it: `flotilla up --demo bookinfo --detach`, then
 * real kubectl against the written kubeconfigs — Bookinfo placed across member1 and member2 as
 * EXPECTED.md says, Clusters member1 `Push True` and member2 `Pull True` (through its agent), the
 * control plane's aggregated `reviews-v1 2/2` —
 * then `flotilla explain`, a `flotilla plan` that changes nothing, a Divided 1:3 Deployment,
 * deleting a template, and `flotilla down`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, run, until } from '../helpers/e2e.ts';

/** `NAME READY` pairs of a `kubectl get deployment` table. */
function readyColumn(table: string): string[] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/).slice(0, 2).join(' '));
}

const DIVIDED = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: docker.io/istio/examples-bookinfo-details-v1:1.20.3}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web-propagation
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: web}
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - {targetCluster: {clusterNames: [member1]}, weight: 1}
          - {targetCluster: {clusterNames: [member2]}, weight: 3}
`;

const REVIEWS_ON_MEMBER1 = `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: reviews-propagation
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: reviews-v1}
  placement:
    clusterAffinity: {clusterNames: [member1]}
`;

describe('propagation: flotilla up --demo bookinfo (e2e)', { timeout: 240_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let upOutput = '';
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 200_000);
  const kubectl = async (cluster: string, ...args: string[]) => {
    const r = await run('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.config`), ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const names = async (cluster: string, kind: string) =>
    (await kubectl(cluster, 'get', kind, '-o', 'jsonpath={.items[*].metadata.name}'))
      .split(' ')
      .filter(Boolean)
      .sort();

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-prop-e2e-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    const up = await flotilla('up', '--demo', 'bookinfo', '--detach', '--port', '0');
    upOutput = up.stdout;
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  });
  after(async () => {
    await flotilla('down');
    await rm(home, { recursive: true, force: true });
  });

  it('places Bookinfo as Step 1 expects, all 1/1, with Services and ServiceAccounts', async () => {
    assert.match(upOutput, /ready \(control plane \+ member1, member2\)/);
    assert.deepEqual(readyColumn(await kubectl('member1', 'get', 'deployment')), [
      'productpage-v1 1/1',
      'reviews-v1 1/1',
      'reviews-v2 1/1',
      'reviews-v3 1/1',
    ]);
    assert.deepEqual(readyColumn(await kubectl('member2', 'get', 'deployment')), [
      'details-v1 1/1',
      'ratings-v1 1/1',
      'reviews-v1 1/1',
      'reviews-v2 1/1',
      'reviews-v3 1/1',
    ]);
    for (const m of ['member1', 'member2']) {
      assert.deepEqual(await names(m, 'services'), ['details', 'productpage', 'ratings', 'reviews']);
    }
    const sa = async (m: string) => (await names(m, 'serviceaccounts')).filter((n) => n !== 'default');
    assert.deepEqual(await sa('member1'), ['bookinfo-productpage', 'bookinfo-reviews']);
    assert.deepEqual(await sa('member2'), ['bookinfo-details', 'bookinfo-ratings', 'bookinfo-reviews']);
  });

  it('shows member1 Push and member2 Pull, both Ready, and the templates aggregated on the control plane', async () => {
    const clusters = (await kubectl('karmada-apiserver', 'get', 'clusters')).trim().split('\n');
    assert.deepEqual(clusters[0]?.split(/\s+/), ['NAME', 'VERSION', 'MODE', 'READY', 'AGE']);
    for (const [i, [name, mode]] of [
      ['member1', 'Push'],
      ['member2', 'Pull'],
    ].entries()) {
      const cells = clusters[i + 1]?.split(/\s+/) ?? [];
      assert.deepEqual([cells[0], cells[2], cells[3]], [name, mode, 'True']);
    }
    const plane = readyColumn(await kubectl('karmada-apiserver', 'get', 'deployment'));
    assert.ok(plane.includes('reviews-v1 2/2'), plane.join(', '));
    assert.ok(plane.includes('details-v1 1/1'), plane.join(', '));
    assert.deepEqual(await names('karmada-apiserver', 'gateways'), ['bookinfo-gateway']);
  });

  it('explains deployment/reviews-v1: its policy, both clusters and their Works', async () => {
    const r = await flotilla('explain', 'deployment/reviews-v1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /claimed by: +PropagationPolicy default\/reviews-propagation/);
    assert.match(r.stdout, /^ {2}member1 +fits /m);
    assert.match(r.stdout, /^ {2}member2 +fits /m);
    assert.match(r.stdout, /Duplicated/);
    assert.match(r.stdout, /result member1:1, member2:1/);
    assert.match(r.stdout, /^ {2}member2 +karmada-es-member2\/reviews-v1-\S+ +True +Healthy +ready 1\/1/m);
    const missing = await flotilla('explain', 'deployment/nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'flotilla: deployment/nope not found in namespace default');
  });

  it('plans reviews-propagation limited to member1 as removing member2, and applies nothing', async () => {
    const file = join(home, 'reviews-member1.yaml');
    await writeFile(file, REVIEWS_ON_MEMBER1);
    const r = await flotilla('plan', '-f', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /deployment\/reviews-v1 \(default\): PropagationPolicy default\/reviews-propagation/,
    );
    assert.match(r.stdout, /^ {2}member2 +remove +1 → 0/m);
    assert.match(r.stdout, /nothing was applied/);
    const placement = await kubectl(
      'karmada-apiserver',
      'get',
      'pp',
      'reviews-propagation',
      '-o',
      'jsonpath={.spec.placement.clusterAffinity.clusterNames}',
    );
    assert.equal(placement, '["member1","member2"]');
    assert.deepEqual(readyColumn(await kubectl('member2', 'get', 'deployment', 'reviews-v1')), [
      'reviews-v1 1/1',
    ]);
  });

  it('divides 4 replicas 1:3 by static weight, and removes them when the template is deleted', async () => {
    const file = join(home, 'web.yaml');
    await writeFile(file, DIVIDED);
    const plan = await flotilla('plan', '-f', file);
    assert.match(plan.stdout, /^ {2}member1 +add +- → 1/m);
    assert.match(plan.stdout, /^ {2}member2 +add +- → 3/m);
    await kubectl('karmada-apiserver', 'apply', '-f', file);
    const replicas = (m: string) =>
      kubectl(m, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.status.readyReplicas}');
    await until('web 1 on member1 and 3 on member2, ready', 60_000, async () =>
      (await replicas('member1')) === '1 1' && (await replicas('member2')) === '3 3' ? true : undefined,
    );
    const why = await flotilla('explain', 'deployment/web');
    assert.match(why.stdout, /strategy StaticWeight, 4 replica\(s\)/);
    assert.match(why.stdout, /weights member1:1, member2:3/);
    assert.match(why.stdout, /result member1:1, member2:3/);
    await kubectl('karmada-apiserver', 'delete', 'deployment', 'web');
    await until('web gone from both members', 60_000, async () => {
      const left = [...(await names('member1', 'deployments')), ...(await names('member2', 'deployments'))];
      return left.includes('web') ? undefined : true;
    });
  });

  it('flotilla down stops everything', async () => {
    const r = await flotilla('down');
    assert.equal(r.code, 0, r.stderr);
    const after = await run(
      'kubectl',
      ['--kubeconfig', join(stateDir, 'karmada-apiserver.config'), 'get', 'ns', '--request-timeout=3s'],
      env,
    );
    assert.notEqual(after.code, 0);
  });
});
