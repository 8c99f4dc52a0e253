/**
 * Pull mode survives crashes, as a user would run it: `flotilla up` (control plane only), a
 * member cluster as its own `flotilla localcluster` process, and its agent from `flotilla
 * token create --print-register-command` + `flotilla register`. While Deployments propagate to
 * the Pull member, the agent is killed with SIGKILL and restarted with `flotilla agent`; later
 * the control plane itself is killed and restarted from the same state directory while the
 * agent keeps running. Every template must end up in the member exactly once — one Work each,
 * Applied, the member object owned by that Work, nothing extra and nothing lost.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Work } from '../../src/api/karmada/types.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import { Client } from '../../src/client/client.ts';
import { kubeConfigFromFile } from '../../src/client/kubeconfig.ts';
import { resources } from '../../src/client/resources.ts';
import { CLI, run, until } from '../helpers/e2e.ts';

const PORT = 7240;
const MEMBER_PORT = 7245;

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { burst: 'yes' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

const POLICY: KubeObject = {
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: { name: 'burst', namespace: 'default' },
  spec: {
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { burst: 'yes' } } },
    ],
    placement: { clusterAffinity: { clusterNames: ['member2'] } },
  },
};

/** A long-running CLI process whose output is collected; `line` waits for a matching line. */
function start(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; line(re: RegExp, ms: number): Promise<void> } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    line: (re, ms) =>
      until(`${re} from flotilla ${args[0]}`, ms, async () => (re.test(out) ? true : undefined), 100).then(
        () => {},
      ),
  };
}

