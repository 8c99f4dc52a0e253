/**
 * Cluster health and failover as a user meets them: `flotilla up` with member1, a second local
 * cluster `member2` run separately (`flotilla localcluster`) and joined (`flotilla join`), so it
 * can be stopped and started again; then real kubectl and the flotilla CLI only. A NoExecute
 * taint moves a Divided Deployment to member1, whose pods turn ready before member2's copy is
 * purged; stopping member2 turns it Ready=False and NoSchedule-tainted within the thresholds and
 * new work avoids it; a NoExecute taint while it is down moves its share away, and when it
 * returns (taint removed) nothing runs twice. Timings are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, run, until } from '../helpers/e2e.ts';

// Ports in this test's own range: the control plane and member1 from 7320, member2 on 7330.
const PORT = 7320;
const MEMBER2_PORT = 7330;
const FAILURE_THRESHOLD_S = 4;
const PROBE_EVERY_S = 1;

function divided(name: string, readinessDelayS: number): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 4
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: details
          image: docker.io/istio/examples-bookinfo-details-v1:1.20.3
          ports: [{containerPort: 9080}]
          readinessProbe:
            httpGet: {path: /health, port: 9080}
            initialDelaySeconds: ${readinessDelayS}
            periodSeconds: 1
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: ${name}
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - {targetCluster: {clusterNames: [member1]}, weight: 1}
          - {targetCluster: {clusterNames: [member2]}, weight: 1}
`;
}

const FRESH = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fresh
spec:
  replicas: 1
  selector: {matchLabels: {app: fresh}}
  template:
    metadata: {labels: {app: fresh}}
    spec:
      containers: [{name: details, image: docker.io/istio/examples-bookinfo-details-v1:1.20.3}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: fresh
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: fresh}
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
`;

describe('failover: cluster health, taints and eviction (e2e)', { timeout: 420_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let member2: ChildProcess | undefined;
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 200_000);
  const kubectl = async (cluster: string, ...args: string[]) => {
    const r = await run('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.config`), ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const plane = (...args: string[]) => kubectl('karmada-apiserver', ...args);
  /** `ready/desired` of a Deployment in a member, or undefined when it is not there. */
  const deployment = async (cluster: string, name: string): Promise<string | undefined> => {
    const r = await run(
      'kubectl',
      [
        '--kubeconfig',
        join(stateDir, `${cluster}.config`),
        'get',
        'deployment',
        name,
        '--ignore-not-found',
        '--request-timeout=5s',
        '-o',
        'jsonpath={.status.readyReplicas}/{.spec.replicas}',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    if (r.stdout === '') return undefined;
    return r.stdout.startsWith('/') ? `0${r.stdout}` : r.stdout;
  };
  const clusterField = (name: string, path: string) =>
    plane('get', 'cluster', name, '-o', `jsonpath=${path}`);
  const ready = (name: string) => clusterField(name, '{.status.conditions[?(@.type=="Ready")].status}');
  const taints = (name: string) =>
    clusterField(name, '{range .spec.taints[*]}{.key}:{.effect} {end}').then((s) => s.trim());
  const apply = async (file: string, yaml: string) => {
    const path = join(home, file);
    await writeFile(path, yaml);
    await plane('apply', '-f', path);
  };

  async function startMember2(): Promise<void> {
    const child = spawn(
      process.execPath,
      [CLI, 'localcluster', '--name', 'member2', '--port', String(MEMBER2_PORT), '--state-dir', stateDir],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    member2 = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member2 did not start: ${out}`)), 90_000);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (/local cluster member2 is ready/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`member2 exited with ${code}: ${out}`));
      });
    });
  }

  async function stopMember2(): Promise<void> {
    const child = member2;
    member2 = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-failover-e2e-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    const up = await flotilla(
      'up',
      '--members',
      'member1',
      '--port',
      String(PORT),
      '--dashboard-port',
      String(PORT + 8),
      '--gateway-port',
      String(PORT + 9),
      '--cluster-status-update-frequency',
      `${PROBE_EVERY_S}s`,
      '--cluster-failure-threshold',
      `${FAILURE_THRESHOLD_S}s`,
      '--cluster-success-threshold',
      '2s',
      '--resource-eviction-rate',
      '5',
      '--detach',
    );
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    await startMember2();
    const join2 = await flotilla('join', 'member2', '--kubeconfig', join(stateDir, 'member2.config'));
    assert.equal(join2.code, 0, join2.stderr);
    await until('member1 and member2 Ready', 60_000, async () =>
      (await ready('member1')) === 'True' && (await ready('member2')) === 'True' ? true : undefined,
    );
  });
  after(async () => {
    await stopMember2();
    await flotilla('down');
    await rm(home, { recursive: true, force: true });
  });

  it('refuses bad taint input with one line, and cordons / uncordons', async () => {
    const unknown = await flotilla('taint', 'nope', 'k=v:NoSchedule');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr.trim(), 'flotilla: cluster "nope" not found');
    const effect = await flotilla('taint', 'member2', 'k=v:Sometimes');
    assert.equal(effect.code, 2);
    assert.equal(
      effect.stderr.trim(),
      'flotilla: invalid taint spec "k=v:Sometimes": effect "Sometimes" is not supported (NoSchedule, PreferNoSchedule or NoExecute)',
    );
    assert.equal((await flotilla('cordon', 'member2')).stdout.trim(), 'cluster/member2 cordoned');
    assert.equal(await taints('member2'), 'cluster.karmada.io/unschedulable:NoSchedule');
    assert.equal((await flotilla('uncordon', 'member2')).stdout.trim(), 'cluster/member2 uncordoned');
    assert.equal(await taints('member2'), '');
  });

  it('NoExecute: a Divided Deployment moves to member1, ready there before the member2 copy is purged', async (t) => {
    await apply('web.yaml', divided('web', 3));
    await until('web 2/2 on both members', 120_000, async () =>
      (await deployment('member1', 'web')) === '2/2' && (await deployment('member2', 'web')) === '2/2'
        ? true
        : undefined,
    );
    // kubectl wait watches: each returns the moment its condition holds, so their exit times
    // order "member1 ready" and "member2 purged" more finely than polling could.
    const waitFor = (cluster: string, ...args: string[]) => {
      const started = Date.now();
      return run(
        'kubectl',
        [
          '--kubeconfig',
          join(stateDir, `${cluster}.config`),
          'wait',
          'deployment/web',
          '--timeout=150s',
          ...args,
        ],
        env,
        160_000,
      ).then((r) => ({ ...r, at: Date.now(), started }));
    };
    const member1Ready = waitFor('member1', '--for=jsonpath={.status.readyReplicas}=4');
    const member2Purged = waitFor('member2', '--for=delete');
    await new Promise((r) => setTimeout(r, 1_000)); // both watches established
    const tainted = await flotilla('taint', 'member2', 'maint=v:NoExecute');
    assert.equal(tainted.stdout.trim(), 'cluster/member2 tainted', tainted.stderr);
    const start = Date.now();
    let member2ServedMeanwhile = false;
    let member1Done = false;
    void member1Ready.then(() => {
      member1Done = true;
    });
    await until(
      'web 4/4 on member1 and gone from member2',
      150_000,
      async () => {
        const m2 = await deployment('member2', 'web');
        if (!member1Done && m2 === '2/2') member2ServedMeanwhile = true;
        return m2 === undefined && member1Done ? true : undefined;
      },
      200,
    );
    const [ready1, purged2] = await Promise.all([member1Ready, member2Purged]);
    assert.equal(ready1.code, 0, ready1.stderr);
    assert.equal(purged2.code, 0, purged2.stderr);
    t.diagnostic(`NoExecute taint → web 4/4 ready on member1: ${ready1.at - start} ms`);
    t.diagnostic(`NoExecute taint → web purged from member2: ${purged2.at - start} ms`);
    assert.ok(member2ServedMeanwhile, "member2's 2 ready replicas kept serving while member1 scaled up");
    assert.ok(
      ready1.at <= purged2.at,
      `member1 ready at +${ready1.at - start} ms, member2 purged at +${purged2.at - start} ms`,
    );
    assert.equal(
      await plane(
        'get',
        'rb',
        'web-deployment',
        '-o',
        'jsonpath={.spec.clusters[*].name}:{.spec.clusters[*].replicas}',
      ),
      'member1:4',
    );
    const untainted = await flotilla('taint', 'member2', 'maint:NoExecute-');
    assert.equal(untainted.stdout.trim(), 'cluster/member2 untainted', untainted.stderr);
  });

  it('stopping member2 turns it Ready=False and not-ready:NoSchedule within the thresholds; new work avoids it', async (t) => {
    await apply('web2.yaml', divided('web2', 0));
    await until('web2 2/2 on both members', 120_000, async () =>
      (await deployment('member1', 'web2')) === '2/2' && (await deployment('member2', 'web2')) === '2/2'
        ? true
        : undefined,
    );
    const stoppedAt = Date.now();
    await stopMember2();
    await until(
      'member2 Ready=False',
      60_000,
      async () => ((await ready('member2')) === 'False' ? true : undefined),
      200,
    );
    const notReadyMs = Date.now() - stoppedAt;
    t.diagnostic(
      `member2 stopped → Ready=False: ${notReadyMs} ms (probe every ${PROBE_EVERY_S} s, failure threshold ${FAILURE_THRESHOLD_S} s)`,
    );
    assert.ok(
      notReadyMs >= (FAILURE_THRESHOLD_S - PROBE_EVERY_S) * 1000,
      `flipped after ${notReadyMs} ms, before the threshold`,
    );
    assert.ok(
      notReadyMs <= (FAILURE_THRESHOLD_S + 2 * PROBE_EVERY_S) * 1000 + 5_000,
      `flipped only after ${notReadyMs} ms`,
    );
    await until('member2 tainted not-ready', 30_000, async () =>
      (await taints('member2')) === 'cluster.karmada.io/not-ready:NoSchedule' ? true : undefined,
    );
    assert.equal(
      await clusterField('member2', '{.status.conditions[?(@.type=="Ready")].reason}'),
      'ClusterNotReachable',
    );
    await apply('fresh.yaml', FRESH);
    await until('fresh 1/1 on member1', 60_000, async () =>
      (await deployment('member1', 'fresh')) === '1/1' ? true : undefined,
    );
    assert.equal(
      await plane('get', 'rb', 'fresh-deployment', '-o', 'jsonpath={.spec.clusters[*].name}'),
      'member1',
    );
  });

  it('a NoExecute taint on the stopped member2 moves its share away; when it returns untainted nothing runs twice', async (t) => {
    assert.equal((await flotilla('taint', 'member2', 'outage=1:NoExecute')).code, 0);
    const start = Date.now();
    await until('web2 4/4 on member1', 120_000, async () =>
      (await deployment('member1', 'web2')) === '4/4' ? true : undefined,
    );
    t.diagnostic(`NoExecute on the stopped member2 → web2 4/4 ready on member1: ${Date.now() - start} ms`);
    assert.equal(
      await plane(
        'get',
        'rb',
        'web2-deployment',
        '-o',
        'jsonpath={.spec.clusters[*].name}:{.spec.clusters[*].replicas}',
      ),
      'member1:4',
    );
    assert.equal((await flotilla('taint', 'member2', 'outage-')).stdout.trim(), 'cluster/member2 untainted');
    const restartAt = Date.now();
    await startMember2();
    await until('member2 Ready=True and untainted', 90_000, async () =>
      (await ready('member2')) === 'True' && (await taints('member2')) === '' ? true : undefined,
    );
    t.diagnostic(`member2 restarted → Ready=True, untainted: ${Date.now() - restartAt} ms`);
    await until('web2 gone from member2', 60_000, async () =>
      (await deployment('member2', 'web2')) === undefined ? true : undefined,
    );
    // Settled: over a few probes the Divided workloads stay exactly at their 4 replicas.
    for (let i = 0; i < 3; i++) {
      for (const name of ['web', 'web2']) {
        assert.equal(await deployment('member1', name), '4/4', `${name} on member1`);
        assert.equal(await deployment('member2', name), undefined, `${name} on member2`);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });
});