describe('pull mode: killing the agent and the control plane during propagation (e2e)', {
  timeout: 420_000,
}, () => {
  let home: string;
  let state: string;
  let env: NodeJS.ProcessEnv;
  let plane: Client;
  let member: Client;
  const children: ChildProcess[] = [];
  let agentChild: ChildProcess | undefined;
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', state], env, 200_000);
  const up = async () => {
    const r = await flotilla(
      'up',
      '--members',
      '',
      '--port',
      String(PORT),
      '--dashboard-port',
      '7249',
      '--detach',
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  };
  const memberNames = async () =>
    (await member.list(resources.deployments, { namespace: 'default', labelSelector: 'burst=yes' })).items
      .map((d) => d.metadata.name ?? '')
      .sort();
  const createAll = async (names: string[]) => {
    for (const n of names) await plane.create(resources.deployments, deployment(n));
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-pull-e2e-'));
    state = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    await up();
    const local = start(
      [
        'localcluster',
        '--name',
        'member2',
        '--port',
        String(MEMBER_PORT),
        '--runtime',
        'simulated',
        '--state-dir',
        state,
      ],
      env,
    );
    children.push(local.child);
    await local.line(/is ready/, 60_000);
    plane = new Client({ kubeConfig: kubeConfigFromFile(join(state, 'karmada-apiserver.config')) });
    member = new Client({ kubeConfig: kubeConfigFromFile(join(state, 'member2.config')) });
  });
  after(async () => {
    await flotilla('down');
    for (const c of children) c.kill('SIGKILL');
    await plane?.close();
    await member?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('registers member2 with a bootstrap token and the printed register command', async () => {
    const token = await flotilla('token', 'create', '--print-register-command');
    assert.equal(token.code, 0, token.stderr);
    const command = token.stdout.trim().split(/\s+/);
    assert.deepEqual(command.slice(0, 3), ['flotilla', 'register', `https://127.0.0.1:${PORT}`]);
    const memberConfig = join(state, 'member2.config');
    const wrongHash = await flotilla(
      ...command.slice(1, 5),
      '--discovery-token-ca-cert-hash',
      `sha256:${'0'.repeat(64)}`,
      '--cluster-name',
      'member2',
      '--kubeconfig',
      memberConfig,
    );
    assert.equal(wrongHash.code, 1);
    assert.equal(wrongHash.stderr.trim().split('\n').length, 1, wrongHash.stderr);
    assert.match(
      wrongHash.stderr,
      /^flotilla: the control plane's CA hash is sha256:[0-9a-f]{64}, not sha256:0{64}: refusing to trust/,
    );
    const badToken = await flotilla(
      'register',
      `https://127.0.0.1:${PORT}`,
      '--token',
      'nope',
      '--cluster-name',
      'member2',
      '--kubeconfig',
      memberConfig,
    );
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /--token must look like/);
    const agent = start(
      [
        ...command.slice(1),
        '--cluster-name',
        'member2',
        '--kubeconfig',
        join(state, 'member2.config'),
        '--state-dir',
        state,
      ],
      env,
    );
    children.push(agent.child);
    await agent.line(/cluster\(member2\) is registered successfully/, 60_000);
    await until('member2 Pull True', 60_000, async () => {
      const r = await run(
        'kubectl',
        ['--kubeconfig', join(state, 'karmada-apiserver.config'), 'get', 'clusters', '--no-headers'],
        env,
      );
      return /^member2\s+\S+\s+Pull\s+True/m.test(r.stdout) ? r : undefined;
    });
  });

  it('loses nothing when the agent is killed with SIGKILL mid-propagation and restarted', async () => {
    await plane.create(resources.propagationpolicies, POLICY);
    const first = Array.from({ length: 15 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
    const second = Array.from({ length: 15 }, (_, i) => `app-${String(i + 15).padStart(2, '0')}`);
    const creating = createAll(first);
    await until(
      'the first Deployment in member2',
      60_000,
      async () => ((await memberNames()).length > 0 ? true : undefined),
      50,
    );
    const pid = Number((await readFile(join(state, 'agent-member2.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    await creating;
    await createAll(second);
    const seenWhileDown = (await memberNames()).length;
    assert.ok(seenWhileDown < 30, `all 30 were applied before the agent died (${seenWhileDown})`);

    const agent = start(
      [
        'agent',
        '--kubeconfig',
        join(state, 'member2.config'),
        '--karmada-kubeconfig',
        join(state, 'agent-member2.config'),
        '--cluster-name',
        'member2',
        '--state-dir',
        state,
      ],
      env,
    );
    children.push(agent.child);
    agentChild = agent.child;
    await agent.line(/agent of cluster\(member2\) running/, 60_000);
    await until(
      'all 30 in member2',
      120_000,
      async () => ((await memberNames()).length === 30 ? true : undefined),
      200,
    );
  });

  it('loses nothing when the control plane is killed with SIGKILL mid-propagation and restarted', async () => {
    const third = Array.from({ length: 10 }, (_, i) => `late-${i}`);
    const creating = createAll(third);
    await until(
      'a late Deployment in member2',
      60_000,
      async () => ((await memberNames()).some((n) => n.startsWith('late-')) ? true : undefined),
      50,
    );
    const pid = Number((await readFile(join(state, 'flotilla.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    await creating.catch(() => {}); // the rest land after the restart
    await up();
    for (const n of third) {
      await plane.create(resources.deployments, deployment(n)).catch((err: Error & { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    }
    // Changes made while everything recovers must arrive too.
    await plane.patch(resources.deployments, {
      name: 'app-03',
      namespace: 'default',
      type: 'merge',
      patch: { spec: { replicas: 3 } },
    });
    await plane.delete(resources.deployments, { name: 'app-04', namespace: 'default' });
    const expected = [...Array.from({ length: 30 }, (_, i) => `app-${String(i).padStart(2, '0')}`), ...third]
      .filter((n) => n !== 'app-04')
      .sort();
    await until(
      'member2 holds exactly the 39 templates',
      180_000,
      async () => {
        const names = await memberNames();
        const d = await member.get(resources.deployments, { name: 'app-03', namespace: 'default' });
        return JSON.stringify(names) === JSON.stringify(expected) && d.spec.replicas === 3 ? true : undefined;
      },
      500,
    );
    const works = await until(
      'every Work Applied',
      120_000,
      async () => {
        const list = (
          await plane.list<Work>(resources.works, { namespace: 'karmada-es-member2' })
        ).items.filter((w) => w.spec.workload?.manifests?.[0]?.kind === 'Deployment');
        return list.length === expected.length &&
          list.every((w) => w.status?.conditions?.some((c) => c.type === 'Applied' && c.status === 'True'))
          ? list
          : undefined;
      },
      500,
    );
    const byTemplate = new Map<string, string[]>();
    for (const w of works) {
      const name = w.spec.workload?.manifests?.[0]?.metadata.name ?? '';
      byTemplate.set(name, [...(byTemplate.get(name) ?? []), w.metadata.name ?? '']);
    }
    assert.deepEqual([...byTemplate.keys()].sort(), expected);
    for (const [template, list] of byTemplate)
      assert.equal(list.length, 1, `${template} has Works ${list.join(', ')}`);
    for (const d of (
      await member.list(resources.deployments, { namespace: 'default', labelSelector: 'burst=yes' })
    ).items) {
      const owner = d.metadata.annotations?.['work.karmada.io/name'];
      assert.deepEqual(
        byTemplate.get(d.metadata.name ?? ''),
        [owner],
        `${d.metadata.name} owned by ${owner}`,
      );
    }
    const ready = await run(
      'kubectl',
      ['--kubeconfig', join(state, 'karmada-apiserver.config'), 'get', 'clusters', '--no-headers'],
      env,
    );
    assert.match(ready.stdout, /^member2\s+\S+\s+Pull\s+True/m);
  });

  it('flotilla unregister removes member2 and its objects, and its agent exits', async () => {
    const agentExit = new Promise<number | null>((done) => agentChild?.once('exit', (code) => done(code)));
    const r = await flotilla('unregister', 'member2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cluster\(member2\) is unregistered successfully/);
    assert.deepEqual(await memberNames(), []);
    await assert.rejects(plane.get(resources.clusters, { name: 'member2' }), /not found/);
    assert.equal(await agentExit, 0);
    await assert.rejects(readFile(join(state, 'agent-member2.config')), /ENOENT/);
    const again = await flotilla('unregister', 'member2');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^flotilla: cluster "member2" is not registered/);
  });
});
